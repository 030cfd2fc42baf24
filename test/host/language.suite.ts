// Image completion, diagnostics and quick fixes inside the real extension host, against the
// real registry test/e2e/deploy-language.test.ts starts: standard images plus web/app with tags
// 1.4.0, 1.4.1, 1.5.0, 2.0.0 (each its own image) and latest (= 2.0.0). The workspace and its
// files are written by that test; LANG_OTHER_HOST is a listener no connection names (the test
// asserts it received nothing). Settings: registry `Local`, files.autoSave off.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import { api, until } from './support';

const env = process.env;
const HOST = env.LANG_REGISTRY_HOST ?? '';
const OTHER = env.LANG_OTHER_HOST ?? '';
const HOSTILE = env.LANG_HOSTILE_HOST ?? '';
const V = JSON.parse(env.LANG_VERSIONS ?? '{}') as Record<string, string>;
const LOCAL = `settings:${env.LANG_REGISTRY_URL}`;
const SOURCE = 'Registry Explorer';

const uri = (rel: string) => vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, ...rel.split('/'));
const open = async (rel: string) => vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri(rel)), { preview: false });
const ours = (doc: vscode.TextDocument) => vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === SOURCE);
const show = (doc: vscode.TextDocument, d: vscode.Diagnostic) => `${String(d.code)} ${vscode.DiagnosticSeverity[d.severity]} ${doc.lineAt(d.range.start.line).text.trim()} «${doc.getText(d.range)}»`;

/** Resolves when the diagnostics of `doc` have been checked once more (subscribe before causing it). */
function checkedOnce(a: ExtensionApi, doc: vscode.Uri): Promise<void> {
  return new Promise<void>((resolve) => {
    const sub = a.language().diagnostics.onDidUpdate((u) => {
      if (u.toString() !== doc.toString()) return;
      sub.dispose();
      resolve();
    });
  });
}

/** Our completion items at the end of `line` (1-based) of `doc` (VS Code also offers words of the file: those are left out). */
async function complete(doc: vscode.TextDocument, line: number): Promise<vscode.CompletionItem[]> {
  const pos = doc.lineAt(line - 1).range.end;
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, pos);
  return list.items.filter((i) => i.kind !== vscode.CompletionItemKind.Text);
}
const label = (i: vscode.CompletionItem) => (typeof i.label === 'string' ? i.label : i.label.label);
const bySort = (items: vscode.CompletionItem[]) => [...items].sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? '')).map(label);

/** The code action titled `title` for the first diagnostic of `code` (or at `range`). */
async function action(doc: vscode.TextDocument, range: vscode.Range, title: string | RegExp): Promise<vscode.CodeAction> {
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, range);
  const hit = actions.find((a) => (typeof title === 'string' ? a.title === title : title.test(a.title)));
  assert.ok(hit, `${String(title)} among ${actions.map((a) => a.title).join(' | ')}`);
  return hit;
}

async function run(a: vscode.CodeAction): Promise<void> {
  if (a.edit) assert.ok(await vscode.workspace.applyEdit(a.edit));
  if (a.command) await vscode.commands.executeCommand(a.command.command, ...(a.command.arguments ?? []));
}

