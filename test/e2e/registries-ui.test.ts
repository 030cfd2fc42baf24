// A person's path through the extension in a real VS Code (code-server + Chromium):
// welcome view → Connect Registry wizard (TLS + Basic with the test CA) → a wrong password
// shown next to its field with the form intact → Save → browse folders, tags and a multi-arch
// tag's platforms → Load more → Find → Disconnect. Screenshots in test-artifacts/e2e/.
import * as assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { seedStandardImages, startRegistry, type RunningRegistry } from '../support';
import { e2eSkipReason } from './support/codeServer';
import { fieldValue, fill, startWorkbench, type Workbench } from './support/workbench';

const skip = e2eSkipReason();

describe('Registries view and Connect wizard in a real VS Code', { skip, concurrency: false }, () => {
  let tls: RunningRegistry;
  let plain: RunningRegistry;
  let wb: Workbench;
  before(async () => {
    [tls, plain] = await Promise.all([startRegistry({ mode: 'tls-basic' }), startRegistry({ mode: 'plain' })]);
    await Promise.all([seedStandardImages(tls), plain.pusher.pushManyRepos(Array.from({ length: 25 }, (_, i) => `bulk/r${String(i).padStart(4, '0')}`))]);
  });
  after(async () => {
    await wb?.close();
    await Promise.all([tls?.stop(), plain?.stop()]);
  });

  test('connect through the wizard, browse, page, find, disconnect', { timeout: 300_000 }, async () => {
    wb = await startWorkbench({ workspace: mkdtempSync(join(tmpdir(), 'regx-ui-ws-')), settings: { 'registryExplorer.pageSize': 10 }, name: 'registries-ui' });
    const page = wb.page;
    await wb.openView('Registry Explorer');
    const welcome = page.locator('.welcome-view-content');
    await welcome.getByRole('button', { name: 'Connect Registry' }).waitFor({ timeout: 20_000 });
    await welcome.getByRole('button', { name: 'Import from Docker Config' }).waitFor();
    await wb.screenshot('ui-1-welcome');

    // — the wizard
    await welcome.getByRole('button', { name: 'Connect Registry' }).click();
    const form = wb.webview();
    await form.locator('[data-provider="generic"]').click({ timeout: 30_000 });
    await form.locator('.field[data-field="url"]').waitFor();
    await fill(form, 'url', tls.url);
    await fill(form, 'name', 'Secure registry');
    await fill(form, 'username', tls.username!);
    await fill(form, 'password', 'Wrong-Password-42');
    await fill(form, 'caPem', tls.caPem!);
    await form.locator('#save').click();
    const pwError = form.locator('.field[data-field="password"] .field-error:not([hidden])');
    await pwError.waitFor({ timeout: 30_000 });
    assert.match(await pwError.innerText(), /rejected the credentials/);
    assert.equal(await fieldValue(form, 'url'), tls.url, 'the form kept its values');
    assert.equal(await fieldValue(form, 'username'), tls.username);
    assert.match(await fieldValue(form, 'caPem'), /BEGIN CERTIFICATE/);
    await wb.screenshot('ui-2-wizard-wrong-password');

    await fill(form, 'password', tls.password!);
    await form.locator('#test').click();
    await form.locator('.result:not(.fail) .steps').waitFor({ timeout: 30_000 });
    await wb.screenshot('ui-3-wizard-test-ok');
    await form.locator('#save').click();
    await page.locator('iframe.webview.ready:visible').waitFor({ state: 'detached', timeout: 30_000 }).catch(() => undefined);

    // — the tree: folders, repositories, tags, platforms of a multi-arch tag
    const reg = wb.treeItem('Secure registry');
    try {
      await wb.expand('Secure registry');
      await wb.expand(/^multi folder/);
      await wb.expand(/^multi\/oci-index repository/);
    } catch (e) {
      await wb.screenshot('ui-fail-tree');
      throw e;
    }
    const latest = wb.treeItem(/^latest/);
    await latest.waitFor({ timeout: 20_000 });
    // Details arrive lazily and make the tag expandable.
    await page.locator('.monaco-list-row[aria-expanded="false"]', { hasText: 'latest' }).waitFor({ timeout: 30_000 });
    await wb.expand(/^latest/);
    await wb.treeItem('linux/arm64/v8').waitFor({ timeout: 20_000 });
    await wb.treeItem('linux/amd64').waitFor();
    assert.match(await page.locator('.monaco-list-row', { hasText: 'linux/amd64' }).innerText(), /[0-9a-f]{12}/);
    await wb.screenshot('ui-4-tree-multiarch');

    // — Load more on a registry with 25 repositories, 10 per screen
    // — Delete a tag: the confirmation names every tag that shares the digest
    await wb.expand(/^alpine repository/);
    await wb.contextMenu(/^3\.19/, 'Delete Tag');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 30_000 }).catch(async (e: unknown) => {
      await wb.screenshot('ui-fail-delete-dialog');
      throw new Error(`no Delete Tag confirmation; notifications: ${JSON.stringify(await wb.notifications())}`, { cause: e });
    });
    assert.match(await dialog.innerText(), /latest/, 'the other tag on the same digest is named');
    await wb.screenshot('ui-4b-delete-confirm');
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await wb.treeItem(/^3\.19/).waitFor({ state: 'detached', timeout: 20_000 });
    await wb.treeItem(/^No tags/).waitFor({ timeout: 20_000 });
    assert.equal(await wb.treeItem(/^latest f2/).count(), 0, 'the tag on the same digest went too');

    // A second registry, plain HTTP on loopback (allowed without "insecure"), from the palette.
    await wb.runCommand('Registry Explorer: Connect Registry');
    const form2 = wb.webview();
    await form2.locator('[data-provider="generic"]').click({ timeout: 30_000 });
    await fill(form2, 'url', plain.host);
    await fill(form2, 'name', 'Bulk registry');
    await form2.locator('#save').click();
    await wb.expand('Bulk registry');
    await wb.expand(/^bulk folder/);
    const loadMore = wb.treeItem(/Load more/);
    await loadMore.waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('.monaco-list-row', { hasText: /^r00\d\d/ }).count(), 10);
    await loadMore.click();
    await wb.treeItem('r0019').waitFor({ timeout: 20_000 });
    await wb.screenshot('ui-5-load-more');

    // — Find: a repository not on screen yet
    await wb.runCommand('Registry Explorer: Find Repository or Tag');
    await wb.quickPick.type('bulk/r0024');
    await wb.quickPick.pick('bulk/r0024');
    const found = page.locator('.part.sidebar .monaco-list-row.selected', { hasText: 'r0024' });
    await found.waitFor({ timeout: 20_000 });
    await wb.screenshot('ui-6-find');

    // — Disconnect from the context menu, confirmed in the modal
    await wb.contextMenu('Secure registry', 'Disconnect');
    await page.locator('.monaco-dialog-box').getByRole('button', { name: 'Disconnect' }).click({ timeout: 10_000 });
    await reg.waitFor({ state: 'detached', timeout: 20_000 });
    await wb.screenshot('ui-7-disconnected');
    assert.deepEqual(wb.consoleErrors.filter((e) => /registry-explorer|Registry Explorer/i.test(e)), []);
  });
});
