// The client against a real registry (Debian's docker-registry) over plain HTTP on loopback:
// listing, paging quirks, every manifest kind, HEAD, DELETE.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RegistryClient } from '../../src/registry/client';
import { RegistryError } from '../../src/registry/errors';
import { MediaType } from '../../src/registry/manifest';
import { STANDARD_REPOSITORIES, seedStandardImages, startRegistry, type RunningRegistry, type StandardImages } from '../support';

describe('registry client on a plain HTTP registry', () => {
  let reg: RunningRegistry;
  let images: StandardImages;
  let client: RegistryClient;
  const urls: string[] = [];

  before(async () => {
    reg = await startRegistry({ mode: 'plain' });
    images = await seedStandardImages(reg);
    client = new RegistryClient({ url: reg.url, onRequest: (m, u) => urls.push(`${m} ${u.pathname}${u.search}`) });
  });
  after(async () => {
    await client?.close();
    await reg?.stop();
  });

  test('catalog lists every repository, nested names included, in byte order, in one request', async () => {
    urls.length = 0;
    assert.deepEqual(await client.listCatalog(), [...STANDARD_REPOSITORIES]);
    assert.deepEqual(urls.filter((u) => u.includes('_catalog')), ['GET /v2/_catalog?n=1000']);
  });

  test('a full last page has no Link: two pages of 2 + a third short one, no extra request', async () => {
    urls.length = 0;
    const pages: string[][] = [];
    for await (const p of client.catalogPages({ pageSize: 2 })) pages.push(p.items);
    assert.deepEqual(pages.flat(), [...STANDARD_REPOSITORIES]);
    assert.deepEqual(pages.map((p) => p.length), [2, 2, 2, 1]);
    assert.equal(urls.filter((u) => u.includes('_catalog')).length, 4);
    // 7 repositories in pages of 7: exactly full, and the registry sends no Link.
    urls.length = 0;
    const exact: string[][] = [];
    for await (const p of client.catalogPages({ pageSize: 7 })) exact.push(p.items);
    assert.deepEqual(exact.map((p) => p.length), [7]);
    assert.equal(urls.filter((u) => u.includes('_catalog')).length, 1);
  });

  test('resuming after a name (last=) continues the listing', async () => {
    const rest = await client.listCatalog({ last: 'multi/oci-index' });
    assert.deepEqual(rest, ['oci/app', 'team/backend/api', 'team/frontend/web']);
  });

  test('tags of a repository, and a clear error for an unknown one', async () => {
    assert.deepEqual((await client.listTags('alpine')).sort(), ['3.19', 'latest']);
    await assert.rejects(client.listTags('does/not/exist'), (e: unknown) => e instanceof RegistryError && e.kind === 'notFound' && e.code === 'NAME_UNKNOWN' && /does\/not\/exist/.test(e.message));
  });

  test('an OCI manifest is found because the full Accept list is sent; digest verified', async () => {
    const m = await client.getManifest('oci/app', '1.0');
    assert.equal(m.mediaType, MediaType.ociManifest);
    assert.equal(m.digest, images['oci/app'].digest);
  });

  test('a Docker manifest list comes back as the list (not the amd64 substitute)', async () => {
    const m = await client.getManifest('multi/docker-list', 'latest');
    assert.equal(m.mediaType, MediaType.dockerList);
    assert.equal(m.digest, images['multi/docker-list'].digest);
  });

  test('an OCI index resolves to its platforms, skipping the attestation', async () => {
    const idx = images['multi/oci-index'];
    const d = await client.imageDetails('multi/oci-index', 'latest');
    assert.equal(d.isIndex, true);
    assert.equal(d.digest, idx.digest);
    assert.deepEqual(d.platforms!.map((p) => [p.platform.os, p.platform.architecture, p.platform.variant ?? '']), idx.children.map((c) => [c.platform.os, c.platform.architecture, c.platform.variant ?? '']));
    assert.ok(!d.platforms!.some((p) => p.digest === idx.attestationDigest));
    for (const [i, p] of d.platforms!.entries()) {
      assert.equal(p.size, idx.children[i]!.totalSize);
      assert.equal(p.created, idx.children[i]!.created);
    }
  });

  test('a single image: created from the config, size = config + layers', async () => {
    const d = await client.imageDetails('alpine', '3.19');
    assert.equal(d.isIndex, false);
    assert.equal(d.digest, images.alpine.digest);
    assert.equal(d.size, images.alpine.totalSize);
    assert.equal(d.created, images.alpine.created);
    assert.equal(d.platform?.architecture, images.alpine.platform.architecture);
  });

  test('HEAD gives the digest without a body', async () => {
    urls.length = 0;
    const h = await client.headManifest('team/backend/api', 'v2');
    assert.equal(h.digest, images['team/backend/api'].v2.digest);
    assert.deepEqual(urls, ['HEAD /v2/team/backend/api/manifests/v2']);
  });

  test('a manifest asked for by a digest it does not have is not found', async () => {
    await assert.rejects(client.getManifest('alpine', 'sha256:' + '0'.repeat(64)), (e: unknown) => e instanceof RegistryError && e.kind === 'notFound');
  });

  test('DELETE by digest removes every tag on it', async () => {
    const img = await reg.pusher.pushImage('scratch/delete-me', ['a', 'b'], { layerBytes: [10] });
    await client.deleteManifest('scratch/delete-me', img.digest);
    await assert.rejects(client.headManifest('scratch/delete-me', 'a'), (e: unknown) => e instanceof RegistryError && e.kind === 'notFound');
    await assert.rejects(client.deleteManifest('scratch/delete-me', 'a'), /by digest/);
  });

  test('no scheme given on loopback: https is tried, then plain HTTP', async () => {
    const c = new RegistryClient({ url: reg.host });
    try {
      assert.deepEqual(await c.ping(), { url: reg.url, auth: 'none' });
    } finally {
      await c.close();
    }
  });

  test('an unreachable registry is a network error that says what to check', async () => {
    const c = new RegistryClient({ url: 'http://127.0.0.1:9', retry: { maxRetries: 0 } });
    try {
      await assert.rejects(c.ping(), (e: unknown) => e instanceof RegistryError && e.kind === 'network' && /refused/.test(e.message) && e.action === 'retry');
    } finally {
      await c.close();
    }
  });
});

