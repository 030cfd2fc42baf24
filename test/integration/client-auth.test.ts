// The client against the real registry with TLS + Basic (self-signed CA) and with token auth
// (our token server issuing JWTs the registry verifies): trust, credentials, and token counts.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RegistryClient } from '../../src/registry/client';
import { staticCredentials } from '../../src/registry/credentials';
import { RegistryError } from '../../src/registry/errors';
import { seedStandardImages, startRegistry, type RunningRegistry, type StandardImages, type TokenServerOptions } from '../support';

function noSecretIn(e: unknown, secret: string): boolean {
  const text = `${String(e)} ${(e as Error).stack ?? ''} ${JSON.stringify(e)}`;
  return !text.includes(secret) && !text.includes(Buffer.from(secret).toString('base64'));
}

/** `fn` on a token-mode registry of its own holding x/y:a, its token server's counts reset. */
async function withOneImage(tokenServer: TokenServerOptions, fn: (reg: RunningRegistry) => Promise<void>): Promise<void> {
  const reg = await startRegistry({ mode: 'token', tokenServer });
  try {
    await reg.pusher.pushImage('x/y', 'a', { layerBytes: [10] });
    reg.tokenServer!.reset();
    await fn(reg);
  } finally {
    await reg.stop();
  }
}

describe('TLS + Basic (self-signed certificate, htpasswd)', () => {
  let reg: RunningRegistry;
  before(async () => {
    reg = await startRegistry({ mode: 'tls-basic' });
    await seedStandardImages(reg);
  });
  after(async () => reg?.stop());

  const client = (over: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}) =>
    new RegistryClient({ url: reg.url, caPem: reg.caPem, credentials: staticCredentials({ kind: 'basic', username: reg.username!, password: reg.password! }), ...over });

  test('with the CA and the right password: lists, one request per call after the ping', async () => {
    const c = client();
    try {
      assert.equal((await c.ping()).auth, 'basic');
      const before = c.stats.requests;
      assert.ok((await c.listCatalog()).includes('multi/oci-index'));
      await c.imageDetails('alpine', 'latest');
      assert.equal(c.stats.requests - before, 3, 'catalog + manifest + config, each sent authenticated up front');
    } finally {
      await c.close();
    }
  });

  test('without the CA: a TLS error that says to add the CA or allow insecure', async () => {
    const c = client({ caPem: undefined });
    try {
      await assert.rejects(c.ping(), (e: unknown) => e instanceof RegistryError && e.kind === 'tls' && /CA certificate/.test(e.message) && e.action === 'editConnection');
    } finally {
      await c.close();
    }
  });

  test('insecure skips verification', async () => {
    const c = client({ caPem: undefined, insecure: true });
    try {
      assert.ok((await c.listCatalog()).length > 0);
    } finally {
      await c.close();
    }
  });

  test('a wrong password: unauthorized, naming the user, never the password', async () => {
    const secret = 'Wr0ng-Pa55word-XYZ';
    const c = client({ credentials: staticCredentials({ kind: 'basic', username: reg.username!, password: secret }) });
    try {
      await assert.rejects(c.listCatalog(), (e: unknown) => e instanceof RegistryError && e.kind === 'unauthorized' && e.message.includes(reg.username!) && noSecretIn(e, secret));
    } finally {
      await c.close();
    }
  });

  test('no credentials: asks the user to sign in', async () => {
    const c = client({ credentials: undefined });
    try {
      await assert.rejects(c.listCatalog(), (e: unknown) => e instanceof RegistryError && e.kind === 'unauthorized' && /sign in/.test(e.message));
    } finally {
      await c.close();
    }
  });

  test('the provider is asked for fresh credentials once after a rejection', async () => {
    const asked: boolean[] = [];
    const c = client({
      credentials: async ({ forceRefresh }) => {
        asked.push(forceRefresh);
        return { kind: 'basic', username: reg.username!, password: forceRefresh ? reg.password! : 'expired-password' };
      },
    });
    try {
      assert.ok((await c.listCatalog()).length > 0);
      assert.deepEqual(asked, [false, true]);
    } finally {
      await c.close();
    }
  });
});

