import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TokenCache, tokenKey } from '../../../src/registry/tokenCache';

describe('token cache', () => {
  test('concurrent callers share one fetch; later callers reuse until near expiry', async () => {
    let now = 1_000_000;
    const cache = new TokenCache(() => now);
    let fetches = 0;
    const fetch = async () => {
      fetches++;
      await new Promise((r) => setTimeout(r, 10));
      return { token: `t${fetches}`, expiresAt: now + 60_000, lifetimeMs: 60_000 };
    };
    const key = tokenKey('https://a/token', 's', ['repository:x:pull']);
    const tokens = await Promise.all(Array.from({ length: 50 }, () => cache.get(key, fetch)));
    assert.equal(fetches, 1);
    assert.ok(tokens.every((t) => t === 't1'));
    now += 50_000;
    assert.equal(await cache.get(key, fetch), 't1');
    now += 5_000; // 5 s left of 60: inside the 6 s safety margin
    assert.equal(await cache.get(key, fetch), 't2');
  });

  test('keys differ by realm, service and scope set but not scope order', () => {
    assert.equal(tokenKey('r', 's', ['a', 'b']), tokenKey('r', 's', ['b', 'a']));
    assert.notEqual(tokenKey('r', 's', ['a']), tokenKey('r', 't', ['a']));
    assert.notEqual(tokenKey('r', 's', ['a']), tokenKey('q', 's', ['a']));
  });

  test('a failed fetch is not cached and invalidate only drops the named token', async () => {
    const cache = new TokenCache();
    await assert.rejects(cache.get('k', async () => Promise.reject(new Error('boom'))));
    assert.equal(await cache.get('k', async () => ({ token: 'ok', expiresAt: Date.now() + 60_000, lifetimeMs: 60_000 })), 'ok');
    cache.invalidate('k', 'other');
    assert.equal(cache.peek('k'), 'ok');
    cache.invalidate('k', 'ok');
    assert.equal(cache.peek('k'), undefined);
  });
});
