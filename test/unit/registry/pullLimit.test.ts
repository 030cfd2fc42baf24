import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRateLimitHeader } from '../../../src/registry/pullLimit';

describe("Docker Hub's ratelimit headers", () => {
  test('count and window', () => {
    assert.deepEqual(parseRateLimitHeader('76;w=21600'), { count: 76, windowSeconds: 21600 });
    assert.deepEqual(parseRateLimitHeader(' 100 ; w = 21600 '), { count: 100, windowSeconds: 21600 });
    assert.deepEqual(parseRateLimitHeader('5'), { count: 5 });
  });
  test('anything else says nothing (never a NaN or a guess)', () => {
    for (const v of [undefined, '', 'many', '-1;w=60', '1e9', '76;w=', '76;x=1', '9999999999']) assert.equal(parseRateLimitHeader(v), undefined, String(v));
  });
});
