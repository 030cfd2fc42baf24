// The Google provider end to end: the real google-auth-library signs JWT assertions with a
// generated service-account key and posts them to a fake of Google's token endpoint (which
// verifies the RS256 signature, aud, scope, iss and issues short-lived access tokens); the real
// docker-registry in token mode accepts `oauth2accesstoken` + a live access token at its token
// server; a fake Artifact Registry REST API, reading that same registry, lists packages and
// versions. Listing, paging, refresh of expiring and revoked tokens, wrong keys, missing
// permissions, ADC, and that no secret reaches a message or the log.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isRegistryError } from '../../src/registry/errors';
import { connectGoogle, googleProvider, type GoogleConnection, type GoogleTuning } from '../../src/providers/google';
import type { ConnectionConfig, ConnectionSecrets, Page, ProviderContext } from '../../src/providers/provider';
import { startRegistry, type PushedImage, type RunningRegistry } from '../support';
import { startFakeArtifactRegistry, type FakeArtifactRegistry } from '../support/fakes/artifactRegistry';
import { startGoogleTokenEndpoint, type FakeGoogleToken, type ServiceAccountKeyFile } from '../support/fakes/googleToken';
import {  } from '../support/pages';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function all<T>(page: Page<T>): Promise<T[][]> {
  const pages = [page.items];
  while (page.more) {
    page = await page.more();
    pages.push(page.items);
  }
  return pages;
}

