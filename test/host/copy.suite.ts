// Add Tag and Copy Image To inside the real extension host, run as commands with their
// arguments (nothing is asked), against the real registries test/e2e/copy.test.ts starts: a
// plain source and a token-auth destination whose password arrives in the environment.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { ConnectionConfig } from '../../src/providers/provider';
import type { CopyResult } from '../../src/registry/copy';
import type { Node, TagNode } from '../../src/ui/tree/nodes';
import { api, until } from './support';

const env = process.env;

describe('copy and retag in the real extension host', function () {
  this.timeout(90_000);
  let a: ExtensionApi;
  let staging: ConnectionConfig;
  let production: ConnectionConfig;
  const labels = async (node: Node): Promise<string[]> => (await a.tree.getChildren(node)).map((n) => String(a.tree.getTreeItem(n).label));

  before(async () => {
    a = await api();
    for (const c of a.store.list()) await a.store.remove(c.id);
    const signal = new AbortController().signal;
    const s = await a.wizard.save('generic', { url: env.COPY_SRC_URL!, name: 'Staging' }, signal);
    const p = await a.wizard.save('generic', { url: env.COPY_DST_URL!, name: 'Production', username: env.COPY_DST_USER!, password: env.COPY_DST_PASSWORD! }, signal);
    assert.ok(s.ok && p.ok, JSON.stringify([s, p]));
    staging = a.store.list().find((c) => c.name === 'Staging')!;
    production = a.store.list().find((c) => c.name === 'Production')!;
  });

  it('Add Tag: the same digest under the new tag, shown in the tree', async () => {
    const node = (await a.tree.locate(staging.id, 'app/web', 'v1')) as TagNode;
    assert.equal(node.kind, 'tag');
    await vscode.commands.executeCommand('registryExplorer.addTag', node, 'stable');
    const conn = await a.tree.connection(staging.id);
    assert.equal((await conn.client.headManifest('app/web', 'stable')).digest, (await conn.client.headManifest('app/web', 'v1')).digest);
    const repo = await a.tree.locate(staging.id, 'app/web');
    await until('stable in the tree', async () => (await labels(repo!)).includes('stable'));
  });

  it('Add Tag refuses a name that is not a tag, and writes nothing', async () => {
    const node = (await a.tree.locate(staging.id, 'app/web', 'v1')) as TagNode;
    await vscode.commands.executeCommand('registryExplorer.addTag', node, 'not a tag');
    const conn = await a.tree.connection(staging.id);
    assert.ok(!(await conn.client.listTags('app/web')).includes('not a tag'));
  });

  it('Copy Image To: every platform to the other registry, the new tag selected in the tree', async () => {
    const node = (await a.tree.locate(staging.id, 'app/web', 'v1')) as TagNode;
    const result = await vscode.commands.executeCommand<CopyResult | undefined>('registryExplorer.copyImageTo', node, { connectionId: production.id, repository: 'prod/web' }, { tag: 'release' });
    assert.ok(result, 'the copy returned its result');
    const [src, dst] = await Promise.all([a.tree.connection(staging.id), a.tree.connection(production.id)]);
    const [from, to] = await Promise.all([src.client.imageDetails('app/web', 'v1'), dst.client.imageDetails('prod/web', 'release')]);
    assert.equal(to.digest, from.digest);
    assert.deepEqual(to.platforms?.map((p) => p.digest), from.platforms?.map((p) => p.digest));
    assert.equal(result.digest, from.digest);
    assert.equal(result.blobsCopied, result.blobsTotal);
    await until('the new tag selected', () => {
      const selected = a.view.selection[0];
      return selected?.kind === 'tag' && selected.connectionId === production.id && selected.tag === 'release';
    });
  });

  it('Copy Image To with a tag that is not one: refused with the reason', async () => {
    const node = (await a.tree.locate(staging.id, 'app/web', 'v1')) as TagNode;
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('registryExplorer.copyImageTo', node, { connectionId: production.id, repository: 'prod/web' }, { tag: '-bad' })),
      /starts with a letter, a digit or “_”/,
    );
  });
});
