// GitLab against a fake of its REST API v4 (registry endpoints, paging headers, error bodies)
// in front of the real registry, whose token server stands in for GitLab's JWT service:
// groups and projects in pages, tags without facts and the facts per tag on demand, deploy
// tokens through the registry only, the three refusals (no read_api, expired, a hidden group)
// in plain words, no secret in errors or logs; then GitLab answering in the wrong shape.

import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { FormValues } from '../../src/providers/form';
import { gitlabProvider, type GitLabConnection } from '../../src/providers/gitlab';
import { isRegistryError } from '../../src/registry/errors';
import { CREATED, startHostile, type HostileServer } from '../support';
import { startFakeGitLab, type FakeGitLab } from '../support/fakes/gitlab';
import { allPages as all, errorText } from '../support/pages';


const DEPLOY_USER = 'gitlab+deploy-token-12';
const DEPLOY_TOKEN = 'gldt-DeployTokenAbcdefghij0123456789';

describe('GitLab (fake GitLab API + real registry)', () => {
  let fake: FakeGitLab;
  const logs: string[] = [];
  let open: GitLabConnection[] = [];
  const connect = (values: FormValues, apiUrl = fake.apiUrl): GitLabConnection => {
    const r = gitlabProvider.fromForm({ apiUrl: 'gitlab.example.com', registryUrl: fake.registry.url, ...values });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    const c = gitlabProvider.connect({ id: 'g', ...r.config }, r.secrets, { apiBaseUrls: { gitlab: apiUrl }, log: (m) => logs.push(m) }) as GitLabConnection;
    open.push(c);
    return c;
  };
  const done = async () => {
    await Promise.all(open.map((c) => c.dispose()));
    open = [];
  };

  before(async () => {
    fake = await startFakeGitLab({ projects: ['acme/web', 'acme/sub/api', 'acme/tools', 'other/lib', 'private/x'], hiddenGroups: ['private'], pageCap: 2, deployTokens: { [DEPLOY_USER]: DEPLOY_TOKEN } });
    const p = fake.registry.pusher;
    await Promise.all([
      p.pushImage('acme/web', ['1.0', 'latest'], { created: CREATED.web, layerBytes: [1500, 500] }),
      p.pushImage('acme/web/worker', '0.9', { created: CREATED.alpine }),
      p.pushIndex('acme/sub/api', 'v1', [{ os: 'linux', arch: 'amd64' }, { os: 'linux', arch: 'arm64', variant: 'v8' }], { format: 'oci' }),
      p.pushImage('acme/tools', '1'),
      p.pushImage('other/lib', ['a', 'b', 'c']),
      p.pushImage('private/x', '1'),
    ]);
    await fake.sync();
  });
  after(async () => {
    await done();
    await fake?.stop();
  });

  test('a group and a project: their registry repositories, page by page as GitLab links them', async () => {
    fake.reset();
    const c = connect({ token: fake.token, groups: 'acme', projects: 'other/lib' });
    const { items } = await all(await c.listRepositories());
    assert.deepEqual(items.map((r) => r.name), ['acme/sub/api', 'acme/tools', 'acme/web', 'acme/web/worker', 'other/lib']);
    assert.equal(items.find((r) => r.name === 'other/lib')!.tagCount, 3, 'tags_count from the project endpoint');
    assert.deepEqual(
      fake.requests.map((r) => `${r.path}?${r.query.page}/${r.query.per_page}`),
      [
        '/api/v4/groups/acme/registry/repositories?1/100',
        '/api/v4/groups/acme/registry/repositories?2/2',
        '/api/v4/projects/other%2Flib/registry/repositories?1/100',
      ],
    );
    assert.ok(fake.requests.every((r) => r.token === fake.token && r.status === 200));
    assert.ok(!fake.registry.tokenServer!.requests.some((r) => r.scopes.some((s) => s.startsWith('registry:catalog'))), 'no _catalog');
    await done();
  });

  test('X-Next-Page alone is followed when GitLab sends no Link', async () => {
    const plain = await startFakeGitLab({ projects: ['acme/web', 'acme/tools', 'acme/sub/api'], pageCap: 1, noLink: true });
    try {
      await Promise.all([plain.registry.pusher.pushImage('acme/web', '1'), plain.registry.pusher.pushImage('acme/tools', '1'), plain.registry.pusher.pushImage('acme/sub/api', '1')]);
      await plain.sync();
      const c = connect({ token: plain.token, registryUrl: plain.registry.url, groups: 'acme' }, plain.apiUrl);
      const { items } = await all(await c.listRepositories());
      assert.deepEqual(items.map((r) => r.name), ['acme/sub/api', 'acme/tools', 'acme/web']);
      assert.deepEqual(plain.requests.map((r) => r.query.page), ['1', '2', '3']);
      await done();
    } finally {
      await plain.stop();
    }
  });

  test('tags come bare; a tag’s digest, date and size are fetched only when asked, and the registry agrees', async () => {
    fake.reset();
    const c = connect({ token: fake.token, groups: 'acme' });
    await c.listRepositories();
    fake.reset();
    const tags = (await all(await c.listTags('acme/web'))).items;
    assert.deepEqual(tags, [{ name: '1.0' }, { name: 'latest' }]);
    assert.match(fake.requests[0]!.path, /^\/api\/v4\/projects\/\d+\/registry\/repositories\/\d+\/tags$/);
    assert.equal(fake.requests[0]!.query.per_page, '100');
    assert.equal(fake.requests.length, 1, 'one call for the tags, none for details');
    const d = await c.tagDetails('acme/web', '1.0');
    assert.equal(fake.requests.length, 2, 'one call for the one tag asked about');
    assert.match(fake.requests[1]!.path, /\/registry\/repositories\/\d+\/tags\/1\.0$/);
    assert.equal(d.digest, (await c.client.headManifest('acme/web', '1.0')).digest);
    assert.equal(d.created, new Date(CREATED.web).toISOString());
    assert.equal(d.size, (await c.client.imageDetails('acme/web', '1.0')).size);
    assert.ok(fake.registryLogins.length > 0 && fake.registryLogins.every((l) => l.ok && l.user === 'registry-explorer'), 'the token as the password');
    const steps = await c.test();
    assert.ok(steps.every((s) => s.ok), JSON.stringify(steps));
    await done();
  });

  test('a repository not listed yet (a restored tree) is found by its project, longest path first', async () => {
    fake.reset();
    const c = connect({ token: fake.token, groups: 'acme' });
    assert.deepEqual((await all(await c.listTags('acme/web/worker'))).items.map((t) => t.name), ['0.9']);
    assert.deepEqual(fake.requests.map((r) => `${r.path} ${r.status}`).slice(0, 2), ['/api/v4/projects/acme%2Fweb%2Fworker/registry/repositories 404', '/api/v4/projects/acme%2Fweb/registry/repositories 200']);
    await assert.rejects(c.listTags('acme/web/nothing'), (e: unknown) => isRegistryError(e, 'notFound') && /no registry repository acme\/web\/nothing/.test(e.message));
    await done();
  });

  test('a deploy token: the named repositories through the registry, never the API', async () => {
    fake.reset();
    const c = connect({ auth: 'deploy', username: DEPLOY_USER, token: DEPLOY_TOKEN, repositories: 'acme/web\nother/lib' });
    assert.deepEqual((await all(await c.listRepositories())).items.map((r) => r.name), ['acme/web', 'other/lib']);
    assert.deepEqual((await all(await c.listTags('other/lib'))).items.map((t) => t.name).sort(), ['a', 'b', 'c']);
    const d = await c.tagDetails('acme/web', 'latest');
    assert.equal(d.created, new Date(CREATED.web).toISOString());
    assert.equal(fake.requests.length, 0);
    assert.ok(fake.registryLogins.length > 0 && fake.registryLogins.every((l) => l.user === DEPLOY_USER && l.ok));
    assert.ok((await c.test()).every((s) => s.ok));
    const wrong = connect({ auth: 'deploy', username: DEPLOY_USER, token: 'gldt-WrongWrongWrong0123456789', repositories: 'acme/web' });
    await assert.rejects(wrong.client.headManifest('acme/web', 'latest'), (e: unknown) => isRegistryError(e, 'unauthorized') && /rejected the deploy token/.test(e.message) && !errorText(e).includes('WrongWrongWrong'));
    await done();
  });

  test('a token without read_api, an expired token, a hidden group: each in plain words with the fix, never the token', async () => {
    logs.length = 0;
    const weak = 'glpat-RegistryOnly0123456789abcd';
    const expired = 'glpat-Expired0123456789abcdefgh';
    fake.setTokens({ [fake.token]: { scopes: ['read_api', 'read_registry'] }, [weak]: { scopes: ['read_registry'] }, [expired]: { scopes: ['read_api', 'read_registry'], expired: true } });
    const a = connect({ token: weak, groups: 'acme' });
    await assert.rejects(a.listRepositories(), (e: unknown) => {
      assert.ok(isRegistryError(e, 'forbidden'));
      assert.equal(e.message, 'The GitLab access token lacks the read_api scope, which listing registry repositories needs. Create a token with read_api and read_registry (User Settings → Access tokens) and edit the connection.');
      return true;
    });
    const b = connect({ token: expired, groups: 'acme' });
    await assert.rejects(b.listRepositories(), (e: unknown) => {
      assert.ok(isRegistryError(e, 'unauthorized'));
      assert.equal(e.message, 'The GitLab access token has expired. Create a new one with read_api and read_registry (User Settings → Access tokens) and edit the connection.');
      return true;
    });
    const h = connect({ token: fake.token, groups: 'private' });
    await assert.rejects(h.listRepositories(), (e: unknown) => {
      assert.ok(isRegistryError(e, 'notFound'));
      assert.equal(e.message, 'GitLab has no group private that this token can see. Check the path (the part after the GitLab address, like my-group/sub), and that the token’s user is a member.');
      return true;
    });
    const wrong = 'glpat-NotAToken0123456789abcdefg';
    const w = connect({ token: wrong, groups: 'acme' });
    await assert.rejects(w.listRepositories(), (e: unknown) => isRegistryError(e, 'unauthorized') && /mistyped, expired or revoked/.test(e.message) && !errorText(e).includes(wrong));
    await assert.rejects(w.client.headManifest('acme/web', '1.0'), (e: unknown) => isRegistryError(e, 'unauthorized') && /rejected the access token\. It needs the read_registry scope/.test(e.message) && !errorText(e).includes(wrong));
    const steps = [...(await a.test()), ...(await b.test()), ...(await h.test())];
    assert.deepEqual(steps.filter((s) => !s.ok).map((s) => s.field), ['token', 'token', 'groups']);
    const everything = JSON.stringify(steps) + logs.join('\n');
    for (const s of [weak, expired, wrong, fake.token]) assert.ok(!everything.includes(s), 'a secret reached the steps or the log');
    assert.ok(logs.some((l) => /the GitLab API: GET \/api\/v4\/groups\/acme\/registry\/repositories → 403/.test(l)));
    fake.setTokens({ [fake.token]: { scopes: ['read_api', 'read_registry'] } });
    await done();
  });
});

