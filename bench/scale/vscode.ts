// The scale scenario in a real VS Code (code-server + Chromium, the production build), issue 15's
// walk through a 20,000-repository registry with a 100,000-tag repository:
//
//   expand registry   click → first child rows painted (then the view left to settle)
//   Find (partial)    Find opened right after the expand, a query typed key by key: each
//                     keystroke → the picker's list changed and painted
//   Find (full)       the same picker once the catalog is fully loaded (its progress bar gone)
//   Load more         the root's Load more row → the new rows painted
//   expand folder     the ns-00 namespace folder → its rows painted
//   expand big repo   ns-00/many-tags → its first tag rows painted (100,000 tags listed and sorted)
//   tag Load more     that repository's Load more → new tag rows painted
//   Find → reveal     Find, `ns-00/many-tags:v1.0.7` typed, Enter → the tag row selected in the tree
//
// After each step the extension host is asked (bench/vscode/probe.cjs, BENCH_PROBE_CONTROL):
// its longest event-loop blocking during the step (monitorEventLoopDelay) and its memory after
// a full GC. Times are on the page's clock (event timestamps to the animation frame after).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startWorkbench, type Workbench } from '../../test/e2e/support/workbench';
import type { BundleResult } from '../vscode';

export interface HostMark {
  at: number;
  eld: { maxMs: number; p99Ms: number; meanMs: number; samples: number; cpuMs?: number; wallMs?: number };
  memory: { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number };
  gc: boolean;
  calls: { kind: string; at: number; syncMs?: number; ms?: number; children?: number }[];
  /** Gaps over 40 ms in a 5 ms ticker, ending at `endUs` (monotonic clock, as CPU profiles). */
  blocks?: { endUs: number; ms: number }[];
  /** Garbage-collection pauses over 5 ms. */
  gcPauses?: { ms: number; kind: string }[];
}

export interface ScaleStep {
  step: string;
  /** The user-visible time of the step (see each step), on the page's clock. */
  ms?: number;
  /** Per keystroke (Find steps). */
  keys?: { key: string; ms?: number }[];
  /** Longest extension-host blocking during the step, and memory after it. */
  host?: HostMark;
  note?: string;
  error?: string;
}

export interface ScaleVscodeResult {
  baseline?: HostMark;
  steps: ScaleStep[];
  /** The host's own "find: revealed … in N ms" log line, when it wrote one. */
  revealLog?: string;
}

const NAME = 'Scale registry';

// In the page: time from an input event (or now) until the tree or the picker changed and the
// next animation frame ran. `window.__scale.arm(kind)` starts a watch; `.result` holds it.
const WATCH = `(() => {
  const s = { start: 0, changedAt: 0, paintAt: 0, want: null };
  window.__scale = s;
  const obs = new MutationObserver((records) => {
    if (!s.start || s.paintAt) return;
    if (s.want && !s.want(records)) return;
    s.changedAt = performance.now();
    requestAnimationFrame(() => { if (!s.paintAt) s.paintAt = performance.now(); });
  });
  obs.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['aria-label', 'aria-selected', 'aria-expanded'] });
})()`;

/** Starts a watch: the next mousedown/keydown → the first DOM change `want` accepts (a function body over `records`) → painted. */
async function arm(page: Page, want?: string): Promise<void> {
  await page.evaluate(
    `(() => { const s = window.__scale; s.start = 0; s.changedAt = 0; s.paintAt = 0; s.want = ${want ? `(records) => { ${want} }` : 'null'}; const on = (e) => { if (!s.start) s.start = e.timeStamp; }; document.addEventListener('mousedown', on, { capture: true, once: true }); document.addEventListener('keydown', on, { capture: true, once: true }); })()`,
  );
}

const IN_PICKER_LIST = `return records.some((r) => { const el = r.target.nodeType === 1 ? r.target : r.target.parentElement; return !!(el && el.closest && el.closest('.quick-input-list')); })`;

async function waitPainted(page: Page, timeout = 60_000): Promise<number> {
  await page.waitForFunction('!!(window.__scale && window.__scale.paintAt)', undefined, { timeout, polling: 'raf' });
  return (await page.evaluate('window.__scale.paintAt - window.__scale.start')) as number;
}

