// Registries under a path inside the real extension host, against the Artifactory and Nexus
// fakes in front of real registries (started by test/e2e/path-registries.test.ts; addresses and
// credentials arrive as environment variables): connected through the wizard's backend, browsed
// in the tree, and every reference the extension copies or reads names the pull host, never the
// API's path.
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import { linkImage, type LinkPicker } from '../../src/ui/link/flow';
import { targetFromNode } from '../../src/ui/link/targets';
import type { RegistryNode, TagNode } from '../../src/ui/tree/nodes';
import { api, until } from './support';

const env = process.env;

describe('registries under a path in the real extension host', function () {
  this.timeout(60_000);
  let a: ExtensionApi;
  before(async () => {
    a = await api();
    for (const c of a.store.list()) await a.store.remove(c.id);
  });

  const saved = (name: string) => {
    const config = a.store.list().find((c) => c.name === name);
    assert.ok(config, `${name} was saved`);
    return config;
  };
  const clip = async (command: string, node: TagNode): Promise<string> => {
    await vscode.commands.executeCommand(command, node);
    return vscode.env.clipboard.readText();
  };

  it('Artifactory: a wrong access token is refused at its field; the right one saves, the token in secret storage only', async () => {
    const values = { url: env.ART_ADDRESS!, repoKey: env.ART_KEY!, name: 'Artifactory' };
    const wrong = await a.wizard.save('artifactory', { ...values, token: 'eyJ2ZXIiOiIyIn0.not-this-one-000000' }, new AbortController().signal);
    assert.equal(wrong.ok, false);
    assert.ok(wrong.fieldErrors?.some((e) => e.field === 'token' && /rejected the access token/.test(e.message)), JSON.stringify(wrong));
    const r = await a.wizard.save('artifactory', { ...values, token: env.ART_TOKEN! }, new AbortController().signal);
    assert.equal(r.ok, true, JSON.stringify(r));
    const config = saved('Artifactory');
    assert.deepEqual(await a.store.secrets(config.id), { token: env.ART_TOKEN });
    assert.ok(!JSON.stringify(a.globalState()).includes(env.ART_TOKEN!), 'globalState holds no secret');
  });

  it('Artifactory: the tree lists through /artifactory/api/docker/KEY/v2/; copied references start with HOST/KEY', async () => {
    const config = saved('Artifactory');
    const reg = (await a.tree.getChildren()).find((n) => n.kind === 'registry' && n.config.id === config.id) as RegistryNode;
    const row = a.tree.getTreeItem(reg);
    const pullAt = `${new URL(env.ART_ADDRESS!).host}/${env.ART_KEY}`;
    assert.ok(String(row.description).endsWith(pullAt) && !String(row.description).includes('/api/docker/'), `the row says where images are pulled from: ${String(row.description)}`);
    assert.ok((row.tooltip as vscode.MarkdownString).value.includes(config.url), 'the API address in the tooltip');
    const labels = (await a.tree.getChildren(reg)).map((n) => String(a.tree.getTreeItem(n).label));
    assert.deepEqual(labels, ['team', 'web']);
    const tag = (await a.tree.locate(config.id, 'team/app', '1.0')) as TagNode;
    assert.ok(tag);
    const pull = `${new URL(env.ART_ADDRESS!).host}/${env.ART_KEY}`;
    assert.equal(await clip('registryExplorer.copyReference', tag), `${pull}/team/app:1.0`);
    assert.equal(await clip('registryExplorer.copyPullCommand', tag), `docker pull ${pull}/team/app:1.0`);
    assert.match(await clip('registryExplorer.copyDigest', tag), /^sha256:[0-9a-f]{64}$/, 'the digest read through the path');
    const item = a.tree.getTreeItem(tag);
    assert.match(String((item.tooltip as vscode.MarkdownString).value), new RegExp(`\\*\\*${pull.replace(/[.]/g, '\\.')}/team/app:1\\.0\\*\\*`));
  });

  it('Artifactory: Link Image rewrites HOST/KEY/… references, and the hover finds them in the connection', async () => {
    const config = saved('Artifactory');
    const pull = `${new URL(env.ART_ADDRESS!).host}/${env.ART_KEY}`;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'a workspace folder is open');
    mkdirSync(join(folder, 'k8s'), { recursive: true });
    const file = join(folder, 'k8s', 'app-deployment.yaml');
    writeFileSync(file, `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ${pull}/team/app:0.9\n        - name: other\n          image: ${pull}/web:v2\n`);
    const tag = (await a.tree.locate(config.id, 'team/app', '1.0')) as TagNode;
    const target = await targetFromNode(a, tag);
    assert.deepEqual(target && { registry: target.registry, repository: target.repository }, { registry: new URL(env.ART_ADDRESS!).host, repository: `${env.ART_KEY}/team/app` }, 'the target as Docker reads it');
    const offered: string[] = [];
    const picker: LinkPicker = {
      async references(choices) {
        for (const c of choices) offered.push(`${c.picked ? '+' : '-'} ${c.ref.value}`);
        return choices.filter((c) => c.picked).map((c) => c.ref);
      },
      async mode() {
        return 'tag@digest';
      },
      async confirm() {
        return { keepPins: true };
      },
    };
    const outcome = await linkImage(a, target!, picker, { progress: false });
    assert.equal(outcome.kind, 'linked', JSON.stringify(outcome));
    assert.ok(offered.includes(`+ ${pull}/team/app:0.9`) && offered.includes(`- ${pull}/web:v2`), offered.join('\n'));
    const doc = await vscode.workspace.openTextDocument(file);
    const line = doc.getText().split('\n').find((l) => l.includes('team/app'))!;
    assert.match(line, new RegExp(`image: ${pull.replace(/[.]/g, '\\.')}/team/app:1\\.0@sha256:[0-9a-f]{64}$`), 'the digest resolved through the path, the reference kept its pull host');
    const at = doc.positionAt(doc.getText().indexOf('team/app:1.0') + 3);
    const text = await until('the hover with the digest', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, at);
      const t = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return /Digest: `sha256:[0-9a-f]{64}`/.test(t) ? t : undefined;
    }, 30_000);
    assert.match(text, /From Artifactory/);
  });

  it('Artifactory: deploy-file completion, diagnostics and quick fixes read HOST/KEY/… references as the connection’s', async () => {
    const config = saved('Artifactory');
    const host = new URL(env.ART_ADDRESS!).host;
    const pull = `${host}/${env.ART_KEY}`;
    const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    mkdirSync(join(folder, 'k8s'), { recursive: true });
    const file = join(folder, 'k8s', 'lang-deployment.yaml');
    const head = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: lang\nspec:\n  template:\n    spec:\n      containers:\n';
    writeFileSync(file, `${head}        - name: a\n          image: ${pull}/team/app:0.9\n        - name: b\n          image: ${pull}/team/app:1.0\n`);
    const doc = (await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file), { preview: false })).document;
    const ours = () => vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'Registry Explorer');
    const diags = await until('the diagnostics', () => (ours().length ? ours() : undefined), 30_000);
    assert.deepEqual(diags.map((d) => `${String(d.code)} «${doc.getText(d.range)}»`), ['notFound «0.9»'], 'the missing tag found in the connection; no not-connected note');

    // Pin 1.0: the digest asked of the connection's team/app, written into HOST/KEY/team/app.
    const at = new vscode.Position(11, doc.lineAt(11).text.indexOf('team/app'));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, new vscode.Range(at, at));
    const titles = actions.map((x) => x.title);
    assert.ok(titles.includes('Open team/app:1.0 in the Registries view'), titles.join(' | '));
    const pin = actions.find((x) => x.title === 'Pin 1.0 to its digest');
    assert.ok(pin?.command, titles.join(' | '));
    await vscode.commands.executeCommand(pin.command.command, ...(pin.command.arguments ?? []));
    const digest = (await a.tree.connection(config.id)).client.headManifest('team/app', '1.0').then((h) => h.digest);
    assert.equal(doc.lineAt(11).text, `          image: ${pull}/team/app:1.0@${await digest}`);

    // Completion after `image: HOST/`: the repositories as Docker reads them, then their tags.
    const editor = vscode.window.activeTextEditor!;
    const complete = async (text: string) => {
      await editor.edit((e) => e.insert(doc.lineAt(doc.lineCount - 1).range.end, `        - image: ${text}\n`));
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, doc.lineAt(doc.lineCount - 2).range.end);
      return list.items.filter((i) => i.kind !== vscode.CompletionItemKind.Text).map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    };
    const repos = await complete(`${host}/`);
    assert.deepEqual([...repos].sort(), [`${env.ART_KEY}/team/app`, `${env.ART_KEY}/web`]);
    assert.deepEqual((await complete(`${pull}/team/app:`)).sort(), ['1.0', 'latest']);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('Nexus: the connector port as pull host in copied references and in the hover of a deploy file', async () => {
    const r = await a.wizard.save('nexus', { url: env.NEXUS_URL!, username: env.NEXUS_USER!, password: env.NEXUS_PASSWORD!, pullHost: 'nexus.example.com:8443', name: 'Nexus' }, new AbortController().signal);
    assert.equal(r.ok, true, JSON.stringify(r));
    const config = saved('Nexus');
    const tag = (await a.tree.locate(config.id, 'team/api', '2.1')) as TagNode;
    assert.ok(tag);
    assert.equal(await clip('registryExplorer.copyReference', tag), 'nexus.example.com:8443/team/api:2.1');
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'a workspace folder is open');
    mkdirSync(join(folder, 'k8s'), { recursive: true });
    const file = join(folder, 'k8s', 'nexus-deployment.yaml');
    writeFileSync(file, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: nexus.example.com:8443/team/api:2.1\n');
    const doc = await vscode.workspace.openTextDocument(file);
    const at = doc.positionAt(doc.getText().indexOf('team/api:2.1') + 3);
    const text = await until('the hover with the digest', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, at);
      const t = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return /Digest: `sha256:[0-9a-f]{64}`/.test(t) ? t : undefined;
    }, 30_000);
    assert.match(text, /From Nexus/);
    assert.ok(!JSON.stringify(a.globalState()).includes(env.NEXUS_PASSWORD!), 'globalState holds no secret');
  });
});
