// What a user sees of a CI registry in a real VS Code (code-server + Chromium), screen page 10:
// a repository with 300 CI tags whose first screen is the moving tags, then the newest
// releases (no `sha-…` among them); folders that span several screen pages with their true
// counts, paging inside themselves; connecting the same registry twice (a warning that offers
// the stored connection); and Save Anyway for a registry that is down, which the tree then
// shows with an error node and Retry. Screenshots in test-artifacts/e2e/ci-*.png.
import * as assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Locator } from 'playwright-core';
import { startRegistry, type RunningRegistry } from '../support';
import { e2eSkipReason } from './support/codeServer';
import { fill, startWorkbench, type Workbench } from './support/workbench';

const skip = e2eSkipReason();

// acme: 46 repositories (one nested), team-a: 7, 12 at the root: with a screen page of 10,
// acme spans five pages and the root two.
const FOLDER_REPOS = [
  ...Array.from({ length: 45 }, (_, i) => `acme/svc-${String(i).padStart(2, '0')}`),
  'acme/tools/lint',
  ...Array.from({ length: 7 }, (_, i) => `team-a/app-${i}`),
  ...Array.from({ length: 12 }, (_, i) => `root-${String(i).padStart(2, '0')}`),
];

// 300 tags as a CI pipeline leaves them: 4 moving names, 70 releases, 28 release candidates of
// released versions, 198 commit tags. Pushed in a shuffled order, as a registry lists them
// alphabetically anyway: `1.13.4` must not come first by luck of the push order.
function ciTags(): string[] {
  const moving = ['latest', 'main', 'nightly', 'stable'];
  const releases: string[] = [];
  const rcs: string[] = [];
  for (let minor = 0; minor <= 13; minor++) {
    for (let patch = 0; patch <= 4; patch++) releases.push(`v1.${minor}.${patch}`);
    rcs.push(`v1.${minor}.0-rc.1`, `v1.${minor}.0-rc.2`);
  }
  const shas = Array.from({ length: 300 - moving.length - releases.length - rcs.length }, (_, i) => `sha-${((i + 1) * 0x9e3779b1 >>> 0).toString(16).padStart(8, '0').slice(0, 7)}`);
  return [...shas, ...rcs, ...releases, ...moving];
}

/** The labels of the rows below `parent` (deeper aria-level) in the order shown, until the next sibling. */
async function childLabels(sidebar: Locator, parentLabel: RegExp): Promise<string[]> {
  return sidebar.evaluate((root, source) => {
    const re = new RegExp(source);
    const rows = [...root.querySelectorAll<HTMLElement>('.monaco-list-row')].sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index));
    const at = rows.findIndex((r) => re.test(r.getAttribute('aria-label') ?? ''));
    if (at < 0) return [];
    const level = Number(rows[at]!.getAttribute('aria-level'));
    const out: string[] = [];
    for (const r of rows.slice(at + 1)) {
      const l = Number(r.getAttribute('aria-level'));
      if (l <= level) break;
      if (l === level + 1) out.push((r.querySelector('.label-name')?.textContent ?? '').trim());
    }
    return out;
  }, parentLabel.source);
}

