// The .vsix holds every file the bundle loads at run time: the lazily required deploy engine
// and provider SDKs would otherwise work in development and fail only once installed.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');

test('vsce packages every file dist/extension.js requires, and no sources, tests or maps', { skip: !existsSync(join(root, 'dist/extension.js')) && 'dist/ not built' }, () => {
  const listed = execFileSync(join(root, 'node_modules/.bin/vsce'), ['ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const files = new Set(listed);
  // What the bundles require of each other, followed from dist/extension.js (dist/network.js
  // requires dist/providers.js, and so on).
  const required: string[] = [];
  for (const queue = ['dist/extension.js']; queue.length; ) {
    const bundle = readFileSync(join(root, queue.shift()!), 'utf8');
    for (const m of bundle.matchAll(/require\(["']\.\/([^"']+\.js)["']\)/g)) {
      const f = `dist/${m[1]}`;
      if (!required.includes(f) && existsSync(join(root, f))) queue.push(f), required.push(f);
    }
  }
  const build = readFileSync(join(root, 'scripts/build.mjs'), 'utf8');
  const sdks = [...build.matchAll(/'(sdk\/[^']+\.js)'/g)].map((m) => `dist/${m[1]}`);
  assert.ok(required.includes('dist/deploy.js'), 'the deploy engine is loaded lazily');
  assert.ok(required.includes('dist/network.js'), 'the network side is loaded lazily');
  assert.ok(required.includes('dist/providers.js'), 'the cloud providers are loaded lazily');
  assert.ok(sdks.length >= 2, `SDK bundles: ${sdks.join(', ')}`);
  // dist/nameListWorker.js is not required but started as a worker thread by dist/network.js.
  assert.ok(readFileSync(join(root, 'dist/network.js'), 'utf8').includes('nameListWorker.js'), 'network.js no longer names its worker');
  for (const f of ['dist/extension.js', 'dist/nameListWorker.js', 'dist/webview/main.js', 'dist/webview/main.css', 'dist/webview/codicon.css', 'dist/webview/codicon.ttf', 'package.nls.json', 'media/icon.png', ...required, ...sdks]) {
    assert.ok(files.has(f), `${f} missing from the package: ${listed.join(', ')}`);
  }
  assert.deepEqual(listed.filter((f) => /\.(map|ts)$|^(src|test|bench|scripts|webview|node_modules)\//.test(f)), []);
});
