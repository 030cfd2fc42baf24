import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { orderTags, sortTags } from '../../../src/ui/tree/sort';
import type { TagInfo } from '../../../src/providers/provider';

const names = (tags: readonly TagInfo[]) => tags.map((t) => t.name);
const tagsOf = (...n: string[]): TagInfo[] => n.map((name) => ({ name }));

// Deterministic so that a failure reproduces.
function random(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
}
function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const rnd = random(seed);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rnd(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
const semverLoaded = () => Object.keys(require.cache).some((f) => /[\\/]node_modules[\\/]semver[\\/]/.test(f));

describe('tag order', () => {
  // First in the file: the test runner gives each file its own process, so nothing has loaded
  // semver yet. Activation sorts the cached listing; it must not pay for semver's regexps.
  test('semver is loaded only for tags that need its coerce, not for plain versions or commit tags', () => {
    assert.equal(semverLoaded(), false, 'importing sort.ts loads semver');
    sortTags(tagsOf('latest', '1.2.3', 'v2.0.0-rc.1', 'sha-0b06a38', '1.2.3beta'), 'semver');
    assert.equal(semverLoaded(), false, 'full versions are parsed without semver');
    assert.deepEqual(names(sortTags(tagsOf('1.24', '1.25-alpine', '1.25'), 'semver')), ['1.25', '1.25-alpine', '1.24']);
    assert.equal(semverLoaded(), true);
  });

  test("the issue's CI repository shows its moving names, then its newest releases, on the first screen", () => {
    // 481 releases (newest first as built), each of the newest 75 with two release candidates;
    // 865 commit tags; four moving names; all shuffled as a registry lists them.
    const expected: string[] = [];
    const releases: string[] = [];
    const candidates: string[] = [];
    let n = 0;
    let rcLeft = 150;
    outer: for (let major = 9; major >= 0; major--) {
      for (let minor = 11; minor >= 0; minor--) {
        for (let patch = 5; patch >= 0; patch--) {
          if (n === 481) break outer;
          const v = `${major}.${minor}.${patch}`;
          releases.push(v);
          expected.push(v);
          if (rcLeft > 0) {
            // Descending, with rc.10 above rc.9: numeric identifiers compare as numbers.
            const rcs = [`${v}-rc.10`, `${v}-rc.9`];
            expected.push(...rcs);
            candidates.push(...rcs);
            rcLeft -= 2;
          }
          n++;
        }
      }
    }
    assert.deepEqual([releases.length, candidates.length], [481, 150]);
    const rnd = random(3);
    const shas = new Set<string>();
    while (shas.size < 865) shas.add(`sha-${rnd(0x10000000).toString(16).padStart(7, '0')}`);
    const moving = ['latest', 'main', 'stable', 'nightly'];
    const all = shuffled([...releases, ...candidates, ...shas, ...moving], 42);
    assert.equal(all.length, 1500);

    const sorted = names(sortTags(tagsOf(...all), 'semver'));

    assert.deepEqual(sorted.slice(0, 100), ['latest', 'stable', 'main', 'nightly', ...expected.slice(0, 96)]);
    assert.deepEqual(sorted.slice(4, 4 + expected.length), expected, 'every version, newest first');
    // Commit tags after every version, as plain strings: sha-0…, sha-1…, …, sha-f….
    const tail = sorted.slice(4 + expected.length);
    assert.deepEqual(tail, [...shas].sort());
  });

  test('release candidates right after their release, before the previous release line', () => {
    const order = ['2.1.0', 'v2.1.0-rc.10', '2.1.0-rc.2', '2.1.0-rc.1', '2.1.0-beta.1', '2.1.0-alpha', '2.0.1', '2.0.1-rc.1', '2.0.0'];
    assert.deepEqual(names(sortTags(tagsOf(...shuffled(order, 1)), 'semver')), order);
    // An unreleased line's candidates are the newest versions there are.
    assert.deepEqual(names(sortTags(tagsOf('2.0.0', '3.0.0-rc.1', '2.1.0'), 'semver')), ['3.0.0-rc.1', '2.1.0', '2.0.0']);
  });

  test('version-like tags with suffixes keep their places: variants after their release', () => {
    const order = ['3.19.1', '3.19.1-alpine3.20', '3.19.1-alpine3.19', '3.19.1-0b06a38', '3.19', 'v3', '1.25', '1.25-alpine', '1.24.10', '1.24.9'];
    assert.deepEqual(names(sortTags(tagsOf(...shuffled(order, 2)), 'semver')), order);
    // Equal versions (1.10 and 1.10.0, v2 and 2.0.0) in name order.
    assert.deepEqual(names(sortTags(tagsOf('1.10.0', 'v2.0.0', '1.10', '2.0.0'), 'semver')), ['2.0.0', 'v2.0.0', '1.10', '1.10.0']);
  });

  test('moving names first in their fixed order, whatever the listing order', () => {
    const moving = ['latest', 'stable', 'lts', 'main', 'master', 'trunk', 'develop', 'dev', 'next', 'beta', 'rc', 'edge', 'canary', 'nightly'];
    const sorted = names(sortTags(tagsOf(...shuffled([...moving, '1.0.0', 'latest-alpine', 'sha-0b06a38'], 5)), 'semver'));
    assert.deepEqual(sorted, [...moving, '1.0.0', 'latest-alpine', 'sha-0b06a38']);
  });

  test('hash-like names sort as plain strings, not numeric-aware', () => {
    const hashes = ['0b06a38', '10aa3f1', '9f00a1b', 'git-0b06a38', 'git-10aa3f1', 'git-9f00a1b', 'sha-0b06a38', 'sha-10aa3f1', 'sha-9f00a1b', 'sha256-9f00a1b0b06a38.sig'];
    // A numeric collation would put 9f00a1b before 10aa3f1 (9 < 10).
    assert.deepEqual(names(sortTags(tagsOf(...shuffled(hashes, 7)), 'semver')), hashes);
    assert.deepEqual(names(sortTags(tagsOf(...shuffled(hashes, 7)), 'name')), hashes);
  });

  test('an all-digit commit hash is a hash where the repository has hashes of its shape, a number elsewhere', () => {
    // One 7-character hash in 27 has no letter; read as a number it would top every release.
    assert.deepEqual(names(sortTags(tagsOf('1234567', 'a1b2c3d', '2.0.0', 'e5f6a7b', '1.0.0'), 'semver')), ['2.0.0', '1.0.0', '1234567', 'a1b2c3d', 'e5f6a7b']);
    assert.deepEqual(names(sortTags(tagsOf('sha-1234567', 'sha-a1b2c3d', '2.0.0', 'sha-0e5f6a7'), 'semver')), ['2.0.0', 'sha-0e5f6a7', 'sha-1234567', 'sha-a1b2c3d']);
    // Build numbers and dates stay versions when nothing says they are hashes.
    assert.deepEqual(names(sortTags(tagsOf('1234567', '2.0.0', '20240101'), 'semver')), ['20240101', '1234567', '2.0.0']);
    // A version with a commit in its prerelease is still a version, even with digits of a hash's shape.
    assert.deepEqual(names(sortTags(tagsOf('sha-a1b2c3d', '1.0.0', '1.0.1-a1b2c3d'), 'semver')), ['1.0.1-a1b2c3d', '1.0.0', 'sha-a1b2c3d']);
    assert.deepEqual(names(sortTags(tagsOf('a1b2c3d4', '12345678', '20240101-0b06a38', '1.0.0'), 'semver')), ['20240101-0b06a38', '1.0.0', '12345678', 'a1b2c3d4']);
  });

  test('other tags: dated newest first, then named ones by name (numbers in numeric order), then commit tags', () => {
    const tags: TagInfo[] = [
      { name: 'sha-0b06a38' },
      { name: 'pr-10' },
      { name: 'pr-9' },
      { name: 'feature-x' },
      { name: 'sha-10aa3f1', created: '2025-03-01T00:00:00Z' },
      { name: 'build-a', created: '2025-01-01T00:00:00Z' },
      { name: 'build-b', created: '2025-02-01T00:00:00+01:00' },
      { name: '1.0.0', created: '2020-01-01T00:00:00Z' },
      { name: 'latest', created: '2020-01-01T00:00:00Z' },
    ];
    assert.deepEqual(names(sortTags(shuffled(tags, 9), 'semver')), ['latest', '1.0.0', 'sha-10aa3f1', 'build-b', 'build-a', 'feature-x', 'pr-9', 'pr-10', 'sha-0b06a38']);
  });

  test('date order: dated newest first, the undated after them in the default order, and how many had no date', () => {
    const tags: TagInfo[] = [
      { name: 'sha-0b06a38' },
      { name: '1.0.0' },
      { name: 'b', created: '2024-01-01T00:00:00Z' },
      { name: '2.0.0' },
      { name: 'c', created: '2025-01-01T00:00:00Z' },
      { name: 'latest' },
      { name: 'x', created: 'not a date' },
    ];
    const r = orderTags(tags, 'date');
    assert.deepEqual(names(r.tags), ['c', 'b', 'latest', '2.0.0', '1.0.0', 'x', 'sha-0b06a38']);
    assert.equal(r.undated, 5);
    // Dates the tree fetched count like the provider's.
    const fetched = new Map([['latest', '2026-01-01T00:00:00Z']]);
    const r2 = orderTags(tags, 'date', (t) => t.created ?? fetched.get(t.name));
    assert.deepEqual([names(r2.tags)[0], r2.undated], ['latest', 4]);
  });

  test('name order: alphabetical, case-insensitive, numbers in numeric order, as a numeric collation puts them', () => {
    const words = ['a', 'b', 'B2', 'x-1', 'x_1', 'x.1', 'x1', 'x10', 'x9', 'pr-12', 'pr-2', 'feature-a', 'feature_b', 'Feature-c', '1', '1.2', '1-2', '1_2', '1.10', '1.9', 'rel-2024.01.02', 'rel-2024.1.3', 'z', 'ubuntu22.04', 'ubuntu-22.04', 'ubuntu20.04', 'latest', 'v2.0.0-rc.1'];
    const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
    const expected = [...words].sort((a, b) => collator.compare(a, b) || (a < b ? -1 : 1));
    assert.deepEqual(names(sortTags(tagsOf(...shuffled(words, 11)), 'name')), expected);
  });

  test("versions in semver's order, parsed without semver for full versions", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const semver = require('semver') as typeof import('semver');
    const version = (tag: string) =>
      semver.valid(tag.replace(/^v/, ''), { loose: true }) ??
      (/^v?\d+(\.\d+){0,2}([-+][\w.-]+)?$/.test(tag) ? semver.coerce(tag, { includePrerelease: true })?.version : undefined);
    const rnd = random(17);
    const pick = <T>(xs: readonly T[]) => xs[rnd(xs.length)];
    const suffixes = ['', '', '', '-rc.1', '-rc.10', '-rc.2', '-alpine', '-alpine3.20', '-beta', '-beta.2', '-rc1', 'rc1', '-01', '-0', '-slim-bookworm', '_x', '-1', '-alpha.1.2', '-alpha.beta', '-RC1', '.4', '-rc.01', '--x', '-a_b', '-9007199254740993'];
    const all = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const parts = [rnd(12), rnd(30), rnd(30)].slice(0, 1 + rnd(3));
      all.add(pick(['', 'v', '', 'vv']) + parts.join('.') + pick(suffixes));
    }
    const versions = [...all].filter((t) => version(t));
    const sorted = names(sortTags(tagsOf(...all), 'semver'));
    assert.deepEqual(new Set(sorted.slice(0, versions.length)), new Set(versions), 'exactly the tags semver reads as versions lead');
    for (let i = 1; i < versions.length; i++) {
      const a = sorted[i - 1];
      const b = sorted[i];
      assert.ok(semver.compare(version(a)!, version(b)!) >= 0, `${a} before ${b}`);
    }
  });

  test('sorting copies: the listing keeps its order', () => {
    const tags = tagsOf('1.0.0', 'latest');
    sortTags(tags, 'semver');
    assert.deepEqual(names(tags), ['1.0.0', 'latest']);
    assert.deepEqual(orderTags([], 'date'), { tags: [], undated: 0 });
  });
});
