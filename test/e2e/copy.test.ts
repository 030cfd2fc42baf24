// Registry operations in a real VS Code: the host suite (Add Tag, Copy Image To as commands,
// plain → token-auth registry, the destination's password searched for afterwards in all the
// server wrote), then a person's path: drag a tag of one registry onto another in the tree,
// confirm, watch the progress, see the new tag. Screenshots in test-artifacts/e2e/copy-*.
import * as assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RegistryClient } from '../../src/registry/client';
import { startRegistry, type RunningRegistry } from '../support';
import { startFakeHarbor, type FakeHarbor } from '../support/fakes/harbor';
import { e2eSkipReason } from './support/codeServer';
import { filesContaining } from './support/files';
import { runHostTests } from './support/hostTests';
import { startWorkbench, type Workbench } from './support/workbench';

const skip = e2eSkipReason();
const PLATFORMS = [
  { os: 'linux', arch: 'amd64' },
  { os: 'linux', arch: 'arm64', variant: 'v8' },
];

describe('copy between registries in a real VS Code', { skip, concurrency: false }, () => {
  let src: RunningRegistry;
  let token: RunningRegistry;
  let plain: RunningRegistry;
  let harbor: FakeHarbor;
  let wb: Workbench | undefined;
  before(async () => {
    [src, token, plain, harbor] = await Promise.all([startRegistry({ mode: 'plain' }), startRegistry({ mode: 'token' }), startRegistry({ mode: 'plain' }), startFakeHarbor()]);
    // Layers big enough that the progress has something to show.
    // Delete Repository: app/old through the Registry API (3 tags, 2 images), library/old through Harbor's.
    await Promise.all([src.pusher.pushImage('app/old', ['1', 'latest']), src.pusher.pushImage('app/old', '2', { layerBytes: [700] }), harbor.registry.pusher.pushImage('library/old', ['1.0', 'latest'])]);
    await harbor.sync();
    await Promise.all([src.pusher.pushIndex('app/web', 'v1', PLATFORMS, { format: 'oci' }), src.pusher.pushImage('app/big', 'v2', { layerBytes: [24 * 1024 * 1024, 8 * 1024 * 1024], format: 'oci' }), plain.pusher.pushImage('other/thing', '1')]);
  });
  after(async () => {
    await wb?.close();
    await Promise.all([src?.stop(), token?.stop(), plain?.stop(), harbor?.stop()]);
  });

  test('Add Tag, Copy Image To and Delete Repository as commands in the extension host; the passwords stay secret', { timeout: 240_000 }, async () => {
    let hits: string[] = [];
    const r = await runHostTests({
      suites: ['copy'],
      env: { COPY_SRC_URL: src.url, COPY_DST_URL: token.url, COPY_DST_USER: token.username!, COPY_DST_PASSWORD: token.password!, HARBOR_URL: harbor.registry.url, HARBOR_USER: harbor.username, HARBOR_PASSWORD: harbor.password },
      // Harbor's API normally lives on the registry's origin; here it is the fake's.
      settings: { 'registryExplorer.apiEndpoints': { harbor: harbor.apiUrl } },
      inspectServer: (home) => {
        hits = [token.password!, harbor.password].flatMap((s) => filesContaining(home, s));
      },
    });
    const detail = `${r.output}\n${r.failures.map((f) => `${f.title}\n${f.error}`).join('\n')}`;
    assert.equal(r.exitCode, 0, detail);
    assert.equal(r.passes.length, 6, detail);
    assert.ok(!r.output.includes(token.password!) && !r.output.includes(harbor.password), 'secret in test output');
    const deletes = harbor.requests.filter((q) => q.method === 'DELETE').map((q) => `${q.path} ${q.status}`);
    assert.deepEqual(deletes, ['/api/v2.0/projects/library/repositories/old 200'], 'one DELETE through the Harbor API');
    assert.deepEqual(hits, [], `secret found in ${hits.join(', ')}`);
  });

  test('drag a tag onto another registry: confirm, progress, the new tag in the tree', { timeout: 300_000 }, async () => {
    wb = await startWorkbench({
      workspace: mkdtempSync(join(tmpdir(), 'regx-copy-ws-')),
      settings: { 'registryExplorer.registries': [{ name: 'Staging', url: src.url }, { name: 'Production', url: plain.url }] },
      name: 'copy-ui',
    });
    const page = wb.page;
    await wb.openView('Registry Explorer');
    try {
      await wb.expand(/^Staging/);
      await wb.expand(/^app folder/);
      await wb.expand(/^app\/big repository/);
    } catch (e) {
      await wb.screenshot('copy-fail-tree');
      throw e;
    }
    const tag = wb.treeItem(/^v2/);
    await tag.waitFor({ timeout: 20_000 });
    const production = wb.treeItem(/^Production/);
    await wb.screenshot('copy-1-before-drag');

    // VS Code's tree takes HTML5 drag and drop; Playwright's dragTo dispatches it in Chromium.
    // Moving over the target in steps lets the tree see dragover before the drop.
    await tag.dragTo(production, { steps: 8 });
    // Dropped on a registry: which repository (the source's name is offered), then confirm.
    await wb.quickPick.waitOpen(30_000).catch(async (e: unknown) => {
      await wb!.screenshot('copy-fail-no-repository-pick');
      throw e;
    });
    assert.equal(await wb.quickPick.input.inputValue(), 'app/big');
    await wb.screenshot('copy-2-repository');
    await wb.quickPick.enter();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 30_000 }).catch(async (e: unknown) => {
      await wb!.screenshot('copy-fail-no-dialog');
      throw e;
    });
    const question = await dialog.innerText();
    assert.match(question, /Copy app\/big:v2 from Staging to 127\.0\.0\.1:\d+\/app\/big:v2\?/);
    await wb.screenshot('copy-3-confirm');
    await dialog.getByRole('button', { name: 'Copy', exact: true }).click();

    // The progress notification names the copy, then the tag shows up selected in Production.
    const progress = await wb.waitForNotification(/Copying app\/big:v2/, 30_000).catch(() => undefined);
    if (progress) await wb.screenshot('copy-4-progress');
    await wb.waitForNotification(/Copied to 127\.0\.0\.1:\d+\/app\/big:v2: 3 blobs copied/, 120_000).catch(async (e: unknown) => {
      await wb!.screenshot('copy-fail-no-done-message');
      throw e;
    });
    const copied = page.locator('.monaco-list-row.selected', { hasText: 'v2' });
    await copied.waitFor({ timeout: 30_000 }).catch(async (e: unknown) => {
      await wb!.screenshot('copy-fail-no-new-tag');
      throw e;
    });
    await wb.screenshot('copy-5-done');
    // The destination holds the same image.
    const [a, b] = [new RegistryClient({ url: src.url }), new RegistryClient({ url: plain.url })];
    try {
      assert.equal((await b.headManifest('app/big', 'v2')).digest, (await a.headManifest('app/big', 'v2')).digest);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    assert.ok(progress, 'the progress notification was seen');
  });
});