describe('Google provider against a fake token endpoint, a fake Artifact Registry API and a real registry', () => {
  let google: FakeGoogleToken;
  let reg: RunningRegistry;
  let ar: FakeArtifactRegistry;
  let sa: ServiceAccountKeyFile;
  const logs: string[] = [];
  const errors: string[] = [];
  const images: Record<string, PushedImage> = {};
  const connections: GoogleConnection[] = [];

  before(async () => {
    google = await startGoogleTokenEndpoint();
    reg = await startRegistry({ mode: 'token', tokenServer: { validate: (user, password) => user === 'oauth2accesstoken' && google.isValid(password) !== undefined } });
    ar = await startFakeArtifactRegistry({
      registry: reg,
      isValid: (t) => google.isValid(t),
      repositories: [
        { project: 'my-project', location: 'us-central1', repository: 'docker-repo' },
        { project: 'my-project', location: 'us-central1', repository: 'maven-repo', format: 'MAVEN' },
        { project: 'my-project', location: 'us-central1', repository: 'other-repo' },
      ],
    });
    sa = google.addServiceAccount({ name: 'browser', projectId: 'my-project' });
    const p = reg.pusher;
    images.v1 = await p.pushImage('my-project/docker-repo/app', 'v1', { created: '2024-03-01T10:00:00Z', layerBytes: [3000] });
    images.v2 = await p.pushImage('my-project/docker-repo/app', ['v2', 'latest'], { created: '2024-04-01T10:00:00Z', layerBytes: [5000, 700] });
    images.api = await p.pushImage('my-project/docker-repo/team/api', '1.0');
    images.web = await p.pushImage('my-project/docker-repo/web', 'stable');
    images.tool = await p.pushImage('my-project/other-repo/tool', 'x');
    images.gcrApp = await p.pushImage('gcr-project/app', '1');
    images.gcrSvc = await p.pushImage('gcr-project/team/svc', ['1', '2']);
    images.foreign = await p.pushImage('other-project/secret', '1');
  });

  after(async () => {
    for (const c of connections) await c.dispose();
    await ar?.stop();
    await reg?.stop();
    await google?.stop();
  });

  const ctx = (): ProviderContext => ({
    apiBaseUrls: { 'google-token': google.url, artifactregistry: ar.url, 'google-registry': reg.url },
    log: (m) => logs.push(m),
  });

  function connect(values: Record<string, string>, tuning: GoogleTuning = {}, key: ServiceAccountKeyFile | undefined = sa): GoogleConnection {
    const r = googleProvider.fromForm({ auth: 'key', ...(key ? { keyJson: key.json } : {}), ...values });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    const config: ConnectionConfig = { id: `c${connections.length}`, ...r.config };
    const c = connectGoogle(config, r.secrets as ConnectionSecrets, ctx(), tuning);
    connections.push(c);
    return c;
  }

  const gar = (tuning: GoogleTuning = {}, path = 'us-central1-docker.pkg.dev/my-project/docker-repo', key?: ServiceAccountKeyFile) =>
    connect({ registry: 'gar', garPath: path }, tuning, key ?? sa);
  const gcr = (tuning: GoogleTuning = {}) => connect({ registry: 'gcr', gcrHost: 'gcr.io', project: 'gcr-project' }, tuning);

  async function rejects(p: Promise<unknown>, kind: string, pattern: RegExp): Promise<void> {
    await assert.rejects(p, (e: unknown) => {
      assert.ok(isRegistryError(e), `not a RegistryError: ${String(e)}`);
      errors.push(e.message);
      assert.equal(e.kind, kind, e.message);
      assert.match(e.message, pattern);
      return true;
    });
  }

  test('Artifact Registry: images through packages.list, in exact pages, one access token', async () => {
    const c = gar({ pageSize: 2 });
    const fetchesBefore = google.requests.length;
    const arBefore = ar.requests.length;
    const pages = await all(await c.listRepositories());
    assert.deepEqual(
      pages.map((p) => p.map((r) => r.name)),
      [['my-project/docker-repo/app', 'my-project/docker-repo/team/api'], ['my-project/docker-repo/web']],
    );
    assert.ok(pages[0]![0]!.updated, 'the package update time comes along');
    const calls = ar.requests.slice(arBefore);
    assert.deepEqual(
      calls.map((r) => [r.path, r.query.pageSize, r.query.pageToken !== undefined, r.status]),
      [
        ['/v1/projects/my-project/locations/us-central1/repositories/docker-repo/packages', '2', false, 200],
        ['/v1/projects/my-project/locations/us-central1/repositories/docker-repo/packages', '2', true, 200],
      ],
    );
    assert.equal(google.requests.length - fetchesBefore, 1, 'one access token serves the whole listing');
    assert.equal(c.tokens.stats.fetches, 1);
  });

  test('Artifact Registry: tags with digest, build time and size from versions.list, paged', async () => {
    const c = gar({ pageSize: 1 });
    const before = ar.requests.length;
    const pages = await all(await c.listTags('my-project/docker-repo/app'));
    // One version (digest) per page, digests in the fake's order; tags of a digest together.
    const byDigest = [images.v1!, images.v2!].sort((a, b) => (a.digest < b.digest ? -1 : 1));
    const expected = byDigest.map((img) =>
      (img === images.v1 ? ['v1'] : ['latest', 'v2']).map((name) => ({ name, digest: img.digest, created: img.created, size: img.totalSize })),
    );
    assert.deepEqual(pages, expected);
    const calls = ar.requests.slice(before);
    assert.equal(calls.length, 2);
    assert.equal(calls[0]!.path, '/v1/projects/my-project/locations/us-central1/repositories/docker-repo/packages/app/versions');
    assert.equal(calls[0]!.query.view, 'FULL');

    // A nested image name travels as one package id with the slash escaped.
    const nested = await c.listTags('my-project/docker-repo/team/api');
    assert.deepEqual(nested.items, [{ name: '1.0', digest: images.api!.digest, created: images.api!.created, size: images.api!.totalSize }]);
    assert.equal(ar.requests.at(-1)!.path, '/v1/projects/my-project/locations/us-central1/repositories/docker-repo/packages/team%2Fapi/versions');

    // The listed digest is what the registry serves, through the same credentials.
    const head = await c.client.headManifest('my-project/docker-repo/app', 'latest');
    assert.equal(head.digest, images.v2!.digest);
  });

  test('Artifact Registry without a repository: every Docker repository of the location', async () => {
    const c = gar({ pageSize: 2 }, 'us-central1-docker.pkg.dev/my-project');
    const before = ar.requests.length;
    const pages = await all(await c.listRepositories());
    assert.deepEqual(
      pages.map((p) => p.map((r) => r.name)),
      [['my-project/docker-repo/app', 'my-project/docker-repo/team/api'], ['my-project/docker-repo/web'], ['my-project/other-repo/tool']],
    );
    const paths = ar.requests.slice(before).map((r) => r.path.replace('/v1/projects/my-project/locations/us-central1/', ''));
    // The Maven repository is skipped without listing it.
    assert.deepEqual(paths, ['repositories', 'repositories/docker-repo/packages', 'repositories/docker-repo/packages', 'repositories', 'repositories/other-repo/packages']);
    const tags = await c.listTags('my-project/other-repo/tool');
    assert.deepEqual(tags.items.map((t) => [t.name, t.digest]), [['x', images.tool!.digest]]);
  });

  test('Container Registry: the catalog filtered to the project, starting at the project, in exact pages', async () => {
    const c = gcr({ pageSize: 1 });
    const pages = await all(await c.listRepositories());
    // In byte order the project's names come together: the walk stops at the first name past them.
    assert.deepEqual(
      pages.map((p) => p.map((r) => r.name)),
      [['gcr-project/app'], ['gcr-project/team/svc'], []],
    );
    const tags = await c.listTags('gcr-project/team/svc');
    assert.deepEqual(tags.items.map((t) => t.name).sort(), ['1', '2']);
    assert.equal(tags.more, undefined);
    const details = await c.client.imageDetails('gcr-project/app', '1');
    assert.equal(details.digest, images.gcrApp!.digest);
    assert.equal(c.tokens.stats.fetches, 1);
  });

  test('an access token that expires mid-listing is renewed before the next call: no refused request anywhere', async () => {
    google.setExpiresIn(3);
    try {
      const c = gar({ pageSize: 2 });
      const r = gcr({ pageSize: 1 });
      const tokenServer = reg.tokenServer!;
      const arBefore = ar.requests.length;
      const tsBefore = tokenServer.requests.length;
      const page1 = await c.listRepositories();
      const catalog1 = await r.listRepositories();
      const first = google.issued().slice(-2);
      assert.equal(page1.items.length, 2);
      await sleep(3300);
      assert.ok(first.every((t) => google.isValid(t) === undefined), 'the first tokens have expired');
      // Next API page, next catalog page and a registry token for a new scope: all with new tokens.
      const page2 = await page1.more!();
      assert.deepEqual(page2.items.map((i) => i.name), ['my-project/docker-repo/web']);
      const catalog2 = await catalog1.more!();
      assert.deepEqual(catalog2.items.map((i) => i.name), ['gcr-project/team/svc']);
      const tags = await r.listTags('gcr-project/app');
      assert.deepEqual(tags.items.map((t) => t.name), ['1']);
      assert.equal(c.tokens.stats.fetches, 2, 'the API connection renewed once');
      assert.equal(r.tokens.stats.fetches, 2, 'the registry connection renewed once');
      assert.deepEqual(ar.requests.slice(arBefore).map((q) => q.status), [200, 200], 'the API never saw an expired token');
      assert.ok(tokenServer.requests.length - tsBefore >= 2);
      assert.deepEqual(
        tokenServer.requests.slice(tsBefore).map((q) => [q.user, q.status]),
        tokenServer.requests.slice(tsBefore).map(() => ['oauth2accesstoken', 200]),
        'the registry token server never saw an expired token',
      );
      assert.ok(logs.some((l) => /new access token for service account browser@my-project\.iam\.gserviceaccount\.com \(the current one expires in \d+ s\)/.test(l)), logs.join('\n'));
    } finally {
      google.setExpiresIn(3599);
    }
  });

  test('a revoked access token: one refused call, one new token, the call succeeds (API and registry)', async () => {
    const c = gar({ pageSize: 1000 });
    const r = gcr();
    await c.listRepositories();
    await r.listTags('gcr-project/app');
    google.revokeAll();
    const arBefore = ar.requests.length;
    const tags = await c.listTags('my-project/docker-repo/web');
    assert.deepEqual(tags.items.map((t) => t.name), ['stable']);
    assert.deepEqual(ar.requests.slice(arBefore).map((q) => q.status), [401, 200]);
    assert.equal(c.tokens.stats.fetches, 2);

    google.revokeAll();
    const ts = reg.tokenServer!;
    const tsBefore = ts.requests.length;
    const svc = await r.listTags('gcr-project/team/svc');
    assert.deepEqual(svc.items.map((t) => t.name).sort(), ['1', '2']);
    assert.deepEqual(ts.requests.slice(tsBefore).map((q) => q.status), [401, 200]);
    assert.equal(r.tokens.stats.fetches, 2);
  });

  test('a key Google does not know (deleted): unauthorized, saying so, quoting nothing of the key', async () => {
    const deleted = google.foreignKey(sa.email);
    const c = gar({}, undefined, deleted);
    await rejects(c.listRepositories(), 'unauthorized', /Google rejected the key [0-9a-f]{8}… of service account browser@my-project\.iam\.gserviceaccount\.com \(invalid_grant: Invalid JWT Signature\.\)\. .*Create a new JSON key/);
    const stranger = google.foreignKey('ghost@my-project.iam.gserviceaccount.com');
    const c2 = connect({ registry: 'gcr', gcrHost: 'eu.gcr.io', project: 'gcr-project' }, {}, stranger);
    await rejects(c2.listRepositories(), 'unauthorized', /Google does not know service account ghost@my-project\.iam\.gserviceaccount\.com/);
    const steps = await c.test();
    assert.deepEqual(steps.map((s) => s.ok), [false]);
    assert.match(steps[0]!.detail!, /Google rejected the key/);
    for (const key of [deleted, stranger]) {
      const body = key.privateKeyPem.split('\n')[5]!;
      assert.ok(errors.every((m) => !m.includes(body) && !m.includes('BEGIN PRIVATE KEY')));
    }
  });

  test('missing permission on the repository: forbidden, naming the permission and the role to grant', async () => {
    const limited = google.addServiceAccount({ name: 'limited', projectId: 'my-project' });
    ar.setAllow((email) => email !== limited.email);
    try {
      const c = gar({}, undefined, limited);
      await rejects(
        c.listRepositories(),
        'forbidden',
        /^Service account limited@my-project\.iam\.gserviceaccount\.com may not read repository docker-repo in my-project \(us-central1\) \(PERMISSION_DENIED, IAM_PERMISSION_DENIED\): it lacks artifactregistry\.packages\.list\. Grant it the Artifact Registry Reader role \(roles\/artifactregistry\.reader\)/,
      );
      const missing = gar({}, 'us-central1-docker.pkg.dev/my-project/no-such-repo');
      await rejects(missing.listRepositories(), 'notFound', /^Repository no-such-repo in my-project \(us-central1\) was not found \(NOT_FOUND\)/);
    } finally {
      ar.setAllow(undefined);
    }
  });

  test('Test connection: token, repository, registry, listing and a digest read', async () => {
    const steps = await gar().test();
    assert.deepEqual(
      steps.map((s) => [s.label, s.ok]),
      [
        ['Signed in to Google as service account browser@my-project.iam.gserviceaccount.com', true],
        ['Found repository docker-repo in my-project (us-central1)', true],
        [`Reached ${new URL(reg.url).host}`, true],
        ['Listed 3 images in us-central1-docker.pkg.dev/my-project/docker-repo', true],
        ['Read my-project/docker-repo/app:latest from the registry', true],
      ],
    );
    const maven = await gar({}, 'us-central1-docker.pkg.dev/my-project/maven-repo').test();
    assert.equal(maven.at(-1)!.ok, false);
    assert.match(maven.at(-1)!.detail!, /holds MAVEN packages, not Docker images/);
  });

  test('application default credentials from GOOGLE_APPLICATION_CREDENTIALS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'regx-adc-'));
    const saved = process.env.GOOGLE_APPLICATION_CREDENTIALS;
    try {
      const adcKey = google.addServiceAccount({ name: 'adc-user', projectId: 'my-project' });
      const file = join(dir, 'key.json');
      writeFileSync(file, adcKey.json);
      process.env.GOOGLE_APPLICATION_CREDENTIALS = file;
      const c = connect({ registry: 'gcr', gcrHost: 'gcr.io', project: 'gcr-project', auth: 'adc' }, {}, undefined);
      assert.equal(c.config.options?.auth, 'adc');
      const pages = await all(await c.listRepositories());
      assert.deepEqual(pages.flat().map((r) => r.name), ['gcr-project/app', 'gcr-project/team/svc']);
      assert.equal(google.requests.at(-1)!.email, adcKey.email);
      assert.equal(c.tokens.account, 'service account adc-user@my-project.iam.gserviceaccount.com (application default credentials)');
    } finally {
      if (saved === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
      else process.env.GOOGLE_APPLICATION_CREDENTIALS = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('no access token, key or assertion in any log line or error message', () => {
    assert.ok(logs.length > 10);
    const issued = google.issued();
    assert.ok(issued.length >= 8);
    const text = [...logs, ...errors].join('\n');
    for (const t of issued) assert.ok(!text.includes(t) && !text.includes(t.slice(8, 40)), 'an access token leaked');
    assert.ok(!text.includes('PRIVATE KEY') && !text.includes(sa.privateKeyPem.split('\n')[3]!), 'key material leaked');
    assert.ok(!/eyJ[A-Za-z0-9_-]{10,}/.test(text), 'a JWT leaked');
    assert.ok(!/pageToken/.test(text), 'page tokens stay out of the log');
  });
});
