// Cloud providers through the wizard in a real VS Code (code-server + Chromium), as a person
// connects them: the palette's per-provider command opens the wizard on that provider's form
// with its own help; a wrong token is shown next to its field with the form intact; the right
// one saves; the tree lists what the provider's API says, with dates the API gives for free.
// The control planes are local fakes speaking the real wire protocols, each in front of a real
// docker-registry. Screenshots in test-artifacts/e2e/.
import * as assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startRegistry, type RunningRegistry } from '../support';
import { CHART, pushChart } from '../support/artifacts';
import { startFakeDockerHub, type FakeDockerHub } from '../support/fakes/dockerhub';
import { startFakeEcr, type FakeAwsKey, type FakeEcr } from '../support/fakes/ecr';
import { e2eSkipReason } from './support/codeServer';
import { filesContaining } from './support/files';
import { fieldValue, fill, startWorkbench, type Workbench } from './support/workbench';

const skip = e2eSkipReason();

/** The chart's tag row once its kind is shown: "Helm chart" first in its description. */
const chartRow = (wb: Workbench) => wb.page.locator('.monaco-list-row', { hasText: CHART.version }).filter({ hasText: 'Helm chart' }).first();

const HUB_USER = 'alice';
const HUB_PAT = 'dckr_pat_E2E-Hub-Secret-7c1f0d9a';
const AWS_KEY: FakeAwsKey = { accessKeyId: 'AKIAE2ETESTKEY000001', secretAccessKey: 'E2e/Aws/Secret+Key/0123456789abcdefGHIJ' };

let current: Workbench | undefined;
const this_wb = (): Workbench => {
  assert.ok(current, 'the workbench did not start');
  return current;
};

