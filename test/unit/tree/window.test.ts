import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FolderIndex, LevelPaging } from '../../../src/ui/tree/namespaces';
import { matchScore, rank, rankSources, splitQuery } from '../../../src/ui/tree/search';
import { Superseded } from '../../../src/ui/tree/slices';
import { ScreenWindow, SortedCache } from '../../../src/ui/tree/window';

describe('windowed tag view', () => {
  test('starts at the first screen page and grows a page at a time, either way', () => {
    const w = new ScreenWindow(100);
    assert.deepEqual(w.clamp(100_000), { start: 0, end: 100 });
    assert.deepEqual(w.later(), { start: 100, end: 200 });
    assert.deepEqual(w.clamp(150), { start: 0, end: 150 });
    assert.deepEqual(w.clamp(0), { start: 0, end: 0 });
  });

  test('revealing a row far down shows a page around it, not everything before it', () => {
    const w = new ScreenWindow(100);
    w.focus(99_990);
    assert.deepEqual(w.clamp(100_000), { start: 99_940, end: 100_000 });
    assert.equal(w.start, 99_940, 'the 99,940 rows above are one "earlier" row');
    assert.deepEqual(w.earlier(), { start: 99_840, end: 99_940 }, 'Show brings exactly one page above');
    assert.deepEqual(w.clamp(100_000), { start: 99_840, end: 100_000 });
  });

  test('a row already on screen or just past an edge keeps what the user loaded', () => {
    const w = new ScreenWindow(100);
    w.later();
    w.focus(150);
    assert.deepEqual([w.start, w.end], [0, 200]);
    w.focus(250);
    assert.deepEqual([w.start, w.end], [0, 300], 'one page past the end extends it');
    w.focus(5000);
    assert.deepEqual([w.start, w.end], [4950, 5050]);
    w.focus(4900);
    assert.deepEqual([w.start, w.end], [4850, 5050], 'one page above extends upwards');
    w.focus(-1);
    assert.deepEqual([w.start, w.end], [4850, 5050]);
    w.earlier();
    w.focus(10);
    assert.deepEqual([w.start, w.end], [0, 100]);
    assert.deepEqual(w.earlier(), { start: 0, end: 0 }, 'nothing above the first row');
    w.reset();
    assert.deepEqual([w.start, w.end], [0, 100]);
  });
});

describe('sorted order cache', () => {
  const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `t${i}` }));
  type T = { name: string };
  let calls = 0;
  const reverse = async (items: readonly T[]) => {
    calls++;
    await new Promise((r) => setImmediate(r));
    return [...items].reverse();
  };

  test('sorts once per listing, order and dates version; Load more clicks and concurrent callers share it', async () => {
    calls = 0;
    const c = new SortedCache<T>();
    const items = tags(1000);
    assert.equal(c.current(items, 'semver', 0), false);
    const [first, second] = await Promise.all([c.get(items, 'semver', 0, reverse), c.get(items, 'semver', 0, reverse)]);
    assert.equal(first, second, 'two callers during one sort get the same result');
    assert.equal(c.current(items, 'semver', 0), true);
    for (let i = 0; i < 10; i++) assert.equal(await c.get(items, 'semver', 0, () => assert.fail('sorted again')), first);
    assert.equal(c.sorts, 1);
    assert.equal(calls, 1);
    await c.get(items, 'name', 0, reverse);
    assert.equal(c.sorts, 2, 'another order');
    await c.get(items, 'name', 1, reverse);
    assert.equal(c.sorts, 3, 'dates changed');
    await c.get([...items, { name: 'new' }], 'name', 1, reverse);
    assert.equal(c.sorts, 4, 'new items (a new array)');
  });

  test('positions and items by name in the last finished order; the previous order answers while a sort runs', async () => {
    const c = new SortedCache<T>();
    assert.equal(c.last(), undefined);
    assert.equal(c.indexOf('t0'), -1);
    await c.get(tags(5), 'x', 0, reverse);
    assert.equal(c.indexOf('t4'), 0);
    assert.equal(c.indexOf('t0'), 4);
    assert.equal(c.indexOf('nope'), -1);
    assert.deepEqual(c.byName('t3'), { name: 't3' });
    assert.equal(c.byName('nope'), undefined);
    const next = c.get(tags(3), 'x', 0, async (i) => [...i]);
    assert.equal(c.indexOf('t4'), 0, 'still the last finished order');
    assert.equal(c.last()!.length, 5);
    await next;
    assert.equal(c.indexOf('t2'), 2, 're-indexed after a new sort');
    assert.equal(c.indexOf('t4'), -1);
  });

  test('a newer request stops an older sort, whose callers get the newer order', async () => {
    const c = new SortedCache<T>();
    let oldStale: (() => boolean) | undefined;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const old = c.get(tags(4), 'semver', 0, async (items, stale) => {
      oldStale = stale;
      await gate;
      if (stale()) throw new Superseded();
      return [...items];
    });
    assert.equal(oldStale!(), false);
    const newer = c.get(tags(4), 'semver', 1, reverse);
    assert.equal(oldStale!(), true, 'the older sort is told to stop');
    release();
    const [a, b] = await Promise.all([old, newer]);
    assert.deepEqual(a.map((t) => t.name), ['t3', 't2', 't1', 't0']);
    assert.equal(a, b);
    assert.equal(c.sorts, 1, 'only the newer sort finished');
  });
});

