// Runs the in-extension-host mocha suite (test/host/*.suite.ts, bundled into
// out/test/suite/index.js by scripts/build.mjs) inside a real VS Code: code-server loads this
// extension from source plus the `extensionTestsPath` payload, headless Chromium opens the
// workbench, and the workbench reports through two functions exposed on the page before it
// loads: codeAutomationLog(level, message) (the output) and codeAutomationExit(code) (the result:
// 0 when run() resolved).
//
// Passing values to the suite (registry URLs of fakes, credentials of test registries, ...): give
// them in `env`. code-server hands its own environment to the extension host process it spawns,
// so they are plain `process.env.NAME` inside the suites. E2E_HOST_TESTS=1 is always set.
//
//   const r = await runHostTests({ env: { REGISTRY_URL: fake.url }, grep: 'tree' });
//   assert.equal(r.exitCode, 0, r.output);
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, startCodeServer, type CodeServer } from './codeServer';
import { launchBrowser, type BrowserSession } from './workbench';

export const HOST_SUITE_BUNDLE = join(repoRoot, 'out', 'test', 'suite', 'index.js');

export interface HostTestOptions {
  /** Environment for the extension host (and so for the suites). */
  env?: Record<string, string>;
  /** Only tests whose full title matches this regular expression (mocha grep). */
  grep?: string;
  /** Only these suites (names of test/host/NAME.suite.ts). */
  suites?: string[];
  /** Folder to open; default a fresh empty temp folder (removed afterwards). */
  workspace?: string;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /** Whole-run limit, default 180 s (code-server start + workbench load + tests). */
  timeoutMs?: number;
  /** The bundled suite; default out/test/suite/index.js. */
  testsPath?: string;
  /** Echo each output line to this process's stdout as it comes (default: env E2E_VERBOSE set). */
  echo?: boolean;
  /** Called with the server's temp HOME before it is removed (to search what it wrote). */
  inspectServer?: (home: string) => void;
}

export interface HostTestFailure {
  title: string;
  error: string;
}

export interface HostTestResult {
  /** 0 when every test passed; 1 when some failed or run() threw; -1 on timeout. */
  exitCode: number;
  /** The suite's output (mocha's spec reporter and anything the tests log). */
  output: string;
  timedOut: boolean;
  durationMs: number;
  /** Full titles of the passed tests (from the suite's JSON summary, when it got written). */
  passes: string[];
  failures: HostTestFailure[];
  pending: string[];
  /** Browser console errors seen while running (the workbench's own, for diagnosis). */
  consoleErrors: string[];
  /** code-server's output (for diagnosis). */
  serverLog: string;
}

/** Throws when the bundle is missing; returns a warning when sources are newer than it. */
export function checkHostBundle(bundle = HOST_SUITE_BUNDLE): string | undefined {
  if (!existsSync(bundle)) {
    throw new Error(`${bundle} does not exist: build it with \`node scripts/build.mjs\``);
  }
  const built = statSync(bundle).mtimeMs;
  const newer: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (p.endsWith('.ts') && st.mtimeMs > built) newer.push(p.slice(repoRoot.length + 1));
    }
  };
  for (const d of ['test/host', 'src']) if (existsSync(join(repoRoot, d))) walk(join(repoRoot, d));
  return newer.length ? `warning: ${newer.slice(0, 5).join(', ')}${newer.length > 5 ? ', ...' : ''} changed after ${bundle} was built; run \`node scripts/build.mjs\`` : undefined;
}

export async function runHostTests(opts: HostTestOptions = {}): Promise<HostTestResult> {
  const started = Date.now();
  const testsPath = opts.testsPath ?? HOST_SUITE_BUNDLE;
  const stale = checkHostBundle(testsPath);
  const echo = opts.echo ?? !!process.env.E2E_VERBOSE;
  let output = '';
  const out = (line: string) => {
    output += line.endsWith('\n') ? line : line + '\n';
    if (echo) process.stdout.write(`[host] ${line.endsWith('\n') ? line : line + '\n'}`);
  };
  if (stale) out(stale);

  const scratch = mkdtempSync(join(tmpdir(), 'regx-host-tests-'));
  const workspace = opts.workspace ?? join(scratch, 'workspace');
  if (!opts.workspace) {
    rmSync(workspace, { recursive: true, force: true });
    mkdirSync(workspace);
  }
  const resultsFile = join(scratch, 'results.json');
  const env: Record<string, string> = { ...(opts.env ?? {}), E2E_HOST_TESTS: '1', HOST_TEST_RESULTS: resultsFile };
  if (opts.grep) env.HOST_TEST_GREP = opts.grep;
  if (opts.suites?.length) env.HOST_TEST_SUITES = opts.suites.join(',');

  let server: CodeServer | undefined;
  let session: BrowserSession | undefined;
  let exitCode = -1;
  let timedOut = false;
  try {
    server = await startCodeServer({
      workspace,
      extensionTestsPath: testsPath,
      env,
      ...(opts.settings ? { settings: opts.settings } : {}),
    });
    session = await launchBrowser({ name: 'host-tests' });
    const { page } = session;
    let onExit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((res) => (onExit = res));
    await page.exposeFunction('codeAutomationLog', (level: unknown, args: unknown) => {
      const parts = Array.isArray(args) ? args : [args];
      const text = parts.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
      out(level === 'info' || level === 'log' ? text : `[${String(level)}] ${text}`);
    });
    await page.exposeFunction('codeAutomationExit', (code: unknown) => {
      onExit(typeof code === 'number' ? code : Number(code) || 0);
    });
    await page.goto(server.url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    const limit = Math.max(10_000, (opts.timeoutMs ?? 180_000) - (Date.now() - started));
    let timer: NodeJS.Timeout | undefined;
    exitCode = await Promise.race([
      exited,
      new Promise<number>((res) => {
        timer = setTimeout(() => {
          timedOut = true;
          res(-1);
        }, limit);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) out(`[host-tests] timed out after ${Date.now() - started} ms without codeAutomationExit`);
  } catch (e) {
    rmSync(scratch, { recursive: true, force: true });
    throw e;
  } finally {
    // A throwing inspection must not leave the browser and server running (the test process
    // would then never exit); its error is raised once both are stopped.
    let inspectError: unknown;
    try {
      if (server) opts.inspectServer?.(server.home);
    } catch (e) {
      inspectError = e;
    }
    await session?.close();
    await server?.stop();
    if (inspectError) throw inspectError;
  }

  let summary: { passes?: string[]; failures?: HostTestFailure[]; pending?: string[] } = {};
  try {
    summary = JSON.parse(readFileSync(resultsFile, 'utf8'));
  } catch {
    /* the suite did not get to the end */
  }
  rmSync(scratch, { recursive: true, force: true });
  return {
    exitCode,
    output,
    timedOut,
    durationMs: Date.now() - started,
    passes: summary.passes ?? [],
    failures: summary.failures ?? [],
    pending: summary.pending ?? [],
    consoleErrors: session?.consoleErrors ?? [],
    serverLog: server?.logs() ?? '',
  };
}
