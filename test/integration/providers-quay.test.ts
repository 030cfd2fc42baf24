// Quay against a fake of the Quay API (its wire format) in front of the real registry, whose
// token server takes robot accounts and `$oauthtoken`: paging across namespaces, tags with
// facts for free, robot-only listing through the catalog, anonymous browsing, wrong
// credentials, and no secret in errors or logs.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FormValues } from '../../src/providers/form';
import { quayProvider, type QuayConnection } from '../../src/providers/quay';
import { isRegistryError } from '../../src/registry/errors';
import { CREATED } from '../support';
import { startFakeQuay, type FakeQuay } from '../support/fakes/quay';
import { allPages as all, errorText } from '../support/pages';



describe('Quay (fake Quay API + real registry)', () => {
  let fake: FakeQuay;
  const logs: string[] = [];
  let open: QuayConnection[] = [];
  const connect = (values: FormValues): QuayConnection => {
    const r = quayProvider.fromForm({ url: fake.registry.url, ...values });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    const c = quayProvider.connect({ id: 'q', ...r.config }, r.secrets, { apiBaseUrls: { quay: fake.apiUrl }, log: (m) => logs.push(m) }) as QuayConnection;
    open.push(c);
    return c;
  };
  const done = async () => {
    await Promise.all(open.map((c) => c.dispose()));
    open = [];
  };

  before(async () => {
    fake = await startFakeQuay({ pageSize: 2, privateRepositories: ['acme/secret'] });
    const p = fake.registry.pusher;
    await Promise.all([
      p.pushImage('acme/web', ['1.0', 'latest'], { created: CREATED.web, layerBytes: [1500, 500] }),
      p.pushImage('acme/web', '0.9', { created: CREATED.alpine }),
      p.pushIndex('acme/api', 'v1', [{ os: 'linux', arch: 'amd64' }, { os: 'linux', arch: 'arm64', variant: 'v8' }], { format: 'oci' }),
      p.pushImage('acme/secret', 'x', { created: CREATED.nginx }),
      p.pushImage('other/lib', '2'),
      p.pushImage('elsewhere/tool', '1'),
    ]);
    await p.pushManyTags('acme/many', 150);
    await fake.sync();
  });
  after(async () => {
    await done();
    await fake?.stop();
  });

  test('OAuth token: repositories of each namespace in pages, with dates', async () => {
    fake.reset();
    const c = connect({ namespaces: 'acme\nother', oauthToken: fake.oauthToken });
    const { items, pages } = await all(await c.listRepositories());
    assert.deepEqual(items.map((r) => r.name), ['acme/api', 'acme/many', 'acme/secret', 'acme/web', 'other/lib']);
    assert.equal(pages, 3, 'acme in two pages of two, then other');
    assert.equal(items.find((r) => r.name === 'acme/web')!.updated, new Date(CREATED.web).toISOString());
    assert.deepEqual(
      fake.requests.map((r) => `${r.query.namespace}${r.query.next_page ? '+' : ''} ${r.auth}`),
      ['acme valid', 'acme+ valid', 'other valid'],
    );
    assert.ok(fake.requests.every((r) => r.query.last_modified === 'true'));
    await done();
  });

  test('tags with digest, push time and size from the API; the registry agrees, signed in as $oauthtoken', async () => {
    fake.reset();
    const c = connect({ namespaces: 'acme', oauthToken: fake.oauthToken });
    const web = (await all(await c.listTags('acme/web'))).items;
    assert.deepEqual(web.map((t) => t.name), ['1.0', 'latest', '0.9'], 'newest first, as Quay sends them');
    const head = await c.client.headManifest('acme/web', '1.0');
    assert.equal(web[0]!.digest, head.digest);
    assert.equal(web[0]!.created, new Date(CREATED.web).toISOString());
    assert.equal(web[0]!.size, (await c.client.imageDetails('acme/web', '1.0')).size);
    const api = (await all(await c.listTags('acme/api'))).items;
    assert.equal(api[0]!.size, undefined, 'no size for a manifest list');
    assert.equal(api[0]!.digest, (await c.client.headManifest('acme/api', 'v1')).digest);
    const many = await all(await c.listTags('acme/many'));
    assert.equal(many.items.length, 150);
    assert.equal(many.pages, 2);
    const tagCalls = fake.requests.filter((r) => r.path === '/api/v1/repository/acme/many/tag/');
    assert.deepEqual(tagCalls.map((r) => `${r.query.page}/${r.query.limit}/${r.query.onlyActiveTags}`), ['1/100/true', '2/100/true']);
    assert.ok(fake.registryLogins.length > 0 && fake.registryLogins.every((l) => l.user === '$oauthtoken' && l.ok));
    const steps = await c.test();
    assert.ok(steps.every((s) => s.ok), JSON.stringify(steps));
    await done();
  });

  test('robot account with an OAuth token: the API with the token, the registry with the robot', async () => {
    fake.reset();
    const c = connect({ namespaces: 'acme', oauthToken: fake.oauthToken, robotUsername: fake.robot, robotToken: fake.robotToken });
    await c.listTags('acme/web');
    await c.client.headManifest('acme/web', 'latest');
    assert.ok(fake.requests.every((r) => r.auth === 'valid'));
    assert.ok(fake.registryLogins.length > 0 && fake.registryLogins.every((l) => l.user === fake.robot && l.ok));
    await done();
  });

  test('robot account only: the registry catalog, narrowed to the listed namespaces; no API calls', async () => {
    fake.reset();
    const c = connect({ namespaces: 'acme', robotUsername: fake.robot, robotToken: fake.robotToken });
    const { items } = await all(await c.listRepositories());
    assert.deepEqual(items.map((r) => r.name), ['acme/api', 'acme/many', 'acme/secret', 'acme/web']);
    assert.deepEqual((await all(await c.listTags('acme/web'))).items.map((t) => t.name).sort(), ['0.9', '1.0', 'latest']);
    assert.equal(fake.requests.length, 0);
    const all2 = await all(await connect({ robotUsername: fake.robot, robotToken: fake.robotToken }).listRepositories());
    assert.ok(all2.items.some((r) => r.name === 'elsewhere/tool'));
    await done();
  });

  test('anonymous: public repositories only; a private one asks for a token', async () => {
    fake.reset();
    const c = connect({ namespaces: 'acme' });
    const { items } = await all(await c.listRepositories());
    assert.ok(!items.some((r) => r.name === 'acme/secret'));
    assert.ok(fake.requests.every((r) => r.auth === 'none'));
    await assert.rejects(c.listTags('acme/secret'), (e: unknown) => isRegistryError(e, 'forbidden') && /need an OAuth access token/.test(e.message));
    await done();
  });

  test('a registry token that expires mid-listing is replaced without a failed call', async () => {
    fake.reset();
    const c = connect({ namespaces: 'acme', oauthToken: fake.oauthToken, robotUsername: fake.robot, robotToken: fake.robotToken });
    const repos = (await all(await c.listRepositories())).items.map((r) => r.name);
    let i = 0;
    for (const repo of repos) {
      if (i++ === 2) fake.registry.tokenServer!.issueExpired(1);
      const tag = (await c.listTags(repo)).items[0]!;
      assert.equal((await c.client.headManifest(repo, tag.name)).digest, tag.digest);
    }
    const fetched = fake.registry.tokenServer!.requests;
    assert.equal(fetched.length, repos.length + 1);
    assert.ok(fetched.every((r) => r.status === 200 && r.user === fake.robot));
    await done();
  });

  test('wrong OAuth token, token without repo:read, wrong robot token: specific messages, never a secret', async () => {
    logs.length = 0;
    const wrongOauth = 'WrongOAuthToken0123456789abcdefghij';
    const a = connect({ namespaces: 'acme', oauthToken: wrongOauth });
    await assert.rejects(a.listRepositories(), (e: unknown) => {
      assert.ok(isRegistryError(e, 'unauthorized'));
      assert.match(e.message, /Quay rejected the OAuth access token \(invalid_token: Invalid OAuth token\)/);
      assert.ok(!errorText(e).includes(wrongOauth));
      return true;
    });
    const weak = 'WeakOAuthToken0123456789abcdefghijk';
    fake.setOauthTokens({ [fake.oauthToken]: ['repo:read'], [weak]: ['user:read'] });
    const b = connect({ namespaces: 'acme', oauthToken: weak });
    await assert.rejects(b.listTags('acme/web'), (e: unknown) => isRegistryError(e, 'forbidden') && /View all visible repositories/.test(e.message) && !errorText(e).includes(weak));
    const wrongRobot = 'WRONGROBOTTOKEN0123456789ABCDEFGHIJKLMNOP';
    const c = connect({ namespaces: 'acme', oauthToken: fake.oauthToken, robotUsername: fake.robot, robotToken: wrongRobot });
    await assert.rejects(c.client.headManifest('acme/web', '1.0'), (e: unknown) => {
      assert.ok(isRegistryError(e, 'unauthorized'));
      assert.match(e.message, new RegExp(`rejected the robot account ${fake.robot.replace('+', '\\+')}`));
      assert.ok(!errorText(e).includes(wrongRobot));
      return true;
    });
    const steps = [...(await a.test()), ...(await c.test())];
    assert.deepEqual(steps.filter((s) => !s.ok).map((s) => s.field), ['oauthToken', 'robotToken'], 'each failure lands on its own secret');
    const everything = JSON.stringify(steps) + logs.join('\n');
    for (const s of [wrongOauth, weak, wrongRobot, fake.oauthToken]) assert.ok(!everything.includes(s), 'a secret reached the steps or the log');
    assert.ok(logs.some((l) => /the Quay API: GET \/api\/v1\/repository → 401/.test(l)));
    await done();
  });
});
