// The one test command (README: `npm test`): type-check, build, then every test file under
// test/unit, test/integration and test/e2e with Node's test runner. Each file is its own
// process; the real registries, fakes and code-server they need are started by test/support.
// `npm test -- unit` (or integration, e2e, or a path fragment) runs a subset.
//
// The end-to-end files run on two VS Codes: first with everything else on the oldest one the
// extension claims (code-server 4.100.3 = VS Code 1.100.3, engines.vscode), then the ones that
// start a VS Code (they call e2eSkipReason()) once more on the newest that installs here
// (E2E_VSCODE=newest: code-server 4.139.1 = VS Code 1.139.1 on its own Node 24). Env
// E2E_NEWEST=0 skips that second pass (and its install).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_SERVERS } from './install-code-server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const filters = process.argv.slice(2);
const t0 = Date.now();
const mins = (ms) => `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;

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

const groups = ['unit', 'integration', 'e2e'];
const files = groups
  .flatMap((g) => walk(join(root, 'test', g)).sort())
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
// The e2e files that start a real VS Code (the others, e.g. the wizard page alone in Chromium,
// do not depend on its version).
const newestFiles =
  process.env.E2E_NEWEST === '0'
    ? []
    : files.filter((f) => f.startsWith('test/e2e/') && readFileSync(join(root, f), 'utf8').includes('e2eSkipReason('));

// A fresh machine gets its Debian packages, node_modules and code-server (both versions when
// the second e2e pass will run) here.
const needsCodeServer = files.some((f) => f.startsWith('test/e2e/'));
run(process.execPath, ['scripts/setup.mjs', ...(needsCodeServer ? [] : ['--no-code-server']), ...(newestFiles.length ? ['--newest'] : [])]);
run('npx', ['tsc', '--noEmit', '-p', '.']);
run('node', ['scripts/build.mjs']);

const concurrency = process.env.TEST_CONCURRENCY ?? '2';
function testRun(list, env) {
  const r = spawnSync('node', ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...list], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_OPTIONS: '--enable-source-maps', ...env },
  });
  return r.status ?? 1;
}

const { oldest, newest } = CODE_SERVERS;
const t1 = Date.now();
const first = testRun(files, { E2E_VSCODE: 'oldest' });
const firstMs = Date.now() - t1;
let second = 0;
let secondMs = 0;
if (newestFiles.length) {
  console.log(
    `\n# e2e again on the newest VS Code: ${newest.vscode} (code-server ${newest.version}, Node ${newest.node}); ` +
      `the run above used VS Code ${oldest.vscode} (code-server ${oldest.version}) for them\n`,
  );
  const t2 = Date.now();
  second = testRun(newestFiles, { E2E_VSCODE: 'newest' });
  secondMs = Date.now() - t2;
}
console.log(
  `\n# tests: ${first === 0 ? 'passed' : 'FAILED'} in ${mins(firstMs)}` +
    (newestFiles.length ? `; e2e on VS Code ${newest.vscode}: ${second === 0 ? 'passed' : 'FAILED'} in ${mins(secondMs)}` : '') +
    `; npm test took ${mins(Date.now() - t0)}`,
);
process.exit(first || second);
