// GitLab and Harbor through the wizard in a real VS Code (code-server + Chromium), as a person
// connects them: each provider's palette command opens its own form and help; GitLab with a
// token that lacks read_api is refused next to the token field with the form intact, then the
// right token saves; Harbor with a user's password. The tree then lists what each API says,
// with the dates the APIs give: Harbor's push time and scan summary from the artifact listing,
// GitLab's created_at from its tag-detail call for the rows on screen. The APIs are local
// fakes speaking the real wire protocols, each in front of a real docker-registry; nothing the
// server side wrote holds a secret. Screenshots in test-artifacts/e2e/.

import * as assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startFakeGitLab, type FakeGitLab } from '../support/fakes/gitlab';
import { startFakeHarbor, type FakeHarbor } from '../support/fakes/harbor';
import { e2eSkipReason } from './support/codeServer';
import { filesContaining } from './support/files';
import { fieldValue, fill, startWorkbench, type Workbench } from './support/workbench';

const skip = e2eSkipReason();

const GITLAB_TOKEN = 'glpat-E2E-GitLab-Secret-4b8d2c7e1f';
const GITLAB_NO_API = 'glpat-E2E-Registry-Only-9a0b1c2d3e';
const HARBOR_PASSWORD = 'Harbor-E2E-Secret-5e6f7a8b9c';
/** Old enough that its age reads in years whenever the test runs. */
const PUSHED = '2023-02-01T09:00:00Z';

function ageOf(iso: string): RegExp {
  const years = Math.floor((Date.now() - Date.parse(iso)) / (365.25 * 24 * 3600 * 1000));
  // formatAge counts 30-day months and 12 of them a year: allow the year either side.
  // The row's text runs the label into the description (`3.1.03 years ago`): no word boundary.
  return new RegExp(`(${years - 1}|${years}|${years + 1}) years? ago`);
}

let current: Workbench | undefined;
const this_wb = (): Workbench => {
  assert.ok(current, 'the workbench did not start');
  return current;
};

