// The extension inside the real extension host, against real registries started by
// test/e2e/extension-host.test.ts (URLs and credentials arrive as environment variables):
// connect through the wizard's backend, list, page, locate, details, secrets handling.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { LoadMoreNode, Node, RegistryNode, TagNode } from '../../src/ui/tree/nodes';
import { api, until } from './support';

const env = process.env;
const SECRET = env.TLS_PASSWORD ?? '';

const labels = async (a: ExtensionApi, nodes: Node[]): Promise<string[]> => nodes.map((n) => String(a.tree.getTreeItem(n).label));

describe('registries in the real extension host', function () {
  this.timeout(60_000);
  let a: ExtensionApi;
  before(async () => {
    a = await api();
    for (const c of a.store.list()) await a.store.remove(c.id);
  });

  it('rejects a wrong password in the wizard, keeping nothing', async () => {
    const r = await a.wizard.save('generic', { url: env.TLS_URL!, username: env.TLS_USER!, password: 'Definitely-Wrong-777', caPem: env.TLS_CA!, insecure: false }, new AbortController().signal);
    assert.equal(r.ok, false);
    assert.ok(r.fieldErrors?.some((e) => e.field === 'password' && /rejected the credentials/.test(e.message)), JSON.stringify(r));
    assert.ok(!JSON.stringify(r).includes('Definitely-Wrong-777'));
    assert.equal(a.store.list().length, 0);
  });

  it('an untrusted certificate is reported next to the CA field', async () => {
    const r = await a.wizard.test('generic', { url: env.TLS_URL!, username: env.TLS_USER!, password: SECRET }, new AbortController().signal);
    assert.equal(r.ok, false);
    assert.ok(r.fieldErrors?.some((e) => e.field === 'caPem'), JSON.stringify(r));
  });

  it('connects TLS + Basic with a custom CA; the password goes to secret storage only', async () => {
    const r = await a.wizard.save('generic', { url: env.TLS_URL!, name: 'Secure', username: env.TLS_USER!, password: SECRET, caPem: env.TLS_CA!, insecure: false }, new AbortController().signal);
    assert.equal(r.ok, true, JSON.stringify(r));
    const [config] = a.store.list();
    assert.ok(config);
    assert.equal(config.name, 'Secure');
    assert.deepEqual(await a.store.secrets(config.id), { password: SECRET });
    assert.ok(!JSON.stringify(a.globalState()).includes(SECRET), 'globalState holds no secret');
    assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('registryExplorer')).includes(SECRET), 'settings hold no secret');
  });

  it('lists repositories as namespace folders, then tags with lazily loaded details', async () => {
    const root = await a.tree.getChildren();
    const reg = root.find((n) => n.kind === 'registry' && n.config.name === 'Secure') as RegistryNode;
    assert.ok(reg);
    const level = await a.tree.getChildren(reg);
    assert.deepEqual(await labels(a, level), ['library', 'multi', 'oci', 'team', 'alpine']);
    const multi = level.find((n) => n.kind === 'folder' && n.path === 'multi')!;
    const repos = await a.tree.getChildren(multi);
    assert.deepEqual(await labels(a, repos), ['docker-list', 'oci-index']);
    const tags = await a.tree.getChildren(repos[1]);
    assert.deepEqual(await labels(a, tags), ['latest']);
    const tag = tags[0] as TagNode;
    const details = await until('tag details', () => a.tree.tagDetails(tag));
    assert.equal(details.isIndex, true);
    const item = a.tree.getTreeItem(tag);
    assert.equal(item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    assert.match(String(item.description), /^.+ ago · [0-9a-f]{12} · 2 platforms · largest .+$/);
    // Its platforms, then what refers to it (the index's BuildKit attestation).
    const children = await a.tree.getChildren(tag);
    assert.deepEqual(await labels(a, children.filter((n) => n.kind === 'platform')), ['linux/amd64', 'linux/arm64/v8']);
    assert.deepEqual(children.map((n) => n.kind), ['platform', 'platform', 'referrers']);
  });

  it('pages a large registry with Load more and finds what is not on screen yet', async () => {
    await vscode.workspace.getConfiguration('registryExplorer').update('registries', [{ name: 'Big', url: env.PLAIN_URL }], vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('registryExplorer').update('pageSize', 10, vscode.ConfigurationTarget.Global);
    try {
      const reg = (await a.tree.getChildren()).find((n) => n.kind === 'registry' && n.config.name === 'Big') as RegistryNode;
      assert.ok(reg);
      const top = await a.tree.getChildren(reg);
      const folder = top.find((n) => n.kind === 'folder')!;
      // The folder pages inside itself and counts all it holds.
      assert.equal(String(a.tree.getTreeItem(folder).description), '25 repositories');
      const count = async () => (await a.tree.getChildren(folder)).filter((n) => n.kind === 'repository').length;
      assert.equal(await count(), 10);
      const more = (await a.tree.getChildren(folder)).at(-1) as LoadMoreNode;
      assert.equal(more.kind, 'loadMore');
      assert.match(String(a.tree.getTreeItem(more).description), /10 of 25 shown/);
      await a.tree.loadMore(more);
      assert.equal(await count(), 20);
      await a.tree.loadMore((await a.tree.getChildren(folder)).at(-1) as LoadMoreNode);
      assert.equal(await count(), 25);
      assert.ok(!(await a.tree.getChildren(folder)).some((n) => n.kind === 'loadMore'));
      // A refresh keeps what was loaded.
      a.tree.refresh(reg.config.id);
      await until('reload', async () => (await a.tree.getChildren(reg), a.tree.repositories(reg.config).status === 'ready' ? true : undefined));
      assert.equal(await count(), 25);
      // Find: a repository past the first screen is brought on screen and revealed.
      a.tree.clearMemory();
      await a.tree.getChildren(reg);
      assert.equal(await count(), 10);
      const node = await a.tree.locate(reg.config.id, 'bulk/r0023');
      assert.ok(node);
      a.tree.redraw();
      assert.ok((await a.tree.getChildren(folder)).some((n) => n.kind === 'repository' && n.name === 'bulk/r0023'));
      await a.view.reveal(node!, { select: true, focus: false });
      assert.equal((a.view.selection[0] as { name?: string })?.name, 'bulk/r0023');
    } finally {
      await vscode.workspace.getConfiguration('registryExplorer').update('pageSize', undefined, vscode.ConfigurationTarget.Global);
      await vscode.workspace.getConfiguration('registryExplorer').update('registries', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('an unreachable registry shows an error node with Retry, not an empty tree', async () => {
    await vscode.workspace.getConfiguration('registryExplorer').update('registries', [{ name: 'Gone', url: 'http://127.0.0.1:9' }], vscode.ConfigurationTarget.Global);
    try {
      const reg = (await a.tree.getChildren()).find((n) => n.kind === 'registry' && n.config.name === 'Gone') as RegistryNode;
      const children = await a.tree.getChildren(reg);
      assert.equal(children.length, 1);
      const item = a.tree.getTreeItem(children[0]);
      assert.match(String(item.label), /Unreachable — Retry/);
      assert.equal(item.contextValue, 'message.retry');
      assert.equal(item.command?.command, 'registryExplorer.retry');
    } finally {
      await vscode.workspace.getConfiguration('registryExplorer').update('registries', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('a tag whose details cannot be read says so on its row, and a Refresh asks again', async () => {
    await vscode.workspace.getConfiguration('registryExplorer').update('registries', [{ name: 'Half broken', url: env.BROKEN_URL }], vscode.ConfigurationTarget.Global);
    try {
      const reg = (await a.tree.getChildren()).find((n) => n.kind === 'registry' && n.config.name === 'Half broken') as RegistryNode;
      const repo = (await a.tree.getChildren(reg)).find((n) => n.kind === 'repository' && n.name === 'app')!;
      assert.ok(repo, 'the repository is listed');
      const tagNamed = async (name: string) => (await a.tree.getChildren(repo)).find((n): n is TagNode => n.kind === 'tag' && n.tag === name)!;
      const ok = await tagNamed('ok');
      const broken = await tagNamed('broken');
      await until('details of the readable tag', () => a.tree.tagDetails(ok));
      // Not "…" forever: the row says its details were not read, and the tooltip why and what to do.
      const item = await until('the failed row', () => {
        const i = a.tree.getTreeItem(broken);
        return i.description === 'details not read' ? i : undefined;
      });
      const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : String(item.tooltip);
      assert.match(tooltip, /Could not read this tag’s details: .*broken.*Refresh the repository to try again/s);
      assert.equal((item.iconPath as vscode.ThemeIcon).id, 'warning');
      assert.equal(a.tree.getTreeItem(ok).description === 'details not read', false);
      // Asked once: expanding again within the hold-off does not ask the registry again.
      const asked = async () => (await (await fetch(`${env.BROKEN_URL}/__heads`)).json()) as number;
      const before = await asked();
      await a.tree.getChildren(repo);
      assert.equal(await asked(), before, 'no second HEAD for the failed tag before a Refresh');
      // The registry has it again; a Refresh of the repository reads it.
      await fetch(`${env.BROKEN_URL}/__heal`, { method: 'POST' });
      a.tree.refresh(reg.config.id, 'app');
      const details = await until('details after a Refresh', async () => {
        const b = await tagNamed('broken');
        return a.tree.tagDetails(b);
      });
      assert.match(details.digest, /^sha256:[0-9a-f]{64}$/);
      assert.match(String(a.tree.getTreeItem(broken).description), /[0-9a-f]{12}/);
    } finally {
      await vscode.workspace.getConfiguration('registryExplorer').update('registries', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('tag commands: copy reference, digest and pull command; inspect the manifest read-only', async () => {
    const [config] = a.store.list().filter((c) => c.name === 'Secure');
    assert.ok(config);
    const host = env.TLS_URL!.replace(/^https:\/\//, '');
    const tag = (await a.tree.locate(config.id, 'alpine', '3.19')) as TagNode;
    await vscode.commands.executeCommand('registryExplorer.copyReference', tag);
    assert.equal(await vscode.env.clipboard.readText(), `${host}/alpine:3.19`);
    await vscode.commands.executeCommand('registryExplorer.copyPullCommand', tag);
    assert.equal(await vscode.env.clipboard.readText(), `docker pull ${host}/alpine:3.19`);
    await vscode.commands.executeCommand('registryExplorer.copyDigest', tag);
    const digest = await vscode.env.clipboard.readText();
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    await vscode.commands.executeCommand('registryExplorer.inspectManifest', tag);
    const editor = await until('manifest editor', () => (vscode.window.activeTextEditor?.document.uri.scheme === 'registry-manifest' ? vscode.window.activeTextEditor : undefined));
    const doc = editor.document;
    assert.equal(doc.languageId, 'json');
    const json = JSON.parse(doc.getText()) as { schemaVersion: number; layers: unknown[] };
    assert.equal(json.schemaVersion, 2);
    assert.ok(json.layers.length > 0);
    assert.match(doc.uri.path, /alpine:3\.19\.json$/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('the last listing is cached on disk and shown at once, marked stale, on the next start', async () => {
    const [config] = a.store.list().filter((c) => c.name === 'Secure');
    assert.ok(config);
    // The listing of the earlier tests was written to globalStorage; overwrite it with a marker.
    const reg = (await a.tree.getChildren()).find((n) => n.kind === 'registry' && n.config.id === config.id) as RegistryNode;
    const file = await until('listing cache file', async () => {
      const uri = a.listingCacheUri(config.id);
      try {
        const data = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString()) as { names: string[] };
        return data.names.includes('multi/oci-index') ? uri : undefined;
      } catch {
        return undefined;
      }
    });
    await vscode.workspace.fs.writeFile(file, Buffer.from(JSON.stringify({ names: ['cached/only-on-disk'], fetchedAt: Date.now() - 3_600_000 })));
    a.tree.clearMemory(); // as after a restart: nothing in memory
    const first = await a.tree.getChildren(reg);
    assert.deepEqual(await labels(a, first), ['cached'], 'the cached listing is shown first');
    assert.match(String(a.tree.getTreeItem(reg).description), /cached 1 hour ago, refreshing/);
    await until('refreshed listing', async () => ((await labels(a, await a.tree.getChildren(reg))).includes('multi') ? true : undefined));
    assert.doesNotMatch(String(a.tree.getTreeItem(reg).description ?? ''), /cached/);
  });

  it('the log never contains the secret, and disconnecting removes it from secret storage', async () => {
    const [config] = a.store.list().filter((c) => c.name === 'Secure');
    assert.ok(config);
    a.log.info(`a careless line with the password ${SECRET} and Authorization: Basic ${Buffer.from(`u:${SECRET}`).toString('base64')}`);
    await a.store.remove(config.id);
    assert.deepEqual(await a.store.secrets(config.id), {});
    assert.equal(a.store.list().length, 0);
  });
});
