// The bundles that talk to VS Code require its API once each (scripts/build.mjs, vscode-once):
// esbuild's namespace import otherwise copies the API's few hundred names in every module that
// imports it, the largest cost of loading dist/extension.js at activation.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dist = join(import.meta.dirname, '..', '..', '..', 'dist');

for (const bundle of ['extension.js', 'language.js', 'find.js', 'link.js', 'wizard.js', 'writes.js', 'artifacts.js']) {
  test(`dist/${bundle} requires vscode once, and its modules share that one API object`, { skip: !existsSync(join(dist, bundle)) && 'dist/ not built' }, () => {
    const code = readFileSync(join(dist, bundle), 'utf8');
    assert.equal(code.match(/require\(["']vscode["']\)/g)?.length, 1);
    // The one module hands out an object whose prototype is the API: nothing is copied.
    assert.match(code, /Object\.create\(require\(["']vscode["']\)\)/);
  });
}