describe('a CI registry in a real VS Code: tag order, folders, duplicates, Save Anyway', { skip, concurrency: false }, () => {
  let ci: RunningRegistry;
  let down: RunningRegistry;
  let downHost: string;
  let wb: Workbench;
  const tags = ciTags();
  before(async () => {
    [ci, down] = await Promise.all([startRegistry({ mode: 'plain' }), startRegistry({ mode: 'plain' })]);
    downHost = down.host;
    await down.stop();
    await ci.pusher.pushManyRepos(FOLDER_REPOS);
    const image = await ci.pusher.pushImage('ci/app', [tags[0]!], { layerBytes: [512] });
    await ci.pusher.tag('ci/app', image.digest, tags.slice(1));
  });
  after(async () => {
    await wb?.close();
    await ci?.stop();
  });

  test('first screen of 300 CI tags, folder pages, the same registry twice, Save Anyway on a stopped one', { timeout: 300_000 }, async () => {
    wb = await startWorkbench({ workspace: mkdtempSync(join(tmpdir(), 'regx-ci-ws-')), settings: { 'registryExplorer.pageSize': 10 }, name: 'registries-ci' });
    const page = wb.page;
    const sidebar = page.locator('.part.sidebar');
    await wb.openView('Registry Explorer');
    const welcome = page.locator('.welcome-view-content');
    await welcome.getByRole('button', { name: 'Connect Registry' }).click({ timeout: 20_000 });
    let form = wb.webview();
    await form.locator('[data-provider="generic"]').click({ timeout: 30_000 });
    await fill(form, 'url', ci.host);
    await fill(form, 'name', 'CI registry');
    await form.locator('#save').click();
    await page.locator('iframe.webview.ready:visible').waitFor({ state: 'detached', timeout: 30_000 });

    // — 300 CI tags: the first screen is the moving names, then the newest releases.
    await wb.expand('CI registry');
    await wb.expand(/^ci folder/);
    await wb.expand(/^ci\/app repository/);
    await wb.treeItem(/^Load more/).first().waitFor({ timeout: 30_000 });
    const firstScreen = await childLabels(sidebar, /^ci\/app repository/);
    assert.equal(firstScreen.at(-1), 'Load more…', firstScreen.join(', '));
    const shown = firstScreen.slice(0, -1);
    assert.equal(shown.length, 10, shown.join(', '));
    assert.deepEqual(shown.slice(0, 4), ['latest', 'stable', 'main', 'nightly'], 'moving names first, in their order');
    assert.deepEqual(shown.slice(4, 9), ['v1.13.4', 'v1.13.3', 'v1.13.2', 'v1.13.1', 'v1.13.0'], 'then the newest releases');
    assert.ok(!shown.some((t) => t.startsWith('sha-')), `no commit tag on the first screen: ${shown.join(', ')}`);
    await page.mouse.move(1, 1);
    await wb.screenshot('ci-1-first-screen-of-300-tags');
    // The repository's count arrives with the listing's change event, a moment after the rows.
    await wb.treeItem(/^ci\/app repository, 300 tags/).waitFor({ timeout: 15_000 });
    // Collapse it again (a click toggles): the folders come next.
    const appRow = wb.treeItem(/^ci\/app repository/);
    await appRow.click();
    await page.waitForFunction(() => document.querySelector('.part.sidebar .monaco-list-row[aria-label^="ci/app repository"]')?.getAttribute('aria-expanded') === 'false');

    // — folders spanning several screen pages: true counts, paging inside the folder.
    const top = await childLabels(sidebar, /^CI registry/);
    assert.deepEqual(top.slice(0, 3), ['acme', 'ci', 'team-a'], top.join(', '));
    assert.equal(top.length, 11, `10 entries and Load more at the root: ${top.join(', ')}`);
    assert.match((await wb.treeItem(/^acme folder/).getAttribute('aria-label')) ?? '', /46 repositories/);
    assert.match((await wb.treeItem(/^team-a folder/).getAttribute('aria-label')) ?? '', /7 repositories/);
    await wb.expand(/^acme folder/);
    await page.waitForFunction(() => [...document.querySelectorAll('.part.sidebar .monaco-list-row .label-name')].some((e) => e.textContent === 'svc-08'));
    let inAcme = await childLabels(sidebar, /^acme folder/);
    assert.deepEqual(inAcme.slice(0, 2), ['tools', 'svc-00'], inAcme.join(', '));
    assert.equal(inAcme.at(-1), 'Load more…', 'the folder pages inside itself');
    assert.equal(inAcme.length, 11);
    await wb.screenshot('ci-2-folder-first-page');
    const acmeMore = page.locator('.part.sidebar .monaco-list-row[aria-level="3"]', { hasText: 'Load more' }).first();
    await acmeMore.click();
    await wb.treeItem(/^acme\/svc-18 repository/).waitFor({ timeout: 20_000 });
    inAcme = await childLabels(sidebar, /^acme folder/);
    assert.equal(inAcme.filter((l) => l.startsWith('svc-')).length, 19, inAcme.join(', '));
    assert.match((await wb.treeItem(/^acme folder/).getAttribute('aria-label')) ?? '', /46 repositories/, 'the count stays true while paging');
    await page.mouse.move(1, 1);
    await wb.screenshot('ci-3-folder-second-page');

    // — the same registry again: a warning that offers the stored connection.
    await wb.runCommand('Registry Explorer: Connect Registry');
    form = wb.webview();
    await form.locator('[data-provider="generic"]').click({ timeout: 30_000 });
    await fill(form, 'url', `http://${ci.host}/`);
    await fill(form, 'name', 'CI again');
    await form.locator('#save').click();
    const edit = form.locator('#edit-existing');
    await edit.waitFor({ timeout: 30_000 });
    assert.match(await form.locator('.result').innerText(), /“CI registry” already connects to this registry/);
    assert.equal(await form.locator('#save-duplicate').count(), 1);
    await wb.screenshot('ci-4-duplicate-warning');
    await edit.click();
    await form.locator('h1', { hasText: 'Edit CI registry' }).waitFor({ timeout: 20_000 });
    await page.locator('.tab', { hasText: 'Edit CI registry' }).waitFor({ timeout: 10_000 });
    assert.equal(await form.locator('.field[data-field="url"] input').inputValue(), ci.host, 'the stored connection, not the typed one');
    await wb.screenshot('ci-5-edit-existing');
    await form.locator('#cancel').click();
    await page.locator('iframe.webview.ready:visible').waitFor({ state: 'detached', timeout: 30_000 });

    // — a registry that is down: Save Anyway, and the tree shows it with Retry.
    await wb.runCommand('Registry Explorer: Connect Registry');
    form = wb.webview();
    await form.locator('[data-provider="generic"]').click({ timeout: 30_000 });
    await fill(form, 'url', downHost);
    await fill(form, 'name', 'Stopped registry');
    await form.locator('#save').click();
    const anyway = form.locator('#save-anyway');
    await anyway.waitFor({ timeout: 60_000 });
    const result = await form.locator('.result').innerText();
    assert.match(result, /refused the connection/);
    assert.match(result, /Registries view shows it with an error and Retry/);
    assert.doesNotMatch(result, /ECONNREFUSED|reconnect/i);
    assert.equal(await form.locator('.field-error:not([hidden])').count(), 0, 'said once: in the summary, next to its offer');
    await wb.screenshot('ci-6-save-anyway-offer');
    await anyway.click();
    await page.locator('iframe.webview.ready:visible').waitFor({ state: 'detached', timeout: 60_000 });
    // The CI registry, expanded above, fills the view down to the new registry's row: its
    // children would be drawn below the fold, where the tree has no rows in the page.
    await wb.collapse(/^CI registry/);
    await wb.expand('Stopped registry');
    const retry = wb.treeItem(/Unreachable — Retry/);
    await retry.waitFor({ timeout: 60_000 });
    await page.mouse.move(1, 1);
    await wb.screenshot('ci-7-saved-anyway-retry');
    assert.deepEqual(wb.consoleErrors.filter((e) => /registry-explorer|Registry Explorer/i.test(e)), []);
  });
});
