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
import { runHostTests } from './support/hostTests';
import { startWorkbench, type Workbench } from './support/workbench';

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

async function waitFor(what: string, fn: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The visible text of the active editor (Monaco renders spaces as U+00A0). */
async function editorText(wb: Workbench): Promise<string> {
  const lines = await wb.page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line').allTextContents();
  return lines.map((l) => l.replace(/\u00a0/g, ' ')).join('\n');
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
    const original = {
      deployment: readFileSync(join(workspace, 'k8s', 'deployment.yaml'), 'utf8'),
      values: readFileSync(join(workspace, 'chart', 'values.yaml'), 'utf8'),
    };
    const digest = images.alpine.digest;
    const expected = {
      deployment: original.deployment.replace(`image: ${reg.host}/alpine:3.18 # the app`, `image: ${reg.host}/alpine@${digest} # the app`),
      values: original.values.replace('  tag: "3.18"   # bumped by CI\n', `  tag: "3.19"   # bumped by CI\n  digest: "${digest}"\n`),
    };
    const onDisk = () => ({
      deployment: readFileSync(join(workspace, 'k8s', 'deployment.yaml'), 'utf8'),
      values: readFileSync(join(workspace, 'chart', 'values.yaml'), 'utf8'),
    });
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
      await tag.click({ button: 'right' });
      const item = page.getByRole('menuitem', { name: /Link Image into Deploy Config/ }).first();
      await item.waitFor({ timeout: 10_000 });
      await wb.screenshot('link-context-menu');
      await item.click();

      // The references: the two that name the same repository are preselected.
      await wb.quickPick.waitOpen(20_000);
      await wb.quickPick.item(/→/).first().waitFor({ timeout: 20_000 });
      const rows = await wb.quickPick.rows.evaluateAll((els) =>
        els.map((e) => ({ label: e.getAttribute('aria-label') ?? '', checked: !!e.querySelector('input[type=checkbox]:checked, .monaco-custom-toggle.checked, [aria-checked="true"]') || e.getAttribute('aria-checked') === 'true' })),
      );
      console.log(`# reference rows: ${JSON.stringify(rows)}`);
      const checked = rows.filter((r) => r.checked).map((r) => r.label);
      assert.equal(checked.length, 2, JSON.stringify(rows));
      assert.ok(checked.every((l) => l.startsWith(`${reg.host}/alpine:3.18 → ${reg.host}/alpine:3.19@sha256:`)), JSON.stringify(rows));
      const labels = await wb.quickPick.items();
      assert.ok(labels.some((l) => l.startsWith('busybox:1.36 → ')), labels.join('\n'));
      assert.ok(labels.some((l) => /broken\/values\.yaml:4: Map keys must be unique/.test(l)), `the file that does not parse is listed: ${labels.join('\n')}`);
      await wb.screenshot('link-references');
      await wb.quickPick.enter();

      // The mode.
      await wb.quickPick.item('digest').waitFor({ timeout: 10_000 });
      await wb.screenshot('link-mode');
      await wb.quickPick.pick('digest');

      const message = await wb.waitForNotification(/Linked .* into 2 references in 2 file/, 20_000);
      console.log(`# ${message} (${Date.now() - t0} ms since start)`);
      assert.match(message, /not saved yet/);
      await page.waitForTimeout(700); // the toast's slide-in
      await wb.screenshot('link-applied');
      await wb.notificationButton(/Linked .* into 2 references/, 'Open').click();

      // The editors show the new text.
      const showTab = async (name: string) => {
        const tab = page.locator('.tabs-container .tab', { hasText: name }).first();
        await tab.waitFor({ timeout: 15_000 });
        await tab.click();
      };
      await showTab('values.yaml');
      await waitFor('values.yaml in the editor', async () => (await editorText(wb)).includes(`digest: "${digest}"`));
      assert.equal((await editorText(wb)).trimEnd(), expected.values.trimEnd());
      await showTab('deployment.yaml');
      await waitFor('deployment.yaml in the editor', async () => (await editorText(wb)).includes(`alpine@${digest}`));
      assert.equal((await editorText(wb)).trimEnd(), expected.deployment.trimEnd());
      await wb.screenshot('link-editor');
      assert.deepEqual(onDisk(), original, 'nothing saved yet');

      // An explicit save writes exactly the expected text.
      await saveAll();
      await waitFor('saved', () => onDisk().deployment === expected.deployment && onDisk().values === expected.values);

      // Ctrl+Z in one editor undoes the link in both files: VS Code 1.100 does it at once for an
      // edit applied as one group; other versions ask first ("Undo in 2 Files").
      await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
      await page.keyboard.press('Control+z');
      const undoAll = page.locator('.monaco-dialog-box .monaco-button', { hasText: /Undo in 2 Files/ }).first();
      await waitFor('undo (or its dialog)', async () => (await undoAll.isVisible()) || !(await editorText(wb)).includes(digest));
      if (await undoAll.isVisible()) {
        await wb.screenshot('link-undo-dialog');
        await undoAll.click();
      }
      await waitFor('undone in the editor', async () => !(await editorText(wb)).includes(digest));
      await wb.screenshot('link-undone');
      await saveAll();
      await waitFor('undone on disk', () => onDisk().deployment === original.deployment && onDisk().values === original.values);
      assert.deepEqual(onDisk(), original, 'undo restored both files byte for byte');
      await wb.clearNotifications();

      // The palette: registry → repository → tag, then the same reference picker, by tag.
      await wb.runCommand('Registry Explorer: Link Image into Deploy Config');
      await wb.quickPick.pick('Local');
      await wb.quickPick.pick('team/backend/api');
      await wb.quickPick.pick('v2');
      await wb.quickPick.item(/team\/backend\/api:v1 → /).waitFor({ timeout: 20_000 });
      await wb.screenshot('link-palette-references');
      await wb.quickPick.enter();
      await wb.quickPick.pick('tag');
      await wb.waitForNotification(/Linked .*team\/backend\/api:v2 into k8s\/deployment\.yaml:22/, 20_000);
      await saveAll();
      await waitFor('palette link saved', () => onDisk().deployment === original.deployment.replace(`"${reg.host}/team/backend/api:v1"`, `"${reg.host}/team/backend/api:v2"`));
      await wb.screenshot('link-palette-applied');
      console.log(`# UI flow done in ${Date.now() - t0} ms; browser console errors: ${wb.consoleErrors.length}`);
    } catch (e) {
      await wb.screenshot('link-failure').catch(() => undefined);
      throw e;
    } finally {
      await wb.close();
    }
  });
});
