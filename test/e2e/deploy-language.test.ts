// Deploy files know your registries, end to end: a real registry (plain HTTP) with a versioned
// repository, a workspace of deploy files, and a real VS Code (code-server).
//   (a) the in-extension-host suite test/host/language.suite.ts: completion items at each
//       position, diagnostics appearing and clearing after quick fixes, undo, the requests made;
//   (b) the UI: type `image: ` in a manifest, accept a host, a repository and a tag from the
//       suggestions, see the file change; hover the "newer version" squiggle and apply
//       "Update to …" from its Quick Fix menu.
// A second listener stands for a registry that is not connected: it must receive nothing.
// Screenshots: test-artifacts/e2e/language-*.png.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { seedStandardImages, startRegistry, type RunningRegistry } from '../support';
import { startHostile, type HostileServer } from '../support/hostile';
import { e2eSkipReason } from './support/codeServer';
import { editorText, waitFor } from './support/editor';
import { runHostTests } from './support/hostTests';
import { startWorkbench } from './support/workbench';

const skip = e2eSkipReason();

/** web/app's tags and the digests they point at (each its own image). */
interface Versions {
  [tag: string]: string;
}

/** The workspace: deploy files naming the registry (`HOST`), the unconnected one (`OTHER`) and versions. */
function workspaceFor(host: string, other: string, v: Versions, hostile = 'hostile.invalid'): string {
  const dir = mkdtempSync(join(tmpdir(), 'regx-language-ws-'));
  const files: Record<string, string> = {
    'k8s/complete.yaml': [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: complete}',
      'spec:',
      '  containers:',
      '    - name: host',
      '      image: ',
      '    - name: repository',
      `      image: ${host}/`,
      '    - name: tag',
      `      image: ${host}/web/app:`,
      '    - name: digest',
      `      image: ${host}/web/app:1.4.0@`,
      '    - name: other',
      `      image: ${other}/org/tool:`,
      '',
    ].join('\n'),
    'k8s/deploy.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: web}',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      `        - image: ${host}/web/app:1.4.0 # the app`,
      `        - image: "${host}/web/app:1.4.1@${v['1.4.0']}"`,
      `        - image: ${host}/web/app:9.9.9`,
      `        - image: ${host}/nothing/here:1.0`,
      `        - image: ${other}/org/tool:1.0`,
      '',
    ].join('\n'),
    'hostile/pod.yaml': ['apiVersion: v1', 'kind: Pod', 'metadata: {name: hostile}', 'spec:', '  containers:', `    - image: ${hostile}/evil/app:1.0`, ''].join('\n'),
    // Being typed (a value ending in `:` does not parse as YAML yet: completion only).
    // By digest alone on the hostile registry: one it answers with a digest header that is not a
    // digest, one it says it does not have (twice in the file: one HEAD).
    'hostile/pinned.yaml': ['apiVersion: v1', 'kind: Pod', 'metadata: {name: pinned}', 'spec:', '  containers:', `    - image: ${hostile}/evil/app@${HOSTILE_BOGUS}`, `    - image: ${hostile}/evil/app@${HOSTILE_GONE}`, `    - image: ${hostile}/evil/app@${HOSTILE_GONE}`, ''].join('\n'),
    // More distinct images than one check asks about (LOOKUPS_PER_FILE), each gone.
    'hostile/flood.yaml': ['apiVersion: v1', 'kind: Pod', 'metadata: {name: flood}', 'spec:', '  containers:', ...FLOOD.map((d) => `    - image: ${hostile}/evil/app@${d}`), ''].join('\n'),
    // Tags listed a page at a time in name order: the newest versions are on the last pages.
    'hostile/many.yaml': ['apiVersion: v1', 'kind: Pod', 'metadata: {name: many}', 'spec:', '  containers:', `    - image: ${hostile}/evil/many:`, ''].join('\n'),
    'hostile/complete.yaml': ['apiVersion: v1', 'kind: Pod', 'metadata: {name: typing}', 'spec:', '  containers:', `    - image: ${hostile}/evil/app:`, `    - image: ${hostile}/`, ''].join('\n'),
    'hub/compose.yaml': ['services:', '  web:', `    image: nginx:1.25@${HUB_PINNED}`, '  db:', '    image: redis:9.9', ''].join('\n'),
    // By digest alone: one the registry holds, one it never had (as a garbage-collected one).
    'k8s/pinned.yaml': ['apiVersion: v1', 'kind: Pod', 'metadata: {name: pinned}', 'spec:', '  containers:', `    - image: ${host}/web/app@${v['1.5.0']}`, `    - image: ${host}/web/app@sha256:${'0'.repeat(64)}`, ''].join('\n'),
    // The newest alpine the registry has; the host suite pushes a newer one and refreshes the view.
    'k8s/fresh.yaml': ['apiVersion: v1', 'kind: Pod', 'metadata: {name: fresh}', 'spec:', '  containers:', `    - image: ${host}/alpine:3.19`, ''].join('\n'),
    'k8s/second.yaml': ['apiVersion: v1', 'kind: Pod', 'metadata: {name: second}', 'spec:', '  containers:', `    - image: ${host}/web/app:1.5.0`, ''].join('\n'),
    'chart/values.yaml': ['image:', `  registry: ${host}`, '  repository: web/app', '  tag: "1.4.0"   # bumped by CI', '  pullPolicy: IfNotPresent', ''].join('\n'),
    'kustomize/kustomization.yaml': ['resources: [deploy.yaml]', 'images:', '  - name: app', `    newName: ${host}/web/app`, '    newTag: "1.4.0"', ''].join('\n'),
    // For the UI: line 7 is where `image: ` is typed (8 spaces already there); line 9 is squiggled.
    'ui/pod.yaml': [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: ui}',
      'spec:',
      '  containers:',
      '    - name: typed',
      '      ',
      '    - name: old',
      `      image: ${host}/web/app:1.4.0`,
      '',
    ].join('\n'),
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

