// The VS Code half of `npm run bench`: what a user of the extension waits for.
//
//   bundle      a production build (scripts/build.mjs --production, run unchanged on a mirror
//               of the checkout in a temp folder, so the shared dist/ is left alone): bytes of
//               dist/extension.js (what activation loads) and of each lazily loaded bundle
//               (dist/sdk/*.js, dist/deploy.js, dist/providers.js), and which packages the activation bundle
//               holds (from esbuild's metafile);
//   activation  in the real extension host of code-server 4.100.3 (VS Code 1.100.3), with the
//               host's own clock: from the require of dist/extension.js until activate()
//               resolved, split into loading and the activate() call (bench/vscode/probe.cjs,
//               preloaded through NODE_OPTIONS), and every module loaded meanwhile; then
//               whether any lazily loaded bundle got loaded by the time the first page showed;
//   expand      the production build loaded in code-server with a 2,000-repository registry
//               preconnected through the `registryExplorer.registries` setting; Chromium clicks
//               the registry's row; time from the click (the mousedown event's timestamp) until
//               the first child row (a repository or a folder of the first catalog page) is in
//               the tree and the next animation frame runs, on the page's own clock. A fresh
//               code-server per run (empty caches: VS Code's and the extension's). Beside it,
//               the same first catalog page fetched by this project's client directly (a fresh
//               RegistryClient, so a new connection too), as an anchor: the difference is what
//               VS Code and the extension add on top of the network; and once per run the same
//               fetch as the first request of a fresh Node process (cold code, as the host's
//               first expand runs it), for comparison.
//
// Harness: test/e2e/support (startWorkbench, the tree helpers, its process-group cleanup).
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { firstCatalogPage } from './anchor';
import { codeServerInstalled, CODE_SERVER_VERSION, repoRoot } from '../../test/e2e/support/codeServer';
import { CHROMIUM_PATH, startWorkbench, type Workbench } from '../../test/e2e/support/workbench';

const run = promisify(execFile);

// ——— bundle ———

export interface BundleFile {
  file: string;
  bytes: number;
  gzipBytes: number;
  lazy: boolean;
}

export interface BundleResult {
  /** The mirror folder: an extension folder (package.json, media, dist) code-server can load. */
  extensionDir: string;
  main: string;
  buildMs: number;
  files: BundleFile[];
  /** Bytes of the activation bundle's inputs, by package (`src` for the project's own code). */
  byPackage: { name: string; bytes: number }[];
  /** Heavy packages found in the activation bundle (should be none). */
  heavyInActivationBundle: string[];
  /** The project's own modules in the activation bundle, largest first. */
  largestSources: { name: string; bytes: number }[];
}

/** Packages that must stay out of dist/extension.js. */
export const HEAVY = ['@aws-sdk/', '@smithy/', 'google-auth-library', 'gaxios', 'gcp-metadata', 'yaml'];

const MIRRORED = ['src', 'webview', 'test', 'node_modules', 'media', 'package.json', 'package.nls.json', 'LICENSE', 'README.md', 'CHANGELOG.md', 'tsconfig.json', 'l10n'];

function parseSize(s: string): number {
  const m = /^([\d.]+)(b|kb|mb)$/i.exec(s);
  if (!m) return 0;
  return Math.round(Number(m[1]) * (m[2]!.toLowerCase() === 'mb' ? 1024 * 1024 : m[2]!.toLowerCase() === 'kb' ? 1024 : 1));
}

