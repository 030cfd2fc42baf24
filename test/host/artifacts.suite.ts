// What is behind a tag, inside the real extension host, against the real registry seeded with
// real artifacts by test/e2e/artifacts.test.ts (ARTIFACTS_URL: the bare registry; FRONT_URL: the
// same registry behind a front that answers the OCI 1.1 referrers API): a signed image expands
// to its signature, SBOM and provenance, its SBOM opens as JSON, a chart's values.yaml opens,
// and the chart links into a Chart.yaml.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { Node, PlatformNode, RegistryNode, RepositoryNode, TagNode } from '../../src/ui/tree/nodes';
import type { ReferrerNode, ReferrersNode } from '../../src/ui/tree/referrerNodes';
import { api, until } from './support';

const env = process.env;
const label = (a: ExtensionApi, n: Node): string => String(a.tree.getTreeItem(n).label);

async function connect(a: ExtensionApi, name: string, url: string): Promise<RegistryNode> {
  const r = await a.wizard.save('generic', { url, name }, new AbortController().signal);
  assert.equal(r.ok, true, JSON.stringify(r));
  const reg = (await a.tree.getChildren()).find((n) => n.kind === 'registry' && n.config.name === name) as RegistryNode | undefined;
  assert.ok(reg);
  return reg;
}

async function repository(a: ExtensionApi, reg: RegistryNode, path: string): Promise<RepositoryNode> {
  let level = await a.tree.getChildren(reg);
  const parts = path.split('/');
  for (let i = 0; i < parts.length - 1; i++) {
    const folder = level.find((n) => n.kind === 'folder' && n.path === parts.slice(0, i + 1).join('/'));
    assert.ok(folder, `folder ${parts.slice(0, i + 1).join('/')}`);
    level = await a.tree.getChildren(folder);
  }
  const repo = level.find((n) => n.kind === 'repository' && n.name === path) as RepositoryNode | undefined;
  assert.ok(repo, `repository ${path}`);
  return repo;
}

async function tagNode(a: ExtensionApi, reg: RegistryNode, path: string, tag: string): Promise<TagNode> {
  const tags = await a.tree.getChildren(await repository(a, reg, path));
  const node = tags.find((n) => n.kind === 'tag' && n.tag === tag) as TagNode | undefined;
  assert.ok(node, `${path}:${tag} among ${tags.map((n) => label(a, n)).join(', ')}`);
  await until(`details of ${path}:${tag}`, () => a.tree.tagDetails(node));
  return node;
}

async function activeText(what: string): Promise<vscode.TextDocument> {
  return until(what, () => {
    const doc = vscode.window.activeTextEditor?.document;
    return doc?.uri.scheme === 'registry-manifest' ? doc : undefined;
  });
}

