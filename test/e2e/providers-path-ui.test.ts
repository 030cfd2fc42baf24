// Artifactory and Nexus through the wizard in a real VS Code (code-server + Chromium), as a
// person connects them: the palette command opens the product's form with its help (repository
// key, tokens, the pull host) and docs link; a revoked token is refused next to its field with
// the form intact; the right one saves and the tree browses the repository under its path.
// The products' Docker APIs are fakes in front of a real docker-registry served under
// `/artifactory/api/docker/KEY/v2/` and `/repository/NAME/v2/`. Screenshots in test-artifacts/e2e/.

import * as assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startFakeArtifactory, type FakeArtifactory } from '../support/fakes/artifactory';
import { startFakeNexus, type FakeNexus } from '../support/fakes/nexus';
import { e2eSkipReason } from './support/codeServer';
import { filesContaining } from './support/files';
import { fieldValue, fill, startWorkbench, type Workbench } from './support/workbench';

const skip = e2eSkipReason();

describe('Artifactory and Nexus through the wizard in a real VS Code', { skip, concurrency: false }, () => {
  let art: FakeArtifactory;
  let nexus: FakeNexus;
  let wb: Workbench | undefined;

  before(async () => {
    [art, nexus] = await Promise.all([startFakeArtifactory(), startFakeNexus()]);
    await Promise.all([
      art.registry.pusher.pushImage('team/app', ['1.0', 'latest'], { layerBytes: [2000, 400] }),
      art.registry.pusher.pushImage('tools', '2'),
      nexus.registry.pusher.pushImage('base/alpine', '3.20', { layerBytes: [900] }),
    ]);
    wb = await startWorkbench({ workspace: mkdtempSync(join(tmpdir(), 'regx-path-ui-ws-')), name: 'providers-path-ui' });
    await wb.openView('Registry Explorer');
  });
  after(async () => {
    await wb?.close();
    await Promise.all([art?.stop(), nexus?.stop()]);
  });

  const workbench = (): Workbench => {
    assert.ok(wb, 'the workbench did not start');
    return wb;
  };
  const saveAndClose = async (wb: Workbench, form: ReturnType<Workbench['webview']>) => {
    await form.locator('#save').click();
    await wb.page.locator('iframe.webview.ready:visible').waitFor({ state: 'detached', timeout: 30_000 }).catch(() => undefined);
  };

  test('Artifactory: palette command → key, token and pull-host help → a revoked token refused at its field → save → tree through the path', { timeout: 300_000 }, async () => {
    const wb = workbench();
    await wb.runCommand('Registry Explorer: Connect JFrog Artifactory');
    const form = wb.webview();
    await form.locator('.field[data-field="repoKey"]').waitFor({ timeout: 30_000 });
    const help = await form.locator('aside.help').innerText();
    assert.match(help, /About JFrog Artifactory/);
    assert.match(help, /repository key/i);
    assert.match(help, /pull host/i);
    assert.match((await form.locator('aside.help a.docs-link').getAttribute('href')) ?? '', /^https:\/\/jfrog\.com\//);

    await fill(form, 'url', art.address);
    await fill(form, 'repoKey', art.key);
    await fill(form, 'token', 'eyJ2ZXIiOiIyIn0.revoked-token-0000000000');
    await fill(form, 'name', 'Artifactory e2e');
    await form.locator('#save').click();
    const tokenError = form.locator('.field[data-field="token"] .field-error:not([hidden])');
    await tokenError.waitFor({ timeout: 30_000 }).catch(async (e: unknown) => {
      await wb.screenshot('path-ui-fail-artifactory-token');
      throw e;
    });
    assert.match(await tokenError.innerText(), /Artifactory at .* rejected the access token/);
    assert.equal(await fieldValue(form, 'repoKey'), art.key, 'the form kept its values');
    await wb.screenshot('path-ui-1-artifactory-revoked-token');

    await fill(form, 'token', art.accessToken);
    await saveAndClose(wb, form);
    await wb.expand('Artifactory e2e');
    await wb.expand(/^team folder/);
    await wb.expand(/^team\/app repository/);
    await wb.page.locator('.monaco-list-row', { hasText: 'latest' }).waitFor({ timeout: 30_000 });
    await wb.treeItem(/^tools repository/).waitFor();
    await wb.page.waitForFunction(() => [...document.querySelectorAll('.monaco-list-row')].some((r) => /1\.0/.test(r.textContent ?? '') && /[0-9a-f]{12}/.test(r.textContent ?? '')), undefined, { timeout: 30_000 });
    await wb.screenshot('path-ui-2-artifactory-tree');
    assert.ok(art.proxy.requests.some((r) => r.forwarded?.startsWith('/v2/team/app/manifests/')), 'tag facts read through the path');
    assert.deepEqual(filesContaining(wb.server!.home, art.accessToken), []);
  });

  test('Nexus: palette command → repository URL, user token and connector help → save → tree through the path', { timeout: 300_000 }, async () => {
    const wb = workbench();
    await wb.runCommand('Registry Explorer: Connect Sonatype Nexus Repository');
    const form = wb.webview();
    await form.locator('.field[data-field="pullHost"]').waitFor({ timeout: 30_000 });
    const help = await form.locator('aside.help').innerText();
    assert.match(help, /About Sonatype Nexus Repository/);
    assert.match(help, /connector port/);
    assert.match(help, /User Token/);
    await fill(form, 'url', nexus.repositoryUrl);
    await fill(form, 'username', nexus.username);
    await fill(form, 'password', nexus.password);
    await fill(form, 'pullHost', 'nexus.example.com:8443');
    await fill(form, 'name', 'Nexus e2e');
    await form.locator('#test').click();
    await form.locator('.result:not(.fail) .steps').waitFor({ timeout: 30_000 }).catch(async (e: unknown) => {
      await wb.screenshot('path-ui-fail-nexus-test');
      throw e;
    });
    assert.match(await form.locator('.result .steps').innerText(), /Listed the catalog: 1 repository/);
    await wb.screenshot('path-ui-3-nexus-test-ok');
    await saveAndClose(wb, form);
    await wb.expand('Nexus e2e');
    await wb.expand(/^base folder/);
    await wb.expand(/^base\/alpine repository/);
    await wb.page.locator('.monaco-list-row', { hasText: '3.20' }).waitFor({ timeout: 30_000 });
    await wb.screenshot('path-ui-4-nexus-tree');
    assert.ok(nexus.proxy.requests.every((r) => r.path.startsWith('/repository/docker-hosted/v2/')));
    assert.deepEqual(filesContaining(wb.server!.home, nexus.password), []);
  });
});