export async function buildProduction(tmpDir: string): Promise<BundleResult> {
  const dir = mkdtempSync(join(tmpDir, 'extension-'));
  for (const name of MIRRORED) if (existsSync(join(repoRoot, name))) symlinkSync(join(repoRoot, name), join(dir, name));
  mkdirSync(join(dir, 'scripts'));
  copyFileSync(join(repoRoot, 'scripts', 'build.mjs'), join(dir, 'scripts', 'build.mjs'));
  const started = performance.now();
  // BENCH_DEV_BUILD=1 (diagnosis only): the development build, readable in CPU profiles.
  const mode = process.env.BENCH_DEV_BUILD === '1' ? [] : ['--production'];
  const { stdout } = await run(process.execPath, [join(dir, 'scripts', 'build.mjs'), ...mode, '--meta'], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
  const buildMs = performance.now() - started;

  const dist = join(dir, 'dist');
  const files: BundleFile[] = [];
  const add = (rel: string, lazy: boolean): void => {
    const p = join(dist, rel);
    if (!existsSync(p)) return;
    files.push({ file: `dist/${rel}`, bytes: statSync(p).size, gzipBytes: gzipSync(readFileSync(p), { level: 9 }).length, lazy });
  };
  add('extension.js', false);
  // Everything else the build puts next to it is loaded on first use (dist/sdk/*.js, dist/deploy.js,
  // dist/providers.js, …); dist/webview/ is the wizard page, loaded by the browser.
  for (const f of readdirSync(dist).filter((f) => f.endsWith('.js') && f !== 'extension.js').sort()) add(f, true);
  if (existsSync(join(dist, 'sdk'))) for (const f of readdirSync(join(dist, 'sdk')).filter((f) => f.endsWith('.js')).sort()) add(`sdk/${f}`, true);

  // esbuild's analyzeMetafile text for the first build (the extension bundle): one line per input.
  const byPackage = new Map<string, number>();
  const sources: { name: string; bytes: number }[] = [];
  for (const line of stdout.split('\n')) {
    const m = /[├└]\s+(\S+)\s+([\d.]+(?:b|kb|mb))\s/i.exec(line);
    if (!m) continue;
    const path = m[1]!;
    const nm = path.lastIndexOf('node_modules/');
    let name: string;
    if (nm >= 0) {
      const rest = path.slice(nm + 'node_modules/'.length).split('/');
      name = rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
    } else {
      name = /\/(src|webview)\//.exec(path)?.[1] ?? path;
      const src = /\/(src\/.*)$/.exec(path)?.[1];
      if (src) sources.push({ name: src, bytes: parseSize(m[2]!) });
    }
    byPackage.set(name, (byPackage.get(name) ?? 0) + parseSize(m[2]!));
  }
  if (!byPackage.size) throw new Error('could not read the activation bundle inputs from esbuild --meta output');
  const packages = [...byPackage].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
  return {
    extensionDir: dir,
    main: join(dist, 'extension.js'),
    buildMs,
    files,
    byPackage: packages,
    largestSources: sources.sort((a, b) => b.bytes - a.bytes).slice(0, 12),
    heavyInActivationBundle: packages.filter((p) => HEAVY.some((h) => (h.endsWith('/') ? p.name.startsWith(h) : p.name === h))).map((p) => p.name),
  };
}

// ——— activation + expand ———

export interface ActivationRecord {
  requireMs: number;
  activateMs: number;
  totalMs: number;
  betweenMs: number;
  /** CPU time of the host process during the require and during activate(). */
  requireCpuMs?: number;
  activateCpuMs?: number;
  loads: { request: string; from?: string; file?: string }[];
  newCacheEntries: string[];
  /** Node internal modules first loaded by the extension (whole host, during its load + activate). */
  newBuiltins?: string[];
  error?: string;
}

export interface ExpandSample {
  /** Click (mousedown) → first child row in the DOM, on the page's clock. */
  domMs: number;
  /** Click → the animation frame after it (the row painted). */
  paintMs: number;
  /** The same click → painted in the floor extension's view (36 rows at once), in the same window. */
  floorMs: number;
  /** The floor view was expanded before the registry (VS Code's side cold for the floor, warm for the registry). */
  floorFirst: boolean;
  /** Playwright's view: from asking for the click until the row was seen (includes its round trips). */
  outsideMs: number;
  /** The same span split at the counting proxy (epoch clocks of browser and proxy): click → first request arrived, the request(s), last response sent → painted. */
  split?: { toRequestMs: number; requestMs: number; afterResponseMs: number };
  /** Inside the extension host: click → getChildren(registry) called, its duration, resolved → painted, dist/network.js loading (0: loaded before the click), longest event-loop blocking. */
  host?: { clickToGetChildrenMs: number; getChildrenMs?: number; resolvedToPaintMs?: number; networkLoadMs: number; blockedMs: number };
  firstRow: string;
  rowsShown: number;
  requests: number;
  requestsBeforeClick: number;
  byKind: Record<string, number>;
  /** The first catalog page fetched by a fresh RegistryClient, just before this run. */
  anchorMs: number[];
  /** The same, as the first request of a fresh Node process (cold code, like the host's first expand). */
  coldAnchorMs?: number;
  activation?: ActivationRecord;
  /** Lazily loaded bundles (dist/sdk/*, dist/deploy.js) loaded by the time the row showed. */
  lazyLoaded: string[];
  /** Share of CPU time idle machine-wide in the 1.5 s before the click (0-1): others' load. */
  idleBeforeClick: number;
  /** VS Code's workbench: navigation → ready, for the record. */
  workbenchReadyMs?: number;
}

export interface VscodeBenchOptions {
  bundle: BundleResult;
  /** The registry (through the counting proxy), http://127.0.0.1:PORT, holding `repos` repositories. */
  registryUrl: string;
  repos: number;
  runs: number;
  tmpDir: string;
  resetCounts(): Promise<void>;
  counts(): Promise<{ requests: number; byKind: Record<string, number>; firstRequestAt?: number; lastResponseAt?: number }>;
  log(s: string): void;
}

export function vscodeSkipReason(): string | undefined {
  if (!codeServerInstalled()) return `code-server ${CODE_SERVER_VERSION} is not installed (run \`node scripts/install-code-server.mjs\`)`;
  if (!existsSync(CHROMIUM_PATH)) return 'Chromium is not installed (Debian package `chromium`)';
  return undefined;
}

/** The tree's first request, made directly (bench/index.ts checks the registry with it too). */
export { firstCatalogPage };

/**
 * The same fetch as the first request of a fresh Node process (the client's and undici's code
 * never run before, as in the extension host at the first expand), for comparison: the anchor
 * above runs in the bench process, whose code is warm from the fetches before it.
 */
export async function coldFirstCatalogPage(url: string): Promise<number> {
  const script = `const { firstCatalogPage } = require(${JSON.stringify(join(__dirname, 'anchor.ts'))});
firstCatalogPage(${JSON.stringify(url)}).then((r) => { process.stdout.write(JSON.stringify(r)); }, (e) => { console.error(e); process.exit(1); });`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '-e', script], { cwd: repoRoot });
  const r = JSON.parse(stdout) as { ms: number; items: number };
  if (!r.items) throw new Error('the cold anchor fetch got an empty first catalog page');
  return r.ms;
}

