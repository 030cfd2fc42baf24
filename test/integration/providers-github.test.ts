// The GitHub Container Registry provider against a fake GitHub REST API (packages and package
// versions with Link paging, scopes headers, rate limits) in front of a real token-mode
// docker-registry playing ghcr.io, whose token server checks the personal access token as
// ghcr.io/token does. Asserts exact pages, API call counts, lower-case names, the registry
// token renewed after it expired without a failed call, specific messages for wrong or
// under-scoped tokens, and that no secret reaches an error or a log line.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GitHubConnection, githubProvider } from '../../src/providers/github';
import type { ConnectionConfig, Page, ProviderContext } from '../../src/providers/provider';
import { RegistryError } from '../../src/registry/errors';
import { mapLimit, startRegistry, type RunningRegistry } from '../support';
import { startFakeGitHub, type FakeGitHub } from '../support/fakes/github';

const LOGIN = 'OctoCat';
const USER = 'octocat';
const PAT = 'ghp_OctoCatSecret0123456789abcdefABCDEF';
const NOSCOPE_PAT = 'ghp_NoScopeSecret0123456789abcdefABCDEF';
const ORG = 'octo-org';
const ORG_REPOS = Array.from({ length: 110 }, (_, i) => `${ORG}/svc-${String(i).padStart(3, '0')}`);
const VERSIONS = 130;

