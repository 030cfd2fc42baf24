#!/usr/bin/env node
// Installs code-server (VS Code 1.100.3 for the browser + the real Node extension host) for the
// end-to-end tests, from the npm registry only, into `.cache/code-server/` (override with the env
// CODE_SERVER_DIR). Idempotent: a marker file written after a verified install makes the next run
// instant. See shared E2E notes for why each step is here:
//
//   - npm_config_nodedir=/usr        native modules (node-pty, kerberos, ...) build against the
//                                    machine's own Node headers instead of downloading them
//   - npm_config_yes=true            a postinstall runs `npx node-gyp`, which would otherwise ask
//   - npm_config_unsafe_perm=true    (what --unsafe-perm sets) code-server's postinstall.sh refuses
//                                    to run as root without it; it reads the env variable, so we
//                                    set that rather than the flag npm 11 calls unknown
//   - --foreground-scripts, --ignore-scripts=false
//                                    code-server's postinstall (which installs VS Code's own
//                                    node_modules) must run, and its output is shown
//   - ripgrep tarball                @vscode/ripgrep's postinstall downloads rg from GitHub, which
//                                    is unreachable; it first looks in
//                                    $TMPDIR/vscode-ripgrep-cache-<ver>/ for the tarball, so we put
//                                    Debian's /usr/bin/rg there, packed the way it expects.
//
// Debian packages it needs: chromium ripgrep libkrb5-dev build-essential python3
// Usage: node scripts/install-code-server.mjs [--force]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync, chmodSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
const RIPGREP_PKG_VERSION = '1.15.11'; // @vscode/ripgrep used by VS Code 1.100
const RIPGREP_BIN_VERSION = 'v13.0.0-10';
const APT_HINT = 'apt-get update && apt-get install -y chromium ripgrep libkrb5-dev build-essential python3';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const installDir = resolve(process.env.CODE_SERVER_DIR || join(root, '.cache', 'code-server'));
const marker = join(installDir, `.installed-${CODE_SERVER_VERSION}.json`);
const entry = join(installDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const force = process.argv.includes('--force');
const t0 = Date.now();

const log = (msg) => console.log(`[install-code-server] ${msg}`);
function fail(msg) {
  console.error(`[install-code-server] ERROR: ${msg}`);
  process.exit(1);
}
const secs = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

// ---- 0. already done? -------------------------------------------------------------------------
if (!force && existsSync(marker) && existsSync(entry)) {
  log(`code-server ${CODE_SERVER_VERSION} already installed in ${installDir} (marker ${marker}); nothing to do`);
  process.exit(0);
}

// ---- 1. prerequisites ---------------------------------------------------------------------------
function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}
const missing = [];
const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor !== 20) {
  missing.push(`Node 20 (code-server ${CODE_SERVER_VERSION} is built for Node 20; this is ${process.version})`);
}
const nodeHeaders = '/usr/include/node/node.h';
if (!existsSync(nodeHeaders)) missing.push(`Node headers at ${nodeHeaders} (npm_config_nodedir=/usr)`);
const rgPath = existsSync('/usr/bin/rg') ? '/usr/bin/rg' : which('rg');
if (!rgPath) missing.push('ripgrep (Debian package ripgrep: /usr/bin/rg)');
for (const [cmd, pkg] of [['make', 'build-essential'], ['g++', 'build-essential'], ['python3', 'python3'], ['tar', 'tar']]) {
  if (!which(cmd)) missing.push(`${cmd} (Debian package ${pkg})`);
}
if (!existsSync('/usr/include/gssapi/gssapi.h') && !which('krb5-config')) {
  missing.push('Kerberos headers (Debian package libkrb5-dev), needed by the kerberos native module');
}
if (!existsSync('/usr/bin/chromium') && !process.env.E2E_SKIP_BROWSER_CHECK) {
  missing.push('Chromium at /usr/bin/chromium (Debian package chromium), used by the end-to-end tests');
}
if (missing.length) {
  fail(`missing prerequisites:\n  - ${missing.join('\n  - ')}\nInstall them with:\n  ${APT_HINT}`);
}
log(`prerequisites OK (node ${process.version}, rg ${rgPath}, node headers ${nodeHeaders})`);

