// The token cache's sharing and bounds: one caller's cancellation is its own, and a server
// that names a new realm per response cannot grow the cache without end.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isRegistryError } from '../../../src/registry/errors';
import { MAX_CACHED_TOKENS, TokenCache, tokenKey, type IssuedToken } from '../../../src/registry/tokenCache';

const issued = (token: string): IssuedToken => ({ token, expiresAt: Date.now() + 3_600_000, lifetimeMs: 3_600_000 });

/** A fetch that waits until the test releases it, recording the signal it ran under. */
function gated() {
  let release!: (t: IssuedToken) => void;
  const gate = new Promise<IssuedToken>((r) => (release = r));
  const signals: AbortSignal[] = [];
  const fetch = (signal: AbortSignal): Promise<IssuedToken> => {
    signals.push(signal);
    return gate;
  };
  return { fetch, signals, release };
}

describe('token cache: cancellation and bounds', () => {
  test('the first waiter cancelling leaves the shared fetch running for the others', async () => {
    const cache = new TokenCache();
    const { fetch, signals, release } = gated();
    const first = new AbortController();
    const a = cache.get('k', fetch, first.signal);
    const b = cache.get('k', fetch, new AbortController().signal);
    const c = cache.get('k', fetch); // a caller that cannot cancel
    first.abort();
    await assert.rejects(a, (e: unknown) => isRegistryError(e, 'cancelled'));
    assert.equal(signals.length, 1, 'one fetch for all three');
    assert.equal(signals[0]!.aborted, false, 'the shared fetch is not the first caller’s');
    release(issued('t1'));
    assert.deepEqual(await Promise.all([b, c]), ['t1', 't1']);
    assert.equal(cache.peek('k'), 't1');
  });

  test('when every waiter has gone the shared fetch is aborted, and the next caller starts afresh', async () => {
    const cache = new TokenCache();
    const one = gated();
    const x = new AbortController();
    const y = new AbortController();
    const a = cache.get('k', one.fetch, x.signal);
    const b = cache.get('k', one.fetch, y.signal);
    x.abort();
    assert.equal(one.signals[0]!.aborted, false);
    y.abort();
    await assert.rejects(a, (e: unknown) => isRegistryError(e, 'cancelled'));
    await assert.rejects(b, (e: unknown) => isRegistryError(e, 'cancelled'));
    assert.equal(one.signals[0]!.aborted, true, 'nobody wants it any more');
    const two = gated();
    const c = cache.get('k', two.fetch, new AbortController().signal);
    assert.equal(two.signals.length, 1, 'a new fetch, not the abandoned one');
    two.release(issued('t2'));
    assert.equal(await c, 't2');
  });

  test('an already-cancelled caller gets a cancelled RegistryError, not an AbortError', async () => {
    const cache = new TokenCache();
    await assert.rejects(cache.get('k', async () => issued('t'), AbortSignal.abort()), (e: unknown) => isRegistryError(e, 'cancelled') && e.message === 'The request was cancelled.');
  });

  test('the cache is bounded: least recently used tokens go first', async () => {
    const cache = new TokenCache(Date.now, 3);
    for (const k of ['a', 'b', 'c']) await cache.get(k, async () => issued(k));
    assert.equal(cache.peek('a'), 'a'); // a is now the most recently used
    await cache.get('d', async () => issued('d'));
    assert.equal(cache.size, 3);
    assert.equal(cache.peek('b'), undefined, 'b was the least recently used');
    assert.deepEqual(['a', 'c', 'd'].map((k) => cache.peek(k)), ['a', 'c', 'd']);
  });

  test('a realm per response never grows the default cache past its cap', async () => {
    const cache = new TokenCache();
    for (let i = 0; i < MAX_CACHED_TOKENS * 4; i++) {
      const key = tokenKey(`https://evil.example/realm/${i}`, 'svc', ['repository:a:pull']);
      await cache.get(key, async () => issued(`t${i}`));
    }
    assert.equal(cache.size, MAX_CACHED_TOKENS);
  });
});
