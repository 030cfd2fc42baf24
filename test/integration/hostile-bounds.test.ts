// Hostile input stays bounded: servers that page forever, fan an index out to thousands of
// images, drip their answers, ask for absurd waits or hand out digests that are not digests.
// Each case asserts what the server saw (how many requests, how many at once) and what the
// user is told (the error's kind and words, or the listing's truncation).

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, describe, test } from 'node:test';
import { pagesFrom } from '../../src/providers/pages';
import { RegistryClient } from '../../src/registry/client';
import { RegistryError } from '../../src/registry/errors';
import { MediaType } from '../../src/registry/manifest';
import { PAGE_LIMITS, truncationOf } from '../../src/registry/paging';
import { Listing } from '../../src/ui/tree/listing';
import { startHostile, type HostileServer } from '../support';

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

const servers: HostileServer[] = [];
const clients: RegistryClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.stop()));
});

/** A registry whose /v2/ answers 200 and whose other paths `rest` answers; counts concurrency. */
async function registry(rest: Handler): Promise<HostileServer & { peak: () => number }> {
  let inFlight = 0;
  let peak = 0;
  const s = await startHostile((req, res) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    res.once('close', () => inFlight--);
    if (req.url === '/v2/') return json(res, 200, {});
    return rest(req, res);
  });
  servers.push(s);
  return Object.assign(s, { peak: () => peak });
}

