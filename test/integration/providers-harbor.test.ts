// Harbor against a fake of its v2.0 API (paths, paging headers, double-encoded names, error
// bodies) in front of the real registry, whose token server takes Harbor users and robots:
// exact pages and call counts, facts and scan summaries from the artifact listing, robot
// accounts with `$`, a nested repository, refusals in plain words, no `_catalog`, no secret
// in errors or logs; then a hostile Harbor answering in the wrong shape.

import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { FormValues } from '../../src/providers/form';
import { harborProvider, type HarborConnection } from '../../src/providers/harbor';
import type { TagInfo } from '../../src/providers/provider';
import { isRegistryError } from '../../src/registry/errors';
import { CREATED, startHostile, type HostileServer } from '../support';
import { startFakeHarbor, type FakeHarbor } from '../support/fakes/harbor';
import { allPages as all, errorText } from '../support/pages';


const ROBOT_SECRET = 'RobotSecretAbcdefghijklmnop0123456789';
const SYSTEM_ROBOT_SECRET = 'SystemRobotSecret0123456789abcdefghij';

describe('Harbor (fake Harbor API + real registry)', () => {
  let fake: FakeHarbor;
  const logs: string[] = [];
  let open: HarborConnection[] = [];
  const connect = (values: FormValues): HarborConnection => {
    const r = harborProvider.fromForm({ url: fake.registry.url, ...values });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    const c = harborProvider.connect({ id: 'h', ...r.config }, r.secrets, { apiBaseUrls: { harbor: fake.apiUrl }, log: (m) => logs.push(m) }) as HarborConnection;
    open.push(c);
    return c;
  };
  const user = (): FormValues => ({ username: fake.username, password: fake.password });
  const done = async () => {
    await Promise.all(open.map((c) => c.dispose()));
    open = [];
  };

  before(async () => {
    fake = await startFakeHarbor({
      pageCap: 2,
      robots: { 'robot$acme+reader': ROBOT_SECRET, 'robot$ci': SYSTEM_ROBOT_SECRET },
      projects: { secret: { members: ['bob'] } },
      scans: { 'acme/web': { Critical: 2, High: 5 }, 'acme/api': 'Running' },
      accessories: { 'acme/web': ['signature.cosign', 'harbor.sbom'] },
      types: { 'charts/mychart': 'CHART' },
    });
    const p = fake.registry.pusher;
    await Promise.all([
      p.pushImage('acme/web', ['1.0', 'latest'], { created: CREATED.web, layerBytes: [1500, 500] }),
      p.pushImage('acme/web', '0.9', { created: CREATED.alpine }),
      p.pushIndex('acme/api', 'v1', [{ os: 'linux', arch: 'amd64' }, { os: 'linux', arch: 'arm64', variant: 'v8' }], { format: 'oci' }),
      p.pushImage('acme/team/app', 'v2', { created: CREATED.nginx }),
      p.pushImage('acme/tools', '1'),
      p.pushImage('acme/zed', '1'),
      p.pushImage('charts/mychart', '0.1.0'),
      p.pushImage('secret/thing', 'x'),
    ]);
    await fake.sync();
  });
  after(async () => {
    await done();
    await fake?.stop();
  });

  test('a user: every visible project, then its repositories, page by page as Harbor links them', async () => {
    fake.reset();
    const c = connect(user());
    const { items } = await all(await c.listRepositories());
    assert.deepEqual(items.map((r) => r.name), ['acme/api', 'acme/team/app', 'acme/tools', 'acme/web', 'acme/zed', 'charts/mychart']);
    assert.equal(items.find((r) => r.name === 'acme/web')!.updated, new Date(CREATED.web).toISOString());
    assert.deepEqual(
      fake.requests.map((r) => `${r.path}?${r.query.page}/${r.query.page_size}`),
      [
        '/api/v2.0/projects?1/100',
        '/api/v2.0/projects/acme/repositories?1/100',
        '/api/v2.0/projects/acme/repositories?2/2',
        '/api/v2.0/projects/acme/repositories?3/2',
        '/api/v2.0/projects/charts/repositories?1/100',
      ],
      'the private project of others is not listed; its repositories are never asked for',
    );
    assert.ok(fake.requests.every((r) => r.user === fake.username && r.status === 200));
    assert.ok(!fake.registry.tokenServer!.requests.some((r) => r.scopes.some((s) => s.startsWith('registry:catalog'))), 'no _catalog');
    await done();
  });

  test('artifacts: digest, push time, size, type, scan summary and signatures come with the listing; the registry agrees', async () => {
    fake.reset();
    const c = connect({ ...user(), projects: 'acme\ncharts' });
    const web = (await all(await c.listTags('acme/web'))).items;
    assert.deepEqual(web.map((t) => t.name), ['1.0', 'latest', '0.9'], 'newest artifact first, its tags together');
    const head = await c.client.headManifest('acme/web', '1.0');
    assert.equal(web[0]!.digest, head.digest);
    assert.equal(web[1]!.digest, head.digest);
    assert.equal(web[0]!.created, new Date(CREATED.web).toISOString());
    assert.equal(web[0]!.size, (await c.client.imageDetails('acme/web', '1.0')).size);
    assert.equal(web[0]!.note, 'scan: 2 critical, 5 high · signed, SBOM');
    const artifactCalls = fake.requests.filter((r) => r.path === '/api/v2.0/projects/acme/repositories/web/artifacts');
    assert.deepEqual(
      artifactCalls.map((r) => [r.query.page, r.query.with_tag, r.query.with_scan_overview, r.query.with_accessory].join('/')),
      ['1/true/true/true'],
      'two artifacts (1.0 and latest share one), one page',
    );
    const api = (await all(await c.listTags('acme/api'))).items;
    assert.equal(api[0]!.size, undefined, 'an index has no single size: the tree reads its largest platform');
    assert.equal(api[0]!.note, 'scan running');
    assert.equal(api[0]!.digest, (await c.client.headManifest('acme/api', 'v1')).digest);
    const chart = (await all(await c.listTags('charts/mychart'))).items;
    assert.equal(chart[0]!.note, 'Helm chart');
    assert.ok(fake.registryLogins.length > 0 && fake.registryLogins.every((l) => l.user === fake.username && l.ok));
    const steps = await c.test();
    assert.ok(steps.every((s) => s.ok), JSON.stringify(steps));
    assert.match(steps[0]!.label, /^Signed in to Harbor as alice: 6 repositories in acme, charts$/);
    await done();
  });

  test('a nested repository: its `/` double-encoded for the API, plain for the registry', async () => {
    fake.reset();
    const c = connect({ ...user(), projects: 'acme' });
    const tags: TagInfo[] = (await all(await c.listTags('acme/team/app'))).items;
    assert.deepEqual(tags.map((t) => t.name), ['v2']);
    assert.deepEqual(fake.requests.map((r) => r.path), ['/api/v2.0/projects/acme/repositories/team%252Fapp/artifacts']);
    assert.equal(tags[0]!.digest, (await c.client.headManifest('acme/team/app', 'v2')).digest);
    assert.equal(tags[0]!.created, new Date(CREATED.nginx).toISOString());
    await done();
  });

  test('robot accounts with `$`: a project robot lists its project without asking for projects; a system robot sees all', async () => {
    fake.reset();
    const r = connect({ username: 'robot$acme+reader', password: ROBOT_SECRET });
    const names = (await all(await r.listRepositories())).items.map((x) => x.name);
    assert.deepEqual(names, ['acme/api', 'acme/team/app', 'acme/tools', 'acme/web', 'acme/zed']);
    assert.ok(!fake.requests.some((x) => x.path === '/api/v2.0/projects'));
    await r.client.headManifest('acme/web', 'latest');
    assert.ok(fake.requests.every((x) => x.user === 'robot$acme+reader'));
    assert.ok(fake.registryLogins.length > 0 && fake.registryLogins.every((l) => l.user === 'robot$acme+reader' && l.ok));
    fake.reset();
    const s = connect({ username: 'robot$ci', password: SYSTEM_ROBOT_SECRET });
    const sys = (await all(await s.listRepositories())).items.map((x) => x.name);
    assert.ok(sys.includes('secret/thing') && sys.includes('charts/mychart'));
    assert.ok((await s.test()).every((x) => x.ok));
    await done();
  });

  test('delete goes through the registry with the same credentials', async () => {
    await fake.registry.pusher.pushImage('acme/tools', 'doomed', { created: CREATED.alpine, layerBytes: [77] });
    await fake.sync();
    const c = connect({ ...user(), projects: 'acme' });
    const doomed = (await all(await c.listTags('acme/tools'))).items.find((t) => t.name === 'doomed')!;
    await c.client.deleteManifest('acme/tools', doomed.digest!);
    await fake.sync();
    assert.ok(!(await all(await c.listTags('acme/tools'))).items.some((t) => t.name === 'doomed'));
    await done();
  });

  test('wrong password, wrong robot secret: specific messages on the password field, never a secret', async () => {
    logs.length = 0;
    const wrong = 'WrongHarborPassword0123456789';
    const a = connect({ username: fake.username, password: wrong });
    await assert.rejects(a.listRepositories(), (e: unknown) => {
      assert.ok(isRegistryError(e, 'unauthorized'));
      assert.equal(
        e.message,
        'Harbor rejected the user name or password of alice (UNAUTHORIZED). Check both; if your Harbor signs in through OIDC, use your CLI secret (User Profile → CLI secret) instead of a password, then edit the connection.',
      );
      assert.ok(!errorText(e).includes(wrong));
      return true;
    });
    await assert.rejects(a.client.headManifest('acme/web', '1.0'), (e: unknown) => isRegistryError(e, 'unauthorized') && /rejected the user name or password of alice/.test(e.message) && !errorText(e).includes(wrong));
    const wrongRobot = 'WrongRobotSecret0123456789abcdefghij';
    const b = connect({ username: 'robot$acme+reader', password: wrongRobot });
    await assert.rejects(b.listTags('acme/web'), (e: unknown) => isRegistryError(e, 'unauthorized') && e.message.startsWith('Harbor rejected the robot account robot$acme+reader (UNAUTHORIZED). Its secret may be wrong') && !errorText(e).includes(wrongRobot));
    const steps = [...(await a.test()), ...(await b.test())];
    assert.deepEqual(steps.filter((s) => !s.ok).map((s) => s.field), ['password', 'password']);
    const everything = JSON.stringify(steps) + logs.join('\n');
    for (const s of [wrong, wrongRobot, fake.password, ROBOT_SECRET]) assert.ok(!everything.includes(s), 'a secret reached the steps or the log');
    assert.ok(logs.some((l) => /the Harbor API: GET \/api\/v2\.0\/projects → 401/.test(l)));
    await done();
  });

  test('a project the user has no role in: 403 in plain words, on the projects field; an unknown project: 404', async () => {
    const c = connect({ ...user(), projects: 'secret' });
    await assert.rejects(c.listRepositories(), (e: unknown) => {
      assert.ok(isRegistryError(e, 'forbidden'));
      assert.equal(
        e.message,
        'Harbor does not let alice read the repositories of project secret (FORBIDDEN). Ask a project administrator to add you to the project (the Limited Guest role is enough to browse), or remove the project from the connection.',
      );
      return true;
    });
    const steps = await c.test();
    assert.equal(steps[0]!.field, 'projects');
    const d = connect({ ...user(), projects: 'nosuch' });
    await assert.rejects(d.listRepositories(), (e: unknown) => isRegistryError(e, 'notFound') && /no project nosuch visible to alice/.test(e.message));
    await done();
  });
});