/** Digests hostile/pinned.yaml names alone: the hostile registry answers the first with a bogus digest header, the second with a 404. */
const HOSTILE_BOGUS = `sha256:${'c'.repeat(64)}`;
const HOSTILE_GONE = `sha256:${'d'.repeat(64)}`;

/** Digests hostile/flood.yaml names, one per service, all unknown to the hostile registry. */
const FLOOD = Array.from({ length: 40 }, (_, i) => `sha256:${'f'.repeat(60)}${i.toString(16).padStart(4, '0')}`);

/** evil/many's tags in name order: 1.0.x on the first page of 1,000, the newer 2.0.x after it. */
const MANY_TAGS = [...Array.from({ length: 1000 }, (_, i) => `1.0.${i}`), ...Array.from({ length: 1500 }, (_, i) => `2.0.${i}`)].sort();

/** Tags a hostile registry lists: text that would change the YAML or a path, around real versions. */
const HOSTILE_TAGS = ['1.0', '1.1', '2.0\n  evil: injected', '1.2 # comment', '../../_catalog', '1.3', '1.9"quoted', ''];

/**
 * A connected registry that lies: names that are not names, and a digest header that is not a
 * digest. It records every request (the test asserts how many listings it served).
 */
function hostileRegistry(): Promise<HostileServer> {
  return startHostile((req, res) => {
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/v2/') return json({});
    if (req.url?.startsWith('/v2/_catalog')) return json({ repositories: ['evil/app', 'bad name\n  x: y'] });
    if (req.url === '/v2/evil/app/tags/list' || req.url?.startsWith('/v2/evil/app/tags/list?')) return json({ name: 'evil/app', tags: HOSTILE_TAGS });
    if (req.url?.startsWith('/v2/evil/many/tags/list')) {
      // Pages as the reference registry's catalog does: `n` names after `last`, a Link while more remain.
      const q = new URL(req.url, 'http://x').searchParams;
      const n = Number(q.get('n') ?? 100);
      const from = q.get('last') ? MANY_TAGS.indexOf(q.get('last')!) + 1 : 0;
      const page = MANY_TAGS.slice(from, from + n);
      const more = from + n < MANY_TAGS.length;
      const link = more ? { link: `</v2/evil/many/tags/list?n=${n}&last=${encodeURIComponent(page.at(-1)!)}>; rel="next"` } : {};
      return res.writeHead(200, { 'content-type': 'application/json', ...link }).end(JSON.stringify({ name: 'evil/many', tags: page }));
    }
    if (req.url === `/v2/evil/app/manifests/${HOSTILE_GONE}` || FLOOD.some((d) => req.url === `/v2/evil/app/manifests/${d}`)) return res.writeHead(404).end();
    if (req.url?.startsWith('/v2/evil/app/manifests/')) {
      return res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json', 'docker-content-digest': 'sha256:zz not hex # injected' }).end();
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message: 'no' }] }));
  });
}

