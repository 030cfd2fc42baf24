// Retry-After and rate-limit headers a server can make absurd: nothing may become an Invalid
// Date, an immediate retry, or a sleep longer than the cap.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RegistryError } from '../../../src/registry/errors';
import { ResponseHeaders, type HttpResponse } from '../../../src/registry/http';
import { parseRetryAfter, retryTransport } from '../../../src/registry/retry';

const url = new URL('https://r.example/v2/');
const now = Date.parse('2026-01-01T00:00:00Z');
const response = (status: number, headers: Record<string, string> = {}): HttpResponse => ({ status, headers: new ResponseHeaders(headers), url, body: Buffer.alloc(0) });

function counting(res: HttpResponse) {
  const seen = { calls: 0, slept: [] as number[] };
  const rt = retryTransport(
    async () => {
      seen.calls++;
      return res;
    },
    { sleep: async (ms) => void seen.slept.push(ms), now: () => now },
  );
  return { rt: () => rt({ method: 'GET', url, headers: {} }), seen };
}

describe('retry bounds', () => {
  test('only finite waits parse; the rest are "unknown"', () => {
    assert.equal(parseRetryAfter('99999999999', now), 99_999_999_999_000);
    assert.equal(parseRetryAfter('9'.repeat(400), now), undefined, 'beyond a double');
    assert.equal(parseRetryAfter('Sat, 01 Jan 300000 00:00:00 GMT', now), undefined, 'beyond Date');
    assert.equal(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now), 0, 'a past date is now');
    assert.equal(parseRetryAfter('-5', now), undefined);
  });

  for (const value of ['99999999999', '9'.repeat(400), 'Sat, 01 Jan 300000 00:00:00 GMT', 'NaN', '1e3']) {
    test(`429 with Retry-After ${value.slice(0, 30)} is reported at once, without an Invalid Date`, async () => {
      const { rt, seen } = counting(response(429, { 'retry-after': value }));
      await assert.rejects(rt(), (e: unknown) => {
        assert.ok(e instanceof RegistryError && e.kind === 'rateLimited');
        assert.ok(e.resetAt === undefined || Number.isFinite(e.resetAt.getTime()));
        assert.doesNotMatch(e.message, /Invalid/);
        return true;
      });
      assert.deepEqual([seen.calls, seen.slept], [1, []]);
    });
  }

  test('a reset within a week is given as resetAt; a Docker Hub reset past Date is not', async () => {
    const hour = counting(response(429, { 'retry-after': '3600' }));
    await assert.rejects(hour.rt(), (e: unknown) => e instanceof RegistryError && e.resetAt?.getTime() === now + 3_600_000);
    const hub = counting(response(429, { 'ratelimit-reset': '9'.repeat(30) }));
    await assert.rejects(hub.rt(), (e: unknown) => e instanceof RegistryError && e.kind === 'rateLimited' && e.resetAt === undefined);
    assert.equal(hub.seen.calls, 1);
  });

  test('a 503 asking for a wait beyond the cap is returned, not slept on', async () => {
    const { rt, seen } = counting(response(503, { 'retry-after': 'tomorrow-ish' }));
    assert.equal((await rt()).status, 503);
    assert.deepEqual([seen.calls, seen.slept], [1, []]);
    const short = counting(response(503, { 'retry-after': '1' }));
    assert.equal((await short.rt()).status, 503);
    assert.deepEqual([short.seen.calls, short.seen.slept], [4, [1000, 1000, 1000]]);
  });
});
