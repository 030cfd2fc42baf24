// Runs test/host/scale.suite.ts inside a real VS Code against real registries at a size where
// the tree's shortcuts show: a TLS + Basic registry with a 1,500-tag repository (Find after a
// Refresh), a plain one with a 3,000-tag repository (reveal near the end fetches details only
// around the target), a 30,000-tag one (its one page read by a worker thread in the extension
// host) and namespaces spanning several screen pages of 10 (true folder counts).
import * as assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startRegistry, type RunningRegistry } from '../support';
import { manyTagName } from '../support/push';
import { replicateStorage } from '../support/storage';
import { e2eSkipReason } from './support/codeServer';
import { runHostTests } from './support/hostTests';

const skip = e2eSkipReason();

// acme: 46 repositories (one nested), team-a: 7, 12 at the root: with a screen page of 10,
// acme spans five pages and the root three, and the catalog is one request.
export const FOLDER_REPOS = [
  ...Array.from({ length: 45 }, (_, i) => `acme/svc-${String(i).padStart(2, '0')}`),
  'acme/tools/lint',
  ...Array.from({ length: 7 }, (_, i) => `team-a/app-${i}`),
  ...Array.from({ length: 12 }, (_, i) => `root-${String(i).padStart(2, '0')}`),
];

export const HUGE_TAGS = 30_000;

describe('the Registries tree at scale in the real extension host', { skip, concurrency: false }, () => {
  let tls: RunningRegistry;
  let plain: RunningRegistry;
  before(async () => {
    [tls, plain] = await Promise.all([startRegistry({ mode: 'tls-basic' }), startRegistry({ mode: 'plain' })]);
    await Promise.all([
      tls.pusher.pushManyTags('deep/app', 1500),
      plain.pusher.pushManyTags('big/tags', 3000),
      plain.pusher.pushManyRepos(FOLDER_REPOS),
      plain.pusher.pushManyTags('big/huge', 2),
    ]);
    // 30,000 tags, one page of ~390 KB: past the size a worker thread reads (src/registry/offThread.ts).
    // Two pushed for real, the registry's own files for them replicated for the rest.
    const huge = Array.from({ length: HUGE_TAGS }, (_, i) => manyTagName(i, HUGE_TAGS));
    replicateStorage(plain.dataDir, { template: 'big/huge', names: [], repo: 'big/huge', templateTag: huge[1]!, tags: huge.slice(2) });
  });
  after(async () => Promise.all([tls?.stop(), plain?.stop()]));

  test('reveal near the end, folder counts, Find after Refresh', { timeout: 300_000 }, async () => {
    const r = await runHostTests({
      suites: ['scale'],
      env: { HUGE_TAGS: String(HUGE_TAGS), TLS_URL: tls.url, TLS_USER: tls.username!, TLS_PASSWORD: tls.password!, TLS_CA: tls.caPem!, PLAIN_URL: plain.url },
      timeoutMs: 280_000,
    });
    const detail = `${r.output}\n${r.failures.map((f) => `${f.title}\n${f.error}`).join('\n')}`;
    console.log(r.output);
    assert.equal(r.exitCode, 0, detail);
    assert.ok(r.passes.length >= 3, detail);
  });
});