function client(s: HostileServer, extra: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}): RegistryClient {
  const c = new RegistryClient({ url: s.url, ...extra });
  clients.push(c);
  return c;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const sha256 = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const hits = (s: HostileServer, prefix: string): number => s.requests.filter((r) => r.url.startsWith(prefix)).length;
const host = (s: HostileServer): string => new URL(s.url).host;
const param = (req: IncomingMessage, name: string): string | null => new URL(req.url!, 'http://x').searchParams.get(name);

/** The error a caller sees: its kind, its words, and nothing the server made up. */
function failsWith(kind: RegistryError['kind'], words: RegExp, hostName?: string) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof RegistryError, `a RegistryError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    assert.match(e.message, words);
    if (hostName) assert.ok(e.message.includes(hostName), `names the host: ${e.message}`);
    return true;
  };
}

describe('hostile servers: listings stay bounded', () => {
  test('a fresh Link on every page stops at the item limit, in bounded memory, and says so', async () => {
    const s = await registry((req, res) => {
      const p = Number(param(req, 'p') ?? 0);
      const names = Array.from({ length: 1000 }, (_, i) => `team-${p}/repository-${i}`);
      json(res, 200, { repositories: names }, { link: `</v2/_catalog?n=1000&p=${p + 1}>; rel="next"` });
    });
    const heapBefore = process.memoryUsage().heapUsed;
    const c = client(s);
    const listed = await c.collectCatalog();
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    assert.equal(listed.truncated, 'itemLimit');
    assert.equal(listed.items.length, PAGE_LIMITS.maxItems);
    assert.equal(hits(s, '/v2/_catalog'), PAGE_LIMITS.maxItems / 1000, 'not one page more than the limit needs');
    assert.ok(heapGrowth < 256 * 1024 * 1024, `heap grew ${Math.round(heapGrowth / 1048576)} MB`);
    // The strict form refuses to pass a partial list off as complete.
    await assert.rejects(c.listCatalog(), failsWith('protocol', /more than 100000 names/, host(s)));
  });

  test('endless one-name pages stop at the page limit', async () => {
    const s = await registry((req, res) => {
      const p = Number(param(req, 'p') ?? 0);
      json(res, 200, { repositories: [`r${p}`] }, { link: `</v2/_catalog?p=${p + 1}>; rel="next"` });
    });
    const listed = await client(s).collectCatalog();
    assert.equal(listed.truncated, 'pageLimit');
    assert.equal(listed.items.length, PAGE_LIMITS.maxPages);
    assert.equal(hits(s, '/v2/_catalog'), PAGE_LIMITS.maxPages);
  });

  test('pages alternating A, B, A, B under new URLs stop at the first repeat', async () => {
    const s = await registry((req, res) => {
      const p = Number(param(req, 'p') ?? 0);
      json(res, 200, { repositories: p % 2 ? ['b1', 'b2'] : ['a1', 'a2'] }, { link: `</v2/_catalog?p=${p + 1}>; rel="next"` });
    });
    const listed = await client(s).collectCatalog();
    assert.deepEqual(listed, { items: ['a1', 'a2', 'b1', 'b2'], truncated: 'repeatedPage' });
    assert.equal(hits(s, '/v2/_catalog'), 3);
  });

  test('a page repeated later (A, B, C, A) is caught by content, whatever its URL', async () => {
    const pages = [['a'], ['b'], ['c'], ['a'], ['d']];
    const s = await registry((req, res) => {
      const p = Number(param(req, 'p') ?? 0);
      json(res, 200, { tags: pages[p] }, p + 1 < pages.length ? { link: `</v2/app/tags/list?p=${p + 1}&x=${Math.random()}>; rel="next"` } : {});
    });
    const c = client(s);
    assert.deepEqual(await c.collectTags('app'), { items: ['a', 'b', 'c'], truncated: 'repeatedPage' });
    assert.equal(hits(s, '/v2/app/tags/list'), 4);
    await assert.rejects(c.listTags('app'), failsWith('protocol', /same page twice/, host(s)));
  });

  test('a run of empty pages with new Links stops after three', async () => {
    const s = await registry((req, res) => {
      const p = Number(param(req, 'p') ?? 0);
      json(res, 200, { repositories: p === 0 ? ['only'] : [] }, { link: `</v2/_catalog?p=${p + 1}>; rel="next"` });
    });
    const listed = await client(s).collectCatalog();
    assert.deepEqual(listed, { items: ['only'], truncated: 'emptyPages' });
    assert.equal(hits(s, '/v2/_catalog'), 1 + PAGE_LIMITS.maxEmptyRun);
  });

  test('the tree listing (Find, Delete Tag) keeps what arrived and marks it truncated, not failed', async () => {
    const s = await registry((req, res) => {
      const p = Number(param(req, 'p') ?? 0);
      json(res, 200, { repositories: p % 2 ? ['b'] : ['a'] }, { link: `</v2/_catalog?p=${p + 1}>; rel="next"` });
    });
    const c = client(s);
    const listing = new Listing(async () => pagesFrom(c.catalogPages(), (name: string) => ({ name }))(), 100);
    let pages = 0;
    await listing.loadAll(undefined, () => pages++);
    assert.equal(listing.status, 'ready');
    assert.equal(listing.truncated, 'repeatedPage');
    assert.deepEqual(listing.items.map((r) => r.name), ['a', 'b']);
    assert.equal(listing.hasMore, false, 'no Load more that would fetch nothing');
    assert.equal(hits(s, '/v2/_catalog'), 3);
  });

  test('a Link back to a page already fetched ends the walk with what arrived', async () => {
    const s = await registry((req, res) => {
      const p = Number(param(req, 'p') ?? 0);
      json(res, 200, { tags: [`t${p}`] }, { link: `</v2/app/tags/list?p=${p === 2 ? 1 : p + 1}>; rel="next"` });
    });
    const listed = await client(s).collectTags('app');
    assert.deepEqual(listed, { items: ['t0', 't1', 't2'], truncated: 'linkedBack' });
    assert.equal(hits(s, '/v2/app/tags/list'), 3);
  });
});

// ——— an index that fans out ———

const created = '2026-01-01T00:00:00Z';
function image(i: number): { manifest: Buffer; config: Buffer } {
  const config = Buffer.from(JSON.stringify({ created, os: 'linux', architecture: `arch${i}`, rootfs: { type: 'layers', diff_ids: [] } }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, digest: sha256(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(`layer ${i}`), size: 1000 + i }],
    }),
  );
  return { manifest, config };
}

/** `n` different images: the index entries and every manifest and config by digest. */
function distinctImages(n: number): [{ digest: string; i: number }[], Map<string, Buffer>] {
  const images = new Map<string, Buffer>();
  const entries = Array.from({ length: n }, (_, i) => {
    const { manifest, config } = image(i);
    images.set(sha256(manifest), manifest);
    images.set(sha256(config), config);
    return { digest: sha256(manifest), i };
  });
  return [entries, images];
}

/** A registry serving one index (tag `multi`) over `images`, by digest, slowly enough to overlap. */
async function indexRegistry(entries: { digest: string; i: number }[], images: Map<string, Buffer>): Promise<HostileServer & { peak: () => number }> {
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: entries.map(({ digest, i }) => ({ mediaType: MediaType.ociManifest, digest, size: 500, platform: { os: 'linux', architecture: `arch${i}` } })),
    }),
  );
  return registry((req, res) => {
    const ref = req.url!.split('/').pop()!;
    if (req.url === '/v2/app/manifests/multi') {
      res.writeHead(200, { 'content-type': MediaType.ociIndex, 'docker-content-digest': sha256(index) });
      return res.end(index);
    }
    const body = images.get(ref);
    if (!body) return json(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN' }] });
    setTimeout(() => {
      res.writeHead(200, { 'content-type': req.url!.includes('/blobs/') ? 'application/octet-stream' : MediaType.ociManifest, 'docker-content-digest': ref });
      res.end(body);
    }, 5);
  });
}

describe('hostile servers: an index fans out through the limiter', () => {
  test('5,000 entries naming the same image cost one child fetch', async () => {
    const one = image(1);
    const digest = sha256(one.manifest);
    const images = new Map([[digest, one.manifest], [sha256(one.config), one.config]]);
    const s = await indexRegistry(Array.from({ length: 5000 }, () => ({ digest, i: 1 })), images);
    const d = await client(s).imageDetails('app', 'multi');
    assert.equal(d.platforms?.length, 1);
    assert.equal(d.platformsNotShown, undefined);
    assert.equal(d.created, created);
    assert.equal(hits(s, '/v2/app/manifests/'), 2, 'the index and its one image');
    assert.equal(hits(s, '/v2/app/blobs/'), 1, 'one config');
  });

  test('5,000 different images: the first 64 are looked at, the rest marked not shown, ≤16 requests at once', async () => {
    const s = await indexRegistry(...distinctImages(5000));
    const d = await client(s).imageDetails('app', 'multi');
    assert.equal(d.platforms?.length, 64);
    assert.equal(d.platformsNotShown, 5000 - 64);
    assert.deepEqual(d.platforms?.slice(0, 2).map((p) => p.platform.architecture), ['arch0', 'arch1']);
    assert.equal(hits(s, '/v2/app/manifests/'), 1 + 64);
    assert.equal(hits(s, '/v2/app/blobs/'), 64);
    assert.ok(s.peak() <= 16, `${s.peak()} requests in flight at once`);
    assert.ok(s.peak() > 1, 'children do run side by side');
  });

  test('the limiter is per registry and follows the connection count', async () => {
    const s = await indexRegistry(...distinctImages(40));
    const d = await client(s, { connections: 4 }).imageDetails('app', 'multi', { configs: false });
    assert.equal(d.platforms?.length, 40);
    assert.equal(hits(s, '/v2/app/blobs/'), 0, 'configs: false fetches no config');
    assert.ok(s.peak() <= 4, `${s.peak()} requests in flight at once`);
  });
});

describe('hostile servers: every request has a deadline', () => {
  /** Headers at once, then one byte at a time, forever: the idle timeout never trips. */
  const drip: Handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{');
    const timer = setInterval(() => res.write(' '), 100);
    res.once('close', () => clearInterval(timer));
  };

  test('a body dripped a byte at a time is stopped at the deadline as a timeout naming the host', { timeout: 20_000 }, async () => {
    const s = await registry(drip);
    const c = client(s, { readTimeoutMs: 1_000, requestDeadlineMs: 1_500 });
    await assert.rejects(c.listTags('app'), failsWith('timeout', /did not finish answering within 1.5 s/, host(s)));
    assert.equal(hits(s, '/v2/app/tags/list'), 1, 'a timeout is not retried');
  });

  test('a dripping ping fails every caller waiting on it with the timeout', { timeout: 20_000 }, async () => {
    const s = await startHostile(drip);
    servers.push(s);
    const c = client(s, { requestDeadlineMs: 800 });
    const outcomes = await Promise.allSettled([c.ping(), c.listTags('app'), c.headManifest('app', 'latest')]);
    for (const o of outcomes) {
      assert.equal(o.status, 'rejected');
      failsWith('timeout', /did not finish answering/, host(s))(o.reason);
    }
    assert.ok(s.requests.length <= 3, `${s.requests.length} requests`);
  });

  test('cancelling still reads as cancelled, not as the deadline', { timeout: 20_000 }, async () => {
    const s = await registry(drip);
    const ac = new AbortController();
    const c = client(s, { requestDeadlineMs: 10_000 });
    const p = c.listTags('app', { signal: ac.signal });
    setTimeout(() => ac.abort(), 200);
    await assert.rejects(p, failsWith('cancelled', /cancelled/));
  });
});

describe('hostile servers: Retry-After is clamped', () => {
  const cases: [string, string][] = [
    ['99999999999 seconds (3,000 millennia)', '99999999999'],
    ['more seconds than a Date holds', '9'.repeat(25)],
    ['a date in the year 300000', 'Sat, 01 Jan 300000 00:00:00 GMT'],
    ['garbage', 'soon, maybe #comment'],
  ];
  for (const [name, value] of cases) {
    test(`429 with Retry-After ${name} is reported as a rate limit after one request`, { timeout: 20_000 }, async () => {
      const s = await registry((_req, res) => json(res, 429, { errors: [{ code: 'TOOMANYREQUESTS' }] }, { 'retry-after': value }));
      await assert.rejects(client(s).listTags('app'), (e: unknown) => {
        failsWith('rateLimited', /rate limiting requests/, host(s))(e);
        const reset = (e as RegistryError).resetAt;
        assert.ok(reset === undefined || Number.isFinite(reset.getTime()), 'never an Invalid Date');
        assert.ok(!(e as RegistryError).message.includes('Invalid'), (e as RegistryError).message);
        return true;
      });
      assert.equal(hits(s, '/v2/app/tags/list'), 1, 'no retry at once');
    });
  }

  test('a 503 that says "retry in a day" is answered, not slept on or hammered', { timeout: 20_000 }, async () => {
    const s = await registry((_req, res) => json(res, 503, {}, { 'retry-after': '86400' }));
    await assert.rejects(client(s).listTags('app'), failsWith('network', /server error \(HTTP 503\)/, host(s)));
    assert.equal(hits(s, '/v2/app/tags/list'), 1);
  });
});

describe('hostile servers: digests are checked before they are used', () => {
  const BAD = 'sha256:zz not hex #comment';
  const good = image(7);

  test('a HEAD whose Docker-Content-Digest is not a digest is refused, and the value is not repeated', async () => {
    const s = await registry((_req, res) => {
      res.writeHead(200, { 'content-type': MediaType.ociManifest, 'docker-content-digest': BAD, 'content-length': String(good.manifest.length) });
      res.end();
    });
    await assert.rejects(client(s).headManifest('app', 'latest'), (e: unknown) => {
      failsWith('protocol', /Docker-Content-Digest .* not a digest/, host(s))(e);
      assert.ok(!(e as Error).message.includes('zz not hex'), 'the server’s text is not echoed');
      return true;
    });
    assert.equal(hits(s, '/v2/app/manifests/'), 1);
  });

  test('a GET whose Docker-Content-Digest is not a digest is refused', async () => {
    const s = await registry((_req, res) => {
      res.writeHead(200, { 'content-type': MediaType.ociManifest, 'docker-content-digest': BAD });
      res.end(good.manifest);
    });
    await assert.rejects(client(s).getManifest('app', 'latest'), failsWith('protocol', /not a digest/, host(s)));
  });

  test('an index entry with a malformed digest is refused before any child is fetched', async () => {
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ociIndex,
        manifests: [
          { mediaType: MediaType.ociManifest, digest: sha256(good.manifest), size: good.manifest.length, platform: { os: 'linux', architecture: 'amd64' } },
          { mediaType: MediaType.ociManifest, digest: 'sha256:../../../_catalog', size: 10, platform: { os: 'linux', architecture: 'arm64' } },
        ],
      }),
    );
    const s = await registry((req, res) => {
      res.writeHead(200, { 'content-type': MediaType.ociIndex, 'docker-content-digest': sha256(index) });
      res.end(req.url === '/v2/app/manifests/multi' ? index : good.manifest);
    });
    await assert.rejects(client(s).imageDetails('app', 'multi'), failsWith('protocol', /digest/, host(s)));
    assert.deepEqual(
      s.requests.filter((r) => r.url !== '/v2/').map((r) => r.url),
      ['/v2/app/manifests/multi'],
    );
  });

  test('an index child whose bytes do not match its digest is refused', async () => {
    const other = image(8);
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ociIndex,
        manifests: [{ mediaType: MediaType.ociManifest, digest: sha256(good.manifest), size: good.manifest.length, platform: { os: 'linux', architecture: 'amd64' } }],
      }),
    );
    const s = await registry((req, res) => {
      const isIndex = req.url === '/v2/app/manifests/multi';
      res.writeHead(200, { 'content-type': isIndex ? MediaType.ociIndex : MediaType.ociManifest });
      res.end(isIndex ? index : other.manifest); // the wrong image under the right name
    });
    await assert.rejects(client(s).imageDetails('app', 'multi'), failsWith('protocol', /does not match the requested digest/, host(s)));
    assert.equal(hits(s, '/v2/app/blobs/'), 0, 'nothing of the wrong image was fetched');
  });

  test('a tag or digest that would make another URL path is refused without a request', async () => {
    const s = await registry((_req, res) => json(res, 200, {}));
    const c = client(s);
    await assert.rejects(c.headManifest('app', '../../_catalog'), failsWith('invalid', /neither/));
    await assert.rejects(c.getManifest('app', 'sha256:zz'), failsWith('invalid', /neither/));
    await assert.rejects(c.deleteManifest('app', BAD), failsWith('invalid', /by digest/));
    assert.equal(s.requests.filter((r) => r.url !== '/v2/').length, 0);
  });
});

test('truncation errors carry their reason through a rewording provider', () => {
  // Providers reword errors (GuardedRegistryClient); the code is what the tree reads.
  const e = new RegistryError('protocol', 'Docker Hub stopped the listing.', { code: 'LISTING_REPEATED_PAGE' });
  assert.equal(truncationOf(e), 'repeatedPage');
  assert.equal(truncationOf(new RegistryError('protocol', 'x')), undefined);
  assert.equal(truncationOf(new RegistryError('network', 'x', { code: 'LISTING_REPEATED_PAGE' })), undefined);
});