// ---- 2. lock, so two runs do not install into the same folder at once -------------------------
mkdirSync(dirname(installDir), { recursive: true });
const lockDir = `${installDir}.lock`;
async function lock() {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      return;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let holder = 0;
      try { holder = Number(readFileSync(join(lockDir, 'pid'), 'utf8')); } catch { /* being written */ }
      let alive = false;
      if (holder) { try { process.kill(holder, 0); alive = true; } catch { alive = false; } }
      const age = Date.now() - statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs;
      if ((holder && !alive) || age > 15 * 60_000) {
        log(`removing stale lock ${lockDir}`);
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) fail(`timed out waiting for lock ${lockDir} (held by pid ${holder})`);
      log(`another install (pid ${holder}) is running; waiting...`);
      await new Promise((r) => setTimeout(r, 3000));
    }
  }
}
await lock();
const unlock = () => rmSync(lockDir, { recursive: true, force: true });
process.on('exit', unlock);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { unlock(); process.exit(130); });

// Another run may have finished while we waited.
if (!force && existsSync(marker) && existsSync(entry)) {
  log(`code-server ${CODE_SERVER_VERSION} was installed by a concurrent run; nothing to do`);
  process.exit(0);
}

// ---- 3. ripgrep tarball for @vscode/ripgrep's postinstall ------------------------------------
// The postinstall looks in path.join(os.tmpdir(), `vscode-ripgrep-cache-${version}`) first; we give
// npm (and so every script it runs) a private TMPDIR so the cache is ours and predictable.
const npmTmp = join(installDir, '.tmp');
rmSync(npmTmp, { recursive: true, force: true });
const rgCache = join(npmTmp, `vscode-ripgrep-cache-${RIPGREP_PKG_VERSION}`);
mkdirSync(rgCache, { recursive: true });
const rgTargets = {
  x64: 'x86_64-unknown-linux-musl',
  arm64: 'aarch64-unknown-linux-musl',
};
const rgTarget = rgTargets[process.arch];
if (!rgTarget) fail(`unsupported architecture ${process.arch} (supported: ${Object.keys(rgTargets).join(', ')})`);
const stage = join(npmTmp, 'rg-stage');
mkdirSync(stage, { recursive: true });
copyFileSync(rgPath, join(stage, 'rg'));
chmodSync(join(stage, 'rg'), 0o755);
const tarball = join(rgCache, `ripgrep-${RIPGREP_BIN_VERSION}-${rgTarget}.tar.gz`);
const tar = spawnSync('tar', ['-czf', tarball, '-C', stage, 'rg'], { stdio: 'inherit' });
if (tar.status !== 0) fail('could not create the ripgrep tarball');
log(`placed Debian's ${rgPath} as ${tarball}`);

// ---- 4. npm install -----------------------------------------------------------------------------
mkdirSync(installDir, { recursive: true });
// A package.json of its own keeps npm from walking up into the repo's package.json.
writeFileSync(
  join(installDir, 'package.json'),
  JSON.stringify(
    {
      name: 'e2e-code-server',
      private: true,
      description: 'code-server for the e2e tests (generated by scripts/install-code-server.mjs)',
      // npm 11 warns about (and later npm blocks) dependency install scripts not listed here.
      allowScripts: { [`code-server@${CODE_SERVER_VERSION}`]: true, argon2: true },
    },
    null,
    2,
  ) + '\n',
);
const env = {
  ...process.env,
  TMPDIR: npmTmp,
  npm_config_nodedir: '/usr',
  npm_config_yes: 'true',
  npm_config_ignore_scripts: 'false',
  npm_config_foreground_scripts: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  npm_config_progress: 'false',
  npm_config_unsafe_perm: 'true',
  // code-server's postinstall runs a nested `npm install` for VS Code's own modules (node-pty,
  // spdlog, kerberos, ripgrep, ...); their scripts must run too, and that nested project's
  // package.json is not ours to give an allowScripts list. Without this, a newer npm that blocks
  // unreviewed scripts would leave VS Code without its native modules (checked below anyway).
  npm_config_dangerously_allow_all_scripts: 'true',
};
const npmArgs = [
  'install', '--prefix', installDir, '--no-save', '--foreground-scripts', '--ignore-scripts=false',
  '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`,
];
log(`npm ${npmArgs.join(' ')}   (TMPDIR=${npmTmp}, npm_config_nodedir=/usr; takes about a minute)`);
const npmCode = await new Promise((res) => {
  const child = spawn('npm', npmArgs, { cwd: installDir, env, stdio: 'inherit' });
  child.on('exit', (code, sig) => res(code ?? (sig ? 128 : 1)));
  child.on('error', (e) => { console.error(e); res(1); });
});
if (npmCode !== 0) fail(`npm install failed (exit ${npmCode}); see the output above. Prerequisites: ${APT_HINT}`);
log(`npm install done after ${secs()}`);

