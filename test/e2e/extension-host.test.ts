// Runs test/host/registries.suite.ts inside a real VS Code against real registries, then
// searches everything the server side wrote (user data, logs, global storage) for the secret.
import * as assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { seedStandardImages, startRegistry, type RunningRegistry } from '../support';
import { startPathProxy, type PathProxy } from '../support/pathProxy';
import { filesContaining } from './support/files';
import { e2eSkipReason } from './support/codeServer';
import { runHostTests } from './support/hostTests';

const skip = e2eSkipReason();

describe('extension in the real extension host', { skip, concurrency: false }, () => {
  let tls: RunningRegistry;
  let plain: RunningRegistry;
  let halfBroken: RunningRegistry;
  let front: PathProxy;
  before(async () => {
    [tls, plain, halfBroken] = await Promise.all([startRegistry({ mode: 'tls-basic' }), startRegistry({ mode: 'plain' }), startRegistry({ mode: 'plain' })]);
    await Promise.all([
      seedStandardImages(tls),
      plain.pusher.pushManyRepos(Array.from({ length: 25 }, (_, i) => `bulk/r${String(i).padStart(4, '0')}`)),
      halfBroken.pusher.pushImage('app', ['ok', 'broken']),
    ]);
    // In front of it, until healed: the tag `broken` is listed but its manifest is not found
    // (as when a tag is deleted between the listing and the row's HEAD).
    let broken = true;
    let heads = 0;
    front = await startPathProxy({
      registry: halfBroken.url,
      prefix: '',
      links: 'root',
      gate(req, res, _rec, url) {
        const json = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
          return true;
        };
        if (url.pathname === '/__heal') return ((broken = false), json(200, {}));
        if (url.pathname === '/__heads') return json(200, heads);
        if (url.pathname !== '/v2/app/manifests/broken') return false;
        if (req.method === 'HEAD') heads++;
        return broken ? json(404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'broken' } }] }) : false;
      },
    });
  });
  after(async () => Promise.all([tls?.stop(), plain?.stop(), front?.stop(), halfBroken?.stop()]));

  test('connect, list, page, find, errors, secrets', { timeout: 240_000 }, async () => {
    let serverHome = '';
    let hits: string[] = [];
    const r = await runHostTests({
      suites: ['registries'],
      env: { TLS_URL: tls.url, TLS_USER: tls.username!, TLS_PASSWORD: tls.password!, TLS_CA: tls.caPem!, PLAIN_URL: plain.url, BROKEN_URL: front.origin },
      inspectServer: (home) => {
        serverHome = home;
        hits = filesContaining(home, tls.password!);
      },
    });
    const detail = `${r.output}\n${r.failures.map((f) => `${f.title}\n${f.error}`).join('\n')}`;
    assert.equal(r.exitCode, 0, detail);
    assert.ok(r.passes.length >= 10, detail);
    console.log(`# host suite: ${r.passes.length} passed in ${r.durationMs} ms`);
    // The suite ran with a recognisable secret; it must not appear in anything the extension
    // host side wrote (logs, global storage, state), nor in the test's own output.
    assert.ok(!r.output.includes(tls.password!), 'secret in test output');
    assert.ok(serverHome, 'the server home was searched');
    assert.deepEqual(hits, [], `secret found in ${hits.join(', ')}`);
  });
});
