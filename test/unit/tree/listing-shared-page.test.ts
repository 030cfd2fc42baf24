import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from '../../../src/providers/provider';
import { isRegistryError } from '../../../src/registry/errors';
import { Listing } from '../../../src/ui/tree/listing';

/**
 * A catalog whose later pages answer only when released, and which honours the signal a page is
 * fetched under as the transport does (an aborted request fails at once): what each page's
 * request was given and how it ended is recorded.
 */
function heldServer(heldFirst = false) {
  const requests: { page: number; aborted: boolean; ended?: 'answered' | 'aborted' }[] = [];
  const waiting: (() => void)[] = [];
  const page = (n: number): Page<string> => ({
    items: [`repo-${n}`],
    ...(n < 3
      ? {
          more: (signal?: AbortSignal) =>
            new Promise<Page<string>>((resolve, reject) => {
              const request: (typeof requests)[number] = { page: n + 1, aborted: false };
              requests.push(request);
              signal?.addEventListener('abort', () => {
                request.aborted = true;
                request.ended = 'aborted';
                reject(new DOMException('The operation was aborted.', 'AbortError'));
              });
              waiting.push(() => {
                request.ended ??= 'answered';
                resolve(page(n + 1));
              });
            }),
        }
      : {}),
  });
  const zero: Page<string> = { items: [], more: page(0).more! };
  return {
    // heldFirst: the first page is held (and answered) like the later ones.
    first: heldFirst ? (signal?: AbortSignal) => zero.more!(signal) : async () => page(1),
    requests,
    release: () => waiting.splice(0).forEach((r) => r()),
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('a server page shared between walkers', () => {
  test('Find closing (its signal aborting) leaves the tree’s fetch of the same page running', async () => {
    const server = heldServer();
    const listing = new Listing<string>(server.first, 100);
    await listing.load();
    const find = new AbortController();
    const findWalk = listing.loadAll(find.signal);
    await tick();
    const treeFill = listing.ensure(3);
    await tick();
    assert.equal(server.requests.length, 1, 'one request for page 2, shared');
    find.abort();
    await assert.rejects(findWalk, (e: unknown) => isRegistryError(e) && e.kind === 'cancelled', 'Find leaves with a cancellation of its own');
    assert.equal(server.requests[0]!.aborted, false, 'the shared request was not aborted while the tree waits for it');
    server.release();
    await tick();
    server.release();
    assert.equal(await treeFill, true);
    assert.deepEqual(listing.items, ['repo-1', 'repo-2', 'repo-3']);
    assert.deepEqual(
      server.requests.map((r) => [r.page, r.ended]),
      [
        [2, 'answered'],
        [3, 'answered'],
      ],
    );
  });

  test('the fetch is aborted once every waiter has left, and the next caller fetches the page afresh', async () => {
    const server = heldServer();
    const listing = new Listing<string>(server.first, 100);
    await listing.load();
    const a = new AbortController();
    const b = new AbortController();
    const first = listing.fetchMore(a.signal);
    const second = listing.fetchMore(b.signal);
    await tick();
    assert.equal(server.requests.length, 1);
    a.abort();
    await assert.rejects(first);
    assert.equal(server.requests[0]!.aborted, false, 'one waiter is still there');
    b.abort();
    await assert.rejects(second);
    assert.equal(server.requests[0]!.aborted, true, 'nobody waits: the request is stopped');
    assert.deepEqual(listing.items, ['repo-1'], 'nothing half-taken');
    const again = listing.fetchMore();
    await tick();
    assert.equal(server.requests.length, 2, 'a new request, not the abandoned one');
    server.release();
    assert.equal(await again, true);
    assert.deepEqual(listing.items, ['repo-1', 'repo-2']);
    assert.equal(listing.hasMoreOnServer, true);
  });

  test('the first page too: Find starting the load and closing leaves the tree its catalog', async () => {
    const server = heldServer(true);
    const listing = new Listing<string>(server.first, 100);
    const find = new AbortController();
    const findLoad = listing.load(find.signal);
    const treeLoad = listing.load();
    await tick();
    assert.equal(server.requests.length, 1, 'one request for the first page, shared');
    find.abort();
    await findLoad;
    assert.equal(server.requests[0]!.aborted, false);
    server.release();
    await treeLoad;
    assert.deepEqual([listing.status, listing.items, listing.hasMoreOnServer], ['ready', ['repo-1'], true]);
  });

  test('a load every caller abandons is stopped, and the next load asks again', async () => {
    const server = heldServer(true);
    const listing = new Listing<string>(server.first, 100);
    const gone = new AbortController();
    const abandoned = listing.load(gone.signal);
    await tick();
    gone.abort();
    await abandoned;
    assert.equal(server.requests[0]!.aborted, true);
    const again = listing.load();
    await tick();
    assert.equal(server.requests.length, 2);
    server.release();
    await again;
    assert.deepEqual([listing.status, listing.items], ['ready', ['repo-1']]);
  });
});