export async function scaleInVscode(opts: { bundle: BundleResult; registryUrl: string; bigRepo: string; revealTag: string; tmpDir: string; log(s: string): void }): Promise<ScaleVscodeResult> {
  const workspace = mkdtempSync(join(opts.tmpDir, 'ws-scale-'));
  const probeOut = join(opts.tmpDir, `scale-${process.pid}.jsonl`);
  rmSync(probeOut, { force: true });
  const result: ScaleVscodeResult = { steps: [] };
  if (process.env.BENCH_SCALE_PROFILE === '1') mkdirSync(join(__dirname, '..', 'results'), { recursive: true });
  let wb: Workbench | undefined;
  const mark = async (gc = true): Promise<HostMark> => {
    const port = controlPort(probeOut);
    const res = await fetch(`http://127.0.0.1:${port}/mark${gc ? '?gc=1' : ''}`);
    return (await res.json()) as HostMark;
  };
  const step = async (name: string, run: (page: Page) => Promise<Partial<ScaleStep>>): Promise<void> => {
    const s: ScaleStep = { step: name };
    try {
      await mark(false); // reset the delay histogram: only this step counts
      // BENCH_SCALE_PROFILE=1 (diagnosis; slows the host): a CPU profile of the host per step in bench/results/.
      const port = controlPort(probeOut);
      if (process.env.BENCH_SCALE_PROFILE === '1') await fetch(`http://127.0.0.1:${port}/profile/start`);
      Object.assign(s, await run(wb!.page));
      await wb!.page.waitForTimeout(300);
      if (process.env.BENCH_SCALE_PROFILE === '1') {
        const file = join(__dirname, '..', 'results', `scale-${result.steps.length + 1}.cpuprofile`);
        await fetch(`http://127.0.0.1:${port}/profile/stop?file=${encodeURIComponent(file)}`);
      }
    } catch (e) {
      s.error = e instanceof Error ? e.message.split('\n')[0] : String(e);
      await wb?.screenshot(`bench-scale-${name.replace(/[^a-z0-9]+/gi, '-')}-failed`).catch(() => undefined);
    }
    try {
      s.host = await mark(true);
    } catch (e) {
      s.error ??= `probe: ${e instanceof Error ? e.message : String(e)}`;
    }
    result.steps.push(s);
    if (process.env.BENCH_SCALE_PROFILE === '1' && s.host) {
      const file = join(__dirname, '..', 'results', `scale-${result.steps.length}.blocks.json`);
      writeFileSync(file, JSON.stringify({ blocks: s.host.blocks ?? [], gcPauses: s.host.gcPauses ?? [] }));
    }
    const gcMax = Math.max(0, ...(s.host?.gcPauses ?? []).map((g) => g.ms));
    if (gcMax) s.note = [s.note, `longest GC pause ${gcMax.toFixed(0)} ms`].filter(Boolean).join('; ');
    opts.log(`[scale] ${name}: ${s.ms !== undefined ? `${s.ms.toFixed(0)} ms` : '–'}${s.keys ? ` (keys ${s.keys.map((k) => (k.ms === undefined ? '–' : k.ms.toFixed(0))).join('/')} ms)` : ''}; host blocked ≤ ${s.host?.eld.maxMs.toFixed(0) ?? '?'} ms, heap ${mb(s.host?.memory.heapUsed)}, RSS ${mb(s.host?.memory.rss)}${s.note ? `; ${s.note}` : ''}${s.error ? `; ERROR ${s.error}` : ''}`);
  };
  try {
    wb = await startWorkbench({
      workspace,
      extensionPath: opts.bundle.extensionDir,
      name: 'bench-scale',
      // Sticky scroll off: its pinned rows would cover the row the walk clicks next.
      settings: { 'registryExplorer.registries': [{ url: opts.registryUrl, name: NAME }], 'workbench.tree.enableStickyScroll': false },
      env: {
        NODE_OPTIONS: `--require ${join(__dirname, '..', 'vscode', 'probe.cjs')}`,
        BENCH_ACTIVATION_MAIN: opts.bundle.main,
        BENCH_ACTIVATION_OUT: probeOut,
        BENCH_PROBE_CONTROL: '1',
      },
    });
    const { page } = wb;
    await page.waitForTimeout(2000);
    await wb.openView('Registry Explorer');
    const reg = wb.treeItem(NAME).first();
    await reg.waitFor({ state: 'visible', timeout: 30_000 });
    await waitFor(() => controlPort(probeOut) !== undefined, 20_000, 'the probe in the extension host');
    await page.waitForTimeout(1500);
    await page.evaluate(WATCH);
    result.baseline = await mark(true);
    opts.log(`[scale] baseline: heap ${mb(result.baseline.memory.heapUsed)}, RSS ${mb(result.baseline.memory.rss)}`);

    const level2 = `return [...document.querySelectorAll('.part.sidebar [role="treeitem"][aria-level="2"]')].some((e) => / (repository|folder), /.test(e.getAttribute('aria-label') || ''))`;
    await step('expand the registry → first rows painted', async () => {
      await arm(page, level2);
      await reg.click();
      const ms = await waitPainted(page);
      await page.mouse.move(1, 1);
      await settle(page);
      const rows = await page.locator('.part.sidebar [role="treeitem"][aria-level="2"]').count();
      return { ms, note: `${rows} rows rendered at the first level` };
    });

    // Find while the catalog is still arriving (Find itself asks for the rest).
    await step('Find, catalog partly loaded: keystroke → list painted', async () => {
      await openFind(wb!);
      const keys = await typeKeys(page, 'svc-1999');
      return { keys, ms: Math.max(...keys.map((k) => k.ms ?? 0)) };
    });
    await step('Find, catalog fully loaded: keystroke → list painted', async () => {
      const waited = await waitFindIdle(page);
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Backspace');
      await page.waitForTimeout(300);
      const keys = await typeKeys(page, 'ns-17/team-2');
      await page.keyboard.press('Escape');
      return { keys, ms: Math.max(...keys.map((k) => k.ms ?? 0)), note: waited ? 'after the picker finished loading' : 'the picker was still busy after 60 s' };
    });

    await step('root Load more → rows painted', async () => {
      const more = page.locator('.part.sidebar [role="treeitem"][aria-level="2"]', { hasText: 'Load more' }).first();
      if (!(await scrollTo(page, more))) return { note: 'no Load more row at the root (every row shown)' };
      const before = await page.locator('.part.sidebar [role="treeitem"][aria-level="2"]').count();
      await arm(page);
      await more.click();
      const ms = await waitPainted(page);
      await settle(page);
      return { ms, note: `${before} rows rendered before` };
    });

    const ns = opts.bigRepo.split('/')[0]!;
    await step(`expand folder ${ns} → rows painted`, async () => {
      const folder = wb!.treeItem(new RegExp(`^${ns} folder`)).first();
      if (!(await scrollTo(page, folder, -800))) throw new Error(`no ${ns} folder row`);
      await arm(page, `return !!document.querySelector('.part.sidebar [role="treeitem"][aria-level="3"]')`);
      await folder.click();
      const ms = await waitPainted(page);
      await page.mouse.move(1, 1);
      await settle(page);
      return { ms };
    });

    await step(`expand ${opts.bigRepo} → first tag rows painted`, async () => {
      const repo = wb!.treeItem(new RegExp(`^${escapeRe(opts.bigRepo)} repository`)).first();
      if (!(await scrollTo(page, repo))) throw new Error(`no ${opts.bigRepo} row`);
      await arm(page, `return !!document.querySelector('.part.sidebar [role="treeitem"][aria-level="4"]')`);
      await repo.click();
      const ms = await waitPainted(page, 120_000);
      await page.mouse.move(1, 1);
      await settle(page, 1500);
      return { ms };
    });

    await step('tag Load more → rows painted', async () => {
      const more = page.locator('.part.sidebar [role="treeitem"][aria-level="4"]', { hasText: 'Load more' }).first();
      if (!(await scrollTo(page, more))) return { note: 'no Load more row under the repository' };
      await arm(page);
      await more.click();
      const ms = await waitPainted(page);
      await settle(page, 1500);
      return { ms };
    });

    await step(`Find → reveal ${opts.bigRepo}:${opts.revealTag} (Enter → row selected)`, async () => {
      await openFind(wb!);
      await wb!.quickPick.input.fill(`${opts.bigRepo}:${opts.revealTag}`);
      await wb!.quickPick.item(opts.revealTag).waitFor({ state: 'visible', timeout: 60_000 });
      // The picked row must be the active one before Enter.
      await page.waitForTimeout(300);
      const tagRow = `return [...document.querySelectorAll('.part.sidebar [role="treeitem"][aria-selected="true"]')].some((e) => (e.getAttribute('aria-label') || '').startsWith(${JSON.stringify(opts.revealTag)}))`;
      await arm(page, tagRow);
      await page.keyboard.press('Enter');
      const ms = await waitPainted(page, 60_000);
      await settle(page, 1500);
      const rows = await page.locator('.part.sidebar [role="treeitem"][aria-level="4"]').count();
      return { ms, note: `${rows} rows rendered under the repository` };
    });
    return result;
  } finally {
    await wb?.close();
    rmSync(workspace, { recursive: true, force: true });
  }
}