describe('Cloud providers through the wizard in a real VS Code', { skip, concurrency: false }, () => {
  let hubRegistry: RunningRegistry;
  let hub: FakeDockerHub;
  let ecrRegistry: RunningRegistry;
  let ecr: FakeEcr;
  let wb: Workbench | undefined;

  before(async () => {
    hubRegistry = await startRegistry({ mode: 'token', username: HUB_USER, password: HUB_PAT, tokenServer: { service: 'registry.docker.io', anonymousPull: true } });
    await Promise.all([
      hubRegistry.pusher.pushImage(`${HUB_USER}/webapp`, ['1.4.2', 'latest'], { created: '2024-03-01T10:00:00Z', layerBytes: [3000, 700] }),
      hubRegistry.pusher.pushImage(`${HUB_USER}/worker`, 'edge', { created: '2024-04-01T10:00:00Z', layerBytes: [1000] }),
      pushChart(hubRegistry.pusher, `${HUB_USER}/chart`),
    ]);
    hub = await startFakeDockerHub({ registry: hubRegistry });
    ecrRegistry = await startRegistry({ mode: 'plain' });
    await Promise.all([
      ecrRegistry.pusher.pushImage('team/api', ['2.0.1', 'stable'], { created: '2024-05-02T08:00:00Z', layerBytes: [5000, 1200] }),
      ecrRegistry.pusher.pushImage('team/batch', '0.9', { created: '2024-05-03T08:00:00Z', layerBytes: [800] }),
      pushChart(ecrRegistry.pusher, 'team/chart'),
    ]);
    ecr = await startFakeEcr({ registry: ecrRegistry, keys: [AWS_KEY] });
    wb = await startWorkbench({
      workspace: mkdtempSync(join(tmpdir(), 'regx-providers-ws-')),
      settings: {
        'registryExplorer.apiEndpoints': { dockerhub: hub.apiUrl, 'dockerhub-registry': hub.registryUrl, ecr: ecr.endpoint, 'ecr-registry': ecr.registryUrl },
      },
      name: 'providers-ui',
    });
    await wb.openView('Registry Explorer');
    current = wb;
  });

  /** Nothing the server side wrote (settings, state, logs, storage) holds the secret. */
  function assertNotWritten(secret: string): void {
    const hits = filesContaining(wb!.server!.home, secret);
    assert.deepEqual(hits, [], `the secret was written to ${hits.join(', ')}`);
  }

  after(async () => {
    await wb?.close();
    await Promise.all([hub?.stop(), ecr?.stop()]);
    await Promise.all([hubRegistry?.stop(), ecrRegistry?.stop()]);
  });

  test('Docker Hub: palette command → its form and help → wrong token kept in the form → save → tree', { timeout: 300_000 }, async () => {
    const wb = this_wb();
    const page = wb.page;
    await wb.runCommand('Registry Explorer: Connect Docker Hub');
    const form = wb.webview();
    // The command skips the provider picker: Docker Hub's own form and help.
    await form.locator('.field[data-field="username"]').waitFor({ timeout: 30_000 });
    const help = form.locator('aside.help');
    assert.match(await help.innerText(), /About Docker Hub/);
    assert.match(await help.innerText(), /access token/i);
    assert.match((await help.locator('a.docs-link').getAttribute('href')) ?? '', /^https:\/\/docs\.docker\.com\//);

    await fill(form, 'username', HUB_USER);
    await fill(form, 'password', 'dckr_pat_Wrong-Token-000');
    await fill(form, 'name', 'Hub e2e');
    await form.locator('#save').click();
    const pwError = form.locator('.field[data-field="password"] .field-error:not([hidden])');
    await pwError.waitFor({ timeout: 30_000 }).catch(async (e: unknown) => {
      await wb!.screenshot('providers-fail-hub-wrong-token');
      throw e;
    });
    const pwMessage = await pwError.innerText();
    assert.match(pwMessage, /token|password/i);
    assert.ok(!pwMessage.includes('Wrong-Token'), 'the rejected token is not echoed');
    assert.equal(await fieldValue(form, 'username'), HUB_USER, 'the form kept its values');
    assert.equal(await fieldValue(form, 'name'), 'Hub e2e');
    await wb.screenshot('providers-1-hub-wrong-token');

    await fill(form, 'password', HUB_PAT);
    await form.locator('#test').click();
    await form.locator('.result:not(.fail) .steps').waitFor({ timeout: 30_000 });
    await wb.screenshot('providers-2-hub-test-ok');
    await form.locator('#save').click();
    await page.locator('iframe.webview.ready:visible').waitFor({ state: 'detached', timeout: 30_000 }).catch(() => undefined);

    await wb.expand('Hub e2e');
    await wb.expand(new RegExp(`^${HUB_USER} folder`));
    await wb.expand(new RegExp(`^${HUB_USER}/webapp repository`));
    const tagRow = page.locator('.monaco-list-row', { hasText: '1.4.2' });
    await tagRow.waitFor({ timeout: 30_000 });
    await wb.treeItem(new RegExp(`^${HUB_USER}/worker repository`)).waitFor();
    // The Hub API gives digest and push date with the tag list: no manifest GETs for them.
    await page.waitForFunction(() => [...document.querySelectorAll('.monaco-list-row')].some((r) => /1\.4\.2/.test(r.textContent ?? '') && /[0-9a-f]{12}/.test(r.textContent ?? '')), undefined, { timeout: 30_000 });
    // A Helm chart is known as one from the Hub's tag list (its content_type), without its manifest.
    await wb.expand(new RegExp(`^${HUB_USER}/chart repository`));
    await chartRow(wb).waitFor({ timeout: 30_000 });
    await wb.screenshot('providers-3-hub-tree');
    const manifestGets = hub.registryRequests.filter((r) => r.method === 'GET' && /\/manifests\//.test(r.path));
    assert.deepEqual(manifestGets, [], 'no manifest GET was made to date or size the tags');

    // The token went to secret storage only.
    assertNotWritten(HUB_PAT);
  });

  test('Amazon ECR: palette command → access key form and IAM help → wrong secret kept in the form → save → tree with push dates', { timeout: 300_000 }, async () => {
    const wb = this_wb();
    const page = wb.page;
    await wb.runCommand('Registry Explorer: Connect Amazon ECR');
    const form = wb.webview();
    await form.locator('.field[data-field="accessKeyId"]').waitFor({ timeout: 30_000 });
    const help = form.locator('aside.help');
    assert.match(await help.innerText(), /About Amazon ECR/);
    assert.match(await help.innerText(), /ecr:DescribeImages|AmazonEC2ContainerRegistryReadOnly/);
    assert.match((await help.locator('a.docs-link').getAttribute('href')) ?? '', /^https:\/\/docs\.aws\.amazon\.com\//);

    await fill(form, 'accessKeyId', AWS_KEY.accessKeyId);
    await fill(form, 'secretAccessKey', 'Not/The/Right/Secret/0000000000000000000');
    await fill(form, 'name', 'ECR e2e');
    await form.locator('#save').click();
    const keyError = form.locator('.field[data-field="secretAccessKey"] .field-error:not([hidden])');
    await keyError.waitFor({ timeout: 30_000 }).catch(async (e: unknown) => {
      await wb.screenshot('providers-fail-ecr-wrong-secret');
      throw e;
    });
    assert.match(await keyError.innerText(), /secret|signature|key/i);
    assert.equal(await fieldValue(form, 'accessKeyId'), AWS_KEY.accessKeyId, 'the form kept its values');
    assert.equal(await fieldValue(form, 'name'), 'ECR e2e');
    await wb.screenshot('providers-4-ecr-wrong-secret');

    await fill(form, 'secretAccessKey', AWS_KEY.secretAccessKey);
    await form.locator('#save').click();
    await page.locator('iframe.webview.ready:visible').waitFor({ state: 'detached', timeout: 30_000 }).catch(() => undefined);

    await wb.expand('ECR e2e');
    await wb.expand(/^team folder/);
    await wb.expand(/^team\/api repository/);
    await page.locator('.monaco-list-row', { hasText: '2.0.1' }).waitFor({ timeout: 30_000 });
    await wb.treeItem(/^team\/batch repository/).waitFor();
    // DescribeImages gives digest, push date and size with the listing.
    await page.waitForFunction(() => [...document.querySelectorAll('.monaco-list-row')].some((r) => /2\.0\.1/.test(r.textContent ?? '') && /[0-9a-f]{12}/.test(r.textContent ?? '')), undefined, { timeout: 30_000 });
    // A Helm chart is known as one from DescribeImages (its artifactMediaType), without its manifest.
    await wb.expand(/^team\/chart repository/);
    await chartRow(wb).waitFor({ timeout: 30_000 });
    await wb.screenshot('providers-5-ecr-tree');
    assert.ok(ecr.count('DescribeRepositories', true) >= 1 && ecr.count('DescribeImages', true) >= 1, JSON.stringify(ecr.calls.map((c) => c.op)));
    assert.deepEqual(ecr.registryRequests.filter((r) => r.method === 'GET' && /\/manifests\//.test(r.path)), [], 'no manifest GET to date the tags');
    assertNotWritten(AWS_KEY.secretAccessKey);
    for (const password of ecr.issuedPasswords()) assertNotWritten(password);
  });
});
