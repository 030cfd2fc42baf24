// The extension is there and activates in the real extension host.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'registry-explorer.registry-explorer';

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
    const dist = `${ext.extensionPath}/dist/`.replace(/\\/g, '/');
    const loaded = Object.keys(require.cache).map((f) => f.replace(/\\/g, '/')).filter((f) => f.startsWith(dist));
    assert.ok(loaded.some((f) => f.endsWith('/dist/extension.js')), `extension.js not among ${loaded.join(', ')}`);
    assert.deepEqual(loaded.filter((f) => /\/dist\/(network|providers|deploy|semver|find|language)\.js$|\/dist\/sdk\//.test(f)), []);
  });
});
