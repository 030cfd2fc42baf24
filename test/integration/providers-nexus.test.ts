// Nexus Repository 3 against a fake of its Docker API's own parts (Basic on every request, its
// refusals, an unknown repository's HTML 404, catalog Links written at the origin's root) in
// front of the real registry served under `/repository/NAME/v2/` by the path proxy: catalog
// pages read under the repository path, tags, a manifest and a delete through it, the pull
// host (connector port) in the references, each refusal in Nexus's words, no secret in errors
// or logs; then Links that leave the repository or the origin.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FormValues } from '../../src/providers/form';
import { nexusProvider, type NexusConnection } from '../../src/providers/nexus';
import { connectionFromDockerEntry } from '../../src/providers/dockerImport';
import { pullHost } from '../../src/providers/pullHost';
import { isRegistryError } from '../../src/registry/errors';
import { collectPages, PAGE_LIMITS } from '../../src/registry/paging';
import { startHostile } from '../support';
import { startFakeNexus, type FakeNexus } from '../support/fakes/nexus';
import { allPages as all, failureWithout } from '../support/pages';

const TOKEN_NAME = 'Xy7pQ2aB';
const TOKEN_PASS = 'pAsScOdE-0123456789abcdefghijklmnopqrstuv';

describe('Nexus (fake Docker API parts + real registry under a path)', () => {
  let fake: FakeNexus;
  const logs: string[] = [];
  let open: NexusConnection[] = [];
  const connect = (values: FormValues): NexusConnection => {
    const r = nexusProvider.fromForm({ url: fake.repositoryUrl, ...values });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    const c = nexusProvider.connect({ id: 'n', ...r.config }, r.secrets, { log: (m) => logs.push(m) }) as NexusConnection;
    open.push(c);
    return c;
  };
  const user = (): FormValues => ({ username: fake.username, password: fake.password });
  const done = async () => {
    await Promise.all(open.map((c) => c.dispose()));
    open = [];
  };
  const noSecret = (text: string) => {
    for (const s of [fake.password, TOKEN_PASS, 'Wr0ng-pa55word-zz']) assert.ok(!text.includes(s), 'a secret reached the text');
  };
  const failure = (p: Promise<unknown>): Promise<Error> => failureWithout(p, () => [fake.password, TOKEN_PASS, 'Wr0ng-pa55word-zz']);
  const forwarded = () => fake.proxy.requests.filter((r) => r.forwarded).map((r) => `${r.method} ${r.path}`);

  before(async () => {
    fake = await startFakeNexus({ users: { alice: `Nexus-${Math.random().toString(36).slice(2)}-pw`, [TOKEN_NAME]: TOKEN_PASS, viewer: 'Viewer-pw-123456', nobody: 'Nobody-pw-123456' }, noBrowse: ['viewer'], noRead: ['nobody'] });
    const p = fake.registry.pusher;
    await Promise.all([p.pushImage('team/api', ['2.1', 'stable']), p.pushImage('team/web', '1'), p.pushImage('base/alpine', '3.20')]);
  });
  after(async () => {
    await done();
    await fake?.stop();
    noSecret(logs.join('\n'));
  });

  test('a password: catalog, tags and a manifest through /repository/NAME/v2/, Basic on each request', async () => {
    fake.reset();
    const c = connect(user());
    assert.deepEqual((await all(await c.listRepositories())).items.map((r) => r.name), ['base/alpine', 'team/api', 'team/web']);
    assert.deepEqual((await all(await c.listTags('team/api'))).items.map((t) => t.name).sort(), ['2.1', 'stable']);
    const details = await c.client.imageDetails('team/api', 'stable');
    assert.equal(details.digest, (await c.client.headManifest('team/api', '2.1')).digest);
    assert.ok(fake.proxy.requests.every((r) => r.path.startsWith('/repository/docker-hosted/v2/')), forwarded().join('\n'));
    assert.ok(fake.proxy.requests.filter((r) => r.forwarded).every((r) => r.scheme === 'Basic' && r.user === fake.username));
    assert.equal(fake.proxy.requests.filter((r) => r.status === 401).length, 1, 'one challenge, then Basic from the start');
    const steps = await c.test();
    assert.deepEqual(steps.map((s) => [s.ok, s.label]), [
      [true, `Reached ${fake.proxy.origin}/repository/docker-hosted`],
      [true, 'Listed the catalog: 3 repositories'],
    ]);
    await done();
  });

  test('catalog pages: Nexus’s absolute Link to the origin’s root is read under the repository path', async () => {
    fake.reset();
    const c = connect(user());
    const pages: string[][] = [];
    for await (const page of c.client.catalogPages({ pageSize: 2 })) pages.push(page.items);
    assert.deepEqual(pages, [['base/alpine', 'team/api'], ['team/web']]);
    assert.deepEqual(forwarded(), ['GET /repository/docker-hosted/v2/_catalog?n=2', 'GET /repository/docker-hosted/v2/_catalog?last=team%2Fapi&n=2']);
    await done();
  });

  test('a group repository sends no Link (NEXUS-35956): a full page goes on with last=, so catalog and tags are read whole', async () => {
    fake.reset();
    fake.proxy.dropLinks = true;
    try {
      const c = connect(user());
      const pages: string[][] = [];
      for await (const page of c.client.catalogPages({ pageSize: 2 })) pages.push(page.items);
      assert.deepEqual(pages, [['base/alpine', 'team/api'], ['team/web']]);
      assert.deepEqual(forwarded(), ['GET /repository/docker-hosted/v2/_catalog?n=2', 'GET /repository/docker-hosted/v2/_catalog?n=2&last=team%2Fapi']);
      assert.ok(!fake.proxy.requests.some((r) => r.path.includes('/_catalog') && /link/i.test(r.path)));
      // A page size the listing fills exactly: one more request, which comes back empty, ends it.
      fake.reset();
      const exact: string[][] = [];
      for await (const page of c.client.catalogPages({ pageSize: 3 })) exact.push(page.items);
      assert.deepEqual(exact.flat(), ['base/alpine', 'team/api', 'team/web']);
      assert.equal(forwarded().length, 2);
      const tags: string[][] = [];
      for await (const page of c.client.tagPages('team/api', { pageSize: 1 })) tags.push(page.items);
      assert.deepEqual(tags.flat().sort(), ['2.1', 'stable']);
      // The tree's listing of the repositories is whole too.
      assert.deepEqual((await all(await c.listRepositories())).items.map((r) => r.name), ['base/alpine', 'team/api', 'team/web']);
    } finally {
      fake.proxy.dropLinks = false;
    }
    await done();
  });

  test('hostile: a group that ignores last= sends its first page again; the walk ends there as cut short, keeping what arrived', async () => {
    fake.reset();
    fake.proxy.dropLinks = true;
    fake.proxy.forwardAs = (path) => path.replace(/[?&]last=[^&]*/, '');
    try {
      const c = connect(user());
      const got = await collectPages(c.client.catalogPages({ pageSize: 2 }));
      assert.deepEqual(got, { items: ['base/alpine', 'team/api'], truncated: 'repeatedPage' });
      assert.deepEqual(forwarded(), ['GET /repository/docker-hosted/v2/_catalog?n=2', 'GET /repository/docker-hosted/v2/_catalog?n=2&last=team%2Fapi'], 'one request more, then it stops');
    } finally {
      fake.proxy.dropLinks = false;
      fake.proxy.forwardAs = undefined;
    }
    await done();
  });

  test('hostile: a "group" that answers every last= with a full page of new names, never a Link, is read to the item limit and no further', async () => {
    let served = 0;
    const endless = await startHostile((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/repository/group/v2/') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      const n = Number(url.searchParams.get('n'));
      const names = Array.from({ length: n }, () => `r${String(served++).padStart(9, '0')}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ repositories: names }));
    });
    try {
      const r = nexusProvider.fromForm({ url: `${endless.url}/repository/group/`, ...user() });
      assert.ok(r.ok);
      const c = nexusProvider.connect({ id: 'endless', ...r.config }, r.secrets, {}) as NexusConnection;
      open.push(c);
      const got = await collectPages(c.client.catalogPages());
      assert.equal(got.truncated, 'itemLimit');
      assert.equal(got.items.length, PAGE_LIMITS.maxItems);
      const pages = endless.requests.filter((q) => q.url.includes('/_catalog'));
      assert.ok(pages.length <= PAGE_LIMITS.maxItems / 1000 + 1, `${pages.length} catalog requests`);
      assert.ok(endless.requests.every((q) => q.url.startsWith('/repository/group/v2/')), 'nothing outside the repository path');
    } finally {
      await done();
      await endless.stop();
    }
  });

  test('a user token (name code + pass code); delete through the path', async () => {
    const pushed = await fake.registry.pusher.pushImage('scratch/tmp', 'x');
    fake.reset();
    const c = connect({ username: TOKEN_NAME, password: TOKEN_PASS });
    await c.client.deleteManifest('scratch/tmp', pushed.digest);
    assert.deepEqual(forwarded(), [`DELETE /repository/docker-hosted/v2/scratch/tmp/manifests/${pushed.digest}`]);
    assert.ok(isRegistryError(await failure(c.client.headManifest('scratch/tmp', 'x')), 'notFound'));
    await done();
  });

  test('the pull host: the connector port as typed, or the repository URL’s host; a Docker login to a repository URL imports as Nexus', async () => {
    const host = new URL(fake.proxy.origin).host;
    const plain = connect(user());
    assert.equal(plain.registryHost, host);
    assert.equal(pullHost(plain.config), host);
    const port = connect({ ...user(), pullHost: 'Nexus.Example.com:8443' });
    assert.equal(port.registryHost, 'nexus.example.com:8443');
    assert.equal(pullHost(port.config), 'nexus.example.com:8443');
    assert.equal(nexusProvider.toForm(port.config).pullHost, 'nexus.example.com:8443');
    assert.equal(nexusProvider.toForm(plain.config).pullHost, '');
    const notRepo = nexusProvider.fromForm({ url: 'https://nexus.example.com/', username: 'a', password: 'b' });
    assert.ok(!notRepo.ok);
    assert.deepEqual(notRepo.errors, [{ field: 'url', message: '“https://nexus.example.com” is not a Nexus repository URL: it ends in /repository/NAME/ (copy it from Administration → Repositories, the URL column).' }]);
    const imported = connectionFromDockerEntry({ registry: 'nexus.example.com', serverKey: 'https://nexus.example.com/repository/docker-group/', source: 'auths', username: 'ci', password: 'pw' });
    assert.equal(imported.config.provider, 'nexus');
    assert.equal(imported.config.url, 'https://nexus.example.com/repository/docker-group');
    assert.deepEqual(imported.secrets, { password: 'pw' });
    const connector = connectionFromDockerEntry({ registry: 'nexus.example.com:8443', serverKey: 'nexus.example.com:8443', source: 'auths', username: 'ci', password: 'pw' });
    assert.equal(connector.config.provider, 'generic', 'a connector serves /v2/ at its root: Generic v2 browses it');
    await done();
  });

  test('refusals in Nexus’s words: wrong password, no read privilege, no browse privilege, an unknown repository', async () => {
    const host = new URL(fake.proxy.origin).host;
    const wrong = connect({ username: 'alice', password: 'Wr0ng-pa55word-zz' });
    const e1 = await failure(wrong.listRepositories());
    assert.ok(isRegistryError(e1, 'unauthorized'));
    assert.equal(
      e1.message,
      `Nexus at ${host} rejected the user name or password of alice. Check both; with a user token, the user name is its name code and the password its pass code (your name → User Token), which expire if your administrator set them to. Then edit the connection.`,
    );
    const steps = await wrong.test();
    assert.equal(steps.at(-1)!.field, 'password');
    const nobody = connect({ username: 'nobody', password: 'Nobody-pw-123456' });
    const e2 = await failure(nobody.listTags('team/api'));
    assert.ok(isRegistryError(e2, 'forbidden'));
    assert.equal(e2.message, 'Nexus does not let nobody read docker-hosted. Ask an administrator for a role with nx-repository-view-docker-docker-hosted-read (Security → Roles).');
    const viewer = connect({ username: 'viewer', password: 'Viewer-pw-123456' });
    const e3 = await failure(viewer.listRepositories());
    assert.equal(
      e3.message,
      'Nexus does not let viewer browse docker-hosted (the privilege nx-repository-view-docker-docker-hosted-browse is missing). Name the images to browse under Repositories in the connection, or ask an administrator for that privilege.',
    );
    const named = connect({ username: 'viewer', password: 'Viewer-pw-123456', repositories: 'team/web' });
    assert.deepEqual((await named.test()).map((s) => s.ok), [true, true]);
    const r = nexusProvider.fromForm({ ...user(), url: `${fake.proxy.origin}/repository/docker-gone/` });
    assert.ok(r.ok);
    const gone = nexusProvider.connect({ id: 'g', ...r.config }, r.secrets, {}) as NexusConnection;
    open.push(gone);
    const missing = `Nexus at ${host} has no Docker repository named “docker-gone”. Check the name under Administration → Repositories (copy the URL column), and that it is a Docker repository that is online.`;
    assert.deepEqual((await gone.test()).map((s) => [s.ok, s.field, s.detail]), [[false, 'url', missing]]);
    const listing = nexusProvider.connect({ id: 'g2', ...r.config }, r.secrets, {}) as NexusConnection;
    open.push(listing);
    const e4 = await failure(listing.listRepositories());
    assert.ok(isRegistryError(e4, 'invalid'), 'the fix is editing the connection');
    assert.equal(e4.message, missing);
    for (const s of steps) noSecret(JSON.stringify(s));
    await done();
  });

  test('hostile: a Link to another API on the origin, back out of the repository, or to another server is refused and not followed', async () => {
    const c = connect(user());
    try {
      for (const [link, words] of [
        ['</service/rest/v1/components?repository=docker-hosted>; rel="next"', /outside \/repository\/docker-hosted\/v2\/ \(\/service\/rest\/v1\/components\); refused/],
        ['</repository/docker-other/v2/_catalog?last=x&n=2>; rel="next"', /outside \/repository\/docker-hosted\/v2\//],
        ['</v2/%2e%2e/service/rest/v1/script>; rel="next"', /outside \/repository\/docker-hosted\/v2\//],
        ['<http://169.254.169.254/v2/_catalog?n=2>; rel="next"', /another server \(169\.254\.169\.254\); refused/],
      ] as const) {
        fake.reset();
        fake.proxy.rewriteLink = () => link;
        const e = await failure(
          (async () => {
            for await (const page of c.client.catalogPages({ pageSize: 2 })) assert.fail(`a page was handed on: ${page.items.join(',')}`);
          })(),
        );
        assert.match(e.message, words);
        assert.deepEqual(forwarded(), ['GET /repository/docker-hosted/v2/_catalog?n=2'], 'the link was not followed');
      }
    } finally {
      fake.proxy.rewriteLink = undefined;
    }
    await done();
  });
});