describe('GitLab and Harbor through the wizard in a real VS Code', { skip, concurrency: false }, () => {
  let gitlab: FakeGitLab;
  let harbor: FakeHarbor;
  let wb: Workbench | undefined;

  before(async () => {
    gitlab = await startFakeGitLab({
      projects: ['acme/shop'],
      tokens: { [GITLAB_TOKEN]: { scopes: ['read_api', 'read_registry'] }, [GITLAB_NO_API]: { scopes: ['read_registry'] } },
    });
    harbor = await startFakeHarbor({ users: { alice: HARBOR_PASSWORD }, scans: { 'library/nginx': { Critical: 1, High: 4 } } });
    await Promise.all([
      gitlab.registry.pusher.pushImage('acme/shop/api', ['3.1.0', 'latest'], { created: PUSHED, layerBytes: [4000, 900] }),
      gitlab.registry.pusher.pushImage('acme/shop/web', '1.2.0', { created: PUSHED, layerBytes: [1500] }),
      harbor.registry.pusher.pushImage('library/nginx', ['1.25', 'latest'], { created: PUSHED, layerBytes: [2500, 600] }),
      harbor.registry.pusher.pushImage('library/redis', '7.2', { created: PUSHED, layerBytes: [1200] }),
    ]);
    await Promise.all([gitlab.sync(), harbor.sync()]);
    wb = await startWorkbench({
      workspace: mkdtempSync(join(tmpdir(), 'regx-gitlab-harbor-ws-')),
      // Harbor's API normally lives on the registry's origin; here it is the fake's.
      settings: { 'registryExplorer.apiEndpoints': { harbor: harbor.apiUrl } },
      name: 'providers-gitlab-harbor',
    });
    await wb.openView('Registry Explorer');
    current = wb;
  });

  after(async () => {
    await wb?.close();
    await Promise.all([gitlab?.stop(), harbor?.stop()]);
  });

  /** Nothing the server side wrote (settings, state, logs, storage) holds the secret. */
  function assertNotWritten(secret: string): void {
    const hits = filesContaining(wb!.server!.home, secret);
    assert.deepEqual(hits, [], `the secret was written to ${hits.join(', ')}`);
  }

  /** The row of `tag` once its description carries `facts`. */
  async function rowWith(wb: Workbench, tag: string, facts: RegExp[]): Promise<string> {
    const sources = facts.map((f) => f.source);
    await wb.page
      .waitForFunction(
        ({ tag, sources }) =>
          [...document.querySelectorAll('.monaco-list-row')].some((r) => {
            const text = r.textContent ?? '';
            return text.includes(tag) && sources.every((s) => new RegExp(s).test(text));
          }),
        { tag, sources },
        { timeout: 30_000 },
      )
      .catch(async (e: unknown) => {
        await wb.screenshot(`gitlab-harbor-fail-row-${tag}`);
        const rows = await wb.page.locator('.monaco-list-row').allTextContents();
        throw new Error(`no row of ${tag} with ${sources.join(', ')}; rows: ${JSON.stringify(rows)}`, { cause: e });
      });
    return (await wb.page.locator('.monaco-list-row', { hasText: tag }).first().innerText()).replace(/\s+/g, ' ');
  }

  test('GitLab: palette command → its form and scopes help → a token without read_api refused at its field → save → tree with created_at from the API', { timeout: 300_000 }, async () => {
    const wb = this_wb();
    const page = wb.page;
    await wb.runCommand('Registry Explorer: Connect GitLab Container Registry');
    const form = wb.webview();
    await form.locator('.field[data-field="apiUrl"]').waitFor({ timeout: 30_000 });
    const help = form.locator('aside.help');
    assert.match(await help.innerText(), /About GitLab Container Registry/);
    assert.match(await help.innerText(), /read_api/);
    assert.match((await help.locator('a.docs-link').getAttribute('href')) ?? '', /^https:\/\/docs\.gitlab\.com\//);

    await fill(form, 'apiUrl', gitlab.apiUrl);
    await fill(form, 'registryUrl', gitlab.registry.url);
    await fill(form, 'token', GITLAB_NO_API);
    await fill(form, 'projects', 'acme/shop');
    await fill(form, 'name', 'GitLab e2e');
    await form.locator('#save').click();
    const tokenError = form.locator('.field[data-field="token"] .field-error:not([hidden])');
    await tokenError.waitFor({ timeout: 30_000 }).catch(async (e: unknown) => {
      await wb.screenshot('gitlab-harbor-fail-gitlab-no-api');
      throw e;
    });
    const said = await tokenError.innerText();
    assert.match(said, /read_api/, 'the refusal names the missing scope');
    assert.ok(!said.includes(GITLAB_NO_API), 'the token is not echoed');
    assert.equal(await fieldValue(form, 'projects'), 'acme/shop', 'the form kept its values');
    assert.equal(await fieldValue(form, 'name'), 'GitLab e2e');
    await wb.screenshot('gitlab-harbor-1-gitlab-no-read-api');

    await fill(form, 'token', GITLAB_TOKEN);
    await form.locator('#save').click();
    await page.locator('iframe.webview.ready:visible').waitFor({ state: 'detached', timeout: 30_000 }).catch(() => undefined);

    gitlab.reset();
    await wb.expand('GitLab e2e');
    await wb.expand(/^acme folder/);
    await wb.expand(/^acme\/shop folder/);
    await wb.treeItem(/^acme\/shop\/web repository/).waitFor({ timeout: 30_000 });
    await wb.expand(/^acme\/shop\/api repository/);
    const row = await rowWith(wb, '3.1.0', [ageOf(PUSHED), /[0-9a-f]{12}/]);
    await wb.screenshot('gitlab-harbor-2-gitlab-tree');
    assert.match(row, ageOf(PUSHED));
    // The date came from the tag-detail call of the API, for the rows on screen.
    const details = gitlab.requests.filter((r) => /\/registry\/repositories\/\d+\/tags\/[^/]+$/.test(r.path)).map((r) => decodeURIComponent(r.path.split('/').pop()!));
    assert.ok(details.includes('3.1.0') && details.includes('latest'), JSON.stringify(gitlab.requests.map((r) => r.path)));
    assertNotWritten(GITLAB_TOKEN);
    assertNotWritten(GITLAB_NO_API);
  });

  test('Harbor: palette command → its form and robot help → save → tree with push time and scan summary from the artifact listing', { timeout: 300_000 }, async () => {
    const wb = this_wb();
    const page = wb.page;
    await wb.runCommand('Registry Explorer: Connect Harbor');
    const form = wb.webview();
    await form.locator('.field[data-field="projects"]').waitFor({ timeout: 30_000 });
    const help = form.locator('aside.help');
    assert.match(await help.innerText(), /About Harbor/);
    assert.match(await help.innerText(), /robot\$/);
    assert.match((await help.locator('a.docs-link').getAttribute('href')) ?? '', /^https:\/\/goharbor\.io\//);

    await fill(form, 'url', harbor.registry.url);
    await fill(form, 'username', 'alice');
    await fill(form, 'password', HARBOR_PASSWORD);
    await fill(form, 'projects', 'library');
    await fill(form, 'name', 'Harbor e2e');
    await form.locator('#test').click();
    await form.locator('.result:not(.fail) .steps').waitFor({ timeout: 30_000 }).catch(async (e: unknown) => {
      await wb.screenshot('gitlab-harbor-fail-harbor-test');
      throw e;
    });
    assert.match(await form.locator('.result .steps').innerText(), /Signed in to Harbor as alice: 2 repositories in library/);
    await wb.screenshot('gitlab-harbor-3-harbor-test-ok');
    await form.locator('#save').click();
    await page.locator('iframe.webview.ready:visible').waitFor({ state: 'detached', timeout: 30_000 }).catch(() => undefined);

    harbor.reset();
    await wb.expand('Harbor e2e');
    await wb.expand(/^library folder/);
    await wb.treeItem(/^library\/redis repository/).waitFor({ timeout: 30_000 });
    await wb.expand(/^library\/nginx repository/);
    const row = await rowWith(wb, '1.25', [ageOf(PUSHED), /scan: 1 critical, 4 high/]);
    await wb.screenshot('gitlab-harbor-4-harbor-tree');
    assert.match(row, /[0-9a-f]{12}/);
    const listing = harbor.requests.filter((r) => r.path === '/api/v2.0/projects/library/repositories/nginx/artifacts');
    assert.ok(listing.length >= 1 && listing.every((r) => r.query.with_tag === 'true' && r.query.with_scan_overview === 'true'), JSON.stringify(harbor.requests.map((r) => r.path)));
    assertNotWritten(HARBOR_PASSWORD);
  });
});