const REGISTRY_NAME = 'Bench registry';

/** Machine-wide CPU jiffies from /proc/stat: [idle + iowait, total]. */
function cpuTimes(): [number, number] {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return [f[3]! + (f[4] ?? 0), f.reduce((a, b) => a + b, 0)];
  } catch {
    return [0, 0];
  }
}

function idleShare(a: [number, number], b: [number, number]): number {
  const total = b[1] - a[1];
  return total > 0 ? (b[0] - a[0]) / total : NaN;
}

declare global {
  interface Window {
    __bench?: { clickAt: number; domAt: number; paintAt: number; label: string; rows: number; origin: number };
  }
}

// Runs in the page. A string, not a function: tsx's transform would add helpers (__name) that do
// not exist in the browser. It waits for the click's mousedown, then for the first child row
// (aria-level 2) whose accessible name matches `pattern`: a repository or a folder of the first
// catalog page, not a "loading" message; then for the next animation frame.
function observer(pattern: string): string {
  return `(() => {
  const state = { clickAt: 0, domAt: 0, paintAt: 0, label: '', rows: 0, origin: performance.timeOrigin };
  window.__bench = state;
  const child = new RegExp(${JSON.stringify(pattern)});
  const isChild = (el) => child.test(el.getAttribute('aria-label') || '');
  let observer;
  const look = () => {
    if (!state.clickAt || state.domAt) return;
    const rows = [...document.querySelectorAll('.part.sidebar [role="treeitem"][aria-level="2"]')].filter(isChild);
    if (!rows.length) return;
    state.domAt = performance.now();
    state.label = rows[0].getAttribute('aria-label') || '';
    state.rows = rows.length;
    observer.disconnect();
    requestAnimationFrame(() => { state.paintAt = performance.now(); });
  };
  observer = new MutationObserver(look);
  // The event's own timestamp: when the browser received the input.
  document.addEventListener('mousedown', (e) => { if (!state.clickAt) state.clickAt = e.timeStamp; look(); }, { capture: true, once: true });
  observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-label', 'aria-level'] });
})()`;
}

