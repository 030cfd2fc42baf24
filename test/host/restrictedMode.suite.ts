// The hostile workspace of workspaceTrust.suite.ts opened untrusted (Restricted Mode), by
// test/e2e/workspace-trust.test.ts: the extension runs (it declares limited support), the
// user's own registries work, and nothing the workspace's settings say is used at all.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { RegistryNode } from '../../src/ui/tree/nodes';
import { api } from './support';

const env = process.env;

(env.RESTRICTED_MODE === '1' ? describe : describe.skip)('Restricted Mode: an untrusted workspace', function () {
  this.timeout(60_000);
  let a: ExtensionApi;

  before(async () => {
    a = await api();
  });

  it('the folder is untrusted and the extension is active', () => {
    assert.equal(vscode.workspace.isTrusted, false);
    assert.equal(vscode.extensions.getExtension('registry-explorer.registry-explorer')?.isActive, true);
  });

  it('registries, endpoints, proxy and the pinned-digest check of the workspace are ignored', () => {
    assert.deepEqual(a.store.list().filter((c) => c.options?.fromWorkspace), []);
    const ctx = a.connections.context();
    assert.ok(!JSON.stringify(ctx).includes(env.HOSTILE_URL!), JSON.stringify(ctx));
    assert.equal(vscode.workspace.getConfiguration('registryExplorer').get('pinnedDigestCheck'), false);
  });

  it('the user’s own registry lists as usual, and the commands are there', async () => {
    const reg = (await a.tree.getChildren()).find((n): n is RegistryNode => n.kind === 'registry' && n.config.name === 'Mine');
    assert.ok(reg, JSON.stringify(a.store.list()));
    const labels = (await a.tree.getChildren(reg)).map((n) => String(a.tree.getTreeItem(n).label));
    assert.ok(labels.includes('alpine'), labels.join(', '));
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['registryExplorer.connect', 'registryExplorer.linkImage', 'registryExplorer.testConnection']) assert.ok(commands.includes(c), c);
  });
});
