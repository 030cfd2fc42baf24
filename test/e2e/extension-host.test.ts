// Runs test/host/registries.suite.ts inside a real VS Code against real registries, then
// searches everything the server side wrote (user data, logs, global storage) for the secret.
import * as assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { seedStandardImages, startRegistry, type RunningRegistry } from '../support';
import { filesContaining } from './support/files';
import { e2eSkipReason } from './support/codeServer';
import { runHostTests } from './support/hostTests';

const skip = e2eSkipReason();

describe('extension in the real extension host', { skip, concurrency: false }, () => {
  let tls: RunningRegistry;
  let plain: RunningRegistry;
  before(async () => {
    [tls, plain] = await Promise.all([startRegistry({ mode: 'tls-basic' }), startRegistry({ mode: 'plain' })]);
    await Promise.all([seedStandardImages(tls), plain.pusher.pushManyRepos(Array.from({ length: 25 }, (_, i) => `bulk/r${String(i).padStart(4, '0')}`))]);
  });
  after(async () => Promise.all([tls?.stop(), plain?.stop()]));

  test('connect, list, page, find, errors, secrets', { timeout: 240_000 }, async () => {
    let serverHome = '';
    let hits: string[] = [];
    const r = await runHostTests({
      suites: ['registries'],
      env: { TLS_URL: tls.url, TLS_USER: tls.username!, TLS_PASSWORD: tls.password!, TLS_CA: tls.caPem!, PLAIN_URL: plain.url },
      inspectServer: (home) => {
        serverHome = home;
        hits = filesContaining(home, tls.password!);
      },
    });
    const detail = `${r.output}\n${r.failures.map((f) => `${f.title}\n${f.error}`).join('\n')}`;
    assert.equal(r.exitCode, 0, detail);
    assert.ok(r.passes.length >= 9, detail);
    console.log(`# host suite: ${r.passes.length} passed in ${r.durationMs} ms`);
    // The suite ran with a recognisable secret; it must not appear in anything the extension
    // host side wrote (logs, global storage, state), nor in the test's own output.
    assert.ok(!r.output.includes(tls.password!), 'secret in test output');
    assert.ok(serverHome, 'the server home was searched');
    assert.deepEqual(hits, [], `secret found in ${hits.join(', ')}`);
  });
});
