// The tree's details loader (src/ui/tree/details.ts) with providers whose APIs know a tag's
// facts, against their fakes in front of a real registry: GitLab's tags are dated through its
// API, one call per tag on screen and no request to the registry; Harbor's listing already
// carries the facts, so only a tag it leaves a fact out of (an index's size) goes to the registry.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gitlabProvider, type GitLabConnection } from '../../src/providers/gitlab';
import { harborProvider, type HarborConnection } from '../../src/providers/harbor';
import type { TagInfo } from '../../src/providers/provider';
import { MemoryDigestCache, missingFacts, TagDetailsLoader, type TagDetails } from '../../src/ui/tree/details';
import { sortTags } from '../../src/ui/tree/sort';
import { CREATED } from '../support';
import { startFakeGitLab, type FakeGitLab } from '../support/fakes/gitlab';
import { startFakeHarbor, type FakeHarbor } from '../support/fakes/harbor';
import { allPages } from '../support/pages';

function loader(): { loader: TagDetailsLoader; got: Map<string, TagDetails>; errors: unknown[] } {
  const got = new Map<string, TagDetails>();
  const errors: unknown[] = [];
  const l = new TagDetailsLoader(new MemoryDigestCache(), { onDetails: (_c, _r, tag, d) => got.set(tag, d), onError: (_c, _r, _t, e) => errors.push(e) }, 4);
  return { loader: l, got, errors };
}

const SCREEN = 10;

describe('tag details from a provider API (GitLab) instead of the registry', () => {
  let fake: FakeGitLab;
  let conn: GitLabConnection;
  const names = (from: number, n: number) => Array.from({ length: n }, (_, i) => `1.${from + i}.0`);

  before(async () => {
    fake = await startFakeGitLab({ projects: ['acme/web'] });
    const p = fake.registry.pusher;
    // 30 tags over three images: each tag's facts are its own image's.
    await p.pushImage('acme/web', names(0, 10), { created: CREATED.web, layerBytes: [1500, 500] });
    await p.pushImage('acme/web', names(10, 10), { created: CREATED.alpine, layerBytes: [700] });
    await p.pushImage('acme/web', names(20, 10), { created: CREATED.nginx, layerBytes: [300] });
    await fake.sync();
    const r = gitlabProvider.fromForm({ apiUrl: 'gitlab.example.com', registryUrl: fake.registry.url, token: fake.token, projects: 'acme/web' });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    conn = gitlabProvider.connect({ id: 'g', ...r.config }, r.secrets, { apiBaseUrls: { gitlab: fake.apiUrl } }) as GitLabConnection;
  });
  after(async () => {
    await conn?.dispose();
    await fake?.stop();
  });

  test('only the rows on screen are asked for, through the API, and the registry gets no request', async () => {
    const { items } = await allPages(await conn.listTags('acme/web'));
    assert.equal(items.length, 30);
    const onScreen = sortTags(items, 'semver').slice(0, SCREEN);
    const wanted = missingFacts(onScreen);
    assert.deepEqual(wanted, onScreen.map((t) => t.name), "GitLab's listing has no facts: every row on screen needs them");
    fake.reset();
    const tokensBefore = fake.registry.tokenServer!.requests.length;
    const { loader: l, got, errors } = loader();
    await l.request(conn, 'acme/web', wanted);
    assert.deepEqual(errors, []);
    // One detail call per row on screen, none for the 20 tags off screen.
    const asked = fake.requests.map((r) => decodeURIComponent(r.path.split('/tags/')[1] ?? '')).sort();
    assert.deepEqual(asked, [...wanted].sort());
    assert.ok(fake.requests.every((r) => /\/registry\/repositories\/\d+\/tags\/[^/]+$/.test(r.path) && r.status === 200));
    assert.equal(l.providerCalls, SCREEN);
    assert.equal(l.heads, 0, 'no HEAD to the registry');
    assert.equal(fake.registry.tokenServer!.requests.length, tokensBefore, 'not even a registry token was fetched');
    // The facts are the registry's own: the digest a HEAD gives, the image's date and size.
    for (const t of onScreen) {
      const d = got.get(t.name)!;
      assert.ok(d, `no details for ${t.name}`);
      assert.equal(d.digest, (await conn.client.headManifest('acme/web', t.name)).digest, t.name);
      assert.ok(d.created && d.size! > 0, JSON.stringify(d));
      assert.equal(l.get('g', 'acme/web', t.name), d);
    }
    // The same rows again (a redraw, a scroll back) cost nothing.
    fake.reset();
    await l.request(conn, 'acme/web', wanted);
    assert.equal(fake.requests.length, 0);
  });
});

describe('tag details with Harbor: its listing has the facts', () => {
  let fake: FakeHarbor;
  let conn: HarborConnection;

  before(async () => {
    fake = await startFakeHarbor();
    const p = fake.registry.pusher;
    await p.pushImage('acme/web', ['1.0', '1.1', 'latest'], { created: CREATED.web, layerBytes: [1500, 500] });
    await p.pushIndex('acme/web', 'multi', [{ os: 'linux', arch: 'amd64' }, { os: 'linux', arch: 'arm64', variant: 'v8' }], { format: 'oci' });
    await fake.sync();
    const r = harborProvider.fromForm({ url: fake.registry.url, username: fake.username, password: fake.password });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    conn = harborProvider.connect({ id: 'h', ...r.config }, r.secrets, { apiBaseUrls: { harbor: fake.apiUrl } }) as HarborConnection;
  });
  after(async () => {
    await conn?.dispose();
    await fake?.stop();
  });

  test('rows with digest, date and size from the listing ask nobody; an index asks the registry for its largest platform', async () => {
    const { items } = await allPages(await conn.listTags('acme/web'));
    assert.deepEqual(items.map((t: TagInfo) => t.name).sort(), ['1.0', '1.1', 'latest', 'multi']);
    const wanted = missingFacts(items);
    assert.deepEqual(wanted, ['multi'], "Harbor's index size is the sum of its platforms, not one pull: left to the registry");
    fake.reset();
    const { loader: l, got } = loader();
    await l.request(conn, 'acme/web', wanted);
    assert.equal(l.heads, 1);
    assert.equal(fake.requests.length, 0, 'no API call for details');
    assert.equal(got.get('multi')!.isIndex, true);
    assert.equal(got.get('multi')!.platforms?.length, 2);
  });
});