describe('Harbor API in the wrong shape', () => {
  const SECRET = 'Secret-Token-9f8e7d6c5b4a39281706';
  const ECHO = 'sha256:zz-not-hex-ECHO';
  const servers: HostileServer[] = [];
  const conns: HarborConnection[] = [];
  after(async () => {
    await Promise.all(conns.map((c) => c.dispose()));
    await Promise.all(servers.map((s) => s.stop()));
  });
  const json = (res: ServerResponse, body: unknown, headers: Record<string, string> = {}): void => {
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };
  const harbor = async (route: (req: IncomingMessage, res: ServerResponse, path: string) => void, values: FormValues = { projects: 'acme' }) => {
    const s = await startHostile((req, res) => route(req, res, (req.url ?? '/').split('?')[0]!));
    servers.push(s);
    const r = harborProvider.fromForm({ url: s.url, username: 'alice', password: SECRET, ...values });
    assert.ok(r.ok);
    const c = harborProvider.connect({ id: 'x', ...r.config }, r.secrets, { apiBaseUrls: { harbor: s.url } }) as HarborConnection;
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

  test('a project list that is an object', async () => {
    const { c } = await harbor((_q, res) => json(res, { name: ECHO }), {});
    await rejectsAsProtocol(() => c.listRepositories(), /^Harbor sent the list of projects that is not a list\.$/);
  });

  test('a repository whose name is a number', async () => {
    const { c } = await harbor((_q, res) => json(res, [{ name: 5 }]));
    await rejectsAsProtocol(() => c.listRepositories(), /^Harbor sent the repositories of project acme whose \[0\]\.name is not text\.$/);
  });

  test('an artifact whose digest is not algorithm:hex, and one whose tags is text', async () => {
    const { c } = await harbor((_q, res) => json(res, [{ digest: ECHO, tags: [{ name: 'v1' }] }]));
    await rejectsAsProtocol(() => c.listTags('acme/app'), /^Harbor sent the artifacts of acme\/app whose \[0\]\.digest is not a digest \(algorithm:hex\)\.$/);
    const { c: d } = await harbor((_q, res) => json(res, [{ digest: `sha256:${'a'.repeat(64)}`, tags: ECHO }]));
    await rejectsAsProtocol(() => d.listTags('acme/app'), /^Harbor sent the artifacts of acme\/app whose \[0\]\.tags is not a list\.$/);
  });

  test('a scan overview of the wrong shape is a protocol error; odd times and sizes are left out', async () => {
    const { c } = await harbor((_q, res) => json(res, [{ digest: `sha256:${'a'.repeat(64)}`, tags: [{ name: 'v1' }], scan_overview: { x: ECHO } }]));
    await rejectsAsProtocol(() => c.listTags('acme/app'), /^Harbor sent the artifacts of acme\/app whose \[0\]\.scan_overview\.x is not an object\.$/);
    const { c: d } = await harbor((_q, res) => json(res, [{ digest: `sha256:${'a'.repeat(64)}`, size: 'big', push_time: 'ECHO', tags: [{ name: 'v1', push_time: 7 }] }]));
    const tags = (await d.listTags('acme/app')).items;
    assert.deepEqual(tags, [{ name: 'v1', digest: `sha256:${'a'.repeat(64)}`, created: '1970-01-01T00:00:07.000Z' }]);
  });

  test('a next link to another server is refused, and the credential never goes there', async () => {
    const other = await startHostile((_req, res) => json(res, [{ name: 'acme/stolen' }]));
    servers.push(other);
    const { c } = await harbor((_q, res) => json(res, [{ name: 'acme/one' }], { link: `<${other.url}/api/v2.0/projects/acme/repositories?page=2>; rel="next"` }));
    await rejectsAsProtocol(async () => all(await c.listRepositories()), /next-page link to another server/);
    assert.equal(other.requests.length, 0);
  });

  test('a server that links to the next page forever is stopped by the page guard', async () => {
    let n = 0;
    const { c, s } = await harbor((_q, res) => {
      n++;
      json(res, [], { link: `</api/v2.0/projects/acme/repositories?page=${n + 1}&page_size=100>; rel="next"` });
    });
    await assert.rejects(
      (async () => all(await c.listRepositories()))(),
      (e: unknown) => isRegistryError(e, 'protocol') && /kept sending empty pages/.test(e.message),
    );
    assert.ok(s.requests.length <= 4, `bounded: ${s.requests.length} requests`);
    assert.ok(s.requests.every((r) => String(r.headers.authorization ?? '').startsWith('Basic ')));
  });
});