/** Scrolls the (virtualized) tree until `row` is rendered (down, or up with dy < 0); false if it never is. */
async function scrollTo(page: Page, row: import('playwright-core').Locator, dy = 600): Promise<boolean> {
  const box = await page.locator('.part.sidebar .monaco-list').first().boundingBox();
  if (box) await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 80 && !(await row.count()); i++) {
    await page.mouse.wheel(0, dy);
    await page.waitForTimeout(60);
  }
  if (!(await row.count())) return false;
  // Upwards a row first appears at the top edge: go on to the top.
  if (dy < 0) for (let i = 0; i < 3; i++) await page.mouse.wheel(0, dy);
  await row.scrollIntoViewIfNeeded();
  return true;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function controlPort(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  for (const l of readFileSync(file, 'utf8').split('\n')) {
    if (!l) continue;
    const r = JSON.parse(l) as { kind: string; port?: number };
    if (r.kind === 'control') return r.port;
  }
  return undefined;
}

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Until the side bar has not changed for `quietMs`. */
async function settle(page: Page, quietMs = 800): Promise<void> {
  await page.evaluate(
    `new Promise((resolve) => { let t; const done = () => { o.disconnect(); resolve(); }; const o = new MutationObserver(() => { clearTimeout(t); t = setTimeout(done, ${quietMs}); }); o.observe(document.querySelector('.part.sidebar') || document.body, { subtree: true, childList: true, characterData: true, attributes: true }); t = setTimeout(done, ${quietMs}); setTimeout(done, 30000); })`,
  );
}

