// The Docker Hub provider against a fake Hub API (login JWTs, DRF pages, tags with dates,
// sizes and digests) in front of a real token-mode docker-registry whose pull-limit proxy adds
// Docker Hub's ratelimit headers. Asserts exact pages, API call counts, session renewal before
// and after expiry without a failed user-visible call, and that no secret reaches an error or
// a log line.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DockerHubConnection, dockerHubProvider } from '../../src/providers/dockerhub';
import type { ConnectionConfig, Page, ProviderContext } from '../../src/providers/provider';
import { RegistryError } from '../../src/registry/errors';
import { startRegistry, type RunningRegistry } from '../support';
import { startFakeDockerHub, type FakeDockerHub } from '../support/fakes/dockerhub';

const USER = 'alice';
const PAT = 'dckr_pat_Alice-Secret-0123456789abcdef';
const ORG = 'acme';
const ORG_REPOS = Array.from({ length: 130 }, (_, i) => `${ORG}/svc-${String(i).padStart(3, '0')}`);
const MANY_TAGS = 250;

describe('Docker Hub provider (fake Hub API + real registry)', () => {
  let reg: RunningRegistry;
  let hub: FakeDockerHub;
  const logs: string[] = [];
  const secrets: string[] = [PAT, Buffer.from(`${USER}:${PAT}`).toString('base64')];
  const open: DockerHubConnection[] = [];

  const ctx = (): ProviderContext => ({ apiBaseUrls: { dockerhub: hub.apiUrl, 'dockerhub-registry': hub.registryUrl }, log: (m) => logs.push(m) });
  function connect(values: Record<string, string>, secretsOverride?: Record<string, string>): DockerHubConnection {
    const r = dockerHubProvider.fromForm(values);
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    const config: ConnectionConfig = { id: `hub-${open.length}`, ...r.config };
    const c = dockerHubProvider.connect(config, secretsOverride ?? r.secrets, ctx()) as DockerHubConnection;
    open.push(c);
    return c;
  }
  const signedIn = (): DockerHubConnection => connect({ username: USER, password: PAT, namespaces: ORG });

  function noSecret(text: string): void {
    for (const s of secrets) assert.ok(!text.includes(s), `a secret leaked into: ${text.slice(0, 200)}`);
  }
  const errorText = (e: unknown): string => `${String(e)} ${(e as Error).stack ?? ''} ${JSON.stringify(e)}`;

  async function all<T>(first: Page<T>): Promise<T[][]> {
    const pages = [first.items];
    let p = first;
    while (p.more) {
      p = await p.more();
      pages.push(p.items);
    }
    return pages;
  }

  before(async () => {
    reg = await startRegistry({ mode: 'token', username: USER, password: PAT, tokenServer: { service: 'registry.docker.io', anonymousPull: true } });
    const p = reg.pusher;
    await Promise.all([
      p.pushImage(`${USER}/app`, ['1.0', 'latest'], { created: '2024-03-01T10:00:00Z', layerBytes: [3000, 700] }),
      p.pushImage(`${USER}/tools`, 'edge', { created: '2024-04-01T10:00:00Z', layerBytes: [1000] }),
      p.pushManyTags(`${USER}/many`, MANY_TAGS),
      p.pushImage('library/nginx', ['1.25', 'latest'], { created: '2024-02-14T18:00:00Z', layerBytes: [7000, 3000, 500] }),
      p.pushImage('library/alpine', '3.19', { created: '2024-01-26T23:44:44Z', layerBytes: [3400] }),
      p.pushImage('other/secret-app', '1', { created: '2024-01-01T00:00:00Z' }),
      p.pushManyRepos(ORG_REPOS),
    ]);
    hub = await startFakeDockerHub({
      registry: reg,
      twoFactorPasswords: { carol: 'carols-account-password' },
      organizations: { [ORG]: [USER] },
      privateRepositories: ['other/secret-app'],
    });
  });

  after(async () => {
    for (const c of open) await c.dispose();
    await hub?.stop();
    await reg?.stop();
    // Every log line any test produced, once more, as a whole.
    noSecret(logs.join('\n'));
  });

  test('repositories of the user and the chosen organization, in exact pages, one sign-in', async () => {
    hub.reset();
    const c = signedIn();
    const first = await c.listRepositories();
    assert.deepEqual(
      first.items.map((r) => r.name),
      [`${USER}/app`, `${USER}/many`, `${USER}/tools`, ...ORG_REPOS.slice(0, 100)],
      'the user’s 3 repositories, then the first Hub page of the organization, in one tree page',
    );
    assert.equal(first.items[0]!.updated, '2024-03-01T10:00:00.000000Z');
    assert.ok(first.more);
    const second = await first.more();
    assert.deepEqual(
      second.items.map((r) => r.name),
      ORG_REPOS.slice(100),
    );
    assert.equal(second.more, undefined);
    assert.equal(await first.more(), second, 'a second click on Load more gets the same page');
    assert.deepEqual(hub.logins, [{ username: USER, ok: true }]);
    assert.deepEqual(
      hub.requests.filter((r) => r.method === 'GET').map((r) => `${r.path}${r.query}`),
      [`/v2/repositories/${USER}/?page_size=100`, `/v2/repositories/${ORG}/?page_size=100`, `/v2/repositories/${ORG}/?page_size=100&page=2`],
    );
    assert.ok(hub.requests.every((r) => r.method === 'POST' || r.auth === 'valid'));
    assert.equal(c.stats.logins, 1);
  });

  test('tags with date, size and digest from the Hub API, paged by 100, no manifest fetched', async () => {
    const c = signedIn();
    hub.reset();
    const pages = await all(await c.listTags(`${USER}/many`));
    assert.deepEqual(
      pages.map((p) => p.length),
      [100, 100, 50],
    );
    const want = hub.repositories.get(`${USER}/many`)!;
    assert.deepEqual(
      pages.flat().map((t) => t.name),
      want.map((t) => t.tag),
    );
    const app = (await c.listTags(`${USER}/app`)).items;
    const facts = hub.repositories.get(`${USER}/app`)!;
    assert.deepEqual(
      app,
      facts.map((t) => ({ name: t.tag, digest: t.digest, created: '2024-03-01T10:00:00.000000Z', size: t.size })),
    );
    assert.ok(app[0]!.size! > 3700, 'config + layers');
    assert.deepEqual(hub.registryRequests, [], 'listing never touches the registry');
    assert.equal(hub.requests.filter((r) => r.path.endsWith('/tags')).length, 4);
    assert.ok(hub.requests.filter((r) => r.path.endsWith('/tags')).every((r) => /ordering=last_updated/.test(r.query) && /page_size=100/.test(r.query)));
  });

  test('library/ normalization: nginx is library/nginx for the Hub API and the registry; HEAD for digests shows the pull limit', async () => {
    const c = signedIn();
    hub.reset();
    const tags = (await c.listTags('nginx')).items;
    assert.deepEqual(tags.map((t) => t.name).sort(), ['1.25', 'latest']);
    assert.equal(hub.requests.at(-1)!.path, '/v2/repositories/library/nginx/tags');
    const before = hub.pullsRemaining;
    const head = await c.client.headManifest('nginx', '1.25');
    assert.equal(head.digest, tags.find((t) => t.name === '1.25')!.digest);
    assert.deepEqual(
      hub.registryRequests.map((r) => `${r.method} ${r.path} ${r.status}`).filter((r) => r.includes('manifests')),
      ['HEAD /v2/library/nginx/manifests/1.25 401', 'HEAD /v2/library/nginx/manifests/1.25 200'],
      'the probe, then the authenticated HEAD: never a GET',
    );
    assert.equal(hub.pullsRemaining, before, 'HEAD does not count as a pull');
    assert.equal(c.rateLimit?.remaining, before);
    assert.equal(c.rateLimit?.limit, 100);
    assert.equal(c.rateLimit?.windowSeconds, 21600);
    assert.ok(logs.some((l) => l.includes(`Docker Hub pull limit: ${before} of 100 pulls left per 6 h`)));
    await c.client.getManifest('library/nginx', 'latest');
    assert.equal(c.rateLimit?.remaining, before - 1, 'a GET is a pull, and the count follows');
  });

  test('a session JWT that runs out is renewed before the next call: no 401 reaches anyone', async () => {
    hub.setSessionSeconds(2);
    try {
      const c = signedIn();
      hub.reset();
      const first = await c.listTags(`${USER}/many`);
      assert.equal(first.items.length, 100);
      await new Promise((r) => setTimeout(r, 2200));
      const second = await first.more!();
      assert.equal(second.items.length, 100);
      assert.deepEqual(
        hub.logins.map((l) => l.ok),
        [true, true],
        'signed in again before the expired JWT was sent',
      );
      assert.deepEqual(
        hub.requests.map((r) => r.status),
        [200, 200, 200, 200],
      );
      assert.ok(hub.requests.every((r) => r.auth !== 'expired'));
    } finally {
      hub.setSessionSeconds(600);
    }
  });

  for (const [skew, words] of [
    [7200, 'ahead of ours'],
    [-7200, 'behind ours'],
  ] as const) {
    test(`the Hub's clock 2 h ${words}: one sign-in serves many calls (the session is timed by our clock)`, async () => {
      hub.setClockSkew(skew);
      try {
        const c = signedIn();
        hub.reset();
        for (let i = 0; i < 4; i++) {
          await c.listRepositories();
          await c.listTags(`${USER}/app`);
        }
        assert.deepEqual(
          hub.logins.map((l) => l.ok),
          [true],
          'one sign-in for eight calls',
        );
        assert.ok(
          hub.requests.filter((r) => r.method === 'GET').every((r) => r.status === 200 && r.auth === 'valid'),
          'every call carried a session the Hub accepted',
        );
      } finally {
        hub.setClockSkew(0);
      }
    });
  }

  test('a session revoked mid-listing: one 401, a new sign-in, the same call succeeds', async () => {
    const c = signedIn();
    const first = await c.listTags(`${USER}/many`);
    hub.reset();
    hub.revokeSessions();
    const second = await first.more!();
    assert.equal(second.items.length, 100);
    assert.deepEqual(
      hub.requests.map((r) => `${r.method} ${r.status} ${r.auth}`),
      ['GET 401 revoked', 'POST 200 none', 'GET 200 valid'],
    );
    assert.equal(c.stats.logins, 2);
  });

  test('the registry’s bearer token expiring mid-way is fetched again without a failed call', async () => {
    const c = signedIn();
    await c.client.headManifest(`${USER}/app`, '1.0');
    reg.tokenServer!.reset();
    reg.tokenServer!.issueExpired(1);
    // A new scope: its first token is issued expired; the registry rejects it; the client asks
    // the provider for fresh credentials, fetches another token and retries once.
    const head = await c.client.headManifest(`${USER}/tools`, 'edge');
    assert.match(head.digest, /^sha256:/);
    assert.deepEqual(
      reg.tokenServer!.requests.map((r) => `${r.user} ${r.scopes.join(' ')} ${r.status}`),
      [`${USER} repository:${USER}/tools:pull 200`, `${USER} repository:${USER}/tools:pull 200`],
    );
  });

  test('a wrong access token: unauthorized, naming the Docker ID and what to do, never the token', async () => {
    const wrong = 'dckr_pat_WRONG-wrong-wrong-0000';
    secrets.push(wrong);
    const c = connect({ username: USER, password: wrong, namespaces: ORG });
    hub.reset();
    await assert.rejects(c.listRepositories(), (e: unknown) => {
      assert.ok(e instanceof RegistryError);
      assert.equal(e.kind, 'unauthorized');
      assert.equal(e.action, 'reconnect');
      assert.match(e.message, /Docker Hub rejected the Docker ID or access token for “alice” \(Incorrect authentication credentials\)/);
      assert.match(e.message, /Edit the connection/);
      noSecret(errorText(e));
      assert.ok(!errorText(e).includes(wrong));
      return true;
    });
    assert.deepEqual(hub.logins, [{ username: USER, ok: false }]);
    assert.equal(hub.requests.filter((r) => r.method === 'GET').length, 0, 'nothing listed with a failed sign-in');
    const steps = await c.test();
    assert.equal(steps.length, 1);
    assert.equal(steps[0]!.ok, false);
    assert.ok(!JSON.stringify(steps).includes(wrong));
  });

  test('an account password with two-factor authentication on: asks for an access token instead', async () => {
    secrets.push('carols-account-password');
    const c = connect({ username: 'carol', password: 'carols-account-password', namespaces: 'library' });
    await assert.rejects(c.listRepositories(), (e: unknown) => e instanceof RegistryError && e.kind === 'unauthorized' && /two-factor/.test(e.message) && /personal access token/.test(e.message) && !errorText(e).includes('carols-account-password'));
  });

  test('anonymous: lists a public namespace without signing in; private repositories stay hidden', async () => {
    const c = connect({ username: '', password: '', namespaces: 'library\nother' });
    hub.reset();
    const repos = await c.listRepositories();
    assert.deepEqual(
      repos.items.map((r) => r.name),
      ['library/alpine', 'library/nginx'],
    );
    assert.equal(repos.more, undefined);
    const tags = await c.listTags('alpine');
    assert.deepEqual(
      tags.items.map((t) => t.name),
      ['3.19'],
    );
    await assert.rejects(c.listTags('other/secret-app'), (e: unknown) => e instanceof RegistryError && e.kind === 'notFound' && /private: sign in/.test(e.message));
    assert.deepEqual(hub.logins, []);
    assert.ok(hub.requests.every((r) => r.auth === 'none'));
    const head = await c.client.headManifest('alpine', '3.19');
    assert.equal(head.digest, tags.items[0]!.digest);
    const steps = await c.test();
    assert.ok(steps.every((s) => s.ok), JSON.stringify(steps));
    assert.equal(steps[0]!.label, 'Anonymous access');
  });

  test('an unknown namespace: notFound naming it', async () => {
    const c = connect({ username: USER, password: PAT, namespaces: 'no-such-org' });
    const first = await c.listRepositories();
    assert.deepEqual(
      first.items.map((r) => r.name),
      [`${USER}/app`, `${USER}/many`, `${USER}/tools`],
    );
    await assert.rejects(first.more!(), (e: unknown) => e instanceof RegistryError && e.kind === 'notFound' && /no namespace “no-such-org” that alice can see/.test(e.message));
  });

  test('Test connection: sign-in, registry, listing, a HEAD digest with the pull limit', async () => {
    const c = signedIn();
    const steps = await c.test();
    assert.deepEqual(
      steps.map((s) => [s.label, s.ok]),
      [
        [`Signed in to Docker Hub as ${USER}`, true],
        [`Reached the registry (${new URL(hub.registryUrl).host})`, true],
        [`Listed 103+ repositories in ${USER}, ${ORG}`, true],
        [`Read the digest of ${USER}/app:1.0 from the registry`, true],
      ],
    );
    assert.match(steps[3]!.detail!, /pulls left per 6 h/);
    noSecret(JSON.stringify(steps));
  });
});
