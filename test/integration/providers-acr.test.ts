// Azure Container Registry against the real registry in token mode, with a fake of ACR's token
// exchange: admin user and service principal as Basic on the token endpoint, a Microsoft Entra
// token exchanged for a refresh token, access tokens that expire mid-listing, refresh tokens
// renewed before they expire (and after a revocation), wrong credentials, no secret leaks.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { acrProvider, type AcrConnection } from '../../src/providers/acr';
import type { FormValues } from '../../src/providers/form';
import type { Page } from '../../src/providers/provider';
import { isRegistryError } from '../../src/registry/errors';
import { seedStandardImages, STANDARD_REPOSITORIES, STANDARD_TAGS } from '../support';
import { startFakeAcr, type FakeAcr } from '../support/fakes/acr';
import { errorText } from '../support/pages';

async function all<T>(page: Page<T>): Promise<T[]> {
  const items = [...page.items];
  while (page.more) {
    page = await page.more();
    items.push(...page.items);
  }
  return items;
}

function assertNoSecret(text: string, secrets: string[]): void {
  for (const s of secrets) {
    assert.ok(!text.includes(s), `a secret leaked: …${text.slice(Math.max(0, text.indexOf(s) - 80), text.indexOf(s))}`);
    assert.ok(!text.includes(Buffer.from(s).toString('base64').slice(0, 24)), 'a secret leaked in base64');
  }
}


