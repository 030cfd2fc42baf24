import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TagInfo } from '../../../src/providers/provider';
import { positionSteps, runSliced, runSync, sortSteps, Superseded, type Steps } from '../../../src/ui/tree/slices';
import { dateMovesTag, orderTags, orderTagsSliced } from '../../../src/ui/tree/sort';
import { manyTagName } from '../../support/push';

// Deterministic so that a failure reproduces.
function random(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
}

/** Turns of the event loop taken while `work` ran: setImmediate callbacks that got in. */
async function turnsDuring<T>(work: () => Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let running = true;
  const tick = (): void => {
    if (!running) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  const value = await work();
  running = false;
  return { value, turns };
}

describe('work in slices', () => {
  test('sortSteps gives exactly what a stable Array#sort gives, at every size around its run length', () => {
    const rnd = random(7);
    for (const n of [0, 1, 2, 2047, 2048, 2049, 4096, 5000, 20_001]) {
      // Few distinct keys: stability shows in the order of equal ones.
      const items = Array.from({ length: n }, (_, i) => ({ key: rnd(50), i }));
      const expected = [...items].sort((a, b) => a.key - b.key);
      const got = [...items];
      runSync(sortSteps(got, (a, b) => a.key - b.key));
      assert.deepEqual(got, expected, `n=${n}`);
    }
  });

  test('runSliced lets the event loop in between slices and returns the same result as runSync', async () => {
    function* count(n: number): Steps<number> {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        sum += i;
        yield;
      }
      return sum;
    }
    const { value, turns } = await turnsDuring(() => runSliced(count(200_000), { sliceMs: 1 }));
    assert.equal(value, runSync(count(200_000)));
    assert.ok(turns > 0, 'no other callback ran while the work went on');
  });

  test('work that is no longer wanted stops between slices with Superseded, and runs no further', async () => {
    let steps = 0;
    let finished = false;
    function* endless(): Steps<void> {
      try {
        for (;;) {
          steps++;
          yield;
        }
      } finally {
        finished = true;
      }
    }
    // Unwanted once it has run a while: asked between slices, never in the middle of one.
    await assert.rejects(runSliced(endless(), { sliceMs: 1, stale: () => steps > 3 }), Superseded);
    assert.equal(finished, true, 'the generator was closed');
    const at = steps;
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(steps, at);
  });

  test('work no longer wanted before its first slice (which waits for a turn of its own) never starts', async () => {
    let steps = 0;
    function* counting(): Steps<number> {
      for (;;) {
        steps++;
        yield;
      }
    }
    let stale = false;
    const running = runSliced(counting(), { stale: () => stale });
    // The turn that asked for it ends before any of it runs.
    assert.equal(steps, 0);
    stale = true;
    await assert.rejects(running, Superseded);
    assert.equal(steps, 0);
  });

  test('positions by name, the last of equal names winning (as a Map built at once)', () => {
    const items = [{ name: 'a' }, { name: 'b' }, { name: 'a' }];
    assert.deepEqual([...runSync(positionSteps(items))], [...new Map(items.map((t, i) => [t.name, i]))]);
  });
});

describe('tag order in slices', () => {
  const many = (n: number): TagInfo[] => {
    const rnd = random(3);
    const tags = Array.from({ length: n }, (_, i): TagInfo => ({ name: manyTagName(i, n) }));
    for (let i = tags.length - 1; i > 0; i--) {
      const j = rnd(i + 1);
      [tags[i], tags[j]] = [tags[j]!, tags[i]!];
    }
    return tags;
  };

  test('100,000 tags: the same order as the sort at once, with the event loop let in meanwhile', async () => {
    const tags = many(100_000);
    tags.push({ name: 'latest' }, { name: 'sha-0b06a38' }, { name: 'feature-x', created: '2024-01-01T00:00:00Z' });
    for (const order of ['semver', 'name', 'date'] as const) {
      const { value, turns } = await turnsDuring(() => orderTagsSliced(tags, order));
      const sync = orderTags(tags, order);
      assert.deepEqual(value.tags.map((t) => t.name), sync.tags.map((t) => t.name), order);
      assert.equal(value.undated, sync.undated);
      assert.ok(turns > 0, `${order}: the sort never let the event loop in`);
    }
  });

  test('a sort that is no longer wanted stops', async () => {
    let stale = false;
    const sorting = orderTagsSliced(many(100_000), 'semver', undefined, () => stale);
    stale = true;
    await assert.rejects(sorting, Superseded);
  });

  test('which dates move a tag: only what the order sorts by date', () => {
    assert.equal(dateMovesTag('v1.0.7', 'semver'), false, 'versions keep their version order');
    assert.equal(dateMovesTag('latest', 'semver'), false);
    assert.equal(dateMovesTag('feature-x', 'semver'), true, 'named tags with dates are ordered by them');
    assert.equal(dateMovesTag('sha-0b06a38', 'semver'), true);
    assert.equal(dateMovesTag('1234567', 'semver'), true, 'all digits may be a commit hash');
    assert.equal(dateMovesTag('v1.0.7', 'date'), true);
    assert.equal(dateMovesTag('feature-x', 'name'), false);
    // Held to the sort itself: a date on a tag it says stays put leaves the order as it was.
    const names = ['latest', 'v1.0.7', '2.1.0-rc.1', '1.25-alpine', 'feature-x', 'sha-0b06a38', '1234567', 'main', 'zeta'];
    for (const order of ['semver', 'name', 'date'] as const) {
      for (const [i, n] of names.entries()) {
        const others = names.map((name, j): TagInfo => (j % 2 ? { name, created: '2024-01-01T00:00:00Z' } : { name }));
        const before = orderTags(others.map((t, j) => (j === i ? { name: t.name } : t)), order).tags.map((t) => t.name);
        const after = orderTags(others.map((t, j) => (j === i ? { name: t.name, created: '1999-01-01T00:00:00Z' } : t)), order).tags.map((t) => t.name);
        if (!dateMovesTag(n, order)) assert.deepEqual(after, before, `${order}: a date on ${n} moved it`);
      }
    }
  });
});
