// The tree's Listing over pages from any provider: page and item limits, repeats by content,
// runs of empty pages, and truncation errors from the registry layer all end the walk with
// the items so far and a `truncated` reason, never an endless loop or a lost list.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from '../../../src/providers/provider';
import { RegistryError } from '../../../src/registry/errors';
import { PageGuard, truncationError } from '../../../src/registry/paging';
import { Listing } from '../../../src/ui/tree/listing';

/** Pages from a list of item arrays; after the list, `tail(n)` makes page n forever. */
function source(pages: string[][], tail?: (n: number) => string[]) {
  const calls = { n: 0 };
  const page = (n: number): Page<string> => {
    calls.n++;
    const items = n < pages.length ? pages[n]! : tail!(n);
    const more = n + 1 < pages.length || tail ? async () => page(n + 1) : undefined;
    return more ? { items, more } : { items };
  };
  return { first: async () => page(0), calls };
}

describe('listing bounds', () => {
  test('an endless provider stops at the page limit with everything that arrived', async () => {
    const src = source([], (n) => [`r${n}`]);
    const listing = new Listing(src.first, 10, { maxPages: 25 });
    await listing.loadAll();
    assert.equal(listing.truncated, 'pageLimit');
    assert.equal(src.calls.n, 25);
    assert.equal(listing.items.length, 25);
    assert.deepEqual([listing.hasMore, listing.hasMoreOnServer], [true, false], 'more on screen, none on the server');
  });

  test('the item limit cuts the page that crosses it', async () => {
    const src = source([], (n) => Array.from({ length: 7 }, (_, i) => `p${n}-${i}`));
    const listing = new Listing(src.first, 100, { maxItems: 20 });
    await listing.loadAll();
    assert.equal(listing.truncated, 'itemLimit');
    assert.equal(listing.items.length, 20);
    assert.equal(src.calls.n, 3);
  });

  test('exactly the item limit and no more pages is complete, not truncated', async () => {
    const src = source([['a', 'b'], ['c', 'd']]);
    const listing = new Listing(src.first, 100, { maxItems: 4 });
    await listing.loadAll();
    assert.equal(listing.truncated, undefined);
    assert.deepEqual(listing.items, ['a', 'b', 'c', 'd']);
  });

  test('A/B alternation stops at the first repeat; the repeat is not appended', async () => {
    const src = source([], (n) => (n % 2 ? ['b'] : ['a']));
    const listing = new Listing(src.first, 100);
    await listing.loadAll();
    assert.deepEqual([listing.items, listing.truncated, src.calls.n], [['a', 'b'], 'repeatedPage', 3]);
  });

  test('objects are compared by content, not identity', async () => {
    const src = source([], (n) => [{ name: `r${n % 3}`, tagCount: 1 }].map((x) => ({ ...x })) as never);
    const listing = new Listing<{ name: string }>(src.first as never, 100);
    await listing.loadAll();
    assert.equal(listing.truncated, 'repeatedPage');
    assert.deepEqual(listing.items.map((r) => r.name), ['r0', 'r1', 'r2']);
  });

  test('a run of empty pages stops after three; one empty page in between is fine', async () => {
    const src = source([['a'], [], ['b']], () => []);
    const listing = new Listing(src.first, 100);
    await listing.loadAll();
    assert.deepEqual([listing.items, listing.truncated], [['a', 'b'], 'emptyPages']);
    assert.equal(src.calls.n, 6);
  });

  test('a truncation error from the registry layer ends the walk, keeping the items', async () => {
    const listing = new Listing<string>(async () => ({
      items: ['a'],
      more: async () => {
        throw truncationError('r.example', 'linkedBack');
      },
    }), 1);
    await listing.load();
    await listing.loadMore();
    assert.deepEqual([listing.items, listing.truncated, listing.status, listing.visible()], [['a'], 'linkedBack', 'ready', ['a']]);
  });

  test('any other failure of a page still fails Load more', async () => {
    const listing = new Listing<string>(async () => ({
      items: ['a'],
      more: async () => {
        throw new RegistryError('network', 'reset');
      },
    }), 1);
    await listing.load();
    await assert.rejects(listing.loadMore(), /reset/);
    assert.equal(listing.truncated, undefined);
  });

  test('Load more, click by click, is bounded the same way', async () => {
    const src = source([], (n) => [`r${n}`]);
    const listing = new Listing(src.first, 1, { maxPages: 5 });
    await listing.load();
    for (let i = 0; i < 20; i++) await listing.loadMore();
    assert.equal(src.calls.n, 5);
    assert.equal(listing.truncated, 'pageLimit');
  });

  test('a refresh starts a fresh walk: truncation and fingerprints are forgotten', async () => {
    const src = source([], (n) => (n % 2 ? ['b'] : ['a']));
    const listing = new Listing(src.first, 100);
    await listing.loadAll();
    assert.equal(listing.truncated, 'repeatedPage');
    listing.reset();
    assert.equal(listing.truncated, undefined);
    await listing.load();
    assert.deepEqual([listing.items, listing.truncated], [['a'], undefined], 'the first page again is not a repeat');
  });

  test('the guard: repeats anywhere in the walk, limits before the next page', () => {
    const g = new PageGuard({ maxPages: 4, maxItems: 100, maxEmptyRun: 2 });
    assert.equal(g.admit(['a', 'b']), undefined);
    assert.equal(g.admit(['c']), undefined);
    assert.equal(g.admit(['a', 'b']), 'repeatedPage');
    assert.equal(g.admit(['a\0b']), undefined, 'items are separated, not concatenated');
    assert.equal(g.beforeNext(), 'pageLimit');
    const e = new PageGuard({ maxEmptyRun: 2 });
    e.admit([]);
    assert.equal(e.beforeNext(), undefined);
    e.admit([]);
    assert.equal(e.beforeNext(), 'emptyPages');
  });
});
