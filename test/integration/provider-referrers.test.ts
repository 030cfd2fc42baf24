// The providers' own, cheaper sources of referrers: Harbor's accessories come with the artifact
// listing (no request of their own), ECR's ListImageReferrers (real AWS SDK → fake ECR API,
// answered from the real registry's manifests with a `subject`). With a provider list, the
// registry's referrers API is not asked.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HarborConnection } from '../../src/providers/harbor';
import { findReferrers } from '../../src/registry/referrers';
import { ARTIFACT_MT, pushNotationSigned } from '../support/artifacts';
import { startEcrBed, type EcrBed } from '../support/ecrBed';
import type { FakeAwsKey, FakeEcr } from '../support/fakes/ecr';
import { startFakeHarbor, type FakeHarbor } from '../support/fakes/harbor';
import { connectHarbor } from '../support/harborConnection';
import { allPages } from '../support/pages';

const KEY: FakeAwsKey = { accessKeyId: 'AKIAREFERRERSKEY0001', secretAccessKey: 'referrersSecret/abcdefghijklmnopqrstuvwx' };

describe('Harbor accessories as referrers', () => {
  let fake: FakeHarbor;
  let conn: HarborConnection;
  before(async () => {
    fake = await startFakeHarbor({ accessories: { 'acme/web': ['signature.cosign', 'harbor.sbom'] } });
    await fake.registry.pusher.pushImage('acme/web', '1.0');
    await fake.registry.pusher.pushImage('acme/plain', '1.0');
    await fake.sync();
    conn = connectHarbor(fake);
  });
  after(async () => {
    await conn?.dispose();
    await fake?.stop();
  });

  test('the listing brings them: the referrers lookup asks neither Harbor nor the registry again', async () => {
    const tags = (await allPages(await conn.listTags('acme/web'))).items;
    const digest = tags[0]!.digest!;
    assert.equal(await conn.referrers('acme/web', 'sha256:' + 'f'.repeat(64)), undefined, 'an image not listed is not known here');
    fake.reset();
    const before = conn.client.stats.requests;
    const r = await findReferrers(conn.client, 'acme/web', digest, { provider: () => conn.referrers('acme/web', digest), hasTag: () => false });
    assert.deepEqual(r.items.map((i) => [i.kind, i.artifactType, i.source]), [
      ['signature', 'signature.cosign', 'provider'],
      ['sbom', 'harbor.sbom', 'provider'],
    ]);
    assert.equal(fake.requests.length, 0, 'no Harbor API call');
    assert.equal(conn.client.stats.requests, before, 'no registry request');
    const plain = (await allPages(await conn.listTags('acme/plain'))).items[0]!.digest!;
    assert.deepEqual(await conn.referrers('acme/plain', plain), [], 'listed without accessories: none, said by Harbor');
  });
});

describe('ECR ListImageReferrers', () => {
  let bed: EcrBed;
  let fake: FakeEcr;
  before(async () => {
    bed = await startEcrBed(KEY);
    fake = bed.fake;
  });
  after(async () => bed?.stop());

  test('one API call lists the Notation signature; the registry is not asked for referrers', async () => {
    const signed = await pushNotationSigned(bed.registry.pusher, 'app', '2.0');
    const c = bed.connect('e');
    try {
      const found = await findReferrers(c.client, 'app', signed.image.digest, { provider: () => c.referrers('app', signed.image.digest), hasTag: () => false });
      assert.deepEqual(found.items.map((i) => [i.kind, i.digest, i.artifactType, i.source]), [['signature', signed.signatureDigest, ARTIFACT_MT.notation, 'provider']]);
      assert.equal(fake.count('ListImageReferrers', true), 1);
      assert.ok(!fake.registryRequests.some((q) => q.path.includes('/referrers/')), 'the registry was not asked');
      assert.deepEqual(fake.calls.find((x) => x.op === 'ListImageReferrers')?.input, { repositoryName: 'app', subjectId: { imageDigest: signed.image.digest } });
    } finally {
      await c.dispose();
    }
  });

  test('a principal without ecr:ListImageReferrers gets an error in words (the tree then asks the registry)', async () => {
    fake.setDeny(['ListImageReferrers']);
    const c = bed.connect('e2');
    try {
      await assert.rejects(c.referrers('app', `sha256:${'a'.repeat(64)}`), (e: unknown) => e instanceof Error && /ListImageReferrers/.test(e.message) && !e.message.includes(KEY.secretAccessKey));
    } finally {
      fake.setDeny([]);
      await c.dispose();
    }
  });
});
