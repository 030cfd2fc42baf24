// Lazy tag details against the real registry: only the tags asked for, one fetch per digest,
// a persistent digest cache, and never more than the configured requests in flight.

import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { genericProvider } from '../../src/providers/generic';
import type { Connection } from '../../src/providers/provider';
import { MemoryDigestCache, RETRY_FAILED_AFTER_MS, TagDetailsLoader } from '../../src/ui/tree/details';
import { startRegistry, type RunningRegistry } from '../support';

/** A pass-through proxy that counts requests and the most in flight at once. */
async function countingProxy(target: URL): Promise<{ url: string; stats: { total: number; inFlight: number; peak: number; paths: string[] }; server: Server }> {
  const stats = { total: 0, inFlight: 0, peak: 0, paths: [] as string[] };
  const server = createServer((req, res) => {
    stats.total++;
    stats.paths.push(`${req.method} ${req.url}`);
    stats.peak = Math.max(stats.peak, ++stats.inFlight);
    const up = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
      r.on('end', () => stats.inFlight--);
    });
    up.on('error', () => {
      stats.inFlight--;
      res.destroy();
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stats, server };
}

describe('lazy tag details', () => {
  let reg: RunningRegistry;
  let proxy: Awaited<ReturnType<typeof countingProxy>>;
  let conn: Connection;
  let tags: string[];
  before(async () => {
    reg = await startRegistry({ mode: 'plain' });
    tags = await reg.pusher.pushManyTags('big/repo', 400);
    await reg.pusher.pushImage('big/repo', ['other-1', 'other-2'], { layerBytes: [77, 88], created: '2025-06-01T00:00:00Z' });
    await reg.pusher.pushIndex('big/repo', ['multi'], [{ os: 'linux', arch: 'amd64' }, { os: 'linux', arch: 'arm64', variant: 'v8' }], { format: 'oci', attestation: true });
    proxy = await countingProxy(new URL(reg.url));
    const r = genericProvider.fromForm({ url: proxy.url });
    assert.ok(r.ok);
    conn = genericProvider.connect({ ...r.config, id: 'c1' }, {}, {});
  });
  after(async () => {
    await conn?.dispose();
    proxy?.server.close();
    await reg?.stop();
  });

  test('100 visible tags on one image: 100 HEADs, one manifest + config, at most 16 in flight', async () => {
    const events: string[] = [];
    const cache = new MemoryDigestCache();
    const loader = new TagDetailsLoader(cache, { onDetails: (_c, _r, tag) => events.push(tag), onError: (_c, _r, tag, e) => assert.fail(`${tag}: ${String(e)}`) }, 16);
    await conn.client.ping();
    proxy.stats.total = 0;
    proxy.stats.peak = 0;
    proxy.stats.paths.length = 0;
    const visible = tags.slice(0, 100);
    await loader.request(conn, 'big/repo', visible);
    assert.equal(events.length, 100);
    const heads = proxy.stats.paths.filter((p) => p.startsWith('HEAD '));
    const gets = proxy.stats.paths.filter((p) => p.startsWith('GET '));
    assert.equal(heads.length, 100);
    assert.equal(gets.length, 2, 'one manifest and one config for the shared digest');
    assert.ok(proxy.stats.peak <= 16, `peak in flight ${proxy.stats.peak}`);
    const d = loader.get('c1', 'big/repo', visible[0]!)!;
    assert.ok(d.digest.startsWith('sha256:') && d.size! > 0 && d.created);

    // Asking again costs nothing; a new session with the same (persistent) cache costs only HEADs.
    proxy.stats.paths.length = 0;
    await loader.request(conn, 'big/repo', visible);
    assert.equal(proxy.stats.paths.length, 0);
    const restarted = new TagDetailsLoader(cache, { onDetails: () => undefined, onError: () => undefined }, 16);
    await restarted.request(conn, 'big/repo', visible.slice(0, 10));
    assert.deepEqual([...new Set(proxy.stats.paths.map((p) => p.split(' ')[0]))], ['HEAD']);
  });

  test('a multi-arch tag gets its platforms, attestation skipped; distinct images get their own facts', async () => {
    const loader = new TagDetailsLoader(new MemoryDigestCache(), { onDetails: () => undefined, onError: (_c, _r, t, e) => assert.fail(`${t}: ${String(e)}`) }, 16);
    await loader.request(conn, 'big/repo', ['multi', 'other-1', 'other-2']);
    const multi = loader.get('c1', 'big/repo', 'multi')!;
    assert.equal(multi.isIndex, true);
    assert.deepEqual(multi.platforms!.map((p) => `${p.platform.os}/${p.platform.architecture}${p.platform.variant ? `/${p.platform.variant}` : ''}`), ['linux/amd64', 'linux/arm64/v8']);
    const o1 = loader.get('c1', 'big/repo', 'other-1')!;
    assert.equal(o1.created, '2025-06-01T00:00:00Z');
    assert.equal(o1.digest, loader.get('c1', 'big/repo', 'other-2')!.digest);
  });

  test('a tag whose details fail is remembered with why: left alone for a while, asked again after it, or at once after a Refresh', async () => {
    let clock = 1_000_000;
    const errors: string[] = [];
    const loader = new TagDetailsLoader(new MemoryDigestCache(), { onDetails: () => undefined, onError: (_c, _r, t) => errors.push(t) }, 16, () => clock);
    const heads = () => proxy.stats.paths.filter((p) => p === 'HEAD /v2/big/repo/manifests/gone').length;
    const before = heads();
    await loader.request(conn, 'big/repo', ['gone', 'other-1']);
    assert.deepEqual(errors, ['gone']);
    assert.ok(loader.get('c1', 'big/repo', 'other-1'), 'the tag that exists has its details');
    const failure = loader.failure('c1', 'big/repo', 'gone');
    assert.ok(failure, 'the failure is kept for the row');
    assert.match(failure.message, /gone/);
    assert.equal(heads() - before, 1);

    // Redraws, scrolling back and re-expanding within the window do not ask the registry again.
    await loader.request(conn, 'big/repo', ['gone']);
    clock += RETRY_FAILED_AFTER_MS - 1;
    await loader.request(conn, 'big/repo', ['gone']);
    assert.equal(heads() - before, 1, 'no second HEAD inside the window');
    assert.deepEqual(errors, ['gone']);

    // After it, the row is "…" again and the next request tries once more.
    clock += 1;
    assert.equal(loader.failure('c1', 'big/repo', 'gone'), undefined);
    await loader.request(conn, 'big/repo', ['gone']);
    assert.equal(heads() - before, 2);
    assert.ok(loader.failure('c1', 'big/repo', 'gone'));

    // A Refresh forgets the failure: asked again at once.
    loader.forget('c1', 'big/repo');
    assert.equal(loader.failure('c1', 'big/repo', 'gone'), undefined);
    await loader.request(conn, 'big/repo', ['gone']);
    assert.equal(heads() - before, 3);
    assert.deepEqual(errors, ['gone', 'gone', 'gone']);
  });
});
