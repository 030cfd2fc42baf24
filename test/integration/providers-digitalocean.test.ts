// DigitalOcean Container Registry against a fake of the DigitalOcean API (its wire format) in
// front of the real docker-registry, whose token server takes the API token as username and
// password: listing with paging, facts for free, registry reads, wrong tokens, no secret leaks.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { digitalOceanProvider, type DigitalOceanConnection } from '../../src/providers/digitalocean';
import type { ProviderContext } from '../../src/providers/provider';
import { isRegistryError } from '../../src/registry/errors';
import { CREATED } from '../support';
import { startFakeDigitalOcean, type FakeDigitalOcean } from '../support/fakes/digitalocean';
import { allPages as all } from '../support/pages';


function noSecret(text: string, secret: string): void {
  assert.ok(!text.includes(secret), `secret leaked: ${text.slice(0, 200)}`);
  assert.ok(!text.includes(Buffer.from(`${secret}:${secret}`).toString('base64')), 'secret leaked as Basic');
}

describe('DigitalOcean Container Registry (fake API + real registry)', () => {
  let fake: FakeDigitalOcean;
  const logs: string[] = [];
  const ctx = (): ProviderContext => ({ apiBaseUrls: { digitalocean: fake.apiUrl, 'digitalocean-registry': fake.registry.url }, log: (m) => logs.push(m) });
  const connect = (token: string, registry = '') => {
    const r = digitalOceanProvider.fromForm({ token, registry });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    return digitalOceanProvider.connect({ id: 'do1', ...r.config }, r.secrets, ctx()) as DigitalOceanConnection;
  };

  before(async () => {
    fake = await startFakeDigitalOcean({ registryName: 'acme', maxPerPage: 2 });
    const p = fake.registry.pusher;
    await Promise.all([
      p.pushImage('acme/web', ['1.0', 'latest'], { created: CREATED.web, layerBytes: [1200, 300] }),
      p.pushImage('acme/web', '0.9', { created: CREATED.alpine, layerBytes: [1000] }),
      p.pushImage('acme/team/api', 'v1', { created: CREATED.apiV1 }),
      p.pushImage('acme/worker', 'main', { created: CREATED.nginx }),
      p.pushImage('acme/db', '16', { created: CREATED.ociApp, format: 'oci' }),
      p.pushImage('other/unrelated', 'x'),
    ]);
    await fake.registry.pusher.pushManyTags('acme/many', 5);
    await fake.sync();
  });
  after(async () => fake?.stop());

  test('repositories come from the API in pages, named as the registry knows them', async () => {
    fake.reset();
    const c = connect(fake.token, 'acme');
    try {
      const { items, pages } = await all(await c.listRepositories());
      assert.deepEqual(
        items.map((r) => r.name),
        ['acme/db', 'acme/many', 'acme/team/api', 'acme/web', 'acme/worker'],
      );
      assert.equal(pages, 3, 'five repositories at two per page');
      assert.equal(items.find((r) => r.name === 'acme/web')?.tagCount, 3);
      assert.equal(items.find((r) => r.name === 'acme/web')?.updated, new Date(CREATED.web).toISOString());
      const calls = fake.requests.map((r) => `${r.path}?${r.query.page_token ? 'token' : 'first'}`);
      assert.deepEqual(calls, ['/v2/registry/acme/repositoriesV2?first', '/v2/registry/acme/repositoriesV2?token', '/v2/registry/acme/repositoriesV2?token']);
      assert.equal(fake.requests[0]!.query.per_page, '200', 'asks for the largest page');
      assert.ok(fake.requests.every((r) => r.auth === 'valid'));
    } finally {
      await c.dispose();
    }
  });

  test('without a registry name, the account’s registry is looked up once', async () => {
    fake.reset();
    const c = connect(fake.token);
    try {
      await c.listRepositories();
      await c.listRepositories();
      assert.deepEqual(
        fake.requests.map((r) => r.path),
        ['/v2/registry', '/v2/registry/acme/repositoriesV2', '/v2/registry/acme/repositoriesV2'],
      );
    } finally {
      await c.dispose();
    }
  });

  test('tags with digest, push time and compressed size, paged; nested names are %2F-encoded', async () => {
    fake.reset();
    const c = connect(fake.token, 'acme');
    try {
      const web = await all(await c.listTags('acme/web'));
      assert.equal(web.pages, 2);
      const byName = Object.fromEntries(web.items.map((t) => [t.name, t]));
      assert.deepEqual(Object.keys(byName).sort(), ['0.9', '1.0', 'latest']);
      assert.equal(byName['1.0']!.created, new Date(CREATED.web).toISOString());
      assert.equal(byName['1.0']!.digest, byName.latest!.digest);
      // What the registry serves is what the API said.
      const head = await c.client.headManifest('acme/web', '1.0');
      assert.equal(head.digest, byName['1.0']!.digest);
      const details = await c.client.imageDetails('acme/web', '1.0');
      assert.equal(byName['1.0']!.size, details.size, 'compressed size = config + layers');

      const api = await all(await c.listTags('acme/team/api'));
      assert.deepEqual(api.items.map((t) => t.name), ['v1']);
      assert.ok(fake.requests.some((r) => r.path === '/v2/registry/acme/repositories/team%2Fapi/tags'));
      const many = await all(await c.listTags('acme/many'));
      assert.equal(many.items.length, 5);
      assert.equal(many.pages, 3);
    } finally {
      await c.dispose();
    }
  });

  test('the registry takes the API token as username and password', async () => {
    fake.reset();
    const c = connect(fake.token, 'acme');
    try {
      assert.deepEqual((await c.client.listTags('acme/worker')).sort(), ['main']);
      assert.ok(fake.registryLogins.length >= 1 && fake.registryLogins.every((l) => l.ok));
      const steps = await c.test();
      assert.ok(steps.every((s) => s.ok), JSON.stringify(steps));
      assert.match(steps[0]!.label, /registry acme/);
    } finally {
      await c.dispose();
    }
  });

  test('a registry token that expires mid-listing: the API token is sent again, nothing fails', async () => {
    fake.reset();
    const c = connect(fake.token, 'acme');
    try {
      const repos = (await all(await c.listRepositories())).items.map((r) => r.name);
      let i = 0;
      for (const repo of repos) {
        if (i++ === 1) fake.registry.tokenServer!.issueExpired(1);
        await c.client.headManifest(repo, (await c.listTags(repo)).items[0]!.name);
      }
      const logins = fake.registry.tokenServer!.requests;
      assert.equal(logins.length, repos.length + 1, 'one token per repository, plus the replacement of the expired one');
      assert.ok(logins.every((r) => r.status === 200));
    } finally {
      await c.dispose();
    }
  });

  test('the API rate limit: waits as told by Retry-After, then goes on', async () => {
    fake.reset();
    const c = connect(fake.token, 'acme');
    try {
      fake.failNext(1, 429, { 'retry-after': '1', 'ratelimit-remaining': '0' });
      const started = Date.now();
      assert.equal((await c.listRepositories()).items.length, 2);
      assert.ok(Date.now() - started >= 900);
      assert.deepEqual(fake.requests.map((r) => r.status), [429, 200]);
      fake.failNext(10, 429, { 'retry-after': '3600' });
      await assert.rejects(c.listTags('acme/web'), (e: unknown) => isRegistryError(e, 'rateLimited') && e.resetAt instanceof Date);
    } finally {
      fake.failNext(0, 200);
      await c.dispose();
    }
  });

  test('a registry denial is worded once, whichever call meets it', async () => {
    const c = connect(fake.token, 'acme');
    fake.registry.tokenServer!.setDenyRepositories(['acme/worker']);
    try {
      await assert.rejects(c.client.imageDetails('acme/worker', 'main'), (e: unknown) => {
        assert.ok(isRegistryError(e, 'forbidden'));
        assert.equal(e.message.split('registry:read').length - 1, 1, e.message);
        return true;
      });
    } finally {
      fake.registry.tokenServer!.setDenyRepositories([]);
      await c.dispose();
    }
  });

  test('a wrong token: unauthorized from the API and the registry, in DigitalOcean’s words, never the token', async () => {
    const wrong = `dop_v1_${'f'.repeat(64)}`;
    logs.length = 0;
    const c = connect(wrong, 'acme');
    try {
      await assert.rejects(c.listRepositories(), (e: unknown) => {
        assert.ok(isRegistryError(e, 'unauthorized'));
        assert.match(e.message, /DigitalOcean rejected the API token \(unauthorized: Unable to authenticate you\)/);
        noSecret(`${e.message} ${e.stack} ${JSON.stringify(e)}`, wrong);
        return true;
      });
      await assert.rejects(c.client.listTags('acme/web'), (e: unknown) => {
        assert.ok(isRegistryError(e, 'unauthorized'));
        assert.match(e.message, /rejected the DigitalOcean API token/);
        noSecret(`${e.message} ${e.stack} ${JSON.stringify(e)}`, wrong);
        return true;
      });
      const steps = await c.test();
      assert.equal(steps[0]!.ok, false);
      assert.equal(steps[0]!.field, 'token');
      noSecret(JSON.stringify(steps), wrong);
      noSecret(logs.join('\n'), wrong);
      assert.ok(logs.some((l) => /DigitalOcean API: GET \/v2\/registry\/acme\/repositoriesV2 → 401/.test(l)), logs.join('\n'));
    } finally {
      await c.dispose();
    }
  });

  test('a token without registry:read: forbidden, naming the scope to add', async () => {
    const limited = `dop_v1_${'a'.repeat(64)}`;
    fake.setTokens({ [fake.token]: ['registry:read'], [limited]: ['droplet:read'] });
    const c = connect(limited, 'acme');
    try {
      await assert.rejects(c.listTags('acme/web'), (e: unknown) => isRegistryError(e, 'forbidden') && /registry:read/.test(e.message) && !e.message.includes(limited));
      await assert.rejects(c.client.listTags('acme/web'), (e: unknown) => isRegistryError(e, 'unauthorized') && !e.message.includes(limited));
    } finally {
      await c.dispose();
    }
  });

  test('an unknown registry name or repository: notFound with what to check', async () => {
    const c = connect(fake.token, 'nope');
    try {
      await assert.rejects(c.listRepositories(), (e: unknown) => isRegistryError(e, 'notFound') && /no registry named nope/.test(e.message));
    } finally {
      await c.dispose();
    }
    const d = connect(fake.token, 'acme');
    try {
      await assert.rejects(d.listTags('acme/ghost'), (e: unknown) => isRegistryError(e, 'notFound') && /ghost was not found/.test(e.message));
      await assert.rejects(d.listTags('other/unrelated'), (e: unknown) => isRegistryError(e, 'invalid'));
    } finally {
      await d.dispose();
    }
  });
});

describe('DigitalOcean without a registry', () => {
  test('the account has none: says where to create one', async () => {
    const fake = await startFakeDigitalOcean({ noRegistry: true });
    const r = digitalOceanProvider.fromForm({ token: fake.token });
    assert.ok(r.ok);
    const c = digitalOceanProvider.connect({ id: 'x', ...r.config }, r.secrets, { apiBaseUrls: { digitalocean: fake.apiUrl, 'digitalocean-registry': fake.registry.url } });
    try {
      await assert.rejects(c.listRepositories(), (e: unknown) => isRegistryError(e, 'notFound') && /Container Registry page/.test(e.message));
    } finally {
      await c.dispose();
      await fake.stop();
    }
  });
});
