// The Registries tree at scale inside the real extension host, against the registries that
// test/e2e/registries-scale.test.ts starts (URLs and credentials in the environment): a reveal
// near the end of a long tag listing fetches details only around it, folders count what they
// hold at a screen page of 10, and Find reaches a deep tag after a Refresh on a TLS registry.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { TagInfo } from '../../src/providers/provider';
import type { FolderNode, LoadMoreNode, Node, RegistryNode, TagNode } from '../../src/ui/tree/nodes';
import { api, until } from './support';

const env = process.env;

const label = (a: ExtensionApi, n: Node): string => String(a.tree.getTreeItem(n).label);
const description = (a: ExtensionApi, n: Node): string => String(a.tree.getTreeItem(n).description ?? '');

/** A repository's tags in the tree's order, once the sort (in slices) has finished. */
async function sortedTags(a: ExtensionApi, connectionId: string, repository: string): Promise<readonly TagInfo[]> {
  await a.tree.sortingTags(connectionId, repository);
  return a.tree.sortedTags(connectionId, repository);
}

async function registry(a: ExtensionApi, name: string): Promise<RegistryNode> {
  return until(`registry ${name}`, async () => (await a.tree.getChildren()).find((n): n is RegistryNode => n.kind === 'registry' && n.config.name === name));
}

