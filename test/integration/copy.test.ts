// Copy, retag and upload against two real registries of the test bed: a plain-HTTP source and
// a token-auth destination (our token server; a read-only user gets `pull` only). Every digest
// is compared on both sides; bytes are counted by a counting proxy in front of the registry.

import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { startCountingProxy, type CountingProxy } from '../../bench/proxy';
import { RegistryClient } from '../../src/registry/client';
import { CopyError, copyImage, planCopy, retag, type CopyProgress } from '../../src/registry/copy';
import { staticCredentials } from '../../src/registry/credentials';
import { RegistryError } from '../../src/registry/errors';
import { blobExists, putManifest, startUpload, uploadBlob } from '../../src/registry/upload';
import { FULL_ACCEPT, MT, sha256, startRegistry, type PushedIndex, type RunningRegistry } from '../support';

const READER = { username: 'reader', password: 'R3ad-0nly-Pa55-Q7' };

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, null, 2));
}

/** A 4-platform OCI index with a BuildKit attestation, a cosign signature tag and an SBOM referrer in the fallback index tag. */
async function pushSignedIndex(reg: RunningRegistry, repo: string, tag: string): Promise<{ index: PushedIndex; signatureTag: string; sbomDigest: string; fallbackTag: string }> {
  const index = await reg.pusher.pushIndex(repo, tag, [{ os: 'linux', arch: 'amd64' }, { os: 'linux', arch: 'arm64', variant: 'v8' }, { os: 'linux', arch: 'arm', variant: 'v7' }, { os: 'linux', arch: 's390x' }], { format: 'oci', attestation: true });
  const base = index.digest.replace(':', '-');
  await reg.pusher.pushArtifact(repo, [`${base}.sig`], {
    config: { mediaType: MT.ociConfig, data: json({ architecture: '', os: '', config: {}, rootfs: { type: 'layers', diff_ids: [] } }) },
    layers: [{ mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', data: json({ critical: { image: { 'docker-manifest-digest': index.digest } } }), annotations: { 'dev.cosignproject.cosign/signature': 'MEUCIQDsig' } }],
  });
  const sbom = await reg.pusher.pushArtifact(repo, [], {
    config: { mediaType: 'application/vnd.oci.empty.v1+json', data: Buffer.from('{}') },
    layers: [{ mediaType: 'application/spdx+json', data: json({ spdxVersion: 'SPDX-2.3', name: repo }) }],
    fields: { artifactType: 'application/spdx+json', subject: { mediaType: index.mediaType, digest: index.digest, size: 1 } },
  });
  await reg.pusher.pushIndexDocument(repo, [base], { manifests: [{ mediaType: MT.ociManifest, digest: sbom.digest, size: sbom.size, artifactType: 'application/spdx+json' }] });
  return { index, signatureTag: `${base}.sig`, sbomDigest: sbom.digest, fallbackTag: base };
}

/** Every manifest digest and blob a reference leads to, read straight from the registry (no client under test). */
async function inventory(client: RegistryClient, repo: string, reference: string): Promise<{ manifests: string[]; blobs: string[] }> {
  const manifests: string[] = [];
  const blobs = new Set<string>();
  const walk = async (ref: string): Promise<void> => {
    const m = await client.getManifest(repo, ref);
    manifests.push(m.digest);
    if ('manifests' in m.manifest) for (const d of m.manifest.manifests) await walk(d.digest);
    else for (const b of [m.manifest.config, ...m.manifest.layers]) blobs.add(b.digest);
  };
  await walk(reference);
  return { manifests, blobs: [...blobs].sort() };
}

describe('copy between two real registries (plain → token)', () => {
  let src: RunningRegistry;
  let dst: RunningRegistry;
  let signed: Awaited<ReturnType<typeof pushSignedIndex>>;
  const clients: RegistryClient[] = [];
  const client = (reg: RunningRegistry, creds?: { username: string; password: string }, over: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}): RegistryClient => {
    const c = new RegistryClient({
      url: reg.url,
      ...(creds ? { credentials: staticCredentials({ kind: 'basic', ...creds }) } : {}),
      ...over,
    });
    clients.push(c);
    return c;
  };
  const owner = (reg: RunningRegistry) => ({ username: reg.username!, password: reg.password! });

  before(async () => {
    [src, dst] = await Promise.all([startRegistry({ mode: 'plain' }), startRegistry({ mode: 'token', tokenServer: { users: { [READER.username]: READER.password }, readOnlyUsers: [READER.username] } })]);
    signed = await pushSignedIndex(src, 'app/web', 'v1');
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all([src?.stop(), dst?.stop()]);
  });

  test('a multi-arch index with its referrers: every digest on the destination equals the source, the tag comes last', async () => {
    const from = client(src);
    const to = client(dst, owner(dst));
    const seen: CopyProgress[] = [];
    const putOrder: string[] = [];
    const observed = client(dst, owner(dst), { onRequest: (method, url) => method === 'PUT' && url.pathname.includes('/manifests/') && putOrder.push(url.pathname.split('/manifests/')[1]!) });
    const result = await copyImage({ client: from, repository: 'app/web', reference: 'v1' }, { client: observed, repository: 'prod/web', tag: 'release' }, { referrers: true, onProgress: (p) => seen.push(p) });
    void to;

    assert.equal(result.digest, signed.index.digest);
    assert.deepEqual(result.tags, [signed.fallbackTag, signed.signatureTag, 'release'].sort((a, b) => (a === 'release' ? 1 : b === 'release' ? -1 : a.localeCompare(b))));
    const a = await inventory(from, 'app/web', 'v1');
    const b = await inventory(to, 'prod/web', 'release');
    assert.deepEqual(b, a, 'the same manifests (index, 4 platforms, attestation) and blobs');
    assert.equal(a.manifests.length, 6);
    for (const tag of [signed.signatureTag, signed.fallbackTag]) {
      assert.equal((await to.headManifest('prod/web', tag)).digest, (await from.headManifest('app/web', tag)).digest, tag);
    }
    assert.equal((await to.getManifest('prod/web', signed.sbomDigest)).digest, signed.sbomDigest, 'the SBOM referrer, by digest');
    for (const blob of a.blobs) assert.ok(await blobExists(to, 'prod/web', blob), blob);

    assert.equal(putOrder.at(-1), 'release', 'the tag is the last manifest put');
    assert.ok(putOrder.indexOf(signed.index.children[0]!.digest) < putOrder.indexOf('release'), 'children before the index');
    const last = seen.at(-1)!;
    assert.equal(last.phase, 'done');
    assert.equal(last.bytesDone, last.bytesTotal);
    assert.equal(result.blobsCopied, result.blobsTotal);
    assert.deepEqual(
      last.parts.map((p) => p.part),
      ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7', 'linux/s390x', 'attestations', 'referrers'],
    );
    for (const p of last.parts) assert.equal(p.bytesDone, p.bytesTotal, p.part);

    // Again: everything is there, so only HEADs and the manifests travel.
    const again = await copyImage({ client: from, repository: 'app/web', reference: 'v1' }, { client: to, repository: 'prod/web', tag: 'release' }, { referrers: true });
    assert.equal(again.blobsSkipped, again.blobsTotal);
    assert.equal(again.bytesMoved, 0);
  });

  test('chunked upload (PATCH chunks, then PUT) lands the same digests', async () => {
    const from = client(src);
    const to = client(dst, owner(dst));
    const big = await src.pusher.pushImage('app/big', 'v1', { layerBytes: [300_000, 70_001], format: 'oci' });
    const result = await copyImage({ client: from, repository: 'app/big', reference: 'v1' }, { client: to, repository: 'prod/big', tag: 'v1' }, { chunkSize: 64 * 1024 });
    assert.equal(result.digest, big.digest);
    assert.deepEqual(await inventory(to, 'prod/big', 'v1'), await inventory(from, 'app/big', 'v1'));
  });

  test('a same-registry copy mounts every blob: no blob bytes move through the proxy', async () => {
    let proxy: CountingProxy | undefined;
    try {
      proxy = await startCountingProxy(src.url);
      const c = client(src, undefined, { url: proxy.url });
      const plan = await planCopy({ client: c, repository: 'app/web', reference: 'v1' });
      proxy.reset();
      const result = await copyImage({ client: c, repository: 'app/web', reference: 'v1' }, { client: c, repository: 'mirror/web', tag: 'v1' });
      const counts = proxy.counts();
      assert.equal(result.blobsMounted, plan.blobs.length);
      assert.equal(result.bytesMoved, 0);
      const manifestBytes = plan.manifests.reduce((s, m) => s + m.raw.length, 0);
      assert.ok(counts.bytesUp <= manifestBytes, `only manifests went up (${counts.bytesUp} bytes ≤ ${manifestBytes})`);
      const blobBytes = plan.blobs.reduce((s, b) => s + b.size, 0);
      assert.ok(counts.bytesDown + counts.bytesUp < blobBytes / 2, `far less than the ${blobBytes} blob bytes crossed (${counts.bytesDown} down)`);
      assert.deepEqual(await inventory(c, 'mirror/web', 'v1'), await inventory(c, 'app/web', 'v1'));
    } finally {
      await proxy?.close();
    }
  });

  test('Add Tag: the same manifest under a new tag, one PUT after one GET', async () => {
    const requests: string[] = [];
    const c = client(src, undefined, { onRequest: (method, url) => requests.push(`${method} ${url.pathname}`) });
    await c.ping();
    requests.length = 0;
    const digest = await retag(c, 'app/web', 'v1', 'stable');
    assert.equal(digest, signed.index.digest);
    assert.equal((await c.headManifest('app/web', 'stable')).digest, signed.index.digest);
    assert.deepEqual(requests.slice(0, 2), ['GET /v2/app/web/manifests/v1', 'PUT /v2/app/web/manifests/stable']);
  });

  test('an interrupted copy (cancelled mid-blob) leaves no tag, and says what was copied', async () => {
    const from = client(src);
    const to = client(dst, owner(dst));
    await src.pusher.pushImage('app/slow', 'v1', { layerBytes: [4 * 1024 * 1024, 3 * 1024 * 1024], format: 'oci' });
    const ac = new AbortController();
    const err = await copyImage({ client: from, repository: 'app/slow', reference: 'v1' }, { client: to, repository: 'prod/slow', tag: 'v1' }, {
      signal: ac.signal,
      onProgress: (p) => p.bytesMoved > 512 * 1024 && ac.abort(),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof CopyError, String(err));
    assert.equal(err.kind, 'cancelled');
    assert.match(err.message, /cancelled: \d+ of 3 blobs/);
    assert.match(err.message, /“v1” was not written/);
    await assert.rejects(to.headManifest('prod/slow', 'v1'), (e: unknown) => e instanceof RegistryError && e.kind === 'notFound');
    assert.ok(err.copied.blobsCopied < 3);
  });

  test('read-only credentials on the destination: a clear error before any blob byte is read', async () => {
    const requests: string[] = [];
    const from = client(src, undefined, { onRequest: (method, url) => requests.push(`${method} ${url.pathname}`) });
    const to = client(dst, READER);
    const err = await copyImage({ client: from, repository: 'app/web', reference: 'v1' }, { client: to, repository: 'prod/readonly', tag: 'v1' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof CopyError, String(err));
    assert.equal(err.kind, 'forbidden');
    assert.match(err.message, /push/);
    assert.equal(err.copied.bytesMoved, 0);
    assert.ok(!requests.some((r) => r.includes('/blobs/')), `no blob was read from the source: ${requests.join(', ')}`);
    assert.ok(!err.message.includes(READER.password));
  });

  test('a blob whose bytes do not match its digest is refused and nothing is stored under it', async () => {
    const to = client(dst, owner(dst));
    const good = Buffer.from('the real bytes');
    const digest = sha256(good);
    const session = await startUpload(to, 'prod/bad');
    await assert.rejects(uploadBlob(to, session, { digest, size: good.length }, Readable.from([Buffer.from('other  bytes!!')])), (e: unknown) => e instanceof RegistryError && /do not match|DIGEST|digest/i.test(e.message));
    assert.equal(await blobExists(to, 'prod/bad', digest), false);
  });

  test('putManifest refuses bytes that do not hash to the digest it is stored under', async () => {
    const to = client(dst, owner(dst));
    await assert.rejects(putManifest(to, 'prod/web', signed.index.digest, Buffer.from('{}'), MT.ociIndex), (e: unknown) => e instanceof RegistryError && e.kind === 'invalid');
    void FULL_ACCEPT;
  });
});
