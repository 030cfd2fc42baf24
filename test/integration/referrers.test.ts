// What is behind a tag, against the real registry: artifact kinds from imageDetails, referrers
// through the fallback tag schema on the bare registry (distribution 2.8 has no referrers API),
// through the OCI 1.1 API on a front that answers it from the registry's own manifests,
// BuildKit attestations inside an index, payloads decoded, and hostile referrers answers.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RegistryClient } from '../../src/registry/client';
import { readBundle } from '../../src/registry/cnab';
import { isRegistryError } from '../../src/registry/errors';
import { readReferrerPayload } from '../../src/registry/referrerPayload';
import { MAX_REFERRERS, badgesOf, fallbackSubject, findReferrers, referrersApi } from '../../src/registry/referrers';
import { startHostile, startRegistry, type HostileServer, type RunningRegistry } from '../support';
import { ARTIFACT_MT, BUNDLE, CHART, PROVENANCE, seedArtifacts, type SeededArtifacts } from '../support/artifacts';
import { startReferrersFront, type ReferrersFront } from '../support/referrersFront';

describe('artifacts and referrers on the real registry', () => {
  let reg: RunningRegistry;
  let seeded: SeededArtifacts;
  let attested: Awaited<ReturnType<RunningRegistry['pusher']['pushIndex']>>;
  let bare: RegistryClient;
  let front: ReferrersFront;
  let viaFront: RegistryClient;
  const bareUrls: string[] = [];

  before(async () => {
    reg = await startRegistry({ mode: 'plain' });
    seeded = await seedArtifacts(reg.pusher);
    attested = await reg.pusher.pushIndex('multi/attested', 'latest', [{ os: 'linux', arch: 'amd64' }, { os: 'linux', arch: 'arm64', variant: 'v8' }], { format: 'oci', attestation: true });
    bare = new RegistryClient({ url: reg.url, onRequest: (m, u, s) => bareUrls.push(`${m} ${u.pathname} ${s}`) });
    front = await startReferrersFront(reg);
    viaFront = new RegistryClient({ url: front.url });
  });
  after(async () => {
    await bare?.close();
    await viaFront?.close();
    await front?.stop();
    await reg?.stop();
  });

  test('each tag knows its kind from what details fetch anyway; a chart its Chart.yaml facts', async () => {
    const chart = await bare.imageDetails('charts/demo', CHART.version);
    assert.equal(chart.artifact?.kind, 'helm');
    assert.deepEqual(chart.chart, { name: CHART.name, version: CHART.version, appVersion: CHART.appVersion, description: CHART.description, type: 'application' });
    assert.equal(chart.created, undefined);
    const bundle = await bare.imageDetails('bundles/hello', 'v0.1.0');
    assert.equal(bundle.artifact?.kind, 'cnab');
    assert.equal(bundle.artifact?.artifactType, ARTIFACT_MT.cnabManifest);
    assert.equal((await bare.imageDetails('wasm/hello', '0.1')).artifact?.kind, 'wasm');
    const image = await bare.imageDetails('signed/app', '1.0');
    assert.equal(image.artifact, undefined, 'a plain image carries no artifact facts');
    assert.ok(image.created, 'an image still reads its config');
    const index = await bare.imageDetails('multi/attested', 'latest');
    assert.deepEqual(index.attestations, [{ digest: attested.attestationDigest, subject: attested.children[0]!.digest }]);
  });

  test('a CNAB bundle: its bundle.json through the index entry cnab-to-oci marks as config', async () => {
    const b = await readBundle(bare, 'bundles/hello', 'v0.1.0');
    assert.equal(b.name, BUNDLE.name);
    assert.equal(b.version, BUNDLE.version);
    assert.deepEqual(b.parameters, BUNDLE.parameters);
    assert.deepEqual(b.credentials, BUNDLE.credentials);
    assert.deepEqual(b.outputs, BUNDLE.outputs);
    await assert.rejects(readBundle(bare, 'charts/demo', CHART.version), (e: unknown) => isRegistryError(e, 'invalid') && /is not a CNAB bundle/.test(e.message));
  });

  test('bare registry: the API answers 404, so cosign tags and the fallback index are read', async () => {
    const tags = new Set(await bare.listTags('signed/app'));
    const digest = seeded.signed.image.digest;
    assert.ok(tags.has(seeded.signed.signatureTag) && tags.has(seeded.signed.fallbackIndexTag));
    assert.equal(fallbackSubject(seeded.signed.signatureTag), digest);
    bareUrls.length = 0;
    const r = await findReferrers(bare, 'signed/app', digest, { hasTag: (t) => tags.has(t) });
    assert.equal(r.api, false);
    const byKind = Object.fromEntries(r.items.map((i) => [i.kind, i]));
    assert.deepEqual(Object.keys(byKind).sort(), ['attestation', 'sbom', 'signature']);
    assert.equal(byKind.signature!.tag, seeded.signed.signatureTag);
    assert.deepEqual(byKind.attestation!.predicateTypes, [PROVENANCE]);
    assert.equal(byKind.sbom!.digest, seeded.signed.sbomDigest);
    assert.equal(byKind.sbom!.source, 'tag');
    assert.deepEqual(badgesOf(r.items), { signed: true, sbom: true, provenance: true });
    assert.ok(bareUrls.some((u) => u.startsWith(`GET /v2/signed/app/referrers/${digest} 404`)), 'asked the API first');
    // The listing said `.sbom` is not there: no request for it.
    assert.ok(!bareUrls.some((u) => u.includes('.sbom')));
  });

  test('bare registry: an image signed only through referrers shows nothing, and says the API is missing', async () => {
    const tags = new Set(await bare.listTags('signed/app'));
    const r = await findReferrers(bare, 'signed/app', seeded.notation.image.digest, { hasTag: (t) => tags.has(t) });
    assert.deepEqual(r, { items: [], api: false });
  });

  test('through the referrers API: the Notation signature is found, the fallback index tag is not read', async () => {
    const r = await findReferrers(viaFront, 'signed/app', seeded.notation.image.digest);
    assert.equal(r.api, true);
    assert.deepEqual(r.items.map((i) => [i.kind, i.digest, i.source, i.artifactType]), [['signature', seeded.notation.signatureDigest, 'api', ARTIFACT_MT.notation]]);
    front.requests.length = 0;
    const tags = new Set(await viaFront.listTags('signed/app'));
    const one = await findReferrers(viaFront, 'signed/app', seeded.signed.image.digest, { hasTag: (t) => tags.has(t) });
    const sbom = one.items.find((i) => i.kind === 'sbom');
    assert.equal(sbom?.source, 'api');
    assert.equal(sbom?.created, '2024-02-01T00:00:00Z');
    assert.deepEqual(one.items.map((i) => i.kind).sort(), ['attestation', 'sbom', 'signature']);
    assert.ok(!front.requests.some((u) => u.endsWith(`/manifests/${seeded.signed.fallbackIndexTag}`)), 'the API answered, the fallback index is not needed');
  });

  test('the artifactType filter: applied by the server, or here when it ignores it', async () => {
    const filtered = await referrersApi(viaFront, 'signed/app', seeded.signed.image.digest, { artifactType: ARTIFACT_MT.notation });
    assert.deepEqual(filtered, { items: [], notShown: 0 });
    const spdx = await referrersApi(viaFront, 'signed/app', seeded.signed.image.digest, { artifactType: ARTIFACT_MT.spdx });
    assert.equal(spdx?.items.length, 1);
  });

  test('BuildKit attestations inside an index are referrers of the image they describe', async () => {
    const d = await bare.imageDetails('multi/attested', 'latest');
    const r = await findReferrers(bare, 'multi/attested', d.digest, { attestations: d.attestations, hasTag: () => false });
    assert.deepEqual(r.items.map((i) => [i.kind, i.source, i.digest]), [['attestation', 'index', attested.attestationDigest]]);
    assert.deepEqual(badgesOf(r.items), { signed: false, sbom: false, provenance: true });
  });

  test('payloads: an attestation is its DSSE envelope decoded, an SBOM its document', async () => {
    const att = await readReferrerPayload(bare, 'signed/app', seeded.signed.attestationTag);
    assert.equal(att.kind, 'attestation');
    assert.deepEqual(att.layers[0]!.envelope, { payloadType: 'application/vnd.in-toto+json', signatures: 1, predicateType: PROVENANCE });
    const statement = att.layers[0]!.content as { predicateType: string; subject: { digest: { sha256: string } }[] };
    assert.equal(statement.predicateType, PROVENANCE);
    assert.equal(`sha256:${statement.subject[0]!.digest.sha256}`, seeded.signed.image.digest);
    const sbom = await readReferrerPayload(bare, 'signed/app', seeded.signed.sbomDigest);
    assert.equal(sbom.kind, 'sbom');
    assert.equal(sbom.subject, seeded.signed.image.digest);
    assert.equal((sbom.layers[0]!.content as { spdxVersion: string }).spdxVersion, 'SPDX-2.3');
    const sig = await readReferrerPayload(bare, 'signed/app', seeded.signed.signatureTag);
    assert.equal((sig.layers[0]!.content as { critical: { image: Record<string, string> } }).critical.image['docker-manifest-digest'], seeded.signed.image.digest);
  });
});

