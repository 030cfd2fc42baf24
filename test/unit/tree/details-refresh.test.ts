// The details loader across a Refresh: what was in flight when the tree forgot a repository (or
// a whole connection) belongs to the old request. Its failure (the refresh closed its
// connection, typically) must not mark the tag as failed for the next 30 s, and a request after
// the refresh starts its own lookup instead of joining the doomed one.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Connection } from '../../../src/providers/provider';
import { MemoryDigestCache, TagDetailsLoader } from '../../../src/ui/tree/details';

/** A connection whose HEADs wait until the test settles them, one by one. */
function heldConnection() {
  const held: { tag: string; resolve: (d: string) => void; reject: (e: Error) => void }[] = [];
  const conn = {
    config: { id: 'c1' },
    client: {
      headManifest: (_repo: string, tag: string) =>
        new Promise((resolve, reject) => held.push({ tag, resolve: (digest) => resolve({ digest, mediaType: 'application/vnd.oci.image.manifest.v1+json' }), reject })),
      imageDetails: (_repo: string, digest: string) => Promise.resolve({ digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', isIndex: false, size: 1 }),
    },
  } as unknown as Connection;
  return { conn, held };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('tag details across a Refresh', () => {
  for (const scope of ['repository', 'connection'] as const) {
    it(`a lookup that fails after its ${scope} was forgotten leaves no failure behind, and the next request asks again`, async () => {
      const { conn, held } = heldConnection();
      const errors: string[] = [];
      const loader = new TagDetailsLoader(new MemoryDigestCache(), { onDetails: () => undefined, onError: (_c, _r, t) => errors.push(t) }, 4);
      const first = loader.request(conn, 'app', ['1.0']);
      await tick();
      assert.equal(held.length, 1);
      loader.forget('c1', scope === 'repository' ? 'app' : undefined);
      // After the refresh the row asks again: a lookup of its own, not the one in flight.
      const second = loader.request(conn, 'app', ['1.0']);
      await tick();
      assert.equal(held.length, 2, 'a second HEAD, not a join of the first');
      held[0]!.reject(new Error('the connection was closed'));
      await first;
      assert.deepEqual(errors, ['1.0']);
      assert.equal(loader.failure('c1', 'app', '1.0'), undefined, 'the old request failing is not the tag failing');
      held[1]!.resolve(`sha256:${'a'.repeat(64)}`);
      await second;
      assert.equal(loader.get('c1', 'app', '1.0')?.digest, `sha256:${'a'.repeat(64)}`);
    });
  }

  it('facts read before a Refresh do not overwrite those read after it', async () => {
    const { conn, held } = heldConnection();
    const loader = new TagDetailsLoader(new MemoryDigestCache(), { onDetails: () => undefined, onError: () => undefined }, 4);
    const before = loader.request(conn, 'app', ['latest']);
    await tick();
    loader.forget('c1', 'app');
    const after = loader.request(conn, 'app', ['latest']);
    await tick();
    held[1]!.resolve(`sha256:${'b'.repeat(64)}`);
    await after;
    held[0]!.resolve(`sha256:${'a'.repeat(64)}`);
    await before;
    assert.equal(loader.get('c1', 'app', 'latest')?.digest, `sha256:${'b'.repeat(64)}`, 'the tag as it is now');
  });

  it('a failure of a request made after the refresh is kept; one of another repository forgotten is too', async () => {
    const { conn, held } = heldConnection();
    const loader = new TagDetailsLoader(new MemoryDigestCache(), { onDetails: () => undefined, onError: () => undefined }, 4);
    loader.forget('c1', 'app');
    const a = loader.request(conn, 'app', ['1.0']);
    const b = loader.request(conn, 'other', ['2.0']);
    await tick();
    loader.forget('c1', 'third');
    held[0]!.reject(new Error('manifest unknown'));
    held[1]!.reject(new Error('manifest unknown'));
    await Promise.all([a, b]);
    assert.match(loader.failure('c1', 'app', '1.0')?.message ?? '', /manifest unknown/);
    assert.match(loader.failure('c1', 'other', '2.0')?.message ?? '', /manifest unknown/);
  });
});