describe('GitHub Container Registry provider (fake GitHub API + real registry)', () => {
  let reg: RunningRegistry;
  let gh: FakeGitHub | undefined;
  const logs: string[] = [];
  const secrets = [PAT, NOSCOPE_PAT, Buffer.from(`${USER}:${PAT}`).toString('base64')];
  const open: GitHubConnection[] = [];

  const ctx = (): ProviderContext => ({ apiBaseUrls: { ghcr: gh!.apiUrl, 'ghcr-registry': reg.url }, log: (m) => logs.push(m) });
  function connect(values: Record<string, string>): GitHubConnection {
    const r = githubProvider.fromForm(values);
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    const config: ConnectionConfig = { id: `gh-${open.length}`, ...r.config };
    const c = githubProvider.connect(config, r.secrets, ctx()) as GitHubConnection;
    open.push(c);
    return c;
  }
  const signedIn = (): GitHubConnection => connect({ username: LOGIN, password: PAT, organizations: 'Octo-Org' });
  const errorText = (e: unknown): string => `${String(e)} ${(e as Error).stack ?? ''} ${JSON.stringify(e)}`;
  function noSecret(text: string): void {
    for (const s of secrets) assert.ok(!text.includes(s), `a secret leaked into: ${text.slice(0, 200)}`);
  }
  async function all<T>(first: Page<T>): Promise<T[][]> {
    const pages = [first.items];
    let p = first;
    while (p.more) {
      p = await p.more();
      pages.push(p.items);
    }
    return pages;
  }
  const day = (i: number): string => new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString().replace('.000Z', 'Z');

  before(async () => {
    reg = await startRegistry({ mode: 'token', tokenServer: { service: 'ghcr.io', anonymousPull: true, validate: (u, p) => gh?.validPat(u, p) ?? false } });
    const p = reg.pusher;
    await Promise.all([
      p.pushImage(`${USER}/app`, ['1.0', 'latest'], { created: '2024-03-01T10:00:00Z', layerBytes: [3000] }),
      p.pushImage(`${USER}/app`, '2.0', { created: '2024-05-01T10:00:00Z', layerBytes: [3100] }),
      p.pushImage(`${USER}/tools/cli`, 'v1', { created: '2024-02-01T10:00:00Z', layerBytes: [500] }),
      p.pushImage(`${ORG}/web`, 'main', { created: '2024-04-01T10:00:00Z', layerBytes: [800] }),
      p.pushManyRepos(ORG_REPOS),
      mapLimit(
        Array.from({ length: VERSIONS }, (_, i) => i),
        12,
        (i) => p.pushImage(`${ORG}/many`, `b${String(i).padStart(3, '0')}`, { created: day(i), layerBytes: [64] }),
      ),
    ]);
    gh = await startFakeGitHub({
      registry: reg,
      users: [
        { login: LOGIN, pat: PAT },
        { login: 'noscope', pat: NOSCOPE_PAT, scopes: ['repo', 'gist'] },
      ],
      organizations: { 'Octo-Org': [LOGIN] },
      privatePackages: [`${ORG}/web`],
    });
  });

  after(async () => {
    for (const c of open) await c.dispose();
    await gh?.stop();
    await reg?.stop();
    noSecret(logs.join('\n'));
  });

  test('packages of the user and the organization, lower-cased, in exact pages', async () => {
    const c = signedIn();
    assert.equal(c.config.username, USER);
    gh!.reset();
    const first = await c.listRepositories();
    const orgAll = [`${ORG}/many`, ...ORG_REPOS, `${ORG}/web`];
    assert.deepEqual(
      first.items.map((r) => r.name),
      [`${USER}/app`, `${USER}/tools/cli`, ...orgAll.slice(0, 100)],
    );
    assert.equal(first.items[0]!.updated, '2024-05-01T10:00:00Z');
    const second = await first.more!();
    assert.deepEqual(
      second.items.map((r) => r.name),
      orgAll.slice(100),
    );
    assert.equal(second.more, undefined);
    assert.deepEqual(
      gh!.requests.map((r) => `${r.path}${r.query} ${r.status} ${r.user}`),
      [
        `/user/packages?package_type=container&per_page=100 200 ${LOGIN}`,
        `/orgs/octo-org/packages?package_type=container&per_page=100 200 ${LOGIN}`,
        `/orgs/octo-org/packages?package_type=container&per_page=100&page=2 200 ${LOGIN}`,
      ],
    );
  });

  test('tags from package versions: digest and date, untagged versions skipped, paged by 100 versions', async () => {
    const c = signedIn();
    await c.listRepositories();
    gh!.reset();
    const app = (await c.listTags(`${USER}/app`)).items;
    assert.deepEqual(
      app.map((t) => [t.name, t.created]),
      [
        ['2.0', '2024-05-01T10:00:00Z'],
        ['1.0', '2024-03-01T10:00:00Z'],
        ['latest', '2024-03-01T10:00:00Z'],
      ],
    );
    assert.equal(app[1]!.digest, app[2]!.digest);
    assert.notEqual(app[0]!.digest, app[1]!.digest);
    assert.equal((await c.client.headManifest(`${USER}/app`, '2.0')).digest, app[0]!.digest);
    const pages = await all(await c.listTags(`${ORG}/many`));
    assert.deepEqual(
      pages.map((p) => p.length),
      [100, 30],
    );
    assert.equal(pages[0]![0]!.name, 'b129', 'newest first');
    assert.equal(new Set(pages.flat().map((t) => t.digest)).size, VERSIONS);
    const nested = (await c.listTags(`${USER}/tools/cli`)).items;
    assert.deepEqual(
      nested.map((t) => t.name),
      ['v1'],
    );
    assert.deepEqual(
      gh!.requests.map((r) => `${r.path}${r.query}`),
      [
        `/user/packages/container/app/versions?per_page=100`,
        `/orgs/Octo-Org/packages/container/many/versions?per_page=100`,
        `/orgs/Octo-Org/packages/container/many/versions?per_page=100&page=2`,
        `/user/packages/container/tools%2Fcli/versions?per_page=100`,
      ],
    );
  });

  test('names are lower case everywhere: OctoCat/App is octocat/app', async () => {
    const c = signedIn();
    const tags = (await c.listTags(`${LOGIN}/App`)).items;
    assert.deepEqual(tags.map((t) => t.name).sort(), ['1.0', '2.0', 'latest']);
    const head = await c.client.headManifest(`${LOGIN}/App`, '1.0');
    assert.equal(head.digest, tags.find((t) => t.name === '1.0')!.digest);
  });

  test('the registry’s bearer token expiring mid-listing is renewed without a failed call', async () => {
    const c = signedIn();
    await c.client.headManifest(`${USER}/app`, '1.0');
    reg.tokenServer!.reset();
    reg.tokenServer!.issueExpired(1);
    const details = await c.client.imageDetails(`${USER}/tools/cli`, 'v1');
    assert.match(details.digest, /^sha256:/);
    assert.deepEqual(
      reg.tokenServer!.requests.map((r) => `${r.user} ${r.scopes.join(' ')} ${r.status}`),
      [`${USER} repository:${USER}/tools/cli:pull 200`, `${USER} repository:${USER}/tools/cli:pull 200`],
      'an expired token, rejected by the registry, then a fresh one: the user saw no error',
    );
    assert.equal(c.client.stats.tokenFetches, 3);
  });

  test('a wrong or revoked token: unauthorized with what to do, never the token', async () => {
    const wrong = 'ghp_WrongWrongWrong000000000000000000000';
    secrets.push(wrong);
    const c = connect({ username: LOGIN, password: wrong });
    gh!.reset();
    await assert.rejects(c.listRepositories(), (e: unknown) => {
      assert.ok(e instanceof RegistryError);
      assert.equal(e.kind, 'unauthorized');
      assert.equal(e.message, 'GitHub rejected the personal access token for “octocat” (Bad credentials). It may have expired or been revoked: create a new token (classic) with read:packages and edit the connection.');
      noSecret(errorText(e));
      assert.ok(!errorText(e).includes(wrong));
      return true;
    });
    assert.equal(gh!.requests.length, 1, 'no retry of a rejected token');
    await assert.rejects(c.client.headManifest(`${USER}/app`, '1.0'), (e: unknown) => e instanceof RegistryError && e.kind === 'unauthorized' && !errorText(e).includes(wrong));
    const steps = await c.test();
    assert.deepEqual(
      steps.map((s) => s.ok),
      [false],
    );
    assert.match(steps[0]!.detail!, /Bad credentials/);
  });

  test('a token without read:packages: the scope is named, in the listing and in Test connection', async () => {
    const c = connect({ username: 'noscope', password: NOSCOPE_PAT });
    await assert.rejects(c.listRepositories(), (e: unknown) => e instanceof RegistryError && e.kind === 'forbidden' && /lacks the read:packages scope \(it has: repo, gist\)/.test(e.message));
    const steps = await c.test();
    assert.equal(steps.length, 1);
    assert.equal(steps[0]!.ok, false);
    assert.match(steps[0]!.detail!, /lacks the read:packages scope \(it has: repo, gist\)/);
  });

  test('a token of another user: Test connection says whose it is', async () => {
    const c = connect({ username: 'someone-else', password: PAT });
    const steps = await c.test();
    assert.equal(steps[0]!.ok, false);
    assert.equal(steps[0]!.detail, 'The token belongs to OctoCat, not someone-else. Enter OctoCat as the username, or use a token of someone-else.');
  });

  test('an unknown organization: notFound naming it, after the user’s own packages', async () => {
    const c = connect({ username: LOGIN, password: PAT, organizations: 'no-such-org' });
    const first = await c.listRepositories();
    assert.deepEqual(
      first.items.map((r) => r.name),
      [`${USER}/app`, `${USER}/tools/cli`],
    );
    await assert.rejects(first.more!(), (e: unknown) => e instanceof RegistryError && e.kind === 'notFound' && /no organization “no-such-org” that octocat can see/.test(e.message));
  });

  test('the API rate limit: rateLimited with the reset time', async () => {
    const c = signedIn();
    gh!.setRateLimitRemaining(0);
    try {
      await assert.rejects(c.listTags(`${USER}/app`), (e: unknown) => e instanceof RegistryError && e.kind === 'rateLimited' && e.resetAt instanceof Date && /GitHub is limiting API requests until/.test(e.message));
    } finally {
      gh!.setRateLimitRemaining(5000);
    }
  });

  test('anonymous: public images named in the connection, tags through the registry, no API call', async () => {
    const c = connect({ username: '', password: '', repositories: `ghcr.io/${LOGIN}/App\n${ORG}/svc-001` });
    gh!.reset();
    reg.tokenServer!.reset();
    const repos = await c.listRepositories();
    assert.deepEqual(
      repos.items.map((r) => r.name),
      [`${USER}/app`, `${ORG}/svc-001`],
    );
    const tags = await c.listTags(`${USER}/app`);
    assert.deepEqual(tags.items.map((t) => t.name).sort(), ['1.0', '2.0', 'latest']);
    assert.deepEqual(gh!.requests, []);
    assert.ok(reg.tokenServer!.requests.every((r) => r.user === undefined), 'anonymous pull tokens');
    const steps = await c.test();
    assert.ok(steps.every((s) => s.ok), JSON.stringify(steps));
  });

  test('Test connection signed in: user and scopes, registry, listing, a HEAD digest', async () => {
    const c = signedIn();
    const steps = await c.test();
    assert.deepEqual(
      steps.map((s) => [s.label, s.ok]),
      [
        [`Signed in to GitHub as ${LOGIN}`, true],
        [`Reached the registry (${reg.host})`, true],
        [`Listed 102+ repositories (your packages, ${ORG})`, true],
        [`Read the digest of ${USER}/app:2.0 from the registry`, true],
      ],
    );
    assert.equal(steps[0]!.detail, 'Token scopes: read:packages, repo');
    noSecret(JSON.stringify(steps));
    assert.ok(logs.some((l) => l.startsWith('GitHub API: GET /user/packages?package_type=container&per_page=100 → 200')));
  });
});
