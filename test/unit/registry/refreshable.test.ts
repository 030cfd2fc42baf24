// Generations of a shared value: a rejection refreshes once however many callers report it,
// a failed load fails its waiters once and is not sticky for the next request.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Refreshable } from '../../../src/registry/refreshable';

/** A Refreshable whose loads are counted and answered by `answer(n, refresh)`. */
function counted(answer: (n: number, refresh: boolean) => Promise<string>) {
  const loads: boolean[] = [];
  const r = new Refreshable<string>((refresh) => {
    loads.push(refresh);
    return answer(loads.length, refresh);
  });
  return { r, loads };
}

describe('Refreshable', () => {
  test('concurrent gets share one load', async () => {
    const { r, loads } = counted(async (n) => `v${n}`);
    const got = await Promise.all([r.get(), r.get(), r.get()]);
    assert.deepEqual(got.map((h) => h.value), ['v1', 'v1', 'v1']);
    assert.deepEqual(loads, [false]);
  });

  test('refreshes of one rejected generation share one refresh, before and after it settles', async () => {
    const { r, loads } = counted(async (n) => `v${n}`);
    const first = await r.get();
    const [a, b] = await Promise.all([r.refresh(first.generation), r.refresh(first.generation)]);
    const late = await r.refresh(first.generation);
    assert.deepEqual([a.value, b.value, late.value], ['v2', 'v2', 'v2']);
    assert.deepEqual(loads, [false, true]);
    // Rejected again with the refreshed value: that is a new refresh.
    assert.equal((await r.refresh(a.generation)).value, 'v3');
  });

  test('a failed refresh fails each waiter once; the next request loads anew', async () => {
    const { r, loads } = counted(async (n, refresh) => {
      if (refresh) throw new Error('sign in again');
      return `v${n}`;
    });
    const first = await r.get();
    const results = await Promise.allSettled([r.refresh(first.generation), r.refresh(first.generation)]);
    assert.deepEqual(results.map((x) => x.status), ['rejected', 'rejected']);
    await assert.rejects(r.refresh(first.generation), /sign in again/, 'a late report of the same rejection gets the same failure');
    assert.deepEqual(loads, [false, true]);
    assert.equal((await r.get()).value, 'v3', 'a new request is not stuck on the failure');
  });
});
