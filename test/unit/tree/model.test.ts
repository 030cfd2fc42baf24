import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatAge, formatSize, shortDigest } from '../../../src/ui/tree/format';
import { Listing } from '../../../src/ui/tree/listing';
import { countUnder, levelOf } from '../../../src/ui/tree/namespaces';
import { sortTags } from '../../../src/ui/tree/sort';
import type { Page } from '../../../src/providers/provider';

describe('tree model', () => {
  test('namespace folders like a file tree; a name can be both repository and folder', () => {
    const names = ['team/backend/api', 'alpine', 'team', 'team/frontend/web', 'team/tool', 'library/nginx'];
    assert.deepEqual(levelOf(names, ''), { folders: ['library', 'team'], repositories: ['alpine', 'team'] });
    assert.deepEqual(levelOf(names, 'team'), { folders: ['team/backend', 'team/frontend'], repositories: ['team/tool'] });
    assert.deepEqual(levelOf(names, 'team/backend'), { folders: [], repositories: ['team/backend/api'] });
    assert.equal(countUnder(names, 'team'), 3);
  });

  test('descriptions: short digest, human sizes and ages', () => {
    assert.equal(shortDigest('sha256:0123456789abcdef0123'), '0123456789ab');
    assert.equal(formatSize(512), '512 B');
    assert.equal(formatSize(1536), '1.5 KB');
    assert.equal(formatSize(734_003_200), '700 MB');
    const now = Date.parse('2026-01-10T00:00:00Z');
    assert.equal(formatAge('2026-01-09T23:59:30Z', now), 'just now');
    assert.equal(formatAge('2026-01-09T22:00:00Z', now), '2 hours ago');
    assert.equal(formatAge('2026-01-07T00:00:00Z', now), '3 days ago');
    assert.equal(formatAge('2025-01-01T00:00:00Z', now), '1 year ago');
    assert.equal(formatAge('not a date', now), '');
  });

  test('semver sort: moving names first, then versions newest first', () => {
    const tags = ['1.9.0', 'latest', '1.10.0', 'v2.0.0-rc.1', '2.0.0', 'main', '1.10', 'sha-abc'].map((name) => ({ name }));
    assert.deepEqual(sortTags(tags, 'semver').map((t) => t.name), ['latest', 'main', '2.0.0', 'v2.0.0-rc.1', '1.10', '1.10.0', '1.9.0', 'sha-abc']);
    assert.deepEqual(sortTags(tags, 'name').map((t) => t.name), ['1.9.0', '1.10', '1.10.0', '2.0.0', 'latest', 'main', 'sha-abc', 'v2.0.0-rc.1']);
  });

  test('date sort uses known dates only, undated last', () => {
    const tags = [{ name: 'a' }, { name: 'b', created: '2024-01-01T00:00:00Z' }, { name: 'c', created: '2025-01-01T00:00:00Z' }];
    assert.deepEqual(sortTags(tags, 'date').map((t) => t.name), ['c', 'b', 'a']);
  });

  test('listing: screen pages out of larger server pages; load more fetches only when needed', async () => {
    let fetches = 0;
    const page = (start: number, count: number, total: number): Page<number> => {
      fetches++;
      const items = Array.from({ length: Math.min(count, total - start) }, (_, i) => start + i);
      const next = start + count;
      return next < total ? { items, more: async () => page(next, count, total) } : { items };
    };
    const listing = new Listing<number>(async () => page(0, 250, 600), 100);
    await listing.load();
    assert.equal(fetches, 1);
    assert.deepEqual([listing.visible().length, listing.hasMore, listing.hasMoreOnServer], [100, true, true]);
    await listing.loadMore();
    assert.equal(fetches, 1, 'the first server page (250) covers the second screen too');
    await listing.loadMore();
    assert.equal(fetches, 2, 'the third screen needs the next server page');
    await listing.loadMore();
    assert.equal(fetches, 2);
    assert.equal(listing.visible().length, 400);
    await listing.loadAll();
    assert.equal(listing.items.length, 600);
    assert.equal(listing.hasMoreOnServer, false);
    listing.showIndex(555);
    assert.equal(listing.visible().length, 600);
  });

  test('listing: a cached seed is shown stale until the load returns; errors keep the items', async () => {
    let fail = false;
    const listing = new Listing<string>(async () => {
      if (fail) throw new Error('down');
      return { items: ['fresh'] };
    }, 100);
    listing.seed(['cached'], 1);
    assert.deepEqual([listing.visible(), listing.stale], [['cached'], true]);
    await listing.load();
    assert.deepEqual([listing.visible(), listing.stale, listing.status], [['fresh'], false, 'ready']);
    fail = true;
    listing.reset();
    await listing.load();
    assert.equal(listing.status, 'error');
    assert.deepEqual(listing.items, ['fresh']);
  });
});