describe('a hostile referrers API', () => {
  const D = `sha256:${'d'.repeat(64)}`;
  let hostile: HostileServer;
  let client: RegistryClient;
  let mode: 'garbage' | 'endless' | 'huge';
  before(async () => {
    hostile = await startHostile((req, res) => {
      if (req.url === '/v2/') return res.writeHead(200).end('{}');
      if (mode === 'garbage') return res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json' }).end(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'x', digest: 'sha256:../../etc', size: 1 }] }));
      if (mode === 'huge') return res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json' }).end(JSON.stringify({ schemaVersion: 2, manifests: Array.from({ length: MAX_REFERRERS * 3 }, () => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D, size: 1, artifactType: 'application/spdx+json' })) }));
      // A fresh next link on every page.
      const n = Number(new URL(req.url ?? '/', hostile.url).searchParams.get('page') ?? 0);
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json', link: `</v2/x/referrers/${D}?page=${n + 1}>; rel="next"` });
      res.end(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D, size: 1 }] }));
    });
    client = new RegistryClient({ url: hostile.url });
  });
  after(async () => {
    await client?.close();
    await hostile?.stop();
  });

  test('a descriptor whose digest is not a digest is a protocol error naming the field, not the value', async () => {
    mode = 'garbage';
    await assert.rejects(referrersApi(client, 'x', D), (e: unknown) => isRegistryError(e, 'protocol') && /manifests\[0\]\.digest is not a digest/.test(e.message) && !e.message.includes('etc'));
  });

  test('a Link on every page stops after 10 pages', async () => {
    mode = 'endless';
    hostile.requests.length = 0;
    const r = await referrersApi(client, 'x', D);
    assert.equal(r?.items.length, 10);
    assert.equal(hostile.requests.filter((q) => q.url.includes('/referrers/')).length, 10);
  });

  test('hundreds of referrers: the first 100 kept, the rest counted as not shown', async () => {
    mode = 'huge';
    const r = await referrersApi(client, 'x', D);
    assert.equal(r?.items.length, MAX_REFERRERS);
    assert.equal(r?.notShown, MAX_REFERRERS * 2);
  });
});