// ---- 5. verify: the postinstall really ran, and the server starts -----------------------------
const vscodeDir = join(installDir, 'node_modules', 'code-server', 'lib', 'vscode');
const mustExist = [
  entry,
  join(vscodeDir, 'node_modules'),
  join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg'),
  join(vscodeDir, 'node_modules', 'node-pty', 'build', 'Release', 'pty.node'),
  join(vscodeDir, 'node_modules', '@vscode', 'spdlog', 'build', 'Release', 'spdlog.node'),
  join(vscodeDir, 'node_modules', 'kerberos', 'build', 'Release', 'kerberos.node'),
  join(installDir, 'node_modules', 'argon2', 'lib', 'binding'),
];
const absent = mustExist.filter((p) => !existsSync(p));
if (absent.length) {
  fail(
    `code-server's postinstall did not complete (missing: ${absent.join(', ')}).\n` +
      'npm may have skipped install scripts; rerun with --force and check the output above.',
  );
}
const probeHome = join(npmTmp, 'probe-home');
mkdirSync(probeHome, { recursive: true });
// Its own HOME/XDG dirs: code-server writes a default config file on any run, even --version.
const probeEnv = { ...process.env, HOME: probeHome, XDG_CONFIG_HOME: join(probeHome, '.config'), XDG_DATA_HOME: join(probeHome, '.local') };
const ver = spawnSync(process.execPath, [entry, '--version'], { encoding: 'utf8', env: probeEnv });
if (ver.status !== 0) fail(`code-server --version failed:\n${ver.stdout}\n${ver.stderr}`);
const verLine = ver.stdout.trim().split('\n').filter((l) => /^\d+\.\d+\.\d+/.test(l))[0] ?? ver.stdout.trim();
if (!verLine.startsWith(CODE_SERVER_VERSION)) fail(`unexpected code-server version: ${verLine}`);
log(`code-server --version: ${verLine}`);

const port = await new Promise((res, rej) => {
  const s = createServer();
  s.once('error', rej);
  s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
});
writeFileSync(join(probeHome, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
const server = spawn(
  'setsid',
  [process.execPath, entry, '--config', join(probeHome, 'config.yaml'), '--user-data-dir', join(probeHome, 'data'),
    '--extensions-dir', join(probeHome, 'ext'), '--disable-telemetry', '--disable-update-check', probeHome],
  { env: probeEnv, stdio: ['ignore', 'pipe', 'pipe'] },
);
let serverOut = '';
server.stdout.on('data', (d) => { serverOut += d; });
server.stderr.on('data', (d) => { serverOut += d; });
const killServer = () => { try { process.kill(-server.pid, 'SIGKILL'); } catch { /* gone */ } };
const started = Date.now();
let healthy = false;
let workbenchOk = false;
while (Date.now() - started < 30_000 && server.exitCode === null) {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/healthz`);
    if (r.ok) {
      healthy = true;
      const page = await fetch(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(probeHome)}`);
      workbenchOk = page.ok && (await page.text()).includes('workbench');
      break;
    }
  } catch { /* not up yet */ }
  await new Promise((r) => setTimeout(r, 200));
}
killServer();
await new Promise((r) => setTimeout(r, 300));
if (!healthy || !workbenchOk) {
  fail(`code-server did not start (healthz ${healthy}, workbench page ${workbenchOk}). Its output:\n${serverOut}`);
}
log(`verified: code-server answered /healthz after ${((Date.now() - started) / 1000).toFixed(1)} s and served the workbench`);

rmSync(npmTmp, { recursive: true, force: true });
writeFileSync(
  marker,
  JSON.stringify({ version: CODE_SERVER_VERSION, entry, node: process.version, installedAt: new Date().toISOString(), seconds: (Date.now() - t0) / 1000 }, null, 2) + '\n',
);
log(`installed code-server ${CODE_SERVER_VERSION} in ${installDir} in ${secs()}`);
