import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ReadAhead } from '../../../src/ui/tree/readAhead';

// Real files on disk: what a read ahead returns, and when the next caller reads afresh.
const dir = mkdtempSync(join(tmpdir(), 'read-ahead-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function files(): { ahead: ReadAhead<string, string | undefined>; reads: string[]; put(key: string, text: string): void } {
  const reads: string[] = [];
  const path = (key: string) => join(dir, `${key}.json`);
  const ahead = new ReadAhead<string, string | undefined>((key) => {
    reads.push(key);
    return readFile(path(key), 'utf8').catch(() => undefined);
  });
  return { ahead, reads, put: (key, text) => writeFileSync(path(key), text) };
}

describe('ReadAhead (the cached listing read before the first expand)', () => {
  test('a read started ahead is what the next caller gets, read once; the caller after reads afresh', async () => {
    const { ahead, reads, put } = files();
    put('a', 'first');
    ahead.start('a');
    ahead.start('a');
    assert.deepEqual(reads, ['a'], 'a second start while one waits reads nothing more');
    assert.equal(await ahead.take('a'), 'first');
    put('a', 'second');
    assert.equal(await ahead.take('a'), 'second', 'taken once: the next read sees the file as it is now');
    assert.deepEqual(reads, ['a', 'a']);
  });

  test('a key never started is read when asked; a missing file is the reader’s undefined', async () => {
    const { ahead, reads } = files();
    assert.equal(await ahead.take('missing'), undefined);
    assert.deepEqual(reads, ['missing']);
  });

  test('drop (the file was written) and clear (memory cleared) make the next take read afresh', async () => {
    const { ahead, reads, put } = files();
    put('b', 'old');
    put('c', 'old');
    ahead.start('b');
    ahead.start('c');
    await new Promise((r) => setTimeout(r, 20));
    put('b', 'new');
    put('c', 'new');
    ahead.drop('b');
    assert.equal(await ahead.take('b'), 'new');
    ahead.start('c');
    assert.deepEqual(reads, ['b', 'c', 'b'], 'c still waits to be taken: not read again');
    ahead.clear();
    assert.equal(await ahead.take('c'), 'new');
  });
});
