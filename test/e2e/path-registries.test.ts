// Runs test/host/pathRegistries.suite.ts inside a real VS Code against the Artifactory and Nexus
// fakes (each the real registry behind the path proxy), then searches everything the server
// side wrote for their secrets.
import * as assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startFakeArtifactory, type FakeArtifactory } from '../support/fakes/artifactory';
import { startFakeNexus, type FakeNexus } from '../support/fakes/nexus';
import { e2eSkipReason } from './support/codeServer';
import { filesContaining } from './support/files';
import { runHostTests } from './support/hostTests';

const skip = e2eSkipReason();

describe('registries under a path in the real extension host', { skip, concurrency: false }, () => {
  let art: FakeArtifactory;
  let nexus: FakeNexus;
  before(async () => {
    [art, nexus] = await Promise.all([startFakeArtifactory(), startFakeNexus()]);
    await Promise.all([
      art.registry.pusher.pushImage('team/app', ['1.0', 'latest']),
      art.registry.pusher.pushImage('web', 'v2'),
      nexus.registry.pusher.pushImage('team/api', ['2.1', 'stable']),
    ]);
  });
  after(async () => Promise.all([art?.stop(), nexus?.stop()]));

  test('connect Artifactory and Nexus, browse, copy references and hover with the pull host', { timeout: 240_000 }, async () => {
    let hits: string[] = [];
    const secrets = [art.accessToken, nexus.password];
    const r = await runHostTests({
      suites: ['pathRegistries'],
      workspace: mkdtempSync(join(tmpdir(), 'regx-path-ws-')),
      env: { ART_ADDRESS: art.address, ART_KEY: art.key, ART_TOKEN: art.accessToken, NEXUS_URL: nexus.repositoryUrl, NEXUS_USER: nexus.username, NEXUS_PASSWORD: nexus.password },
      inspectServer: (home) => {
        hits = secrets.flatMap((s) => filesContaining(home, s));
      },
    });
    const detail = `${r.output}\n${r.failures.map((f) => `${f.title}\n${f.error}`).join('\n')}`;
    assert.equal(r.exitCode, 0, detail);
    assert.equal(r.passes.length, 5, detail);
    for (const s of secrets) assert.ok(!r.output.includes(s), 'secret in test output');
    assert.deepEqual(hits, [], `secret found in ${hits.join(', ')}`);
    assert.ok(art.proxy.requests.some((q) => q.forwarded === '/v2/team/app/tags/list?n=1000'), 'the tree listed tags through the path');
    assert.ok(nexus.proxy.requests.every((q) => q.path.startsWith('/repository/docker-hosted/v2/')));
  });
});