/** Pins in hub/compose.yaml: what the file says, and where the fake Docker Hub says nginx:1.25 points now. */
const HUB_PINNED = `sha256:${'a'.repeat(64)}`;
const HUB_NOW = `sha256:${'b'.repeat(64)}`;

/**
 * Docker Hub's registry as the anonymous check sees it (registryExplorer.apiEndpoints points
 * there): nginx:1.25 moved, redis:9.9 missing. It records every request: only HEADs may reach
 * a manifest, since a GET would count as a pull.
 */
function fakeHub(): Promise<HostileServer> {
  return startHostile((req, res) => {
    if (req.url === '/v2/') return res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    if (req.method === 'HEAD' && req.url === '/v2/library/nginx/manifests/1.25') {
      return res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json', 'docker-content-digest': HUB_NOW, 'content-length': '500' }).end();
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
  });
}

/** A listener standing for a registry nobody connected: counts what reaches it. */
async function countingServer(): Promise<{ server: Server; host: string; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, host: `127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

describe('deploy files know your registries', { skip, concurrency: false }, () => {
  let reg: RunningRegistry;
  let other: Awaited<ReturnType<typeof countingServer>>;
  let hostile: HostileServer;
  let hub: HostileServer;
  const versions: Versions = {};
  const temp: string[] = [];

  before(async () => {
    [reg, other, hostile, hub] = await Promise.all([startRegistry({ mode: 'plain' }), countingServer(), hostileRegistry(), fakeHub()]);
    await seedStandardImages(reg);
    const created = { '1.4.0': '2024-01-01T00:00:00Z', '1.4.1': '2024-02-01T00:00:00Z', '1.5.0': '2024-03-01T00:00:00Z', '2.0.0': '2024-04-01T00:00:00Z' };
    for (const [tag, date] of Object.entries(created)) versions[tag] = (await reg.pusher.pushImage('web/app', [tag], { created: date })).digest;
    await reg.pusher.tag('web/app', versions['2.0.0']!, ['latest']);
  });
  after(async () => {
    await reg?.stop();
    await new Promise((r) => other?.server.close(r));
    await hostile?.stop();
    await hub?.stop();
    for (const d of temp) rmSync(d, { recursive: true, force: true });
  });

  test('(a) host suite: completion at each position, diagnostics, quick fixes, undo, requests', { timeout: 240_000 }, async () => {
    const hostileHost = hostile.origin.replace('http://', '');
    const workspace = workspaceFor(reg.host, other.host, versions, hostileHost);
    temp.push(workspace);
    const r = await runHostTests({
      suites: ['language'],
      workspace,
      timeoutMs: 220_000,
      env: {
        LANG_REGISTRY_URL: reg.url,
        LANG_REGISTRY_HOST: reg.host,
        LANG_OTHER_HOST: other.host,
        LANG_VERSIONS: JSON.stringify(versions),
        LANG_HOSTILE_HOST: hostileHost,
        LANG_HUB_PINNED: HUB_PINNED,
        LANG_HUB_NOW: HUB_NOW,
        LANG_HOSTILE_GONE: HOSTILE_GONE,
        LANG_FLOOD: JSON.stringify(FLOOD),
      },
      settings: {
        'registryExplorer.registries': [
          { url: reg.url, name: 'Local' },
          { url: hostile.origin, name: 'Hostile' },
        ],
        'files.autoSave': 'off',
        // Public Docker Hub without a connection, HEAD only; its registry is the fake here.
        'registryExplorer.dockerHubAnonymous': true,
        'registryExplorer.apiEndpoints': { 'dockerhub-registry': hub.origin, dockerhub: hub.origin },
      },
    });
    console.log(`# language host suite: exit ${r.exitCode} in ${r.durationMs} ms; ${r.passes.length} passing, ${r.failures.length} failing`);
    const hostileCalls = hostile.requests.map((q) => `${q.method} ${q.url.replace(/\?.*/, '')}`);
    console.log(`# hostile registry received: ${JSON.stringify(hostileCalls)}`);
    const detail = `${r.output}\n${r.failures.map((f) => `${f.title}\n${f.error}`).join('\n')}`;
    assert.equal(r.timedOut, false, detail);
    assert.equal(r.exitCode, 0, detail);
    assert.deepEqual(r.failures, []);
    assert.ok(r.passes.length >= 9, detail);
    assert.deepEqual(other.hits, [], 'the registry that is not connected received no request');
    const hubCalls = hub.requests.map((q) => `${q.method} ${q.url}`);
    console.log(`# Docker Hub (anonymous) received: ${JSON.stringify(hubCalls)}`);
    assert.deepEqual(
      hubCalls.filter((c) => c !== 'GET /v2/').sort(),
      ['HEAD /v2/library/nginx/manifests/1.25', 'HEAD /v2/library/redis/manifests/9.9'],
      'anonymous Docker Hub: one HEAD per reference, no GET of a manifest (a pull), no listing',
    );
    // Bounded: one tag listing for the completions and the diagnostics of the file; a HEAD for the pin attempt.
    assert.equal(hostileCalls.filter((c) => c === 'GET /v2/evil/app/tags/list').length, 1, JSON.stringify(hostileCalls));
    assert.ok(hostileCalls.filter((c) => c.startsWith('HEAD ') && !c.includes('/manifests/sha256:')).length <= 2, JSON.stringify(hostileCalls));
    // References by digest alone: a HEAD per distinct digest (the bogus answer may be asked once
    // more after its 30 s retry), never a GET of a manifest; the registry was given no credential.
    const byDigest = (d: string) => hostileCalls.filter((c) => c === `HEAD /v2/evil/app/manifests/${d}`).length;
    assert.equal(byDigest(HOSTILE_GONE), 1, JSON.stringify(hostileCalls));
    assert.ok(byDigest(HOSTILE_BOGUS) >= 1 && byDigest(HOSTILE_BOGUS) <= 2, JSON.stringify(hostileCalls));
    assert.ok(!hostileCalls.some((c) => c.startsWith('GET /v2/evil/app/manifests/sha256:')), JSON.stringify(hostileCalls));
    // A file naming 40 images: the first 32 are asked about, once each (the 404s are cached), the rest never.
    // Completion read evil/many's tags on past the first page, a page at a time, and stopped at the end.
    assert.equal(hostileCalls.filter((c) => c === 'GET /v2/evil/many/tags/list').length, 3, JSON.stringify(hostileCalls.filter((c) => c.includes('evil/many'))));
    const flooded = FLOOD.map((d) => hostileCalls.filter((c) => c === `HEAD /v2/evil/app/manifests/${d}`).length);
    assert.deepEqual(flooded, FLOOD.map((_, i) => (i < 32 ? 1 : 0)), JSON.stringify(flooded));
    assert.ok(!hostile.requests.some((q) => q.headers.authorization), 'no credential reached the hostile registry');
  });

  test('(b) UI: type `image: `, accept host, repository and tag; hover the squiggle and apply "Update to …"', { timeout: 240_000 }, async () => {
    const workspace = workspaceFor(reg.host, other.host, versions);
    temp.push(workspace);
    const file = join(workspace, 'ui', 'pod.yaml');
    const original = readFileSync(file, 'utf8');
    const wb = await startWorkbench({
      workspace,
      name: 'language',
      // Sticky scroll pins `spec:` over the lines the mouse has to reach.
      settings: { 'registryExplorer.registries': [{ url: reg.url, name: 'Local' }], 'files.autoSave': 'off', 'editor.stickyScroll.enabled': false, 'editor.hover.delay': 150 },
    });
    const { page } = wb;
    const suggest = page.locator('.editor-widget.suggest-widget.visible');
    const row = (label: string | RegExp) => suggest.locator('.monaco-list-row', { hasText: label }).first();
    try {
      // Open ui/pod.yaml through Quick Open.
      await page.keyboard.press('Control+p');
      await wb.quickPick.waitOpen();
      await wb.quickPick.type('pod.yaml');
      await wb.quickPick.item(/pod\.yaml/).first().waitFor({ timeout: 20_000 });
      await wb.quickPick.enter();
      await waitFor('the file in the editor', async () => (await editorText(wb)).includes('name: typed'));

      // The squiggle on the old tag comes first (the diagnostics run on open).
      const squiggle = page.locator('.editor-group-container.active .monaco-editor .squiggly-info').first();
      await squiggle.waitFor({ timeout: 30_000 });
      await wb.screenshot('language-squiggle');

      // Line 7, after its 8 spaces: type `image: `, take the host, the repository, a tag.
      await page.keyboard.press('Control+g');
      await wb.quickPick.waitOpen();
      await page.keyboard.type('7:7');
      await page.keyboard.press('Enter');
      await page.keyboard.type('image: ');
      await row(reg.host).waitFor({ timeout: 20_000 });
      await wb.screenshot('language-complete-host');
      await row(reg.host).click();
      await row('web/app').waitFor({ timeout: 20_000 });
      await wb.screenshot('language-complete-repository');
      await row('web/app').click();
      await row('1.5.0').waitFor({ timeout: 20_000 });
      const labels = await suggest.locator('.monaco-list-row').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
      console.log(`# tag suggestions: ${JSON.stringify(labels)}`);
      // The tree's order: the moving tag first, then versions newest first.
      const order = ['latest', '2.0.0', '1.5.0', '1.4.1', '1.4.0'].map((t) => labels.findIndex((l) => l.startsWith(t)));
      assert.ok(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]!)), JSON.stringify(labels));
      await wb.screenshot('language-complete-tag');
      await row('1.5.0').click();
      await waitFor('the accepted tag in the editor', async () => (await editorText(wb)).includes(`image: ${reg.host}/web/app:1.5.0`));
      await page.keyboard.press('Escape');
      await wb.screenshot('language-completed');

      // Hover the squiggle (the mouse onto its own box: a locator hover would scroll the editor
      // and the text layer above it takes the pointer), open its Quick Fix menu, apply the update.
      const mark = (await squiggle.boundingBox())!;
      await page.mouse.move(mark.x + mark.width / 2, mark.y + mark.height / 2 - 4);
      const hover = page.locator('.monaco-hover', { hasText: /Quick Fix/ }).first();
      const fix = hover.getByText(/Quick Fix/).first();
      await fix.waitFor({ timeout: 20_000 });
      assert.match(await hover.innerText(), /newer version is available: 1\.5\.0/);
      await wb.screenshot('language-hover');
      await fix.click();
      const update = page.locator('.action-widget .monaco-list-row', { hasText: 'Update to 1.5.0' }).first();
      await update.waitFor({ timeout: 20_000 });
      await wb.screenshot('language-quick-fix');
      // The preferred fix is the focused row; Enter applies it (a click races the menu's own layout).
      await page.locator('.action-widget .monaco-list-row.focused', { hasText: 'Update to 1.5.0' }).waitFor({ timeout: 10_000 });
      await page.keyboard.press('Enter');
      const expected = original.replace('      \n', `      image: ${reg.host}/web/app:1.5.0\n`).replace('web/app:1.4.0', 'web/app:1.5.0');
      await waitFor('the update in the editor', async () => (await editorText(wb)).trimEnd() === expected.trimEnd());
      await waitFor('the squiggle gone', async () => (await squiggle.count()) === 0);
      await wb.screenshot('language-updated');
      await wb.runCommand('File: Save');
      await waitFor('saved', () => readFileSync(file, 'utf8') === expected);
      assert.deepEqual(other.hits, [], 'the registry that is not connected received no request');
    } catch (e) {
      await wb.screenshot('language-failure').catch(() => undefined);
      throw e;
    } finally {
      await wb.close();
    }
  });
});
