// Makes a fresh machine ready for the tests and the demo, idempotently:
//   1. Debian packages: the real registry (docker-registry), htpasswd, openssl, Chromium and
//      what code-server's install needs. One `apt-get update`, then one install, only if
//      something is missing (and only as root; otherwise it prints the command).
//   2. npm packages: `npm ci` when node_modules is missing or older than the lockfile.
//   3. code-server 4.100.3 (a real VS Code) in .cache/, for end-to-end tests and the demo; with
//      --newest also code-server 4.139.1 on its own Node 24 (the e2e tests' second pass, on the
//      newest VS Code; scripts/test.mjs asks for it).
// Plain Node, no dependencies: it runs before node_modules exists.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEBIAN = ['docker-registry', 'apache2-utils', 'openssl', 'chromium', 'ripgrep', 'libkrb5-dev', 'build-essential', 'python3', 'git', 'skopeo'];
const withCodeServer = !process.argv.includes('--no-code-server');
const withNewest = withCodeServer && process.argv.includes('--newest');

/** The packages dpkg has installed, of those asked about: one dpkg-query for all of them. */
function installedOf(pkgs) {
  // Exits 1 when a package is unknown to dpkg, but still prints the others.
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\n', ...pkgs], { encoding: 'utf8' });
  const out = r.stdout ?? '';
  return new Set(out.split('\n').filter((l) => l.endsWith(' install ok installed')).map((l) => l.split(' ')[0]));
}

function run(cmd, args, opts = {}) {
  console.log(`setup: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`setup: ${cmd} failed (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
}

const have = installedOf(DEBIAN);
const missing = DEBIAN.filter((p) => !have.has(p));
if (missing.length) {
  if (process.getuid?.() !== 0) {
    console.error(`setup: missing Debian packages: ${missing.join(' ')}\n  run: sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`);
    process.exit(1);
  }
  // docker-registry's package starts a system service on port 5000; we run our own instances.
  if (!existsSync('/usr/sbin/policy-rc.d')) writeFileSync('/usr/sbin/policy-rc.d', '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
}

const marker = join(root, 'node_modules/.package-lock.json');
const lock = join(root, 'package-lock.json');
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

if (withCodeServer) run(process.execPath, [join(root, 'scripts/install-code-server.mjs'), withNewest ? 'all' : 'oldest']);

try {
  execFileSync('/usr/bin/docker-registry', ['--version'], { stdio: 'ignore' });
} catch {
  console.error('setup: /usr/bin/docker-registry does not run');
  process.exit(1);
}
console.log('setup: ready');
