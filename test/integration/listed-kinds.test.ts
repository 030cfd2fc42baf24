// Kinds from the listings of providers that list every fact (digest, date, size), so the tree
// reads no manifest for their rows: Harbor's artifact `type`/`media_type`, ECR's DescribeImages
// `artifactMediaType` (real AWS SDK → fake ECR API), Docker Hub's tag `content_type`. Each fake
// reports what the real registry behind it holds (a chart pushed as `helm push` does); each test
// proves the registry was not asked for a manifest.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dockerHubProvider, type DockerHubConnection } from '../../src/providers/dockerhub';
import type { HarborConnection } from '../../src/providers/harbor';
import { MediaType } from '../../src/registry/mediaTypes';
import { startRegistry, type RunningRegistry } from '../support';
import { CHART, pushChart } from '../support/artifacts';
import { startEcrBed, type EcrBed } from '../support/ecrBed';
import { startFakeDockerHub, type FakeDockerHub } from '../support/fakes/dockerhub';
import { startFakeHarbor, type FakeHarbor } from '../support/fakes/harbor';
import { connectHarbor } from '../support/harborConnection';
import { allPages } from '../support/pages';

const kinds = (items: readonly { name: string; artifact?: { kind: string; artifactType?: string } }[]) => Object.fromEntries(items.map((t) => [t.name, t.artifact ?? null]));

describe('Harbor: the artifact type names the kind', () => {
  let fake: FakeHarbor;
  let conn: HarborConnection;
  before(async () => {
    fake = await startFakeHarbor({});
    await pushChart(fake.registry.pusher, 'charts/demo');
    await fake.registry.pusher.pushImage('charts/demo', 'app');
    await fake.sync();
    conn = connectHarbor(fake);
  });
  after(async () => {
    await conn?.dispose();
    await fake?.stop();
  });

  test('a CHART artifact is a Helm chart, an IMAGE is not named; no registry request', async () => {
    const before = conn.client.stats.requests;
    const items = (await allPages(await conn.listTags('charts/demo'))).items;
    assert.deepEqual(kinds(items), { [CHART.version]: { kind: 'helm', artifactType: MediaType.helmConfig }, app: null });
    assert.equal(items.find((t) => t.name === CHART.version)!.note, undefined, 'the kind is not said again in the note');
    assert.ok(items.every((t) => t.digest && t.created && t.size !== undefined), 'every fact listed: the tree reads no manifest');
    assert.equal(conn.client.stats.requests, before, 'the registry was not asked');
    assert.deepEqual(fake.requests.map((r) => r.path), ['/api/v2.0/projects/charts/repositories/demo/artifacts']);
  });
});

describe('ECR: artifactMediaType names the kind', () => {
  let bed: EcrBed;
  before(async () => {
    bed = await startEcrBed({ accessKeyId: 'AKIALISTEDKINDS00001', secretAccessKey: 'listedKinds/abcdefghijklmnopqrstuvwxyz0' });
    await pushChart(bed.registry.pusher, 'charts/demo');
    await bed.registry.pusher.pushImage('charts/demo', 'app');
  });
  after(async () => bed?.stop());

  test('a Helm chart from DescribeImages alone; the registry sees no manifest request', async () => {
    const c = bed.connect('e');
    try {
      const items = (await allPages(await c.listTags('charts/demo'))).items;
      assert.deepEqual(kinds(items), { [CHART.version]: { kind: 'helm', artifactType: MediaType.helmConfig }, app: null });
      assert.ok(items.every((t) => t.digest && t.created && t.size !== undefined), 'every fact listed: the tree reads no manifest');
      assert.equal(bed.fake.count('DescribeImages', true), 1);
      assert.deepEqual(bed.fake.registryRequests.filter((q) => q.path.includes('/manifests/')), [], 'no manifest read through the connection');
      assert.equal(c.client.stats.requests, 0, 'the connection did not talk to the registry');
    } finally {
      await c.dispose();
    }
  });
});

describe('Docker Hub: content_type names the kind', () => {
  const USER = 'alice';
  const PAT = 'dckr_pat_Listed-Kinds-0123456789abcdef';
  let reg: RunningRegistry;
  let hub: FakeDockerHub;
  let conn: DockerHubConnection;
  before(async () => {
    reg = await startRegistry({ mode: 'token', username: USER, password: PAT, tokenServer: { service: 'registry.docker.io', anonymousPull: true } });
    await pushChart(reg.pusher, `${USER}/demo`);
    await reg.pusher.pushImage(`${USER}/demo`, 'app', { created: '2024-03-01T10:00:00Z' });
    hub = await startFakeDockerHub({ registry: reg });
    const r = dockerHubProvider.fromForm({ username: USER, password: PAT });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    conn = dockerHubProvider.connect({ id: 'hub', ...r.config }, r.secrets, { apiBaseUrls: { dockerhub: hub.apiUrl, 'dockerhub-registry': hub.registryUrl } }) as DockerHubConnection;
  });
  after(async () => {
    await conn?.dispose();
    await hub?.stop();
    await reg?.stop();
  });

  test('helm is a Helm chart, image is not named; the registry is not asked', async () => {
    hub.registryRequests.length = 0;
    const items = (await allPages(await conn.listTags(`${USER}/demo`))).items;
    assert.deepEqual(kinds(items), { [CHART.version]: { kind: 'helm' }, app: null });
    assert.deepEqual(hub.registryRequests, [], 'no registry request at all');
  });
});