describe('the tree at scale', function () {
  this.timeout(120_000);
  let a: ExtensionApi;
  const settings = () => vscode.workspace.getConfiguration('registryExplorer');
  before(async () => {
    a = await api();
    for (const c of a.store.list()) await a.store.remove(c.id);
    await settings().update('registries', [{ name: 'Big', url: env.PLAIN_URL }], vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('registryExplorer.registries.focus');
  });
  after(async () => {
    await settings().update('pageSize', undefined, vscode.ConfigurationTarget.Global);
    await settings().update('registries', undefined, vscode.ConfigurationTarget.Global);
  });

  it('revealing the last of 3,000 tags asks for details of the rows around it only', async () => {
    const reg = await registry(a, 'Big');
    const config = reg.config;
    const tags = a.tree.tags(config, 'big/tags');
    await tags.load();
    assert.equal(tags.items.length, 3000);
    const last = (await sortedTags(a, config.id, 'big/tags')).at(-1)!.name;
    const heads = a.tree.details.heads;
    const found = await vscode.commands.executeCommand<boolean>('registryExplorer.find', { connectionId: config.id, repository: 'big/tags', tag: last });
    assert.equal(found, true);
    // The selection reaches the extension host a moment after reveal resolves.
    await until(`selection of ${last}`, () => ((a.view.selection[0] as TagNode | undefined)?.tag === last ? true : undefined), 5000);
    const repo = (await a.tree.getChildren(await registry(a, 'Big'))).find((n): n is FolderNode => n.kind === 'folder' && n.path === 'big')!;
    const repoNode = (await a.tree.getChildren(repo)).find((n) => n.kind === 'repository' && n.name === 'big/tags')!;
    const rows = await a.tree.getChildren(repoNode);
    const tagRows = rows.filter((n): n is TagNode => n.kind === 'tag');
    // A screen page (100) around the target, the 2,900-odd before it one "earlier" row.
    assert.ok(tagRows.length <= 100, `${tagRows.length} tag rows`);
    assert.equal(tagRows.at(-1)!.tag, last);
    const earlier = rows[0] as LoadMoreNode;
    assert.equal(earlier.kind, 'loadMore');
    assert.equal(earlier.direction, 'earlier');
    assert.match(label(a, earlier), /^\d+ earlier tags — Show$/);
    await until('details of the window', () => (tagRows.every((t) => a.tree.tagDetails(t)) ? true : undefined), 30_000);
    await new Promise((r) => setTimeout(r, 500));
    const asked = a.tree.details.heads - heads;
    console.log(`# details requested on reveal of the last of 3,000 tags: ${asked}`);
    assert.ok(asked > 0 && asked <= 100, `${asked} HEAD requests`);
    // "Show" brings one page above, and only that page is fetched.
    await a.tree.loadMore(earlier);
    const more = (await a.tree.getChildren(repoNode)).filter((n): n is TagNode => n.kind === 'tag');
    assert.equal(more.length, tagRows.length + 100);
    await until('details of the page above', () => (more.every((t) => a.tree.tagDetails(t)) ? true : undefined), 30_000);
    assert.ok(a.tree.details.heads - heads <= 200, `${a.tree.details.heads - heads} HEAD requests after Show`);
  });

  it('a 30,000-tag listing, one page of ~390 KB, is read by a worker thread and listed whole', async () => {
    const reg = await registry(a, 'Big');
    // dist/network.js as the extension loaded it (one module per path in the host): its counter.
    const ext = vscode.extensions.getExtension('registry-explorer.registry-explorer')!;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const network = require(`${ext.extensionPath}/dist/network.js`) as { pagesReadOffThread(): number };
    const before = network.pagesReadOffThread();
    const tags = a.tree.tags(reg.config, 'big/huge');
    await tags.load();
    const count = Number(env.HUGE_TAGS);
    assert.equal(tags.items.length, count);
    assert.equal(network.pagesReadOffThread(), before + 1, 'the page was read on the host thread');
    const sorted = await sortedTags(a, reg.config.id, 'big/huge');
    assert.equal(new Set(sorted.map((t) => t.name)).size, count);
    // Newest version first: v30.9.99 is the last of manyTagName(0…29,999).
    assert.equal(sorted[0]!.name, 'v30.9.99');
  });

  it('folders show their true counts and page inside themselves (screen page 10), also after a Refresh', async () => {
    await settings().update('pageSize', 10, vscode.ConfigurationTarget.Global);
    let reg = await registry(a, 'Big');
    const top = await until('top level', async () => {
      const t = await a.tree.getChildren(reg);
      return t.some((n) => n.kind === 'folder' && n.path === 'acme') ? t : undefined;
    });
    // Folders first (acme, big, team-a), then 7 of the 12 root repositories, Load more last.
    assert.deepEqual(top.slice(0, 3).map((n) => label(a, n)), ['acme', 'big', 'team-a']);
    assert.equal(top.length, 11);
    const acme = top[0] as FolderNode;
    assert.equal(description(a, acme), '46 repositories');
    assert.equal(description(a, top[2]!), '7 repositories');
    const rootMore = top.at(-1) as LoadMoreNode;
    assert.equal(rootMore.kind, 'loadMore');
    assert.match(description(a, rootMore), /^10 of 15 shown$/);
    let inAcme = await a.tree.getChildren(acme);
    assert.deepEqual(inAcme.slice(0, 2).map((n) => label(a, n)), ['tools', 'svc-00']);
    assert.equal(inAcme.length, 11);
    for (let i = 0; i < 4; i++) {
      await a.tree.loadMore(inAcme.at(-1) as LoadMoreNode);
      inAcme = await a.tree.getChildren(acme);
    }
    assert.equal(inAcme.filter((n) => n.kind === 'repository').length, 45);
    assert.ok(!inAcme.some((n) => n.kind === 'loadMore'));
    // Refresh keeps what was loaded in the folder.
    await vscode.commands.executeCommand('registryExplorer.refresh');
    reg = await registry(a, 'Big');
    await until('reloaded', async () => (await a.tree.getChildren(reg), a.tree.repositories(reg.config).status === 'ready' ? true : undefined));
    inAcme = await a.tree.getChildren(acme);
    assert.equal(inAcme.filter((n) => n.kind === 'repository').length, 45);
    assert.equal(description(a, acme), '46 repositories');
  });

  it('Find reaches a deep tag after a Refresh on the TLS registry', async () => {
    await settings().update('pageSize', undefined, vscode.ConfigurationTarget.Global);
    const r = await a.wizard.save('generic', { url: env.TLS_URL!, name: 'Secure', username: env.TLS_USER!, password: env.TLS_PASSWORD!, caPem: env.TLS_CA!, insecure: false }, new AbortController().signal);
    assert.equal(r.ok, true, JSON.stringify(r));
    const config = a.store.list().find((c) => c.name === 'Secure')!;
    const reg = await registry(a, 'Secure');
    await a.view.reveal(reg, { expand: true });
    const repo = await a.tree.locate(config.id, 'deep/app');
    await a.view.reveal(repo!, { expand: true });
    await a.tree.tags(config, 'deep/app').load();
    // The view title's Refresh, then Find's pick of a tag far down the tree's order.
    await vscode.commands.executeCommand('registryExplorer.refresh');
    const deep = (await sortedTags(a, config.id, 'deep/app')).at(-3)!.name;
    const t0 = Date.now();
    const found = await vscode.commands.executeCommand<boolean>('registryExplorer.find', { connectionId: config.id, repository: 'deep/app', tag: deep });
    console.log(`# Find after Refresh (TLS) revealed ${deep} in ${Date.now() - t0} ms`);
    assert.equal(found, true);
    await until(`selection of ${deep}`, () => {
      const selected = a.view.selection[0] as Node | undefined;
      return selected?.kind === 'tag' && selected.tag === deep ? true : undefined;
    }, 5000);
  });

  it('the default registry can be unset: Set Default toggles, Unset Default Registry clears', async () => {
    const reg = await registry(a, 'Secure');
    await vscode.commands.executeCommand('registryExplorer.setDefault', reg);
    assert.equal(a.store.defaultId(), reg.config.id);
    assert.equal(a.tree.getTreeItem(reg).contextValue, 'registry.default');
    await vscode.commands.executeCommand('registryExplorer.setDefault', reg);
    assert.equal(a.store.defaultId(), undefined);
    await vscode.commands.executeCommand('registryExplorer.setDefault', reg);
    await vscode.commands.executeCommand('registryExplorer.unsetDefault');
    assert.equal(a.store.defaultId(), undefined);
    assert.equal(a.tree.getTreeItem(reg).contextValue, 'registry');
  });
});