describe('folder index and per-folder paging', () => {
  const names = ['acme/a', 'acme/b', 'acme/tools/lint', 'alpine', 'team', 'team/app', 'zeta/x'];

  test('every level at once: folders, repositories, counts under each', () => {
    const ix = new FolderIndex(names);
    assert.deepEqual(ix.at(''), { folders: ['acme', 'team', 'zeta'], repositories: ['alpine', 'team'], count: 7 });
    assert.deepEqual(ix.at('acme'), { folders: ['acme/tools'], repositories: ['acme/a', 'acme/b'], count: 3 });
    assert.deepEqual(ix.entries('acme'), ['acme/tools', 'acme/a', 'acme/b']);
    assert.equal(ix.count('acme/tools'), 1);
    assert.equal(ix.count('team'), 1);
    assert.equal(ix.count('missing'), 0);
    assert.deepEqual(ix.at('missing'), { folders: [], repositories: [], count: 0 });
  });

  test('a byte-ordered catalog has finished a folder once a later name arrived', () => {
    const partial = new FolderIndex(['acme/a', 'acme/b', 'team/app']);
    assert.equal(partial.complete('acme'), true);
    assert.equal(partial.complete('team'), false, 'the next page may hold more of team/');
    assert.equal(partial.complete(''), false);
    const unordered = new FolderIndex(['team/app', 'acme/a']);
    assert.equal(unordered.complete('acme'), false, 'no order, no conclusion');
  });

  test('20,000 names indexed in one pass', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => (i < 400 ? `root-${i}` : `team-${String(i % 40).padStart(2, '0')}/svc-${i}`)).sort();
    const ix = new FolderIndex(many);
    assert.equal(ix.at('').folders.length, 40);
    assert.equal(ix.count('team-00'), 490);
  });

  test('each level pages on its own; ensure shows an entry in whole pages', () => {
    const p = new LevelPaging(10);
    assert.equal(p.get(''), 10);
    assert.equal(p.more('acme'), 20);
    assert.equal(p.get('acme'), 20);
    assert.equal(p.get(''), 10, 'other levels unchanged');
    p.ensure('team', 34);
    assert.equal(p.get('team'), 40);
    p.ensure('team', 5);
    assert.equal(p.get('team'), 40, 'never shrinks');
  });
});

describe('Find matching', () => {
  test('scores: exact, prefix, at a boundary, inside, scattered', () => {
    assert.equal(matchScore('alpine', 'alpine'), 0);
    assert.equal(matchScore('alpine', 'ALP'), 1);
    assert.equal(matchScore('team/alpine', 'alp'), 2);
    assert.equal(matchScore('myalpine', 'alp'), 3);
    assert.equal(matchScore('a-l-p', 'alp'), 5);
    assert.equal(matchScore('beta', 'alp'), undefined);
  });

  test('best first, equal matches in the order given, at most the limit, the rest counted', () => {
    const names = ['x/app', 'app-2', 'zapp', 'app', 'app-1', 'a/p/p'];
    const r = rank(names, (n) => n, 'app', 3);
    assert.deepEqual(r.items, ['app', 'app-2', 'app-1']);
    assert.equal(r.more, 2, 'x/app and zapp; a/p/p is not even looked for once three closer matches are in');
    assert.deepEqual(rank(names, (n) => n, 'app', 10).items, ['app', 'app-2', 'app-1', 'x/app', 'zapp', 'a/p/p']);
    assert.deepEqual(rank(names, (n) => n, '', 2), { items: ['x/app', 'app-2'], more: 4 });
  });

  test('100,000 candidates: the exact match first, at most the limit handed over', () => {
    const names = Array.from({ length: 100_000 }, (_, i) => `repo:v${1 + Math.floor(i / 1000)}.${Math.floor(i / 100) % 10}.${i % 100}`);
    const r = rank(names, (n) => n, 'repo:v1.0.7', 300);
    assert.equal(r.items[0], 'repo:v1.0.7');
    assert.equal(r.items.length, 300);
  });

  test('several lists: best first across them, equal matches list by list in their order, each hit naming its list', () => {
    const repos = [{ name: 'team/app' }, { name: 'app' }];
    const tags = [{ name: 'v1' }, { name: 'app-v2' }];
    const r = rankSources(
      [
        { items: repos, text: (x) => x.name },
        { items: tags, text: (x) => `team/app:${x.name}` },
      ],
      'app',
      10,
    );
    assert.deepEqual(
      r.items.map((h) => [h.source, h.item.name]),
      [
        [0, 'app'],
        [0, 'team/app'],
        [1, 'v1'],
        [1, 'app-v2'],
      ],
    );
    assert.equal(r.more, 0);
    assert.deepEqual(rankSources([{ items: tags, text: (x) => x.name }], 'zz', 10), { items: [], more: 0 });
  });

  test('repo:tag splits at the last colon; a port is not a tag', () => {
    assert.deepEqual(splitQuery('team/app:v1'), { repository: 'team/app', tag: 'v1' });
    assert.deepEqual(splitQuery('team/app:'), { repository: 'team/app', tag: '' });
    assert.deepEqual(splitQuery(' app '), { repository: 'app' });
    assert.deepEqual(splitQuery('localhost:5000/app'), { repository: 'localhost:5000/app' });
    assert.deepEqual(splitQuery(':x'), { repository: ':x' });
  });
});
