// The in-extension-host test suite: runs inside the real VS Code extension host (code-server),
// with the real `vscode` API, loaded through the `extensionTestsPath` payload by
// test/e2e/support/hostTests.ts. Built by scripts/build.mjs into out/test/suite/index.js
// (CommonJS; `vscode` and `mocha` stay external: `mocha` is required at run time from the
// repo's node_modules, found by walking up from out/test/suite/).
//
// Writing a suite: add test/host/NAME.suite.ts using mocha's BDD globals (describe, it, before,
// ...) at top level, import what it needs (`vscode`, node:assert, src/...), then rebuild. Nothing
// else to register: the template-literal require below makes esbuild bundle every
// ./*.suite.ts (its glob import), and run() loads each one after installing mocha's globals, just
// like mocha's own loadFiles does.
//
// Environment (set through hostTests.ts, which passes it to code-server and so to this process):
//   HOST_TEST_GREP      only tests whose full title matches this regular expression
//   HOST_TEST_SUITES    comma-separated suite names (e.g. "activation,tree") to load; default all
//   HOST_TEST_RESULTS   file to write a JSON summary to (passes, failures with their errors)
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

/** Folder with the *.suite.ts sources: test/host, whether bundled (out/test/suite) or not. */
function suiteDir(): string {
  if (existsSync(join(__dirname, 'index.ts'))) return __dirname;
  return resolve(__dirname, '..', '..', '..', 'test', 'host');
}

export function suiteNames(): string[] {
  const dir = suiteDir();
  const all = readdirSync(dir)
    .filter((f) => f.endsWith('.suite.ts'))
    .map((f) => f.slice(0, -'.suite.ts'.length))
    .sort();
  const only = process.env.HOST_TEST_SUITES?.split(',').map((s) => s.trim()).filter(Boolean);
  if (!only?.length) return all;
  const unknown = only.filter((s) => !all.includes(s));
  if (unknown.length) throw new Error(`HOST_TEST_SUITES names unknown suites: ${unknown.join(', ')} (have: ${all.join(', ')})`);
  return only;
}

function loadSuite(name: string): unknown {
  try {
    // esbuild turns this into a map of every ./*.suite.ts at build time.
    return require(`./${name}.suite.ts`);
  } catch (e) {
    if (/not found in bundle|Cannot find module/i.test(String(e))) {
      throw new Error(`test/host/${name}.suite.ts is not in the bundle: rebuild with \`node scripts/build.mjs\` (${String(e)})`);
    }
    throw e;
  }
}

interface Failure {
  title: string;
  error: string;
}

export function run(): Promise<void> {
  // Reporters print printf-style (console.log('%s', x)); the workbench forwards the raw arguments
  // of console calls, so format here and forward one finished string per line.
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => console.log(format(...args));
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  if (process.env.HOST_TEST_GREP) mocha.grep(new RegExp(process.env.HOST_TEST_GREP));
  const names = suiteNames();
  console.log(`[host-tests] loading ${names.length} suite(s): ${names.join(', ')}`);
  for (const name of names) {
    const file = join(suiteDir(), `${name}.suite.ts`);
    mocha.suite.emit('pre-require', globalThis, file, mocha);
    mocha.suite.emit('require', loadSuite(name), file, mocha);
    mocha.suite.emit('post-require', globalThis, file, mocha);
  }
  return new Promise<void>((res, rej) => {
    const passes: string[] = [];
    const failures: Failure[] = [];
    const pending: string[] = [];
    const runner = mocha.run((failed) => {
      const summary = { passes, failures, pending, failed };
      if (process.env.HOST_TEST_RESULTS) {
        try {
          writeFileSync(process.env.HOST_TEST_RESULTS, JSON.stringify(summary, null, 2));
        } catch (e) {
          console.error(`[host-tests] could not write ${process.env.HOST_TEST_RESULTS}: ${String(e)}`);
        }
      }
      console.log(`[host-tests] done: ${passes.length} passing, ${failed} failing, ${pending.length} pending`);
      if (failed > 0) rej(new Error(`${failed} host test(s) failed`));
      else res();
    });
    runner.on('pass', (t) => passes.push(t.fullTitle()));
    runner.on('pending', (t) => pending.push(t.fullTitle()));
    runner.on('fail', (t, err: Error) => failures.push({ title: t.fullTitle(), error: err?.stack ?? String(err) }));
  });
}
