// Many requests in flight hit a 401 together (their shared token expired, or was revoked):
// one credential refresh and one token fetch serve them all, and a refresh that fails fails
// each of them once. Against the real registry in token mode; the token server counts fetches.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { RegistryClient } from '../../src/registry/client';
import type { CredentialSource } from '../../src/registry/credentials';
import { RegistryError } from '../../src/registry/errors';
import { startHostile, startRegistry, type HostileServer, type RunningRegistry } from '../support';

const PARALLEL = 16;

describe('16 requests rejected together (token registry)', () => {
  let reg: RunningRegistry;
  before(async () => {
    reg = await startRegistry({ mode: 'token' });
    await reg.pusher.pushImage('x/y', 'a', { layerBytes: [10] });
  });
  after(async () => reg?.stop());
  beforeEach(() => reg.tokenServer!.reset());

  /** A provider that counts what it is asked; `refresh` answers a forced refresh. */
  function provider(refresh: () => Promise<void> = async () => undefined): { source: CredentialSource; refreshes: () => number } {
    const asked: boolean[] = [];
    const source: CredentialSource = async ({ forceRefresh }) => {
      asked.push(forceRefresh);
      if (forceRefresh) await refresh();
      return { kind: 'basic', username: reg.username!, password: reg.password! };
    };
    return { source, refreshes: () => asked.filter(Boolean).length };
  }

  const tokenFetches = (): number => reg.tokenServer!.requests.filter((r) => r.scopes.includes('repository:x/y:pull')).length;

  test('an expired token: one credential refresh and one token fetch serve all 16', async () => {
    const p = provider();
    const c = new RegistryClient({ url: reg.url, credentials: p.source });
    try {
      assert.equal((await c.ping()).auth, 'bearer');
      // The one token the 16 share is issued already expired: the registry rejects it for each.
      reg.tokenServer!.issueExpired(1);
      const heads = await Promise.all(Array.from({ length: PARALLEL }, () => c.headManifest('x/y', 'a')));
      assert.equal(new Set(heads.map((h) => h.digest)).size, 1);
      assert.equal(tokenFetches(), 2, 'the expired token, then one fresh token for all 16');
      assert.equal(p.refreshes(), 1, 'one credential refresh for all 16');
      await c.headManifest('x/y', 'a');
      assert.equal(tokenFetches(), 2, 'the fresh token is cached');
    } finally {
      await c.close();
    }
  });

  test('a refresh that fails fails all 16 with its error, and was attempted once', async () => {
    const p = provider(async () => {
      throw new RegistryError('unauthorized', 'The session expired. Sign in again to reconnect.');
    });
    const c = new RegistryClient({ url: reg.url, credentials: p.source });
    try {
      await c.ping();
      reg.tokenServer!.issueExpired(1);
      const results = await Promise.allSettled(Array.from({ length: PARALLEL }, () => c.headManifest('x/y', 'a')));
      for (const r of results) {
        assert.equal(r.status, 'rejected');
        const e = (r as PromiseRejectedResult).reason as RegistryError;
        assert.ok(e instanceof RegistryError && e.kind === 'unauthorized' && /Sign in again/.test(e.message), String(e));
      }
      assert.equal(p.refreshes(), 1);
      assert.equal(tokenFetches(), 1, 'only the expired token: no fetch with credentials that failed to refresh');
    } finally {
      await c.close();
    }
  });
});

describe('a hostile registry that rejects every token', () => {
  const SECRET = 'Concurrent-401-S3cret';
  let registry: HostileServer;
  let tokens: HostileServer;
  before(async () => {
    let issued = 0;
    tokens = await startHostile((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: `token-${++issued}`, expires_in: 300 }));
    });
    registry = await startHostile((_req, res) => {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${tokens.url}/token",service="reg"`, 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
    });
  });
  after(async () => Promise.all([registry.stop(), tokens.stop()]));

  test('16 requests: one credential refresh, two tries each, every caller told the credentials were rejected', async () => {
    const asked: boolean[] = [];
    const c = new RegistryClient({
      url: registry.url,
      retry: { maxRetries: 0 },
      credentials: async ({ forceRefresh }) => {
        asked.push(forceRefresh);
        return { kind: 'basic', username: 'alice', password: SECRET };
      },
    });
    try {
      assert.equal((await c.ping()).auth, 'bearer');
      const before = registry.requests.length;
      const results = await Promise.allSettled(Array.from({ length: PARALLEL }, () => c.headManifest('x/y', 'a')));
      for (const r of results) {
        const e = (r as PromiseRejectedResult).reason as RegistryError;
        assert.ok(e instanceof RegistryError && e.kind === 'unauthorized' && /rejected the credentials for user “alice”/.test(e.message), String(e));
        assert.ok(!e.message.includes(SECRET));
      }
      assert.deepEqual(asked, [false, true], 'loaded once, refreshed once for all 16');
      assert.equal(registry.requests.length - before, 2 * PARALLEL, 'each request tried once, then once more: no loop');
      assert.ok(tokens.requests.length >= 2 && tokens.requests.length <= 1 + PARALLEL, `token fetches bounded (${tokens.requests.length})`);
    } finally {
      await c.close();
    }
  });
});
