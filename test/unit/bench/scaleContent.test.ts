// The scale scenario's registry plan (bench/scale/content.ts) and the storage replication that
// populates it (bench/scale/storage.ts).
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIG_REPO, revealTarget, scalePlanFromEnv, scaleRepositoryNames, SCALE_DEFAULTS } from '../../../bench/scale/content';
import { replicateStorage, snapshot } from '../../support/storage';
import { manyTagName } from '../../support/push';

describe('scale registry plan', () => {
  test("issue 15's registry: 400 at the root, 40 namespaces of 490, 2-4 segments, all distinct", () => {
    const names = scaleRepositoryNames(SCALE_DEFAULTS);
    assert.equal(names.length, 20_000);
    assert.equal(new Set(names).size, 20_000);
    assert.ok(!names.includes(BIG_REPO));
    assert.equal(names.filter((n) => !n.includes('/')).length, 400);
    const byNs = new Map<string, number>();
    for (const n of names.filter((n) => n.includes('/'))) byNs.set(n.split('/')[0]!, (byNs.get(n.split('/')[0]!) ?? 0) + 1);
    assert.equal(byNs.size, 40);
    assert.deepEqual(new Set(byNs.values()), new Set([490]));
    const depths = new Set(names.filter((n) => n.includes('/')).map((n) => n.split('/').length));
    assert.deepEqual([...depths].sort(), [2, 3, 4]);
  });

  test('sizes from the environment, QUICK defaults, garbage ignored', () => {
    assert.deepEqual(scalePlanFromEnv({}, false), SCALE_DEFAULTS);
    assert.deepEqual(scalePlanFromEnv({}, true), { repos: 2000, rootRepos: 40, namespaces: 40, tags: 10_000 });
    assert.equal(scalePlanFromEnv({ BENCH_SCALE_TAGS: '5000', BENCH_SCALE_REPOS: 'x' }, false).tags, 5000);
    assert.equal(scalePlanFromEnv({ BENCH_SCALE_REPOS: '-3' }, false).repos, 20_000);
  });

  test('the reveal target is one of the pushed tags, near the end of the tree order', () => {
    assert.equal(revealTarget(100_000), 'v1.0.7');
    assert.equal(revealTarget(100_000), manyTagName(7, 100_000));
    assert.equal(revealTarget(3), manyTagName(2, 3));
  });
});

describe('storage replication', () => {
  test('every file of the template repository and tag appears under each new name, byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scale-storage-'));
    try {
      const repos = join(dir, 'docker', 'registry', 'v2', 'repositories');
      const write = (rel: string, text: string) => {
        mkdirSync(join(repos, rel, '..'), { recursive: true });
        writeFileSync(join(repos, rel), text);
      };
      write('a/b/_layers/sha256/1/link', 'sha256:1');
      write('a/b/_manifests/tags/latest/current/link', 'sha256:m');
      write('big/_manifests/tags/v1.0.1/current/link', 'sha256:t');
      write('big/_manifests/tags/v1.0.1/index/sha256/t/link', 'sha256:t');
      const r = replicateStorage(dir, { template: 'a/b', names: ['x', 'ns/y/z'], repo: 'big', templateTag: 'v1.0.1', tags: ['v1.0.2', 'v9.9.9'] });
      assert.equal(r.files, 2 * 2 + 2 * 2);
      assert.deepEqual(snapshot(join(repos, 'ns/y/z')).map(([p, d]) => [p, d.toString()]), snapshot(join(repos, 'a/b')).map(([p, d]) => [p, d.toString()]));
      assert.equal(readFileSync(join(repos, 'big/_manifests/tags/v9.9.9/index/sha256/t/link'), 'utf8'), 'sha256:t');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
