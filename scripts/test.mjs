// The one test command (README: `npm test`): type-check, build, then every test file under
// test/unit, test/integration and test/e2e with Node's test runner. Each file is its own
// process; the real registries, fakes and code-server they need are started by test/support.
// `npm test -- unit` (or integration, e2e, or a path fragment) runs a subset.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const filters = process.argv.slice(2);

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// A fresh machine gets its Debian packages, node_modules and code-server here.
run(process.execPath, ['scripts/setup.mjs', ...(filters.length && !filters.some((f) => f.includes('e2e')) ? ['--no-code-server'] : [])]);
run('npx', ['tsc', '--noEmit', '-p', '.']);
run('node', ['scripts/build.mjs']);

const groups = ['unit', 'integration', 'e2e'];
const files = groups
  .flatMap((g) => walk(join(root, 'test', g)).sort())
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));

const concurrency = process.env.TEST_CONCURRENCY ?? '2';
run('node', ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], {
  env: { ...process.env, NODE_OPTIONS: '--enable-source-maps' },
});
