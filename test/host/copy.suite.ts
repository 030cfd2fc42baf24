// Add Tag, Copy Image To and Delete Repository inside the real extension host, run as commands
// with their arguments (Delete Repository's confirmation answered in the test), against the
// real registries test/e2e/copy.test.ts starts: a plain source, a token-auth destination whose
// password arrives in the environment, and the Harbor fake (its API deletes repositories).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { ConnectionConfig } from '../../src/providers/provider';
import type { CopyResult } from '../../src/registry/copy';
import { isRegistryError } from '../../src/registry/errors';
import type { Node, RepositoryNode, TagNode } from '../../src/ui/tree/nodes';
import { api, until } from './support';

const env = process.env;

interface Asked {
  message: string;
  detail?: string;
  buttons: string[];
}

/**
 * Runs `work` with the warning dialogs answered by `answer` (a button's title, or undefined for
 * Cancel), and says what they asked: a modal dialog cannot be clicked from inside the host.
 */
async function answering(answer: (buttons: string[]) => string | undefined, work: () => Thenable<unknown>): Promise<Asked[]> {
  const window = vscode.window as { showWarningMessage: unknown };
  const original = window.showWarningMessage;
  const asked: Asked[] = [];
  window.showWarningMessage = (message: string, ...rest: unknown[]) => {
    const options = typeof rest[0] === 'object' && rest[0] !== null ? (rest.shift() as vscode.MessageOptions) : undefined;
    const buttons = rest as string[];
    asked.push({ message, ...(options?.detail ? { detail: options.detail } : {}), buttons });
    return Promise.resolve(answer(buttons));
  };
  try {
    await work();
  } finally {
    window.showWarningMessage = original;
  }
  return asked;
}

/** A repository's tags, none once it is gone. */
async function tagsLeft(a: ExtensionApi, config: ConnectionConfig, repository: string): Promise<string[]> {
  const conn = await a.tree.connection(config.id);
  return conn.client.listTags(repository).catch((e: unknown) => (isRegistryError(e, 'notFound') ? [] : Promise.reject(e)));
}

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

  it('Delete Repository on a Generic v2 registry: offers to delete every tag, naming the count; Cancel deletes nothing, confirming deletes them all', async () => {
    const repo = (await a.tree.locate(staging.id, 'app/old')) as RepositoryNode;
    assert.equal(repo?.kind, 'repository');
    const before = (await tagsLeft(a, staging, 'app/old')).sort();
    assert.deepEqual(before, ['1', '2', 'latest']);
    const cancelled = await answering(() => undefined, () => vscode.commands.executeCommand('registryExplorer.deleteRepository', repo));
    assert.deepEqual(cancelled.map((q) => [q.message, q.buttons]), [['Staging has no way to delete a repository. Delete all 3 tag(s) of app/old instead?', ['Delete All 3 Tags']]]);
    assert.match(cancelled[0]!.detail ?? '', /deleted by digest.*cannot be undone/s);
    assert.deepEqual((await tagsLeft(a, staging, 'app/old')).sort(), before, 'Cancel deleted nothing');

    const confirmed = await answering((buttons) => buttons[0], () => vscode.commands.executeCommand('registryExplorer.deleteRepository', repo));
    assert.equal(confirmed.length, 1, 'asked once, no error shown');
    assert.deepEqual(await tagsLeft(a, staging, 'app/old'), [], 'every tag gone');
    assert.ok((await tagsLeft(a, staging, 'app/web')).includes('v1'), 'another repository untouched');
  });

  it('Delete Repository through the provider’s API (Harbor): the confirmation names the tag count, the repository goes', async () => {
    assert.ok(env.HARBOR_URL, 'the test passes the Harbor fake in env');
    const r = await a.wizard.save('harbor', { url: env.HARBOR_URL!, username: env.HARBOR_USER!, password: env.HARBOR_PASSWORD!, name: 'Harbor' }, new AbortController().signal);
    assert.ok(r.ok, JSON.stringify(r));
    const harbor = a.store.list().find((c) => c.name === 'Harbor')!;
    const repo = (await a.tree.locate(harbor.id, 'library/old')) as RepositoryNode;
    assert.equal(repo?.kind, 'repository');
    const asked = await answering((buttons) => buttons[0], () => vscode.commands.executeCommand('registryExplorer.deleteRepository', repo));
    assert.deepEqual(asked.map((q) => [q.message, q.buttons]), [['Delete the repository library/old and its 2 tag(s) from Harbor?', ['Delete Repository']]]);
    assert.match(asked[0]!.detail ?? '', /whatever its tag.*cannot be undone/s);
    const conn = await a.tree.connection(harbor.id);
    await assert.rejects(conn.client.headManifest('library/old', '1.0'), (e: unknown) => isRegistryError(e, 'notFound'));
    assert.ok(!JSON.stringify(a.globalState()).includes(env.HARBOR_PASSWORD!), 'globalState holds no secret');
  });

  it('Copy Image To with a tag that is not one: refused with the reason', async () => {
    const node = (await a.tree.locate(staging.id, 'app/web', 'v1')) as TagNode;
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('registryExplorer.copyImageTo', node, { connectionId: production.id, repository: 'prod/web' }, { tag: '-bad' })),
      /starts with a letter, a digit or “_”/,
    );
  });
});
