// "Link Image into Deploy Config" end to end: a real registry (plain HTTP, standard images), a
// copy of test/fixtures/link-workspace, and a real VS Code (code-server).
//   (a) the in-extension-host suite test/host/link.suite.ts (flow with injected choices, undo,
//       failures, hover, CodeLens, create);
//   (b) the UI: Registries view → Local → alpine → right-click 3.19 → Link Image into Deploy
//       Config → QuickPick of references → mode → the editors change; Undo across both files;
//       then the palette path (registry → repository → tag QuickPicks).
// Screenshots: test-artifacts/e2e/link-*.png.
import * as assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, seedStandardImages, startRegistry, type RunningRegistry, type StandardImages } from '../support';
import { e2eSkipReason, repoRoot } from './support/codeServer';
import { editorText, waitFor } from './support/editor';
import { runHostTests } from './support/hostTests';
import { startWorkbench } from './support/workbench';

const skip = e2eSkipReason();
const FIXTURE = join(repoRoot, 'test', 'fixtures', 'link-workspace');

/** A fresh copy of the fixture with REGISTRY_HOST replaced. */
function workspaceCopy(host: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'regx-link-ws-'));
  cpSync(FIXTURE, dir, { recursive: true });
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else writeFileSync(p, readFileSync(p, 'utf8').replaceAll('REGISTRY_HOST', host));
    }
  };
  walk(dir);
  return dir;
}