/** The registry's first level: a repository or a folder. */
const REGISTRY_ROWS = ' (repository|folder), ';
/** The floor extension's rows (bench/vscode/floor). */
const FLOOR_ROWS = ', floor$';
const FLOOR_EXTENSION = join(__dirname, 'floor');

/**
 * VS Code's own floor, in the same window after the registry's expand: the floor extension's
 * root row expands into 36 rows like the registry's first level, returned at once. Click →
 * rows painted is what VS Code takes with no request and no extension code to speak of.
 */
async function floorExpand(wb: Workbench): Promise<number> {
  await wb.openView('Bench floor');
  const row = wb.treeItem('Floor registry').first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await wb.page.waitForTimeout(1500);
  await wb.page.evaluate(observer(FLOOR_ROWS));
  await row.click();
  await wb.page.waitForFunction('!!(window.__bench && window.__bench.paintAt)', undefined, { timeout: 60_000, polling: 'raf' });
  const b = (await wb.page.evaluate('window.__bench')) as NonNullable<Window['__bench']>;
  if (b.rows < 20) throw new Error(`the floor view painted ${b.rows} rows`);
  return b.paintAt - b.clickAt;
}

async function expandOnce(opts: VscodeBenchOptions, index: number): Promise<ExpandSample> {
  const anchorMs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const a = await firstCatalogPage(opts.registryUrl);
    if (a.items === 0) throw new Error('the anchor fetch got an empty first catalog page');
    anchorMs.push(a.ms);
  }
  const coldAnchorMs = await coldFirstCatalogPage(opts.registryUrl);

  const workspace = mkdtempSync(join(opts.tmpDir, 'ws-'));
  const probeOut = join(opts.tmpDir, `activation-${process.pid}-${index}.jsonl`);
  rmSync(probeOut, { force: true });
  let wb: Workbench | undefined;
  try {
    wb = await startWorkbench({
      workspace,
      extensionPath: opts.bundle.extensionDir,
      moreExtensionPaths: [FLOOR_EXTENSION],
      name: `bench-expand-${index}`,
      settings: { 'registryExplorer.registries': [{ url: opts.registryUrl, name: REGISTRY_NAME }] },
      env: {
        NODE_OPTIONS: `--require ${join(__dirname, 'probe.cjs')}`,
        BENCH_ACTIVATION_MAIN: opts.bundle.main,
        BENCH_ACTIVATION_OUT: probeOut,
        BENCH_PROBE_CONTROL: '1',
        ...(process.env.BENCH_ACTIVATION_PROFILE ? { BENCH_ACTIVATION_PROFILE: join(repoRoot, 'bench', 'results', `activation-${index}.cpuprofile`) } : {}),
      },
    });
    const { page } = wb;
    // Open the view (which activates the extension) once the window has finished starting, the
    // way a person does; activation then competes with less of VS Code's own start-up work.
    await page.waitForTimeout(2000);
    await wb.openView('Registry Explorer');
    const row = wb.treeItem(REGISTRY_NAME).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    if ((await row.getAttribute('aria-expanded')) !== 'false') throw new Error(`the registry row is not collapsed (aria-expanded=${await row.getAttribute('aria-expanded')})`);
    // Every other run expands the floor view first (VS Code's first expand in the window, cold),
    // then the registry with VS Code's side warm; the others the registry first (the headline).
    const floorFirst = index % 2 === 0;
    let floorMs = floorFirst ? await floorExpand(wb) : undefined;
    if (floorFirst) {
      await wb.openView('Registry Explorer');
      await row.waitFor({ state: 'visible', timeout: 30_000 });
    }
    // Let the window settle (extension host start-up, the explorer's file scan) the way a person
    // looks at the view before clicking; then count only what the click causes.
    const cpu0 = cpuTimes();
    await page.waitForTimeout(1500);
    const idleBeforeClick = idleShare(cpu0, cpuTimes());
    const before = await opts.counts();
    await opts.resetCounts();

    await page.evaluate(observer(REGISTRY_ROWS));
    const port = probeControlPort(probeOut);
    const control = (path: string): Promise<unknown> => (port ? fetch(`http://127.0.0.1:${port}${path}`).then((r) => r.json()) : Promise.resolve(undefined));
    // BENCH_EXPAND_PROFILE=1 (diagnosis): a CPU profile of the extension host from just before the click until the row painted.
    const profile = process.env.BENCH_EXPAND_PROFILE === '1' && port;
    await control('/mark');
    if (profile) {
      mkdirSync(join(repoRoot, 'bench', 'results'), { recursive: true });
      await control('/profile/start');
    }

    const started = performance.now();
    await row.click();
    await page.waitForFunction('!!(window.__bench && window.__bench.paintAt)', undefined, { timeout: 60_000, polling: 'raf' });
    const outsideMs = performance.now() - started;
    // At once: the rest of the catalog is asked for 300 ms after the first page, and its
    // responses must not count as the expand's request.
    const counts = await opts.counts();
    const b = (await page.evaluate('window.__bench')) as NonNullable<Window['__bench']>;
    if (profile) await control(`/profile/stop?file=${encodeURIComponent(join(repoRoot, 'bench', 'results', `expand-${index}.cpuprofile`))}`);
    const hostMark = (await control('/mark').catch(() => undefined)) as { eld: { maxMs: number }; calls: { kind: string; epoch: number; ms?: number; syncMs?: number; children?: number }[] } | undefined;
    await wb.screenshot(`bench-expand-${index}`).catch(() => undefined);
    floorMs ??= await floorExpand(wb);

    const lines = existsSync(probeOut) ? readFileSync(probeOut, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string; file?: string } & Partial<ActivationRecord>) : [];
    const activation = lines.find((l) => l.kind === 'activation') as ActivationRecord | undefined;
    const lazyLoaded = lines.filter((l) => l.kind === 'lazy').map((l) => l.file!.slice(opts.bundle.extensionDir.length + 1));
    const epoch = (t: number): number => b.origin + t;
    // Inside the extension host (epoch clocks): click → the registry row's getChildren called → … → it resolved; network.js loaded meanwhile.
    const regCall = hostMark?.calls.find((c) => c.kind === 'registry');
    const networkLoad = lines.find((l) => l.kind === 'lazy' && l.file!.endsWith('network.js')) as { loadMs: number; epoch?: number } | undefined;
    const host = regCall
      ? {
          clickToGetChildrenMs: regCall.epoch - epoch(b.clickAt),
          getChildrenMs: regCall.ms,
          resolvedToPaintMs: regCall.ms !== undefined ? epoch(b.paintAt) - (regCall.epoch + regCall.ms) : undefined,
          ...(networkLoad && networkLoad.epoch !== undefined && networkLoad.epoch >= epoch(b.clickAt) - 5 ? { networkLoadMs: networkLoad.loadMs } : { networkLoadMs: 0 }),
          blockedMs: hostMark!.eld.maxMs,
        }
      : undefined;
    const split =
      counts.firstRequestAt !== undefined && counts.lastResponseAt !== undefined
        ? { toRequestMs: counts.firstRequestAt - epoch(b.clickAt), requestMs: counts.lastResponseAt - counts.firstRequestAt, afterResponseMs: epoch(b.paintAt) - counts.lastResponseAt }
        : undefined;
    return {
      ...(split ? { split } : {}),
      ...(host ? { host } : {}),
      domMs: b.domAt - b.clickAt,
      paintMs: b.paintAt - b.clickAt,
      floorMs,
      floorFirst,
      outsideMs,
      firstRow: b.label,
      rowsShown: b.rows,
      requests: counts.requests,
      requestsBeforeClick: before.requests,
      byKind: counts.byKind,
      anchorMs,
      coldAnchorMs,
      ...(activation ? { activation } : {}),
      lazyLoaded,
      idleBeforeClick,
      ...(wb.timings.readyMs !== undefined ? { workbenchReadyMs: wb.timings.readyMs } : {}),
    };
  } catch (e) {
    await wb?.screenshot(`bench-expand-${index}-failed`).catch(() => undefined);
    throw e;
  } finally {
    await wb?.close();
    rmSync(workspace, { recursive: true, force: true });
  }
}