describe('GitLab API in the wrong shape', () => {
  const SECRET = 'glpat-Secret-Token-9f8e7d6c5b4a39281706';
  const ECHO = 'sha256:zz-not-hex-ECHO';
  const servers: HostileServer[] = [];
  const conns: GitLabConnection[] = [];
  after(async () => {
    await Promise.all(conns.map((c) => c.dispose()));
    await Promise.all(servers.map((s) => s.stop()));
  });
  const json = (res: ServerResponse, body: unknown, headers: Record<string, string> = {}): void => {
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };
  const gitlab = async (route: (path: string, res: ServerResponse) => void) => {
    const s = await startHostile((req, res) => route((req.url ?? '/').split('?')[0]!, res));
    servers.push(s);
    const r = gitlabProvider.fromForm({ apiUrl: s.url, registryUrl: s.url, token: SECRET, groups: 'acme' });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    const c = gitlabProvider.connect({ id: 'x', ...r.config }, r.secrets, {}) as GitLabConnection;
    conns.push(c);
    return { c, s };
  };
  const rejectsAsProtocol = async (call: () => Promise<unknown>, message: RegExp): Promise<void> => {
    await assert.rejects(call(), (e: unknown) => {
      assert.ok(!(e instanceof TypeError), `a TypeError escaped: ${String(e)}`);
      assert.ok(isRegistryError(e, 'protocol'), `expected a protocol RegistryError, got ${String(e)}`);
      assert.match(e.message, message);
      const text = `${e.message} ${JSON.stringify(e)}`;
      assert.ok(!text.includes(SECRET) && !text.includes('ECHO'), `leaked: ${e.message}`);
      return true;
    });
  };
  const repo = { id: 7, path: 'acme/app', project_id: 3 };

  test('a repository list that is an object; a repository whose id is text', async () => {
    const { c } = await gitlab((_p, res) => json(res, { message: ECHO }));
    await rejectsAsProtocol(() => c.listRepositories(), /^GitLab sent the registry repositories of group acme that is not a list\.$/);
    const { c: d } = await gitlab((_p, res) => json(res, [{ ...repo, id: ECHO }]));
    await rejectsAsProtocol(() => d.listRepositories(), /^GitLab sent the registry repositories of group acme whose \[0\]\.id is not a number\.$/);
  });

  test('a tag detail whose digest is not algorithm:hex; odd dates and sizes are left out', async () => {
    const { c } = await gitlab((path, res) => (path.includes('/tags/') ? json(res, { name: 'v1', digest: ECHO }) : json(res, [repo])));
    await c.listRepositories();
    await rejectsAsProtocol(() => c.tagDetails('acme/app', 'v1'), /^GitLab sent the details of acme\/app:v1 whose digest is not a digest \(algorithm:hex\)\.$/);
    const { c: d } = await gitlab((path, res) => (path.includes('/tags/') ? json(res, { name: 'v1', digest: `sha256:${'a'.repeat(64)}`, created_at: 'ECHO', total_size: 'big' }) : json(res, [repo])));
    await d.listRepositories();
    assert.deepEqual(await d.tagDetails('acme/app', 'v1'), { name: 'v1', digest: `sha256:${'a'.repeat(64)}` });
  });

  test('a next link to another server is refused and nothing reaches it; endless pages are bounded', async () => {
    const other = await startHostile((_req, res) => json(res, [repo]));
    servers.push(other);
    const { c } = await gitlab((_p, res) => json(res, [repo], { link: `<${other.url}/api/v4/groups/acme/registry/repositories?page=2>; rel="next"` }));
    await rejectsAsProtocol(async () => all(await c.listRepositories()), /next-page link to another server/);
    assert.equal(other.requests.length, 0);
    let n = 0;
    const { c: d, s } = await gitlab((_p, res) => json(res, [], { 'x-next-page': String(++n + 1) }));
    await assert.rejects((async () => all(await d.listRepositories()))(), (e: unknown) => isRegistryError(e, 'protocol') && /kept sending empty pages/.test(e.message));
    assert.ok(s.requests.length <= 4, `bounded: ${s.requests.length}`);
    assert.ok(s.requests.every((r) => r.headers['private-token'] === SECRET && !r.headers.authorization));
  });
});