describe('link image into deploy config', { skip, concurrency: false }, () => {
  let reg: RunningRegistry;
  let images: StandardImages;
  let gone: string;
  const temp: string[] = [];

  before(async () => {
    reg = await startRegistry({ mode: 'plain' });
    images = await seedStandardImages(reg);
    gone = `http://127.0.0.1:${await freePort()}`;
  });
  after(async () => {
    await reg?.stop();
    for (const d of temp) rmSync(d, { recursive: true, force: true });
  });

  test('(a) host suite: scan, link by digest into a Deployment and Helm values, undo, failures, hover, CodeLens, create', { timeout: 240_000 }, async () => {
    const workspace = workspaceCopy(reg.host);
    temp.push(workspace);
    const r = await runHostTests({
      suites: ['link'],
      workspace,
      timeoutMs: 220_000,
      env: {
        LINK_REGISTRY_URL: reg.url,
        LINK_REGISTRY_HOST: reg.host,
        LINK_GONE_URL: gone,
        LINK_ALPINE_319: images.alpine.digest,
        LINK_API_V1: images['team/backend/api'].v1.digest,
        LINK_API_V2: images['team/backend/api'].v2.digest,
      },
      settings: {
        'registryExplorer.registries': [
          { url: reg.url, name: 'Local' },
          { url: gone, name: 'Gone' },
        ],
        'registryExplorer.deployConfigPaths': ['ops/*.yml'],
        'search.exclude': { '**/ignored': true },
        'files.autoSave': 'off',
      },
    });
    console.log(`# link host suite: exit ${r.exitCode} in ${r.durationMs} ms; ${r.passes.length} passing, ${r.failures.length} failing`);
    const detail = `${r.output}\n${r.failures.map((f) => `${f.title}\n${f.error}`).join('\n')}`;
    assert.equal(r.timedOut, false, detail);
    assert.equal(r.exitCode, 0, detail);
    assert.deepEqual(r.failures, []);
    assert.ok(r.passes.length >= 16, detail);
  });

  test('(b) UI: right-click a tag, pick references and mode, see the editors change, undo; then the palette path', { timeout: 240_000 }, async () => {
    const workspace = workspaceCopy(reg.host);
    temp.push(workspace);
    const read = () => ({
      deployment: readFileSync(join(workspace, 'k8s', 'deployment.yaml'), 'utf8'),
      values: readFileSync(join(workspace, 'chart', 'values.yaml'), 'utf8'),
      compose: readFileSync(join(workspace, 'compose', 'compose.yaml'), 'utf8'),
    });
    const original = read();
    const digest = images.alpine.digest;
    const pin = 'sha256:3e6367cce402d1fc38f409c13a207aa36fac31d1002a1e0e8ed835c31cad5753';
    const expected = {
      deployment: original.deployment.replace(`image: ${reg.host}/alpine:3.18 # the app`, `image: ${reg.host}/alpine@${digest} # the app`),
      values: original.values.replace('  tag: "3.18"   # bumped by CI\n', `  tag: "3.19"   # bumped by CI\n  digest: "${digest}"\n`),
      // Interpolation kept: the variables stay, their defaults follow; the pin is replaced.
      compose: original.compose
        .replace(`\${REGISTRY:-${reg.host}}/alpine:\${TAG:-3.18}`, `\${REGISTRY:-${reg.host}}/alpine:\${TAG:-3.19}@${digest}`)
        .replace(`${reg.host}/alpine:3.18@${pin}`, `${reg.host}/alpine@${digest}`),
    };
    const onDisk = read;
    const t0 = Date.now();
    const wb = await startWorkbench({
      workspace,
      name: 'link',
      settings: { 'registryExplorer.registries': [{ url: reg.url, name: 'Local' }], 'files.autoSave': 'off' },
    });
    const saveAll = async () => {
      await wb.runCommand('File: Save All Files');
      await wb.quickPick.waitClosed();
    };
    try {
      const { page } = wb;
      await wb.openView('Registry Explorer');
      await wb.expand('Local');
      await wb.expand(/^alpine/);
      const tag = wb.treeItem(/^3\.19/).first();
      await tag.waitFor({ timeout: 20_000 });
      await wb.contextMenu(/^3\.19/, 'Link Image into Deploy Config', { onOpen: () => wb.screenshot('link-context-menu') });

      // The references: the four that name the same repository are preselected, the compose
      // row with variables among them; the two broken files are one notification, not rows.
      await wb.quickPick.waitOpen(20_000);
      await wb.quickPick.item(/→/).first().waitFor({ timeout: 20_000 });
      const problems = await wb.waitForNotification(/Not changed: 2 files do not parse/, 20_000);
      assert.match(problems, /broken\/compose\.yaml:6: .*, and 3 more problem\(s\)/);
      const rows = await wb.quickPick.rows.evaluateAll((els) =>
        els.map((e) => ({ label: e.getAttribute('aria-label') ?? '', checked: !!e.querySelector('input[type=checkbox]:checked, .monaco-custom-toggle.checked, [aria-checked="true"]') || e.getAttribute('aria-checked') === 'true' })),
      );
      console.log(`# reference rows: ${JSON.stringify(rows)}`);
      const checked = rows.filter((r) => r.checked).map((r) => r.label);
      assert.equal(checked.length, 4, JSON.stringify(rows));
      assert.ok(checked.some((l) => l.includes(`\${TAG:-3.18} → `)), JSON.stringify(rows));
      assert.ok(!rows.some((r) => /broken\/|do not parse/.test(r.label)), `no row for a broken file: ${JSON.stringify(rows)}`);
      const count = wb.quickPick.widget.locator('.quick-input-count');
      if (await count.isVisible()) assert.match(await count.innerText(), /\b4\b/);
      const labels = await wb.quickPick.items();
      assert.ok(labels.some((l) => l.startsWith('busybox:1.36 → ')), labels.join('\n'));
      await wb.screenshot('link-references');

      // A filter that hides three of the checked rows: Enter still links them, so the
      // confirmation lists them.
      await wb.quickPick.type('k8s/');
      await wb.quickPick.item(/busybox:1\.36 → /).waitFor({ timeout: 10_000 });
      await waitFor('the filter hides the other files', async () => !(await wb.quickPick.items()).some((l) => l.includes('TAG')));
      await wb.screenshot('link-references-filtered');
      await wb.quickPick.enter();

      // The mode.
      await wb.quickPick.item('digest').waitFor({ timeout: 10_000 });
      await wb.screenshot('link-mode');
      await wb.quickPick.pick('digest');

      // The confirmation: all four changes, the hidden ones too.
      const apply = wb.quickPick.item(/Apply 4 change\(s\) in 3 file\(s\)/);
      await apply.waitFor({ timeout: 10_000 });
      const confirmRows = await wb.quickPick.rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
      console.log(`# confirmation rows: ${JSON.stringify(confirmRows)}`);
      for (const want of [`${reg.host}/alpine:3.19@sha256:`, `\${TAG:-3.19}@sha256:`, `was ${reg.host}/alpine:3.18@sha256:3e6367cce402… · compose · service cache`]) {
        assert.ok(confirmRows.some((r) => r.includes(want)), `${want} in ${JSON.stringify(confirmRows)}`);
      }
      await wb.screenshot('link-confirm');
      await apply.click();

      const message = await wb.waitForNotification(/Linked .* into 4 references in 3 file/, 20_000);
      console.log(`# ${message} (${Date.now() - t0} ms since start)`);
      assert.match(message, /not saved yet; Undo reverts it in every file/);
      await wb.notificationButton(/Linked .* into 4 references/, 'Undo').waitFor({ timeout: 5_000 });
      await wb.screenshot('link-applied');
      await wb.notificationButton(/Linked .* into 4 references/, 'Open').click();

      // The editors show the new text. Open opens the three files one after another, each one
      // taking the focus as it comes: wait for all three tabs before choosing one.
      const tabFor = (name: string) => page.locator('.tabs-container .tab', { hasText: name }).first();
      for (const name of ['values.yaml', 'compose.yaml', 'deployment.yaml']) await tabFor(name).waitFor({ timeout: 15_000 });
      // The last file takes the focus a moment after its tab shows: click until ours stays active.
      const showTab = async (name: string) => {
        const active = page.locator('.tabs-container .tab.active', { hasText: name }).first();
        await waitFor(`${name} active`, async () => {
          if (!(await active.isVisible())) await tabFor(name).click();
          await page.waitForTimeout(300);
          return active.isVisible();
        });
      };
      await showTab('values.yaml');
      await waitFor('values.yaml in the editor', async () => (await editorText(wb)).includes(`digest: "${digest}"`));
      assert.equal((await editorText(wb)).trimEnd(), expected.values.trimEnd());
      await showTab('deployment.yaml');
      await waitFor('deployment.yaml in the editor', async () => (await editorText(wb)).includes(`alpine@${digest} # the app`));
      assert.equal((await editorText(wb)).trimEnd(), expected.deployment.trimEnd());
      await wb.screenshot('link-editor');
      assert.deepEqual(onDisk(), original, 'nothing saved yet');

      // An explicit save writes exactly the expected text.
      await saveAll();
      await waitFor('saved', () => JSON.stringify(onDisk()) === JSON.stringify(expected));
      assert.deepEqual(onDisk(), expected);

      // Ctrl+Z in one editor undoes the link in every file: VS Code 1.100 does it at once for an
      // edit applied as one group; other versions ask first ("Undo in 3 Files").
      await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
      await page.keyboard.press('Control+z');
      const undoAll = page.locator('.monaco-dialog-box .monaco-button', { hasText: /Undo in \d+ Files/ }).first();
      await waitFor('undo (or its dialog)', async () => (await undoAll.isVisible()) || !(await editorText(wb)).includes(digest));
      if (await undoAll.isVisible()) {
        await wb.screenshot('link-undo-dialog');
        await undoAll.click();
      }
      await waitFor('undone in the editor', async () => !(await editorText(wb)).includes(digest));
      await wb.screenshot('link-undone');
      await saveAll();
      await waitFor('undone on disk', () => JSON.stringify(onDisk()) === JSON.stringify(original));
      assert.deepEqual(onDisk(), original, 'undo restored every file byte for byte');
      await wb.clearNotifications();

      // The palette: registry → repository → tag, then the same reference picker, by tag. The
      // compose row's tag is a variable without a default: the confirmation says it goes.
      await wb.runCommand('Registry Explorer: Link Image into Deploy Config');
      await wb.quickPick.pick('Local');
      await wb.quickPick.pick('team/backend/api');
      await wb.quickPick.pick('v2');
      await wb.quickPick.item(/team\/backend\/api:v1 → /).waitFor({ timeout: 20_000 });
      await wb.screenshot('link-palette-references');
      await wb.quickPick.enter();
      await wb.quickPick.pick('tag');
      const applyPalette = wb.quickPick.item(/Apply 2 change\(s\) in 2 file\(s\)/);
      await applyPalette.waitFor({ timeout: 10_000 });
      const paletteRows = await wb.quickPick.rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
      assert.ok(paletteRows.some((r) => /replaces \$\{API_TAG\} with a fixed value/.test(r)), JSON.stringify(paletteRows));
      await wb.screenshot('link-palette-confirm');
      await applyPalette.click();
      const linked = /Linked .*team\/backend\/api:v2 into 2 references in 2 file/;
      await wb.waitForNotification(linked, 20_000);
      await waitFor('the palette link in the editor', async () => (await editorText(wb)).includes(`team/backend/api:v2"`));
      await wb.screenshot('link-palette-applied');

      // The notification's Undo reverts both files, the one no editor shows included, and
      // leaves them as they were on disk.
      await wb.notificationButton(linked, 'Undo').click();
      await wb.waitForNotification(/Undid the link in 2 file/, 20_000);
      await waitFor('undone by the notification', async () => !(await editorText(wb)).includes('api:v2'));
      await waitFor('undone on disk too', () => JSON.stringify(onDisk()) === JSON.stringify(original));
      assert.equal(await page.locator('.tabs-container .tab.dirty').count(), 0, 'no file left unsaved');
      await wb.screenshot('link-palette-undone');
      console.log(`# UI flow done in ${Date.now() - t0} ms; browser console errors: ${wb.consoleErrors.length}`);
    } catch (e) {
      await wb.screenshot('link-failure').catch(() => undefined);
      throw e;
    } finally {
      await wb.close();
    }
  });
});
