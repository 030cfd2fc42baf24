// The extension is there and activates in the real extension host.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'registry-explorer.registry-explorer';

/** The extension's bundles in the extension host's module cache (one Node process). */
function distLoaded(ext: vscode.Extension<unknown>): string[] {
  const dist = `${ext.extensionPath}/dist/`.replace(/\\/g, '/');
  return Object.keys(require.cache).map((f) => f.replace(/\\/g, '/')).filter((f) => f.startsWith(dist));
}

describe('activation', () => {
  it('registry-explorer.registry-explorer is present and activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} not found; loaded: ${vscode.extensions.all.map((e) => e.id).filter((id) => !id.startsWith('vscode.')).join(', ')}`);
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  it('registers every command it contributes, and each one sits in the Registry Explorer category', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    await ext.activate();
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = (ext.packageJSON as { contributes: { commands: { command: string; category?: string; title: string }[] } }).contributes.commands;
    assert.ok(contributed.length >= 20, `only ${contributed.length} commands contributed`);
    const missing = contributed.filter((c) => !registered.has(c.command)).map((c) => c.command);
    assert.deepEqual(missing, [], 'contributed but never registered');
    for (const c of contributed) assert.ok(c.category, `${c.command} has no category`);
  });

  it('activation loads neither the network side, the cloud providers, the deploy engine nor any SDK bundle', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    await ext.activate();
    // The extension host is one Node process: its module cache shows what the extension loaded.
    // (semver.js and find.js too: the tag order loads one for the first tag like `1.25`, Find the other.)
    // (language.js: the deploy-file features load on the first deploy file opened, not here.)
    // (link.js, wizard.js, writes.js, artifacts.js: the Link Image flow, the wizard panel, the
    // commands that write to a registry and those on what lies behind a tag load on their
    // commands' first use; their stubs are registered here.)
    const loaded = distLoaded(ext);
    assert.ok(loaded.some((f) => f.endsWith('/dist/extension.js')), `extension.js not among ${loaded.join(', ')}`);
    assert.deepEqual(loaded.filter((f) => /\/dist\/(network|providers|deploy|semver|find|language|link|wizard|writes|artifacts)\.js$|\/dist\/sdk\//.test(f)), []);
  });

  // After the test above: it proves these bundles are not loaded before their commands are used.
  it("a command flow's bundle loads on the first use of its command, whose stand-in gives way to the real one", async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    await ext.activate();
    const bundle = (name: string): boolean => distLoaded(ext).some((f) => f.endsWith(`/dist/${name}.js`));
    // Nothing selected, no node given: each answers with a hint and changes nothing.
    await vscode.commands.executeCommand('registryExplorer.addTag');
    assert.ok(bundle('writes'), 'Add Tag did not load dist/writes.js');
    // The other commands of that bundle are its real registrations now, and run again without loading anything more.
    await vscode.commands.executeCommand('registryExplorer.deleteRepository');
    await vscode.commands.executeCommand('registryExplorer.copyImageTo');
    await vscode.commands.executeCommand('registryExplorer.addTag');
    await vscode.commands.executeCommand('registryExplorer.linkImage', 'Not A Reference');
    assert.ok(bundle('link'), 'Link Image did not load dist/link.js');
    await vscode.commands.executeCommand('registryExplorer.connect');
    assert.ok(bundle('wizard'), 'Connect Registry did not load dist/wizard.js');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('registryExplorer.showChartValues');
    assert.ok(bundle('artifacts'), 'Show values.yaml did not load dist/artifacts.js');
    await vscode.commands.executeCommand('registryExplorer.openReferrer');
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const id of ['registryExplorer.addTag', 'registryExplorer.deleteRepository', 'registryExplorer.copyImageTo', 'registryExplorer.linkImage', 'registryExplorer.connect', 'registryExplorer.showChartValues', 'registryExplorer.openReferrer', 'registryExplorer.linkChart']) {
      assert.ok(registered.has(id), `${id} is no longer registered`);
    }
  });
});