function probeControlPort(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  for (const l of readFileSync(file, 'utf8').split('\n')) if (l.includes('"control"')) return (JSON.parse(l) as { port: number }).port;
  return undefined;
}

export async function expandRuns(opts: VscodeBenchOptions): Promise<ExpandSample[]> {
  const samples: ExpandSample[] = [];
  for (let i = 0; i < opts.runs; i++) {
    const s = await expandOnce(opts, i + 1);
    samples.push(s);
    opts.log(
      `[vscode] run ${i + 1}/${opts.runs}: expand → first row ${s.paintMs.toFixed(0)} ms (VS Code's floor ${s.floorMs.toFixed(0)} ms, ${s.floorFirst ? 'expanded first' : 'after it'}; DOM ${s.domMs.toFixed(0)} ms, ${s.rowsShown} rows, ${s.requests} request${s.requests === 1 ? '' : 's'}` +
        (s.split ? `; click → request ${s.split.toRequestMs.toFixed(0)} ms, request ${s.split.requestMs.toFixed(0)} ms, response → painted ${s.split.afterResponseMs.toFixed(0)} ms` : '') +
        (s.host ? `; host: click → getChildren ${s.host.clickToGetChildrenMs.toFixed(0)} ms, getChildren ${s.host.getChildrenMs?.toFixed(0)} ms (network.js load ${s.host.networkLoadMs.toFixed(0)} ms), resolved → painted ${s.host.resolvedToPaintMs?.toFixed(0)} ms, blocked ≤ ${s.host.blockedMs.toFixed(0)} ms` : '') +
        '); ' +
        `anchor ${s.anchorMs.map((x) => x.toFixed(1)).join('/')} ms (cold process ${s.coldAnchorMs?.toFixed(1) ?? '–'} ms); activation ${s.activation ? `require ${s.activation.requireMs.toFixed(1)} + activate() ${s.activation.activateMs.toFixed(1)} ms (CPU ${((s.activation.requireCpuMs ?? NaN) + (s.activation.activateCpuMs ?? NaN)).toFixed(1)} ms), ${s.activation.totalMs.toFixed(1)} ms with VS Code's context wait` : 'not recorded'}`,
    );
  }
  return samples;
}