async function openFind(wb: Workbench): Promise<void> {
  await wb.runCommand('Registry Explorer: Find Repository or Tag');
  await wb.quickPick.waitOpen();
  await wb.page.waitForFunction(`(document.querySelector('.quick-input-widget .quick-input-box input')?.placeholder || '').includes('repository')`, undefined, { timeout: 15_000 });
}

/** Types `text` a key at a time: keydown → the picker's list changed → painted. */
async function typeKeys(page: Page, text: string): Promise<{ key: string; ms?: number }[]> {
  const keys: { key: string; ms?: number }[] = [];
  for (const key of text) {
    await arm(page, IN_PICKER_LIST);
    await page.keyboard.press(key);
    const ms = await waitPainted(page, 3000).catch(() => undefined);
    keys.push({ key, ...(ms !== undefined ? { ms } : {}) });
    await page.waitForTimeout(150);
  }
  return keys;
}

/** Until the Find picker's progress bar stops (its catalog is complete); false after 60 s. */
async function waitFindIdle(page: Page): Promise<boolean> {
  return page
    .waitForFunction(`!document.querySelector('.quick-input-widget .monaco-progress-container.active, .quick-input-widget .monaco-progress-container.infinite')`, undefined, { timeout: 60_000, polling: 250 })
    .then(() => true, () => false);
}

export function mb(bytes: number | undefined): string {
  return bytes === undefined ? '?' : `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}