describe('token auth (JWT bearer tokens from a token server)', () => {
  let reg: RunningRegistry;
  let images: StandardImages;
  before(async () => {
    reg = await startRegistry({ mode: 'token', tokenServer: { denyRepositories: ['team/frontend/web'] } });
    images = await seedStandardImages(reg);
  });
  after(async () => reg?.stop());
  const creds = () => staticCredentials({ kind: 'basic', username: reg.username!, password: reg.password! });

  test('one token per scope for a whole listing session, however many requests', async () => {
    reg.tokenServer!.reset();
    const c = new RegistryClient({ url: reg.url, credentials: creds() });
    try {
      const repos = await c.listCatalog();
      await c.listCatalog();
      await Promise.all(Array.from({ length: 20 }, () => c.headManifest('alpine', 'latest')));
      await c.imageDetails('multi/oci-index', 'latest');
      await c.listTags('multi/oci-index');
      assert.ok(repos.includes('alpine'));
      const scopes = reg.tokenServer!.requests.map((r) => r.scopes.join(' ')).sort();
      assert.deepEqual(scopes, ['registry:catalog:*', 'repository:alpine:pull', 'repository:multi/oci-index:pull']);
      assert.equal(c.stats.tokenFetches, 3);
      assert.ok(reg.tokenServer!.requests.every((r) => r.method === 'GET' && r.user === reg.username && r.service === reg.tokenServer!.service));
    } finally {
      await c.close();
    }
  });

  test('expires_in missing: the token is still reused (60 s default)', () =>
    withOneImage({ omitExpiresIn: true }, async (r2) => {
      const c = new RegistryClient({ url: r2.url, credentials: staticCredentials({ kind: 'basic', username: r2.username!, password: r2.password! }) });
      for (let i = 0; i < 5; i++) await c.headManifest('x/y', 'a');
      assert.equal(r2.tokenServer!.requests.length, 1);
      await c.close();
    }));

  test('a wrong password is reported by the token service, without the password', async () => {
    const secret = 'nope-N0pe-secret';
    const c = new RegistryClient({ url: reg.url, credentials: staticCredentials({ kind: 'basic', username: reg.username!, password: secret }) });
    try {
      await assert.rejects(c.listCatalog(), (e: unknown) => e instanceof RegistryError && e.kind === 'unauthorized' && /token service/.test(e.message) && noSecretIn(e, secret));
    } finally {
      await c.close();
    }
  });

  test('anonymous access to a registry that needs sign-in', async () => {
    const c = new RegistryClient({ url: reg.url });
    try {
      await assert.rejects(c.listTags('alpine'), (e: unknown) => e instanceof RegistryError && e.kind === 'unauthorized' && /sign in/.test(e.message));
    } finally {
      await c.close();
    }
  });

  test('a repository the account may not pull: forbidden (insufficient_scope after a fresh token)', async () => {
    const c = new RegistryClient({ url: reg.url, credentials: creds() });
    try {
      await assert.rejects(c.listTags('team/frontend/web'), (e: unknown) => e instanceof RegistryError && e.kind === 'forbidden' && /denied/.test(e.message));
    } finally {
      await c.close();
    }
  });

  test('DELETE asks for the delete scope and works', async () => {
    const img = await reg.pusher.pushImage('scratch/del', 'x', { layerBytes: [12] });
    reg.tokenServer!.reset();
    const c = new RegistryClient({ url: reg.url, credentials: creds() });
    try {
      await c.deleteManifest('scratch/del', img.digest);
      assert.deepEqual(reg.tokenServer!.requests.map((r) => r.scopes.join(' ')), ['repository:scratch/del:delete']);
      await assert.rejects(c.getManifest('scratch/del', img.digest), (e: unknown) => e instanceof RegistryError && e.kind === 'notFound');
    } finally {
      await c.close();
    }
  });

  test('a refresh token is exchanged by OAuth2 POST (grant_type=refresh_token)', async () => {
    // Get a refresh token the way `docker login` with an identity token would.
    const form = new URLSearchParams({ grant_type: 'password', username: reg.username!, password: reg.password!, service: reg.tokenServer!.service, client_id: 'test', access_type: 'offline', scope: '' });
    const res = await fetch(reg.tokenServer!.realm, { method: 'POST', body: form });
    const { refresh_token } = (await res.json()) as { refresh_token: string };
    assert.ok(refresh_token);
    reg.tokenServer!.reset();
    const c = new RegistryClient({ url: reg.url, credentials: staticCredentials({ kind: 'refreshToken', refreshToken: refresh_token }) });
    try {
      const m = await c.getManifest('oci/app', '1.0');
      assert.equal(m.digest, images['oci/app'].digest);
      assert.deepEqual(reg.tokenServer!.requests.map((r) => [r.method, r.grant]), [['POST', 'refresh_token']]);
    } finally {
      await c.close();
    }
  });

  test('a token server without OAuth2 (POST 404) falls back to GET', () =>
    withOneImage({ oauthPost: false }, async (r2) => {
      const c = new RegistryClient({ url: r2.url, credentials: staticCredentials({ kind: 'refreshToken', refreshToken: r2.password!, username: r2.username! }) });
      await c.headManifest('x/y', 'a');
      assert.deepEqual(r2.tokenServer!.requests.map((r) => [r.method, r.status]), [['POST', 404], ['GET', 200]]);
      await c.close();
    }));
});