describe('artifacts in the real extension host', function () {
  this.timeout(60_000);
  let a: ExtensionApi;
  let bare: RegistryNode;
  before(async () => {
    a = await api();
    for (const c of a.store.list()) await a.store.remove(c.id);
    bare = await connect(a, 'Artifacts', env.ARTIFACTS_URL!);
  });
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('signature tags are grouped under the image they sign; the image expands to its referrers', async () => {
    const tags = await a.tree.getChildren(await repository(a, bare, 'signed/app'));
    assert.deepEqual(tags.map((n) => label(a, n)).sort(), ['1.0', '2.0']);
    const tag = await tagNode(a, bare, 'signed/app', '1.0');
    assert.equal(a.tree.getTreeItem(tag).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed, 'its .sig/.att tags make it expandable before any lookup');
    const children = await a.tree.getChildren(tag);
    assert.deepEqual(children.map((n) => n.kind), ['referrers']);
    const group = children[0] as ReferrersNode;
    assert.equal(label(a, group), '3 referrers');
    const referrers = (await a.tree.getChildren(group)) as ReferrerNode[];
    assert.deepEqual(referrers.map((n) => label(a, n)).sort(), ['SBOM', 'attestation', 'signature']);
    assert.match(String(a.tree.getTreeItem(tag).description), /^signed, SBOM, provenance · /);
    assert.equal(a.tree.getParent(referrers[0]!)?.id, group.id);
  });

  it('a multi-arch image: its BuildKit attestation under the tag and under the platform it describes', async () => {
    const tag = await tagNode(a, bare, 'multi/attested', 'latest');
    const children = await a.tree.getChildren(tag);
    assert.deepEqual(children.map((n) => n.kind), ['platform', 'platform', 'referrers']);
    const [amd64, arm64] = children as PlatformNode[];
    assert.equal(a.tree.getTreeItem(amd64!).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed, 'the attestation names linux/amd64');
    assert.equal(a.tree.getTreeItem(arm64!).collapsibleState, vscode.TreeItemCollapsibleState.None);
    const [group] = await a.tree.getChildren(amd64);
    assert.equal(group?.kind, 'referrers');
    assert.equal(a.tree.getParent(group!)?.id, amd64!.id);
    const [att] = (await a.tree.getChildren(group)) as ReferrerNode[];
    assert.equal(att?.referrer.source, 'index');
    assert.match(String(a.tree.getTreeItem(amd64!).description), /^provenance · /);
  });

  it('opening the SBOM shows its document as read-only JSON', async () => {
    const tag = await tagNode(a, bare, 'signed/app', '1.0');
    const [group] = await a.tree.getChildren(tag);
    const sbom = ((await a.tree.getChildren(group)) as ReferrerNode[]).find((n) => n.referrer.kind === 'sbom')!;
    await vscode.commands.executeCommand('registryExplorer.openReferrer', sbom);
    const doc = await activeText('the SBOM document');
    assert.equal(doc.languageId, 'json');
    const payload = JSON.parse(doc.getText()) as { kind: string; layers: { content: { spdxVersion: string; packages: { name: string }[] } }[] };
    assert.equal(payload.kind, 'sbom');
    assert.equal(payload.layers[0]!.content.spdxVersion, 'SPDX-2.3');
    assert.equal(payload.layers[0]!.content.packages[0]!.name, 'busybox');
  });

  it('the attestation opens as its in-toto statement, decoded from the DSSE envelope', async () => {
    const tag = await tagNode(a, bare, 'signed/app', '1.0');
    const [group] = await a.tree.getChildren(tag);
    const att = ((await a.tree.getChildren(group)) as ReferrerNode[]).find((n) => n.referrer.kind === 'attestation')!;
    await vscode.commands.executeCommand('registryExplorer.openReferrer', att);
    const payload = JSON.parse((await activeText('the attestation document')).getText()) as { layers: { content: { predicateType: string } }[] };
    assert.equal(payload.layers[0]!.content.predicateType, 'https://slsa.dev/provenance/v1');
  });

  it('a Helm chart says so, and its values.yaml opens read-only', async () => {
    const tag = await tagNode(a, bare, 'charts/demo', '0.3.1');
    const item = a.tree.getTreeItem(tag);
    assert.equal(item.contextValue, 'tag.helm');
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'compass');
    assert.match(String(item.description), /^Helm chart 0\.3\.1 · /);
    assert.match((item.tooltip as vscode.MarkdownString).value, /Chart: demo 0\.3\.1 \(app 1\.16\.0\)/);
    await vscode.commands.executeCommand('registryExplorer.showChartValues', tag);
    const doc = await activeText('values.yaml');
    assert.equal(doc.languageId, 'yaml');
    assert.equal(doc.getText(), '# Default values for demo.\nreplicaCount: 2\nimage:\n  repository: nginx\n  tag: "1.25"\n');
  });

  it('Link Chart into Chart.yaml adds an oci:// dependency, keeping the file as it was', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'a workspace folder');
    const chartYaml = vscode.Uri.joinPath(folder.uri, 'umbrella', 'Chart.yaml');
    const before = '# umbrella\napiVersion: v2\nname: umbrella # the app\nversion: 1.0.0\n';
    await vscode.workspace.fs.writeFile(chartYaml, Buffer.from(before));
    const tag = await tagNode(a, bare, 'charts/demo', '0.3.1');
    await vscode.commands.executeCommand('registryExplorer.linkChart', tag);
    const doc = await until('Chart.yaml edited', async () => {
      const d = await vscode.workspace.openTextDocument(chartYaml);
      return d.getText() !== before ? d : undefined;
    });
    const host = env.ARTIFACTS_URL!.replace(/^https?:\/\//, '');
    assert.equal(doc.getText(), `${before}dependencies:\n  - name: demo\n    version: 0.3.1\n    repository: oci://${host}/charts\n`);
    await doc.save();
  });

  it('a CNAB bundle shows its bundle.json; a WASM module names its kind', async () => {
    const bundle = await tagNode(a, bare, 'bundles/hello', 'v0.1.0');
    assert.match(String(a.tree.getTreeItem(bundle).description), /^CNAB bundle · /);
    await vscode.commands.executeCommand('registryExplorer.showBundle', bundle);
    const doc = JSON.parse((await activeText('bundle.json')).getText()) as { name: string; parameters: Record<string, unknown>; credentials: Record<string, unknown> };
    assert.equal(doc.name, 'porter-hello');
    assert.deepEqual(Object.keys(doc.parameters), ['name']);
    assert.deepEqual(Object.keys(doc.credentials), ['token']);
    const wasm = await tagNode(a, bare, 'wasm/hello', '0.1');
    assert.equal(a.tree.getTreeItem(wasm).contextValue, 'tag.wasm');
  });

  it('through the referrers API, hovering finds a signature no tag names', async () => {
    const front = await connect(a, 'Front', env.FRONT_URL!);
    const tag = await tagNode(a, front, 'signed/app', '2.0');
    const item = a.tree.getTreeItem(tag);
    const resolved = await a.tree.resolveTreeItem!(item, tag);
    assert.match(((resolved as vscode.TreeItem).tooltip as vscode.MarkdownString).value, /Referrers: 1 signature/);
    assert.match(String(a.tree.getTreeItem(tag).description), /^signed · /);
    // On the bare registry the same image has nothing that refers to it, and says why.
    const plain = await tagNode(a, bare, 'signed/app', '2.0');
    const plainItem = (await a.tree.resolveTreeItem!(a.tree.getTreeItem(plain), plain)) as vscode.TreeItem;
    assert.match((plainItem.tooltip as vscode.MarkdownString).value, /this registry has no referrers API/);
  });

  it('Quay scan results: on the tag row (looked up for rows on screen) and in the image hover of a deploy file', async () => {
    const r = await a.wizard.save('quay', { url: env.QUAY_URL!, name: 'Quay', namespaces: 'acme', oauthToken: env.QUAY_TOKEN! }, new AbortController().signal);
    assert.equal(r.ok, true, JSON.stringify(r));
    const quay = (await a.tree.getChildren()).find((n) => n.kind === 'registry' && n.config.name === 'Quay') as RegistryNode;
    const tags = await a.tree.getChildren(await repository(a, quay, 'acme/app'));
    const tag = tags.find((n) => n.kind === 'tag' && n.tag === '1.0') as TagNode;
    const description = await until('the scan on the row', () => {
      const text = String(a.tree.getTreeItem(tag).description);
      return text.includes('scan:') ? text : undefined;
    });
    assert.match(description, /^scan: 1 critical, 2 high · /);
    assert.match((a.tree.getTreeItem(tag).tooltip as vscode.MarkdownString).value, /Vulnerability scan by Quay \(Clair\): 1 critical, 2 high, 1 low/);
    const folder = vscode.workspace.workspaceFolders![0]!;
    const file = vscode.Uri.joinPath(folder.uri, 'k8s', 'pod.yaml');
    const host = env.QUAY_URL!.replace(/^https?:\/\//, '');
    await vscode.workspace.fs.writeFile(file, Buffer.from(`apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n    - name: app\n      image: ${host}/acme/app:1.0\n`));
    const doc = await vscode.workspace.openTextDocument(file);
    const at = doc.positionAt(doc.getText().indexOf('acme/app:1.0') + 2);
    const hover = await until('the hover with the scan', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, at);
      const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return /Vulnerability scan/.test(text) ? text : undefined;
    }, 30_000);
    // The hover is Markdown with its punctuation escaped.
    assert.match(hover.replace(/\\/g, ''), /Vulnerability scan by Quay \(Clair\): 1 critical, 2 high, 1 low/);
  });

  it("Harbor: a tag's accessories as badges and rows from the listing, a chart named by its artifact type; no manifest read", async () => {
    const r = await a.wizard.save('harbor', { url: env.HARBOR_URL!, username: env.HARBOR_USER!, password: env.HARBOR_PASSWORD!, name: 'Harbor' }, new AbortController().signal);
    assert.equal(r.ok, true, JSON.stringify(r));
    const harbor = (await a.tree.getChildren()).find((n) => n.kind === 'registry' && n.config.name === 'Harbor') as RegistryNode;
    const tags = await a.tree.getChildren(await repository(a, harbor, 'acme/web'));
    const tag = tags.find((n) => n.kind === 'tag' && n.tag === '1.0') as TagNode;
    assert.ok(tag, tags.map((n) => label(a, n)).join(', '));
    // Hovering looks the referrers up from the listing's digest; the badges follow on the row.
    await a.tree.resolveTreeItem!(a.tree.getTreeItem(tag), tag);
    const description = await until('the badges on the row', () => {
      const text = String(a.tree.getTreeItem(tag).description);
      return text.startsWith('signed') ? text : undefined;
    });
    assert.match(description, /^signed, SBOM · /);
    assert.equal(a.tree.getTreeItem(tag).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    const [group] = await a.tree.getChildren(tag);
    assert.equal(group && label(a, group), '2 referrers');
    const referrers = (await a.tree.getChildren(group)) as ReferrerNode[];
    assert.deepEqual(referrers.map((n) => [label(a, n), n.referrer.artifactType, n.referrer.source]).sort(), [
      ['SBOM', 'harbor.sbom', 'provider'],
      ['signature', 'signature.cosign', 'provider'],
    ]);
    const chart = (await a.tree.getChildren(await repository(a, harbor, 'charts/demo'))).find((n) => n.kind === 'tag' && n.tag === '0.3.1') as TagNode;
    const item = a.tree.getTreeItem(chart);
    assert.equal(item.contextValue, 'tag.helm');
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'compass');
    assert.match(String(item.description), /^Helm chart · /);
    assert.match((item.tooltip as vscode.MarkdownString).value, /Artifact type: `application\/vnd\.cncf\.helm\.config\.v1\+json`/);
    // Every fact came with Harbor's listing: the tree read no manifest for either row.
    assert.equal(a.tree.tagDetails(tag), undefined);
    assert.equal(a.tree.tagDetails(chart), undefined);
  });

  it('with showSignatureTags on, the fallback tags are plain tags again', async () => {
    await vscode.workspace.getConfiguration('registryExplorer').update('showSignatureTags', true, vscode.ConfigurationTarget.Global);
    try {
      const names = await until('the fallback tags listed', async () => {
        const tags = (await a.tree.getChildren(await repository(a, bare, 'signed/app'))).map((n) => label(a, n));
        return tags.some((t) => t.endsWith('.sig')) ? tags : undefined;
      });
      assert.ok(names.some((t) => /^sha256-[0-9a-f]{64}\.att$/.test(t)), names.join(', '));
    } finally {
      await vscode.workspace.getConfiguration('registryExplorer').update('showSignatureTags', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
