// Runs test/host/artifacts.suite.ts inside a real VS Code against the real registry seeded with
// real artifacts (a Helm chart, a CNAB bundle, a WASM module, a cosign-signed image with an
// SBOM and a provenance attestation, a Notation-signed image) and the same registry behind a
// front that answers the OCI 1.1 referrers API.
import * as assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startRegistry, type RunningRegistry } from '../support';
import { seedArtifacts } from '../support/artifacts';
import { startReferrersFront, type ReferrersFront } from '../support/referrersFront';
import { e2eSkipReason } from './support/codeServer';
import { runHostTests } from './support/hostTests';

const skip = e2eSkipReason();

describe('artifacts in the real extension host', { skip, concurrency: false }, () => {
  let reg: RunningRegistry;
  let front: ReferrersFront;
  before(async () => {
    reg = await startRegistry({ mode: 'plain' });
    await seedArtifacts(reg.pusher);
    front = await startReferrersFront(reg);
  });
  after(async () => {
    await front?.stop();
    await reg?.stop();
  });

  test('expand a signed image, open its SBOM, preview a chart, link it into Chart.yaml', { timeout: 240_000 }, async () => {
    const r = await runHostTests({ suites: ['artifacts'], env: { ARTIFACTS_URL: reg.url, FRONT_URL: front.url } });
    const detail = `${r.output}\n${r.failures.map((f) => `${f.title}\n${f.error}`).join('\n')}`;
    assert.equal(r.exitCode, 0, detail);
    assert.equal(r.passes.length, 8, detail);
    // The lookups went through the referrers API on the front.
    assert.ok(front.requests.some((q) => /^GET \/v2\/signed\/app\/referrers\/sha256:/.test(q)), front.requests.join('\n'));
    console.log(`# artifacts host suite: ${r.passes.length} passed in ${r.durationMs} ms`);
  });
});