describe('Azure Container Registry (fake exchange + real token-mode registry)', () => {
  const SP_ID = randomUUID();
  const SP_SECRET = `sp~${randomUUID()}`;
  let fake: FakeAcr;
  const logs: string[] = [];
  let open: AcrConnection[] = [];

  const connect = (values: FormValues): AcrConnection => {
    const r = acrProvider.fromForm({ loginServer: fake.registry.url, ...values });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    const c = acrProvider.connect({ id: 'acr1', ...r.config }, r.secrets, { apiBaseUrls: { acr: fake.exchangeUrl }, log: (m) => logs.push(m) }) as AcrConnection;
    open.push(c);
    return c;
  };
  const tokenRequests = () => fake.registry.tokenServer!.requests;

  before(async () => {
    fake = await startFakeAcr({ servicePrincipals: { [SP_ID]: SP_SECRET } });
    await seedStandardImages(fake.registry);
  });
  after(async () => {
    await Promise.all(open.map((c) => c.dispose()));
    await fake?.stop();
  });
  const done = async () => {
    await Promise.all(open.map((c) => c.dispose()));
    open = [];
  };

  test('admin user: catalog and tags through the registry, Basic on the token endpoint', async () => {
    fake.reset();
    const c = connect({ auth: 'admin', username: fake.adminUser, password: fake.adminPassword });
    const repos = await all(await c.listRepositories());
    assert.deepEqual(repos.map((r) => r.name), [...STANDARD_REPOSITORIES]);
    const tags = await all(await c.listTags('team/backend/api'));
    assert.deepEqual(tags.map((t) => t.name).sort(), STANDARD_TAGS['team/backend/api']);
    assert.deepEqual(
      tokenRequests().map((r) => `${r.method} ${r.user} ${r.status}`),
      [`GET ${fake.adminUser} 200`, `GET ${fake.adminUser} 200`],
      'one token for the catalog, one for the repository',
    );
    assert.equal(fake.exchanges.length, 0);
    const steps = await c.test();
    assert.ok(steps.every((s) => s.ok), JSON.stringify(steps));
    await done();
  });

  test('service principal: application ID + client secret', async () => {
    fake.reset();
    const c = connect({ auth: 'servicePrincipal', appId: SP_ID.toUpperCase(), clientSecret: SP_SECRET });
    assert.deepEqual((await all(await c.listTags('alpine'))).map((t) => t.name).sort(), ['3.19', 'latest']);
    assert.ok(tokenRequests().every((r) => r.user === SP_ID && r.status === 200));
    await done();
  });

  test('wrong admin password and wrong client secret: unauthorized in Azure’s terms, no secret anywhere', async () => {
    logs.length = 0;
    const wrongPassword = 'Wr0ng-admin-Pa55word-123';
    const a = connect({ auth: 'admin', username: fake.adminUser, password: wrongPassword });
    await assert.rejects(a.listRepositories(), (e: unknown) => {
      assert.ok(isRegistryError(e, 'unauthorized'));
      assert.match(e.message, /rejected the user “myregistry”.*Access keys/);
      assertNoSecret(errorText(e), [wrongPassword]);
      return true;
    });
    const wrongSecret = 'Wr0ng~client~secret~456';
    const b = connect({ auth: 'servicePrincipal', appId: SP_ID, clientSecret: wrongSecret });
    await assert.rejects(b.listTags('alpine'), (e: unknown) => {
      assert.ok(isRegistryError(e, 'unauthorized'));
      assert.match(e.message, new RegExp(`rejected the service principal ${SP_ID}.*AcrPull`));
      assertNoSecret(errorText(e), [wrongSecret]);
      return true;
    });
    const steps = await b.test();
    assert.deepEqual(steps.filter((s) => !s.ok).map((s) => s.field), ['clientSecret'], 'the wizard shows the failure at the client secret');
    assertNoSecret(JSON.stringify(steps) + logs.join('\n'), [wrongPassword, wrongSecret]);
    await done();
  });

  test('Entra token: one exchange (tenant from the token), then OAuth2 refresh-token grants', async () => {
    fake.reset();
    logs.length = 0;
    const aad = fake.aadToken();
    const c = connect({ auth: 'token', aadToken: aad });
    const steps = await c.test();
    assert.ok(steps.every((s) => s.ok), JSON.stringify(steps));
    assert.match(steps[0]!.label, /refresh token/);
    assert.deepEqual(await c.client.listTags('library/nginx'), ['1.25']);
    assert.deepEqual(fake.exchanges.map((x) => `${x.grant} ${x.tenant} ${x.service} ${x.status}`), [`access_token ${fake.tenant} ${fake.registry.host} 200`]);
    assert.ok(tokenRequests().length >= 2);
    assert.ok(tokenRequests().every((r) => r.method === 'POST' && r.grant === 'refresh_token' && r.status === 200 && r.user === 'dev@contoso.example'));
    assertNoSecret(logs.join('\n'), [aad, c.tokens!.credentials.refreshToken]);
    assert.ok(logs.some((l) => /ACR: new refresh token .* \(first use\)/.test(l)));
    await done();
  });

  test('an access token that expires mid-listing is replaced without a failed call', async () => {
    fake.reset();
    const c = connect({ auth: 'token', aadToken: fake.aadToken() });
    const seen: Record<string, string[]> = {};
    let i = 0;
    for (const repo of STANDARD_REPOSITORIES) {
      // The token for the third repository arrives already expired; the registry rejects it.
      if (i++ === 2) fake.registry.tokenServer!.issueExpired(1);
      seen[repo] = (await all(await c.listTags(repo))).map((t) => t.name).sort();
    }
    assert.deepEqual(seen, STANDARD_TAGS);
    const third = tokenRequests().filter((r) => r.scopes.includes(`repository:${STANDARD_REPOSITORIES[2]}:pull`));
    assert.equal(third.length, 2, 'the expired token and its replacement');
    assert.equal(tokenRequests().length, STANDARD_REPOSITORIES.length + 1);
    assert.equal(fake.exchanges.length, 2, 'the rejection asked for fresh credentials: one more exchange');
    assert.ok(tokenRequests().every((r) => r.status === 200));
    await done();
  });

  test('a refresh token close to expiry is exchanged again before it is used', async () => {
    fake.reset();
    fake.setRefreshSeconds(4);
    try {
      const c = connect({ auth: 'token', aadToken: fake.aadToken() });
      await all(await c.listTags('alpine'));
      assert.equal(fake.exchanges.length, 1);
      await sleep(3300); // past three quarters of its life
      assert.deepEqual((await all(await c.listTags('oci/app'))).map((t) => t.name), ['1.0']);
      assert.equal(fake.exchanges.length, 2);
      assert.ok(tokenRequests().every((r) => r.status === 200), 'the token endpoint never saw an old refresh token');
      assert.ok(logs.some((l) => /ACR: new refresh token .*\(the current one expires in \d s\)/.test(l)));
    } finally {
      fake.setRefreshSeconds(3 * 3600);
      await done();
    }
  });

  test('a revoked refresh token: the token endpoint’s 401 leads to one new exchange and the call succeeds', async () => {
    fake.reset();
    const c = connect({ auth: 'token', aadToken: fake.aadToken() });
    await all(await c.listTags('alpine'));
    fake.revokeRefreshTokens();
    const details = await c.client.imageDetails('team/frontend/web', 'main');
    assert.ok(details.digest.startsWith('sha256:'));
    assert.equal(fake.exchanges.length, 2);
    assert.deepEqual(
      tokenRequests().map((r) => r.status),
      [200, 401, 200],
    );
    await done();
  });

  test('Entra token for another tenant, or expired since saving: a specific message, no token in it', async () => {
    const foreign = fake.aadToken({ tenant: randomUUID() });
    const c = connect({ auth: 'token', aadToken: foreign });
    await assert.rejects(c.listRepositories(), (e: unknown) => {
      assert.ok(isRegistryError(e, 'unauthorized'));
      assert.match(e.message, /did not accept the Microsoft Entra token \(the token is for another tenant\).*az account get-access-token/);
      assertNoSecret(errorText(e), [foreign]);
      return true;
    });
    const soon = fake.aadToken({ seconds: 1 });
    const d = connect({ auth: 'token', aadToken: soon });
    await sleep(1100);
    await assert.rejects(d.listRepositories(), (e: unknown) => isRegistryError(e, 'unauthorized') && /Entra token expired at/.test(e.message) && !e.message.includes(soon));
    await done();
  });

  test('an ACR refresh token pasted directly (az acr login --expose-token) is used without an exchange', async () => {
    fake.reset();
    const c = connect({ auth: 'token', aadToken: fake.refreshToken() });
    assert.deepEqual((await all(await c.listRepositories())).length, STANDARD_REPOSITORIES.length);
    assert.equal(fake.exchanges.length, 0);
    assert.ok(tokenRequests().every((r) => r.method === 'POST' && r.status === 200));
    await done();
  });
});
