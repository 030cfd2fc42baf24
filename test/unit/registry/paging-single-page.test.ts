import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { paginate, PageGuard, type Page } from '../../../src/registry/paging';

/** Items that count how often they are read for a fingerprint (JSON.stringify calls toJSON). */
function counted(names: string[], reads: { n: number }) {
  return names.map((name) => ({ name, toJSON: () => (reads.n++, { name }) }));
}

async function walk<T>(pages: Page<T>[]): Promise<T[]> {
  const byUrl = new Map(pages.map((p, i) => [`http://registry.test/v2/_catalog?page=${i}`, p]));
  const items: T[] = [];
  for await (const p of paginate(new URL('http://registry.test/v2/_catalog?page=0'), async (url) => byUrl.get(url.toString())!)) items.push(...p.items);
  return items;
}

describe('paging: the loop guard fingerprints only walks of more than one page', () => {
  test('a listing of one page is not read for a fingerprint; it is all yielded', async () => {
    const reads = { n: 0 };
    const items = await walk([{ items: counted(['a', 'b', 'c'], reads) }]);
    assert.deepEqual(items.map((i) => i.name), ['a', 'b', 'c']);
    assert.equal(reads.n, 0);
  });

  test('a walk of two pages is fingerprinted (and a repeat still ends it)', async () => {
    const reads = { n: 0 };
    const next = new URL('http://registry.test/v2/_catalog?page=1');
    const again = new URL('http://registry.test/v2/_catalog?page=2');
    const first = counted(['a', 'b'], reads);
    await assert.rejects(walk([{ items: first, next }, { items: counted(['c'], reads), next: again }, { items: counted(['a', 'b'], reads) }]), /sent the same page twice/);
    assert.ok(reads.n >= 5, `every item of the three pages read: ${reads.n}`);
  });

  test('the guard: a first page with no next is counted toward the item limit, not fingerprinted', () => {
    const reads = { n: 0 };
    const g = new PageGuard({ maxItems: 2 });
    assert.equal(g.admit(counted(['a', 'b'], reads), false), undefined);
    assert.equal(reads.n, 0);
    assert.equal(g.beforeNext(), 'itemLimit');
    const h = new PageGuard();
    assert.equal(h.admit(counted(['a'], reads), true), undefined);
    assert.equal(h.admit(counted(['a'], reads), false), 'repeatedPage', 'a last page after others is still checked');
  });
});
