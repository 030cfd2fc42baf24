import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChangeBatcher } from '../../../src/ui/tree/changes';

const node = (id: string) => ({ id });

describe('ChangeBatcher (coalesced tree change events)', () => {
  test('a burst of node changes becomes one event with each node once', async () => {
    const events: ({ id: string }[] | undefined)[] = [];
    const batch = new ChangeBatcher<{ id: string }>((n) => events.push(n), 5);
    for (let i = 0; i < 500; i++) batch.add(node(`t${i % 100}`));
    assert.equal(events.length, 0, 'nothing is sent before the batch closes');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(events.length, 1);
    assert.deepEqual(events[0]!.map((n) => n.id), Array.from({ length: 100 }, (_, i) => `t${i}`));
  });

  test('a full refresh swallows the node events queued with it', async () => {
    const events: ({ id: string }[] | undefined)[] = [];
    const batch = new ChangeBatcher<{ id: string }>((n) => events.push(n), 5);
    batch.add(node('a'));
    batch.add(undefined);
    batch.add(node('b'));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(events, [undefined]);
  });

  test('flush sends now; an empty flush sends nothing; dispose drops what is queued', async () => {
    const events: ({ id: string }[] | undefined)[] = [];
    const batch = new ChangeBatcher<{ id: string }>((n) => events.push(n), 5);
    batch.flush();
    assert.deepEqual(events, []);
    batch.add(node('a'));
    batch.flush();
    assert.deepEqual(events, [[{ id: 'a' }]]);
    batch.add(node('b'));
    batch.dispose();
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(events, [[{ id: 'a' }]], 'nothing after dispose');
  });
});
