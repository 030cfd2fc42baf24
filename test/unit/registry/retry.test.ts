import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RegistryError } from '../../../src/registry/errors';
import { ResponseHeaders, type HttpResponse } from '../../../src/registry/http';
import { parseRetryAfter, retryTransport } from '../../../src/registry/retry';

const url = new URL('https://r.example/v2/');
const response = (status: number, headers: Record<string, string> = {}): HttpResponse => ({ status, headers: new ResponseHeaders(headers), url, body: Buffer.alloc(0) });

describe('retry layer', () => {
  test('Retry-After in seconds and as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('7', now), 7000);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('soon', now), undefined);
  });

  test('429 waits what Retry-After says, then succeeds', async () => {
    const slept: number[] = [];
    const answers = [response(429, { 'retry-after': '2' }), response(200)];
    const rt = retryTransport(async () => answers.shift()!, { sleep: async (ms) => void slept.push(ms), now: () => 0 });
    assert.equal((await rt({ method: 'GET', url, headers: {} })).status, 200);
    assert.deepEqual(slept, [2000]);
  });

  test('a reset beyond the cap is reported, not slept through', async () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const rt = retryTransport(async () => response(429, { 'retry-after': '3600' }), { sleep: async () => assert.fail('must not sleep'), now: () => now });
    await assert.rejects(rt({ method: 'GET', url, headers: {} }), (e: unknown) => e instanceof RegistryError && e.kind === 'rateLimited' && e.resetAt!.getTime() === now + 3_600_000);
  });

  test('5xx retried with capped backoff up to the limit, then returned', async () => {
    let calls = 0;
    const slept: number[] = [];
    const rt = retryTransport(async () => (calls++, response(503)), { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 250, sleep: async (ms) => void slept.push(ms) });
    assert.equal((await rt({ method: 'GET', url, headers: {} })).status, 503);
    assert.equal(calls, 4);
    assert.ok(slept.every((ms) => ms <= 250));
  });

  test('POST is not retried on 5xx or network errors', async () => {
    let calls = 0;
    const rt = retryTransport(async () => {
      calls++;
      throw new RegistryError('network', 'reset');
    }, { sleep: async () => undefined });
    await assert.rejects(rt({ method: 'POST', url, headers: {}, body: 'x' }));
    assert.equal(calls, 1);
  });

  test('cancellation during a wait rejects promptly', async () => {
    const ac = new AbortController();
    const rt = retryTransport(async () => response(429, { 'retry-after': '5' }));
    const p = rt({ method: 'GET', url, headers: {}, signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(p, (e: unknown) => e instanceof RegistryError && e.kind === 'cancelled');
  });
});