describe('language: completion, diagnostics and quick fixes in the real extension host', function () {
  this.timeout(60_000);
  let a: ExtensionApi;

  before(async () => {
    assert.ok(HOST && OTHER && V['1.4.0'], 'the test passes the registry, the other host and the digests in env');
    a = await api();
    await until('the Local registry from settings', () => a.store.get(LOCAL));
  });

  it('completes hosts, repositories, tags (newest first, with facts) and a digest; nothing for a registry not connected', async () => {
    const editor = await open('k8s/complete.yaml');
    const doc = editor.document;
    const hosts = await complete(doc, 7);
    assert.deepEqual(hosts.map(label).sort(), [HOST, HOSTILE].sort());
    const local = hosts.find((h) => label(h) === HOST)!;
    assert.equal(local.insertText, `${HOST}/`, 'a host goes on to its repositories');
    assert.equal((local.label as vscode.CompletionItemLabel).description, 'Local');

    const repos = bySort(await complete(doc, 9));
    for (const r of ['alpine', 'team/backend/api', 'web/app']) assert.ok(repos.includes(r), `${r} in ${repos.join(', ')}`);

    const tags = await complete(doc, 11);
    assert.deepEqual(bySort(tags), ['latest', '2.0.0', '1.5.0', '1.4.1', '1.4.0']);
    const range = tags[0]!.range as vscode.Range;
    assert.equal(doc.getText(new vscode.Range(range.start, doc.lineAt(10).range.end)), '', 'the tag part is what an item replaces');

    const digests = await complete(doc, 13);
    assert.deepEqual(digests.map(label), [V['1.4.0']]);

    const before = { ...a.language().facts.stats };
    assert.deepEqual(await complete(doc, 15), [], `${OTHER} is not connected`);
    assert.deepEqual(a.language().facts.stats, before, 'and costs no request');
  });

  it('completes a Helm block tag and a Kustomize newTag from the sibling keys', async () => {
    const values = (await open('chart/values.yaml')).document;
    const at = values.lineAt(3).text.indexOf('1.4.0');
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', values.uri, new vscode.Position(3, at + 2));
    const items = list.items.filter((i) => i.kind !== vscode.CompletionItemKind.Text);
    assert.deepEqual(bySort(items), ['latest', '2.0.0', '1.5.0', '1.4.1', '1.4.0']);
    assert.equal(values.getText(items[0]!.range as vscode.Range), '1.4.0', 'the item replaces the tag inside the quotes');
    const kustomize = (await open('kustomize/kustomization.yaml')).document;
    const k = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', kustomize.uri, new vscode.Position(4, kustomize.lineAt(4).text.indexOf('1.4.0')));
    assert.ok(k.items.some((i) => label(i) === '1.5.0'));
  });

  it('diagnoses: newer version, moved pin, missing tag and repository, one not-connected; one listing per repository across files', async () => {
    const doc = (await open('k8s/deploy.yaml')).document;
    const diags = await until('the diagnostics of deploy.yaml', () => (ours(doc).length >= 6 ? ours(doc) : undefined));
    assert.deepEqual(diags.map((d) => show(doc, d)).sort(), [
      `newerVersion Information - image: "${HOST}/web/app:1.4.1@${V['1.4.0']}" «1.4.1»`,
      `newerVersion Information - image: ${HOST}/web/app:1.4.0 # the app «1.4.0»`,
      `notConnected Information - image: ${OTHER}/org/tool:1.0 «${OTHER}/org/tool»`,
      `notFound Warning - image: ${HOST}/nothing/here:1.0 «${HOST}/nothing/here»`,
      `notFound Warning - image: ${HOST}/web/app:9.9.9 «9.9.9»`,
      `tagMoved Warning - image: "${HOST}/web/app:1.4.1@${V['1.4.0']}" «${V['1.4.0']}»`,
    ]);
    assert.match(diags.find((d) => d.code === 'newerVersion')!.message, /A newer version is available: 1\.5\.0 \(this file uses 1\.4\.[01]\)/);
    assert.match(diags.find((d) => d.code === 'notConnected')!.message, new RegExp(`${OTHER.replace(/\./g, '\\.')} is not a connected registry`));
    const stats = { ...a.language().facts.stats };
    // Listings of web/app and nothing/here; a HEAD for the one pin (the registry's listing has no digests).
    assert.ok(stats.listings <= 2 + 1, JSON.stringify(stats));
    const checked = checkedOnce(a, uri('k8s/second.yaml'));
    const second = (await open('k8s/second.yaml')).document;
    await checked;
    assert.deepEqual(ours(second), [], '1.5.0 is the newest minor');
    assert.equal(a.language().facts.stats.listings, stats.listings, 'web/app was listed once for both files');
  });

  it('a reference by digest alone: one the registry no longer holds is underlined, one it holds is not', async () => {
    const gone = `sha256:${'0'.repeat(64)}`;
    const doc = (await open('k8s/pinned.yaml')).document;
    const heads = a.language().facts.stats.heads;
    const diags = await until('the diagnostics of pinned.yaml', () => (ours(doc).length ? ours(doc) : undefined));
    assert.deepEqual(diags.map((d) => show(doc, d)), [`notFound Warning - image: ${HOST}/web/app@${gone} «${gone}»`]);
    assert.match(diags[0]!.message, /web\/app holds no image sha256:0{12}…: it was deleted or garbage-collected/);
    // A HEAD of each digest: no listing names digests.
    assert.equal(a.language().facts.stats.heads - heads, 2);
  });

  it('while a line is being typed (the file does not parse) the diagnostics stay; the fixed line is checked', async () => {
    const editor = await open('k8s/deploy.yaml');
    const doc = editor.document;
    const original = doc.getText();
    const before = await until('the diagnostics', () => (ours(doc).length >= 6 ? ours(doc).map((d) => show(doc, d)).sort() : undefined));
    const checked = () => checkedOnce(a, doc.uri);
    const listings = a.language().facts.stats.listings;
    const end = doc.lineAt(doc.lineCount - 1).range.end;
    let next = checked();
    await editor.edit((e) => e.insert(end, `        - image: ${HOST}/web/app:`));
    await next;
    assert.deepEqual(ours(doc).map((d) => show(doc, d)).sort(), before, 'kept while the text does not parse');
    next = checked();
    await editor.edit((e) => e.insert(doc.lineAt(doc.lineCount - 1).range.end, '1.4.1'));
    await next;
    assert.equal(ours(doc).length, 7, ours(doc).map((d) => show(doc, d)).join('\n'));
    // Two checks, no listing: web/app is cached, and nothing/here (missing) is not asked again at once.
    assert.equal(a.language().facts.stats.listings, listings);
    await vscode.commands.executeCommand('undo');
    await vscode.commands.executeCommand('undo');
    await until('undone', () => doc.getText() === original);
  });

  it('"Update to 1.5.0" changes the tag only; the diagnostic clears; undo restores the bytes', async () => {
    const editor = await open('k8s/deploy.yaml');
    const doc = editor.document;
    const original = doc.getText();
    const newer = await until('the newer-version diagnostic', () => ours(doc).find((d) => d.code === 'newerVersion' && doc.getText(d.range) === '1.4.0'));
    const fix = await action(doc, newer.range, 'Update to 1.5.0');
    assert.ok(fix.edit && fix.isPreferred);
    await run(fix);
    assert.equal(doc.getText(), original.replace(`${HOST}/web/app:1.4.0 # the app`, `${HOST}/web/app:1.5.0 # the app`));
    await until('the diagnostic cleared', () => !ours(doc).some((d) => d.code === 'newerVersion' && doc.lineAt(d.range.start.line).text.includes('# the app')));
    await vscode.commands.executeCommand('undo');
    await until('undone', () => doc.getText() === original);
    assert.equal(doc.getText(), original, 'byte for byte');
  });

  it('"Update the pinned digest" rewrites the digest only, and the moved-pin warning clears', async () => {
    const doc = (await open('k8s/deploy.yaml')).document;
    const original = doc.getText();
    const moved = await until('the moved pin', () => ours(doc).find((d) => d.code === 'tagMoved'));
    await run(await action(doc, moved.range, /^Update the pinned digest to [0-9a-f]{12}$/));
    assert.equal(doc.getText(), original.replace(`1.4.1@${V['1.4.0']}`, `1.4.1@${V['1.4.1']}`));
    await until('the warning cleared', () => !ours(doc).some((d) => d.code === 'tagMoved'));
    await vscode.commands.executeCommand('undo');
    await until('undone', () => doc.getText() === original);
  });

  it('Helm values: the update edits `tag` inside its quotes, comment kept; pin adds a digest key; unpin clears it', async () => {
    const doc = (await open('chart/values.yaml')).document;
    const original = doc.getText();
    const newer = await until('the Helm diagnostic', () => ours(doc).find((d) => d.code === 'newerVersion'));
    assert.equal(doc.getText(newer.range), '"1.4.0"');
    await run(await action(doc, newer.range, 'Update to 1.5.0'));
    assert.equal(doc.getText(), original.replace('tag: "1.4.0"   # bumped by CI', 'tag: "1.5.0"   # bumped by CI'));
    await until('Helm diagnostic cleared', () => !ours(doc).some((d) => d.code === 'newerVersion'));
    const tagLine = doc.lineAt(3).range;
    await run(await action(doc, tagLine, 'Pin 1.5.0 to its digest'));
    await until('pinned', () => doc.getText().includes(`digest: "${V['1.5.0']}"`));
    assert.equal(doc.getText(), original.replace('tag: "1.4.0"   # bumped by CI', `tag: "1.5.0"   # bumped by CI\n  digest: "${V['1.5.0']}"`));
    await run(await action(doc, doc.lineAt(3).range, 'Unpin (keep the tag 1.5.0)'));
    assert.ok(doc.getText().includes('digest: ""'), doc.getText());
    for (let i = 0; i < 3; i++) await vscode.commands.executeCommand('undo');
    await until('all undone', () => doc.getText() === original);
  });

  it('"Open in the Registries view" reveals the tag; "Connect …" is offered for the unconnected registry', async () => {
    const doc = (await open('k8s/deploy.yaml')).document;
    const at = new vscode.Position(7, doc.lineAt(7).text.indexOf('web/app'));
    await run(await action(doc, new vscode.Range(at, at), 'Open web/app:1.4.0 in the Registries view'));
    await until('the tag selected in the tree', () => a.view.selection.some((n) => n.kind === 'tag' && (n as { tag?: string }).tag === '1.4.0'));
    const unconnected = await until('the not-connected diagnostic', () => ours(doc).find((d) => d.code === 'notConnected'));
    const connect = await action(doc, unconnected.range, `Connect ${OTHER}…`);
    assert.equal(connect.command?.command, 'registryExplorer.imageQuickFix');
  });

  it('the hover names newer tags by the diagnostic’s rules: a new major only with diagnostics.newerMajor on', async () => {
    const doc = (await open('k8s/deploy.yaml')).document;
    const at = new vscode.Position(7, doc.lineAt(7).text.indexOf('web/app:1.4.0') + 3);
    const newer = async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, at);
      const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return /Newer tags: (.*)/.exec(text)?.[1];
    };
    assert.equal(await until('the hover', newer, 30_000), '`1.5.0`, `1.4.1`', 'no 2.0.0, as the diagnostic offers 1.5.0');
    const config = vscode.workspace.getConfiguration('registryExplorer');
    await config.update('diagnostics.newerMajor', true, vscode.ConfigurationTarget.Global);
    try {
      assert.equal(await newer(), '`2.0.0`, `1.5.0`, `1.4.1`');
      const diag = await until('the diagnostic naming 2.0.0', () => ours(doc).find((d) => d.code === 'newerVersion' && doc.getText(d.range) === '1.4.0' && /2\.0\.0/.test(d.message)));
      assert.match(diag.message, /A newer major version is available: 2\.0\.0/);
    } finally {
      await config.update('diagnostics.newerMajor', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('public Docker Hub without a connection, with the setting on: a moved pin and a missing tag, by HEAD only', async () => {
    const doc = (await open('hub/compose.yaml')).document;
    const diags = await until('the Docker Hub diagnostics', () => (ours(doc).length >= 2 ? ours(doc) : undefined));
    assert.deepEqual(diags.map((d) => show(doc, d)).sort(), [
      `notFound Warning image: redis:9.9 «9.9»`,
      `tagMoved Warning image: nginx:1.25@${env.LANG_HUB_PINNED} «${env.LANG_HUB_PINNED}»`,
    ]);
    // No not-connected note: with the setting on, Docker Hub is reached (anonymously).
    assert.ok(!diags.some((d) => d.code === 'notConnected'));
  });

  it('a hostile registry: only real names are offered or written, a fake digest writes nothing', async () => {
    const typing = (await open('hostile/complete.yaml')).document;
    const tags = bySort(await complete(typing, 6));
    assert.deepEqual([...tags].sort(), ['1.0', '1.1', '1.3'], 'names with spaces, line breaks, quotes or slashes are not offered');
    assert.deepEqual(bySort(await complete(typing, 7)), ['evil/app']);
    // A registry that lists tags a page at a time in name order: the newest are on the last page.
    const many = bySort(await complete((await open('hostile/many.yaml')).document, 6));
    assert.equal(many.length, 2500, 'every page read');
    assert.deepEqual(many.slice(0, 3), ['2.0.1499', '2.0.1498', '2.0.1497'], 'newest first, from the last page');
    const doc = (await open('hostile/pod.yaml')).document;
    const original = doc.getText();
    const newer = await until('the hostile diagnostic', () => ours(doc).find((d) => d.code === 'newerVersion')).catch((e: unknown) => {
      throw new Error(`${String(e)}: ${JSON.stringify(vscode.languages.getDiagnostics(doc.uri))} ${JSON.stringify(a.language().facts.stats)}`);
    });
    assert.match(newer.message, /newer version is available: 1\.3 /);
    await run(await action(doc, newer.range, 'Update to 1.3'));
    assert.equal(doc.getText(), original.replace(`${HOSTILE}/evil/app:1.0`, `${HOSTILE}/evil/app:1.3`));
    await vscode.commands.executeCommand('undo');
    await until('undone', () => doc.getText() === original);
    // Pin: the registry's digest header is not a digest; the client refuses it and nothing is written.
    const at = new vscode.Position(5, doc.lineAt(5).text.indexOf('evil/app'));
    await run(await action(doc, new vscode.Range(at, at), 'Pin 1.0 to its digest'));
    assert.equal(doc.getText(), original, 'nothing written');
  });

  it('a hostile registry, references by digest alone: a bogus digest header claims nothing, a 404 is a warning on each reference', async () => {
    const gone = env.LANG_HOSTILE_GONE!;
    const doc = (await open('hostile/pinned.yaml')).document;
    const diags = await until('the diagnostics of hostile/pinned.yaml', () => (ours(doc).length >= 2 ? ours(doc) : undefined));
    assert.deepEqual(diags.map((d) => show(doc, d)), [`notFound Warning - image: ${HOSTILE}/evil/app@${gone} «${gone}»`, `notFound Warning - image: ${HOSTILE}/evil/app@${gone} «${gone}»`]);
    for (const d of diags) assert.match(d.message, /^evil\/app holds no image sha256:d{12}…: /);
  });

  it('a Refresh in the Registries view checks open deploy files again: a version pushed meanwhile is named', async () => {
    const first = checkedOnce(a, uri('k8s/fresh.yaml'));
    const doc = (await open('k8s/fresh.yaml')).document;
    await first;
    assert.deepEqual(ours(doc).map((d) => show(doc, d)), [], '3.19 is the newest alpine');
    // Push alpine:3.20 (the same manifest under a new tag) straight to the registry.
    const registry = env.LANG_REGISTRY_URL!;
    const accept = ['application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.oci.image.index.v1+json'].join(', ');
    const got = await fetch(`${registry}/v2/alpine/manifests/3.19`, { headers: { accept } });
    assert.equal(got.status, 200);
    const put = await fetch(`${registry}/v2/alpine/manifests/3.20`, { method: 'PUT', headers: { 'content-type': got.headers.get('content-type')! }, body: Buffer.from(await got.arrayBuffer()) });
    assert.equal(put.status, 201);
    // Without a Refresh the file keeps what the listing said (it is cached for minutes).
    // With one, the open file is checked against the new listing.
    const again = checkedOnce(a, doc.uri);
    a.tree.refresh(LOCAL, 'alpine');
    await again;
    const newer = await until('the newer-version diagnostic', () => ours(doc).find((d) => d.code === 'newerVersion'));
    assert.equal(show(doc, newer), `newerVersion Information - image: ${HOST}/alpine:3.19 «3.19»`);
    assert.match(newer.message, /3\.20/);
  });

  it('a file from the workspace naming 40 images: the first 32 are checked, the rest cost no request', async () => {
    const flood = JSON.parse(env.LANG_FLOOD!) as string[];
    const doc = (await open('hostile/flood.yaml')).document;
    const diags = await until('the diagnostics of hostile/flood.yaml', () => (ours(doc).length >= 32 ? ours(doc) : undefined));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(ours(doc).length, 32, 'no diagnostic claims anything about the references past the bound');
    assert.deepEqual(diags.map((d) => `${d.code} ${doc.getText(d.range)}`), flood.slice(0, 32).map((d) => `notFound ${d}`));
  });
});
