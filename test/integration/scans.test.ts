// Scan results where the registry keeps them, against the provider fakes in front of the real
// registry: ECR's DescribeImages (real AWS SDK → fake ECR API) carries imageScanStatus and
// imageScanFindingsSummary; Quay's manifest security endpoint answers per image. "Not scanned",
// "scan pending" and "no findings" stay three different answers; a hostile answer is a
// protocol error in words.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { quayProvider, type QuayConnection } from '../../src/providers/quay';
import { isRegistryError } from '../../src/registry/errors';
import { startEcrBed, type EcrBed } from '../support/ecrBed';
import type { FakeAwsKey, FakeEcr } from '../support/fakes/ecr';
import { startFakeQuay, type FakeQuay } from '../support/fakes/quay';
import { allPages } from '../support/pages';

const KEY: FakeAwsKey = { accessKeyId: 'AKIASCANTESTKEY00001', secretAccessKey: 'scanSecretKey/abcdefghijklmnopqrstuvwxyz0' };

describe('ECR scan findings from DescribeImages', () => {
  let bed: EcrBed;
  let fake: FakeEcr;
  const digests: Record<string, string> = {};

  before(async () => {
    bed = await startEcrBed(KEY);
    fake = bed.fake;
    const registry = bed.registry;
    for (const tag of ['scanned', 'clean', 'pending', 'never', 'failed']) digests[tag] = (await registry.pusher.pushImage('app', tag, { layerBytes: [100 + tag.length] })).digest;
    fake.setScan(digests.scanned!, { status: 'COMPLETE', counts: { CRITICAL: 2, HIGH: 5, MEDIUM: 1, INFORMATIONAL: 3 } });
    fake.setScan(digests.clean!, { status: 'COMPLETE', counts: {} });
    fake.setScan(digests.pending!, { status: 'IN_PROGRESS' });
    fake.setScan(digests.failed!, { status: 'FAILED', description: 'UnsupportedImageError: The operating system is not supported' });
  });
  after(async () => bed?.stop());

  test('each image says which of five states it is in, with counts when scanned', async () => {
    const c = bed.connect('e');
    try {
      const { items } = await allPages(await c.listTags('app'));
      const scan = Object.fromEntries(items.map((t) => [t.name, t.scan]));
      assert.deepEqual(scan.scanned, { state: 'done', scanner: 'Amazon ECR', counts: { critical: 2, high: 5, medium: 1, negligible: 3 }, completedAt: '2024-06-01T12:00:00.000Z' });
      assert.deepEqual(scan.clean, { state: 'done', scanner: 'Amazon ECR', counts: {}, completedAt: '2024-06-01T12:00:00.000Z' });
      assert.deepEqual(scan.pending, { state: 'pending', scanner: 'Amazon ECR' });
      assert.deepEqual(scan.never, { state: 'notScanned', scanner: 'Amazon ECR' });
      assert.deepEqual(scan.failed, { state: 'failed', scanner: 'Amazon ECR', detail: 'UnsupportedImageError: The operating system is not supported' });
      // One DescribeImages call gave all of it: nothing per tag.
      assert.equal(fake.count('DescribeImages'), 1);
    } finally {
      await c.dispose();
    }
  });
});

describe('Quay scan results from the manifest security endpoint', () => {
  let fake: FakeQuay;
  let conn: QuayConnection;
  const digests: Record<string, string> = {};
  before(async () => {
    fake = await startFakeQuay();
    for (const tag of ['scanned', 'clean', 'queued', 'absent']) digests[tag] = (await fake.registry.pusher.pushImage('acme/app', tag, { layerBytes: [200 + tag.length] })).digest;
    await fake.sync();
    fake.setScan(digests.scanned!, { status: 'scanned', severities: ['Critical', 'High', 'High', 'Medium', 'Negligible', 'Unknown'] });
    fake.setScan(digests.clean!, { status: 'scanned', severities: [] });
    fake.setScan(digests.absent!, 'absent');
    const r = quayProvider.fromForm({ url: fake.registry.url, namespaces: 'acme', oauthToken: fake.oauthToken });
    assert.ok(r.ok);
    conn = quayProvider.connect({ id: 'q', ...r.config }, r.secrets, { apiBaseUrls: { quay: fake.apiUrl } }) as QuayConnection;
  });
  after(async () => {
    await conn?.dispose();
    await fake?.stop();
  });

  test('scanned, no findings, queued and no scanner are four different answers', async () => {
    fake.reset();
    assert.deepEqual(await conn.scanSummary('acme/app', digests.scanned!), { state: 'done', scanner: 'Quay (Clair)', counts: { critical: 1, high: 2, medium: 1, negligible: 1, unknown: 1 } });
    assert.deepEqual(await conn.scanSummary('acme/app', digests.clean!), { state: 'done', scanner: 'Quay (Clair)', counts: {} });
    assert.deepEqual(await conn.scanSummary('acme/app', digests.queued!), { state: 'pending', scanner: 'Quay (Clair)' });
    const absent = await conn.scanSummary('acme/app', digests.absent!);
    assert.equal(absent.state, 'notScanned');
    assert.match(absent.detail ?? '', /no scan of this image/);
    assert.deepEqual(
      fake.requests.map((q) => `${q.path}?${new URLSearchParams(q.query).toString()} ${q.auth}`),
      ['scanned', 'clean', 'queued', 'absent'].map((t) => `/api/v1/repository/acme/app/manifest/${digests[t]}/security?vulnerabilities=true valid`),
    );
  });

  test('a digest that is not a digest never reaches a URL', async () => {
    fake.reset();
    await assert.rejects(conn.scanSummary('acme/app', 'sha256:../../x'), (e: unknown) => isRegistryError(e, 'invalid'));
    assert.equal(fake.requests.length, 0);
  });
});

describe('a hostile scan answer', () => {
  test('a Quay answer in the wrong shape is a protocol error naming the field, never a TypeError', async () => {
    const { quayScanSummary } = await import('../../src/providers/quaySecurity');
    for (const [json, field] of [
      [{ status: 7 }, /whose status is not text/],
      [{ status: 'scanned', data: { Layer: { Features: 'x' } } }, /whose data\.Layer\.Features is not a list/],
      [null, /that is not a JSON object/],
    ] as const) {
      assert.throws(() => quayScanSummary(json, 'acme/app@sha256:1234'), (e: unknown) => isRegistryError(e, 'protocol') && field.test(e.message) && e.message.startsWith('The Quay API sent the security scan of acme/app'));
    }
  });
});
