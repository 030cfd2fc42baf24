// Runs test/host/artifacts.suite.ts inside a real VS Code against the real registry seeded with
// real artifacts (a Helm chart, a CNAB bundle, a WASM module, a cosign-signed image with an
// SBOM and a provenance attestation, a Notation-signed image) and the same registry behind a
// front that answers the OCI 1.1 referrers API; then a person's path through the same in the
// UI: expand a signed image, open its SBOM, open a chart's values.yaml from its context menu.
import * as assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startRegistry, type RunningRegistry } from '../support';
import { seedArtifacts } from '../support/artifacts';
import { pushChart } from '../support/artifacts';
import { startFakeHarbor, type FakeHarbor } from '../support/fakes/harbor';
import { startFakeQuay, type FakeQuay } from '../support/fakes/quay';
import { startReferrersFront, type ReferrersFront } from '../support/referrersFront';
import { e2eSkipReason } from './support/codeServer';
import { runHostTests } from './support/hostTests';
import { startWorkbench, type Workbench } from './support/workbench';

const skip = e2eSkipReason();

describe('artifacts in the real extension host', { skip, concurrency: false }, () => {
  let reg: RunningRegistry;
  let front: ReferrersFront;
  let quay: FakeQuay;
  let harbor: FakeHarbor;
  let wb: Workbench | undefined;
  before(async () => {
    reg = await startRegistry({ mode: 'plain' });
    await seedArtifacts(reg.pusher);
    await reg.pusher.pushIndex('multi/attested', 'latest', [{ os: 'linux', arch: 'amd64' }, { os: 'linux', arch: 'arm64', variant: 'v8' }], { format: 'oci', attestation: true });
    front = await startReferrersFront(reg);
    // A Quay whose scanner found 1 critical and 2 high in acme/app:1.0.
    quay = await startFakeQuay();
    const scanned = await quay.registry.pusher.pushImage('acme/app', '1.0');
    await quay.sync();
    quay.setScan(scanned.digest, { status: 'scanned', severities: ['Critical', 'High', 'High', 'Low'] });
    // A Harbor whose acme/web artifacts carry a cosign signature and an SBOM as accessories, and a chart pushed as `helm push` does.
    harbor = await startFakeHarbor({ accessories: { 'acme/web': ['signature.cosign', 'harbor.sbom'] } });
    await harbor.registry.pusher.pushImage('acme/web', '1.0');
    await pushChart(harbor.registry.pusher, 'charts/demo');
    await harbor.sync();
  });
  after(async () => {
    await wb?.close();
    await quay?.stop();
    await harbor?.stop();
    await front?.stop();
    await reg?.stop();
  });

  test('expand a signed image, open its SBOM, preview a chart, link it into Chart.yaml', { timeout: 240_000 }, async () => {
    const r = await runHostTests({
      suites: ['artifacts'],
      env: { ARTIFACTS_URL: reg.url, FRONT_URL: front.url, QUAY_URL: quay.registry.url, QUAY_TOKEN: quay.oauthToken, HARBOR_URL: harbor.registry.url, HARBOR_USER: harbor.username, HARBOR_PASSWORD: harbor.password },
      // Harbor's API normally lives on the registry's origin; here it is the fake's.
      settings: { 'registryExplorer.apiEndpoints': { quay: quay.apiUrl, harbor: harbor.apiUrl } },
    });
    const detail = `${r.output}\n${r.failures.map((f) => `${f.title}\n${f.error}`).join('\n')}`;
    assert.equal(r.exitCode, 0, detail);
    assert.equal(r.passes.length, 11, detail);
    assert.ok(!r.output.includes(quay.oauthToken) && !r.output.includes(harbor.password), 'no token or password in the output');
    // Harbor's referrers came with its artifact listing: the registry's referrers API was not asked.
    assert.ok(harbor.requests.some((q) => q.path === '/api/v2.0/projects/acme/repositories/web/artifacts' && q.query.with_accessory === 'true'), harbor.requests.map((q) => q.path).join('\n'));
    // The lookups went through the referrers API on the front.
    assert.ok(front.requests.some((q) => /^GET \/v2\/signed\/app\/referrers\/sha256:/.test(q)), front.requests.join('\n'));
    console.log(`# artifacts host suite: ${r.passes.length} passed in ${r.durationMs} ms`);
  });

  test('in the UI: a signed image opens its SBOM, a chart its values.yaml', { timeout: 300_000 }, async () => {
    wb = await startWorkbench({ workspace: mkdtempSync(join(tmpdir(), 'regx-artifacts-ws-')), settings: { 'registryExplorer.registries': [{ name: 'Artifacts', url: reg.host }] }, name: 'artifacts-ui' });
    const page = wb.page;
    // Monaco renders spaces as no-break spaces.
    const editorText = async () => (await page.locator('.editor-instance .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
    await wb.openView('Registry Explorer');
    try {
      await wb.expand('Artifacts');
      await wb.expand(/^signed folder/);
      await wb.expand(/^signed\/app repository/);
      // The .sig/.att tags are not rows of their own; they make 1.0 expandable.
      await page.locator('.monaco-list-row[aria-expanded="false"]', { hasText: '1.0' }).waitFor({ timeout: 30_000 });
      assert.equal(await page.locator('.monaco-list-row', { hasText: /^sha256-/ }).count(), 0);
      await wb.expand(/^1\.0/);
      await wb.expand(/^3 referrers/);
      await wb.treeItem(/^SBOM/).click();
      await page.locator('.editor-instance .view-lines', { hasText: 'SPDX-2.3' }).waitFor({ timeout: 30_000 });
      // VS Code 1.139 puts the name and the extension of a tab label on lines of their own.
      assert.match((await page.locator('.tabs-container .tab.active').innerText()).replace(/\s/g, ''), /payload\.json/);
      await wb.screenshot('artifacts-1-sbom');
      await wb.expand(/^charts folder/);
      await wb.expand(/^charts\/demo repository/);
      await page.locator('.monaco-list-row', { hasText: 'Helm chart 0.3.1' }).waitFor({ timeout: 30_000 });
      await wb.contextMenu(/^0\.3\.1/, 'Show Chart values.yaml');
      await page.locator('.editor-instance .view-lines', { hasText: 'replicaCount' }).waitFor({ timeout: 30_000 });
      assert.match(await editorText(), /repository: nginx/);
      await wb.screenshot('artifacts-2-chart-values');
    } catch (e) {
      await wb.screenshot('artifacts-fail');
      throw e;
    }
  });
});
