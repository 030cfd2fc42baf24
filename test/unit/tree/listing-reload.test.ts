import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from '../../../src/providers/provider';
import { Listing, type PageStats } from '../../../src/ui/tree/listing';

function server(total: number, per: number, calls: { n: number }) {
  const page = (start: number): Page<number> => {
    calls.n++;
    const items = Array.from({ length: Math.min(per, total - start) }, (_, i) => start + i);
    return start + per < total ? { items, more: async () => page(start + per) } : { items };
  };
  return async () => page(0);
}

describe('listing reloads', () => {
  test('a refresh brings back as many items as were loaded, swapping them in only when they are all there', async () => {
    const calls = { n: 0 };
    const listing = new Listing<number>(server(5000, 1000, calls), 100);
    await listing.load();
    await listing.ensure(2500);
    assert.equal(listing.items.length, 3000);
    const before = listing.items;
    listing.reset();
    const reload = listing.load(undefined, before.length);
    assert.equal(listing.items, before, 'the old items stay on screen meanwhile');
    await reload;
    assert.equal(listing.items.length, 3000);
    assert.notEqual(listing.items, before);
    assert.equal(listing.hasMoreOnServer, true);
    assert.equal(calls.n, 6);
  });

  test('two walkers at once (the tree filling its catalog, Find loading all of it) fetch each page once, and lose none', async () => {
    const calls = { n: 0 };
    const slow = server(5000, 1000, calls);
    const listing = new Listing<number>(async () => {
      const first = await slow();
      // Each page arrives a moment later, so the two walks overlap.
      const delayed = (p: Page<number>): Page<number> => ({ items: p.items, ...(p.more ? { more: async () => (await new Promise((r) => setTimeout(r, 5)), delayed(await p.more!())) } : {}) });
      return delayed(first);
    }, 100);
    await listing.load();
    await Promise.all([listing.ensure(5000), listing.loadAll(), listing.fetchMore()]);
    assert.equal(listing.truncated, undefined, 'no page looked repeated');
    assert.deepEqual(listing.items, Array.from({ length: 5000 }, (_, i) => i));
    assert.equal(calls.n, 5, 'each page fetched once');
  });

  test('fetchMore takes one server page; pages are reported with their size and time', async () => {
    const calls = { n: 0 };
    const seen: PageStats[] = [];
    const listing = new Listing<number>(server(1500, 1000, calls), 10, undefined, (p) => seen.push(p));
    await listing.load();
    assert.equal(await listing.fetchMore(), true);
    assert.equal(listing.items.length, 1500);
    assert.equal(await listing.fetchMore(), false);
    assert.deepEqual(seen.map((p) => [p.items, p.first, p.more]), [[1000, true, true], [500, false, false]]);
    assert.ok(seen.every((p) => p.ms >= 0));
  });

  test('a later page failing during a reload keeps what arrived; Load more asks for it again', async () => {
    let fail = true;
    const first = async (): Promise<Page<number>> => ({
      items: [1, 2],
      more: async () => {
        if (fail) throw new Error('flaky');
        return { items: [3] };
      },
    });
    const listing = new Listing<number>(first, 10);
    await listing.load(undefined, 10);
    assert.deepEqual([listing.status, listing.items, listing.hasMoreOnServer], ['ready', [1, 2], true]);
    fail = false;
    await listing.fetchMore();
    assert.deepEqual(listing.items, [1, 2, 3]);
  });
});