describe('page size negotiation on the reference registry', () => {
  let reg: RunningRegistry;
  before(async () => {
    reg = await startRegistry({ mode: 'plain', maxEntries: 400 });
    await reg.pusher.pushManyRepos(Array.from({ length: 420 }, (_, i) => `bulk/r${String(i).padStart(4, '0')}`));
  });
  after(async () => reg?.stop());

  test('n above maxentries (400) is refused; the client steps down, remembers, and lists everything', async () => {
    const statuses: string[] = [];
    const client = new RegistryClient({ url: reg.url, onRequest: (_m, u, s) => u.pathname === '/v2/_catalog' && statuses.push(`${u.searchParams.get('n')}:${s}`) });
    try {
      const all = await client.listCatalog();
      assert.equal(all.length, 420);
      assert.deepEqual([...all].sort(), all, 'byte order');
      assert.deepEqual(statuses, ['1000:400', '500:400', '250:200', '250:200']);
      assert.equal(client.acceptedPageSize, 250);
      statuses.length = 0;
      await client.listCatalog();
      assert.deepEqual(statuses, ['250:200', '250:200'], 'the accepted size is remembered');
    } finally {
      await client.close();
    }
  });

  test('tags/list ignores n and returns every tag in one response', async () => {
    const tags = await reg.pusher.pushManyTags('bulk/many-tags', 600);
    const urls: string[] = [];
    const client = new RegistryClient({ url: reg.url, onRequest: (_m, u) => urls.push(u.pathname) });
    try {
      const listed = await client.listTags('bulk/many-tags');
      assert.deepEqual([...listed].sort(), [...tags].sort());
      assert.equal(urls.filter((u) => u.endsWith('/tags/list')).length, 1);
    } finally {
      await client.close();
    }
  });
});
