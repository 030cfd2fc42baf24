// Self-test of test/support: the real registry in every mode, the Pusher, the seed set, the
// token server and the hostile server. Assertions use raw undici, never the client under
// test, so a failure here points at the test bed.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Agent, request, type Dispatcher } from 'undici';
import {
  FULL_ACCEPT,
  MT,
  seedStandardImages,
  sha256,
  startHostile,
  startRegistry,
  STANDARD_REPOSITORIES,
  STANDARD_TAGS,
  type PushedImage,
  type PushedIndex,
  type RegistryMode,
  type RunningRegistry,
  type StandardImages,
} from '../support';

interface Got {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

async function send(url: string, opts: { dispatcher?: Dispatcher; headers?: Record<string, string>; method?: 'GET' | 'HEAD' | 'POST'; body?: string } = {}): Promise<Got> {
  const res = await request(url, { method: opts.method ?? 'GET', headers: opts.headers, dispatcher: opts.dispatcher, body: opts.body });
  const body = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, body, text: body.toString('utf8') };
}

function h(g: Got, name: string): string | undefined {
  const v = g.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function errorCode(g: Got): string | undefined {
  return (JSON.parse(g.text) as { errors?: { code: string }[] }).errors?.[0]?.code;
}

function jwtParts(jwt: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [hd, cl] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(hd!, 'base64url').toString('utf8')) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(cl!, 'base64url').toString('utf8')) as Record<string, unknown>,
  };
}

/** A raw client per registry: the Authorization a real client would end up sending. */
class Raw {
  readonly agent: Agent;
  constructor(readonly reg: RunningRegistry) {
    this.agent = new Agent(reg.caPem !== undefined ? { connect: { ca: reg.caPem } } : {});
  }

  async token(scopes: string[], creds = true): Promise<string> {
    const ts = this.reg.tokenServer!;
    const u = new URL(ts.realm);
    u.searchParams.set('service', ts.service);
    for (const s of scopes) u.searchParams.append('scope', s);
    const g = await send(u.toString(), { headers: creds ? { authorization: basic(this.reg.username!, this.reg.password!) } : {} });
    assert.equal(g.status, 200, g.text);
    return (JSON.parse(g.text) as { token: string }).token;
  }

  async auth(scopes: string[]): Promise<Record<string, string>> {
    if (this.reg.mode === 'plain') return {};
    if (this.reg.mode === 'tls-basic') return { authorization: basic(this.reg.username!, this.reg.password!) };
    return { authorization: `Bearer ${await this.token(scopes)}` };
  }

  async get(path: string, scopes: string[], headers: Record<string, string> = {}): Promise<Got> {
    return send(`${this.reg.url}${path}`, { dispatcher: this.agent, headers: { ...(await this.auth(scopes)), ...headers } });
  }
}

function allManifests(s: StandardImages): { repo: string; ref: string; digest: string; mediaType: string }[] {
  const out: { repo: string; ref: string; digest: string; mediaType: string }[] = [];
  const add = (x: PushedImage | PushedIndex): void => {
    for (const t of x.tags) out.push({ repo: x.repo, ref: t, digest: x.digest, mediaType: x.mediaType });
    out.push({ repo: x.repo, ref: x.digest, digest: x.digest, mediaType: x.mediaType });
    if ('children' in x) {
      for (const c of x.children) out.push({ repo: c.repo, ref: c.digest, digest: c.digest, mediaType: c.mediaType });
      if (x.attestationDigest) out.push({ repo: x.repo, ref: x.attestationDigest, digest: x.attestationDigest, mediaType: MT.ociManifest });
    }
  };
  add(s.alpine);
  add(s['library/nginx']);
  add(s['multi/docker-list']);
  add(s['multi/oci-index']);
  add(s['oci/app']);
  add(s['team/backend/api'].v1);
  add(s['team/backend/api'].v2);
  add(s['team/frontend/web']);
  return out;
}

const pullAll = STANDARD_REPOSITORIES.map((r) => `repository:${r}:pull`);
const seededDigests = new Map<RegistryMode, string[]>();

for (const mode of ['plain', 'tls-basic', 'token'] as const) {
  describe(`registry in ${mode} mode`, () => {
    let reg: RunningRegistry;
    let raw: Raw;
    let images: StandardImages;

    before(async () => {
      reg = await startRegistry({ mode });
      raw = new Raw(reg);
      images = await seedStandardImages(reg);
      seededDigests.set(mode, allManifests(images).map((m) => m.digest));
    });
    after(async () => {
      await raw?.agent.close();
      await reg?.stop();
      if (reg) assert.equal(existsSync(reg.dataDir), false, 'stop() removes the data dir');
    });

    test('url, host and credentials match the mode', () => {
      assert.equal(reg.url, `${mode === 'tls-basic' ? 'https' : 'http'}://${reg.host}`);
      assert.match(reg.host, /^127\.0\.0\.1:\d+$/);
      assert.notEqual(reg.host, '127.0.0.1:5000');
      if (mode === 'plain') assert.equal(reg.password, undefined);
      else assert.match(reg.password!, /^S3cret-[0-9a-f]{16}$/);
    });

    test('/v2/ answers with the challenge of the mode', async () => {
      const g = await send(`${reg.url}/v2/`, { dispatcher: raw.agent });
      if (mode === 'plain') return assert.equal(g.status, 200);
      assert.equal(g.status, 401);
      const challenge = h(g, 'www-authenticate') ?? '';
      if (mode === 'tls-basic') assert.match(challenge, /^Basic realm="basic-realm"/);
      else assert.equal(challenge, `Bearer realm="${reg.tokenServer!.realm}",service="${reg.tokenServer!.service}"`);
    });

    test('catalog lists the standard repositories', async () => {
      const g = await raw.get('/v2/_catalog?n=1000', ['registry:catalog:*']);
      assert.equal(g.status, 200, g.text);
      assert.deepEqual((JSON.parse(g.text) as { repositories: string[] }).repositories, [...STANDARD_REPOSITORIES]);
    });

    test('tags/list has the standard tags', async () => {
      for (const repo of STANDARD_REPOSITORIES) {
        const g = await raw.get(`/v2/${repo}/tags/list`, [`repository:${repo}:pull`]);
        assert.equal(g.status, 200, g.text);
        assert.deepEqual((JSON.parse(g.text) as { tags: string[] }).tags.sort(), STANDARD_TAGS[repo], repo);
      }
    });

    test('every manifest round-trips: sha256(body) == Docker-Content-Digest == pushed digest', async () => {
      const list = allManifests(images);
      assert.equal(list.length, 22);
      const auth = await raw.auth(pullAll);
      for (const m of list) {
        const g = await send(`${reg.url}/v2/${m.repo}/manifests/${m.ref}`, { dispatcher: raw.agent, headers: { ...auth, accept: FULL_ACCEPT } });
        assert.equal(g.status, 200, `${m.repo}@${m.ref}: ${g.text}`);
        assert.equal(h(g, 'content-type'), m.mediaType);
        assert.equal(h(g, 'docker-content-digest'), m.digest);
        assert.equal(sha256(g.body), m.digest);
      }
    });

    test('the seed has the documented shapes', async () => {
      assert.equal(images.alpine.mediaType, MT.dockerManifest);
      assert.deepEqual(images.alpine.platform, { os: 'linux', architecture: 'amd64' });
      assert.equal(images.alpine.totalSize, images.alpine.configSize + images.alpine.layers.reduce((s, l) => s + l.size, 0));
      assert.equal(images['oci/app'].mediaType, MT.ociManifest);
      assert.notEqual(images['team/backend/api'].v1.digest, images['team/backend/api'].v2.digest);

      const dl = images['multi/docker-list'];
      assert.equal(dl.mediaType, MT.dockerList);
      assert.deepEqual(dl.children.map((c) => c.platform), [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm', variant: 'v7' }]);

      const oi = images['multi/oci-index'];
      const g = await raw.get(`/v2/multi/oci-index/manifests/latest`, ['repository:multi/oci-index:pull'], { accept: FULL_ACCEPT });
      const index = JSON.parse(g.text) as { mediaType: string; manifests: { digest: string; platform: Record<string, string>; annotations?: Record<string, string> }[] };
      assert.equal(index.mediaType, MT.ociIndex);
      assert.deepEqual(index.manifests.map((m) => m.platform), [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
        { os: 'unknown', architecture: 'unknown' },
      ]);
      assert.equal(index.manifests[2]!.digest, oi.attestationDigest);
      assert.deepEqual(index.manifests[2]!.annotations, {
        'vnd.docker.reference.type': 'attestation-manifest',
        'vnd.docker.reference.digest': oi.children[0]!.digest,
      });

      const cfg = await raw.get(`/v2/alpine/blobs/${images.alpine.configDigest}`, ['repository:alpine:pull']);
      assert.equal(cfg.status, 200);
      const config = JSON.parse(cfg.text) as { created: string; os: string; architecture: string };
      assert.equal(config.created, images.alpine.created);
      assert.equal(config.architecture, 'amd64');
    });

    test('quirk: _catalog?n=1001 with maxentries 1000 is 400 PAGINATION_NUMBER_INVALID', async () => {
      const g = await raw.get('/v2/_catalog?n=1001', ['registry:catalog:*']);
      assert.equal(g.status, 400);
      assert.equal(errorCode(g), 'PAGINATION_NUMBER_INVALID');
    });

    test('quirk: an OCI manifest asked for without OCI types is 404 MANIFEST_UNKNOWN', async () => {
      const g = await raw.get('/v2/oci/app/manifests/1.0', ['repository:oci/app:pull'], { accept: `${MT.dockerManifest}, ${MT.dockerList}` });
      assert.equal(g.status, 404);
      assert.equal(errorCode(g), 'MANIFEST_UNKNOWN');
    });

    if (mode === 'tls-basic') {
      test('tls-basic: wrong password is 401, and the cert is trusted only with caPem', async () => {
        const bad = await send(`${reg.url}/v2/_catalog`, { dispatcher: raw.agent, headers: { authorization: basic(reg.username!, 'wrong') } });
        assert.equal(bad.status, 401);
        assert.ok(reg.caFile && existsSync(reg.caFile));
        const untrusting = new Agent();
        try {
          await assert.rejects(send(`${reg.url}/v2/`, { dispatcher: untrusting }), (e: Error & { code?: string; cause?: { code?: string } }) => {
            return /SELF_SIGNED|CERT|verify/i.test(`${e.code ?? ''} ${e.cause?.code ?? ''} ${e.message}`);
          });
        } finally {
          await untrusting.close();
        }
      });
    }

    if (mode === 'token') {
      test('token: fetches are recorded, JWTs have the registry shape, wrong password is 401', async () => {
        const ts = reg.tokenServer!;
        ts.reset();
        const jwt = await raw.token(['repository:alpine:pull', 'registry:catalog:*']);
        assert.equal(ts.requests.length, 1);
        assert.deepEqual({ ...ts.requests[0], at: 0 }, {
          method: 'GET',
          scopes: ['repository:alpine:pull', 'registry:catalog:*'],
          user: reg.username,
          status: 200,
          at: 0,
          service: ts.service,
        });
        const { header, claims } = jwtParts(jwt);
        assert.equal(header.alg, 'RS256');
        assert.equal((header.x5c as string[]).length, 1);
        assert.equal(claims.aud, ts.service);
        assert.equal(claims.iss, ts.issuer);
        assert.deepEqual(claims.access, [
          { type: 'repository', name: 'alpine', actions: ['pull'] },
          { type: 'registry', name: 'catalog', actions: ['*'] },
        ]);

        const u = new URL(ts.realm);
        u.searchParams.set('service', ts.service);
        u.searchParams.set('scope', 'repository:alpine:pull');
        const bad = await send(u.toString(), { headers: { authorization: basic(reg.username!, 'wrong') } });
        assert.equal(bad.status, 401);
        assert.equal(errorCode(bad), 'UNAUTHORIZED');
        assert.equal(ts.requests.length, 2);
        assert.equal(ts.requests[1]!.status, 401);

        // Anonymous (anonymousPull off): a token with empty actions, which the registry refuses.
        const anon = await raw.token(['repository:alpine:pull'], false);
        assert.deepEqual(jwtParts(anon).claims.access, [{ type: 'repository', name: 'alpine', actions: [] }]);
        const denied = await send(`${reg.url}/v2/alpine/tags/list`, { headers: { authorization: `Bearer ${anon}` } });
        assert.equal(denied.status, 401);
        assert.match(h(denied, 'www-authenticate') ?? '', /error="insufficient_scope"/);
      });

      test('token: OAuth2 password and refresh_token grants', async () => {
        const ts = reg.tokenServer!;
        const form = new URLSearchParams({
          grant_type: 'password',
          username: reg.username!,
          password: reg.password!,
          service: ts.service,
          scope: 'repository:alpine:pull repository:oci/app:pull',
          client_id: 'registry-explorer',
          access_type: 'offline',
        });
        const g = await send(ts.realm, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
        assert.equal(g.status, 200, g.text);
        const pw = JSON.parse(g.text) as { access_token: string; refresh_token: string; expires_in: number; scope: string };
        assert.equal(pw.expires_in, 300);
        assert.equal(pw.scope, 'repository:alpine:pull repository:oci/app:pull');
        assert.ok(pw.refresh_token);

        const rf = await send(ts.realm, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: pw.refresh_token, service: ts.service, scope: 'repository:oci/app:pull', client_id: 'x' }).toString(),
        });
        assert.equal(rf.status, 200, rf.text);
        const access = (JSON.parse(rf.text) as { access_token: string }).access_token;
        const tags = await send(`${reg.url}/v2/oci/app/tags/list`, { headers: { authorization: `Bearer ${access}` } });
        assert.equal(tags.status, 200, tags.text);

        const last = ts.requests.slice(-2).map((r) => [r.method, r.grant, r.user, r.status, r.clientId]);
        assert.deepEqual(last, [
          ['POST', 'password', reg.username, 200, 'registry-explorer'],
          ['POST', 'refresh_token', reg.username, 200, 'x'],
        ]);
        const badRefresh = await send(ts.realm, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=refresh_token&refresh_token=nope' });
        assert.equal(badRefresh.status, 401);
      });
    }
  });
}

test('seeding is deterministic: every mode produced the same digests', () => {
  const plain = seededDigests.get('plain');
  assert.ok(plain);
  assert.deepEqual(seededDigests.get('tls-basic'), plain);
  assert.deepEqual(seededDigests.get('token'), plain);
});

describe('token server options against the real registry', () => {
  let reg: RunningRegistry;
  before(async () => {
    reg = await startRegistry({
      mode: 'token',
      username: 'alice',
      password: 'S3cret-alice',
      tokenServer: { anonymousPull: true, omitExpiresIn: true, denyRepositories: ['secret/repo'], oauthPost: false, service: 'svc', issuer: 'iss' },
    });
    // The Pusher is exempt from denyRepositories, so denied repositories can hold content.
    await reg.pusher.pushImage('secret/repo', 'x');
    await reg.pusher.pushImage('public/repo', 'y');
  });
  after(async () => {
    await reg?.stop();
  });

  test('anonymous pull works, expires_in is omitted, denied repositories get nothing, POST is 404', async () => {
    const ts = reg.tokenServer!;
    assert.equal(ts.requests.length, 0, 'the Pusher fetches are kept apart');
    assert.ok(ts.internalRequests.length > 0);
    const fetch = async (scope: string, auth?: string): Promise<Record<string, unknown>> => {
      const g = await send(`${ts.realm}?service=svc&scope=${encodeURIComponent(scope)}`, { headers: auth ? { authorization: auth } : {} });
      assert.equal(g.status, 200, g.text);
      return JSON.parse(g.text) as Record<string, unknown>;
    };
    const anon = await fetch('repository:public/repo:pull,push');
    assert.equal(anon.expires_in, undefined);
    assert.equal(anon.token, anon.access_token);
    assert.equal(typeof anon.issued_at, 'string');
    assert.deepEqual(jwtParts(anon.token as string).claims.access, [{ type: 'repository', name: 'public/repo', actions: ['pull'] }]);
    const ok = await send(`${reg.url}/v2/public/repo/tags/list`, { headers: { authorization: `Bearer ${anon.token as string}` } });
    assert.equal(ok.status, 200);

    const denied = await fetch('repository:secret/repo:pull', basic('alice', 'S3cret-alice'));
    assert.deepEqual(jwtParts(denied.token as string).claims.access, [{ type: 'repository', name: 'secret/repo', actions: [] }]);

    const post = await send(ts.realm, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=password&username=alice&password=S3cret-alice' });
    assert.equal(post.status, 404);

    ts.setExpiresIn(1);
    const short = JSON.parse((await send(`${ts.realm}?service=svc&scope=repository:public/repo:pull`)).text) as { token: string };
    const c = jwtParts(short.token).claims as { exp: number; iat: number };
    assert.equal(c.exp - c.iat, 1);
    assert.deepEqual(ts.requests.map((r) => r.status), [200, 200, 404, 200]);
  });
});

describe('Pusher operations (plain registry, small maxentries)', () => {
  let reg: RunningRegistry;
  before(async () => {
    reg = await startRegistry({ mode: 'plain', maxEntries: 50 });
  });
  after(async () => {
    await reg?.stop();
  });

  test('tag, deleteManifest, pushManyTags and pushManyRepos', async () => {
    const img = await reg.pusher.pushImage('work/app', '1.0', { format: 'oci', os: 'linux', arch: 'arm64', variant: 'v8', layerBytes: [100, 200, 300] });
    assert.equal(img.layers.length, 3);
    await reg.pusher.tag('work/app', img.digest, ['1', 'stable']);
    const tags = JSON.parse((await send(`${reg.url}/v2/work/app/tags/list`)).text) as { tags: string[] };
    assert.deepEqual(tags.tags.sort(), ['1', '1.0', 'stable']);
    const stable = await send(`${reg.url}/v2/work/app/manifests/stable`, { headers: { accept: FULL_ACCEPT } });
    assert.equal(h(stable, 'docker-content-digest'), img.digest);

    await reg.pusher.deleteManifest('work/app', img.digest);
    const gone = await send(`${reg.url}/v2/work/app/manifests/${img.digest}`, { headers: { accept: FULL_ACCEPT } });
    assert.equal(gone.status, 404);

    const many = await reg.pusher.pushManyTags('work/tags', 120, { prefix: 'build-' });
    assert.equal(many[0], 'build-0000');
    assert.equal(many[119], 'build-0119');
    const listed = JSON.parse((await send(`${reg.url}/v2/work/tags/tags/list`)).text) as { tags: string[] };
    assert.deepEqual(listed.tags.sort(), [...many].sort());
    const semver = await reg.pusher.pushManyTags('work/semver', 3);
    assert.deepEqual(semver, ['v1.0.0', 'v1.0.1', 'v1.0.2']);

    const names = Array.from({ length: 60 }, (_, i) => `bulk/r${String(i).padStart(3, '0')}`);
    await reg.pusher.pushManyRepos(names, { tag: 'v1' });
    const page = await send(`${reg.url}/v2/_catalog?n=50`);
    assert.equal(page.status, 200);
    assert.match(h(page, 'link') ?? '', /rel="next"/);
    const last = await send(`${reg.url}/v2/_catalog?n=50&last=bulk%2Fr049`);
    const rest = (JSON.parse(last.text) as { repositories: string[] }).repositories;
    assert.equal(rest.filter((r) => r.startsWith('bulk/')).length, 10);
    const one = await send(`${reg.url}/v2/bulk/r059/manifests/v1`, { headers: { accept: FULL_ACCEPT } });
    assert.equal(one.status, 200);
    const tooMany = await send(`${reg.url}/v2/_catalog?n=51`);
    assert.equal(tooMany.status, 400);
  });
});

describe('hostile server', () => {
  test('records requests and stops promptly despite a handler that never answers', async () => {
    const srv = await startHostile(async (req, res, body) => {
      if (req.url === '/slow') return; // never answers
      res.writeHead(418, { 'content-type': 'text/plain' });
      res.end(`got ${body.length}`);
    });
    const g = await send(`${srv.url}/teapot?x=1`, { method: 'POST', body: 'hello', headers: { authorization: 'Bearer t' } });
    assert.equal(g.status, 418);
    assert.equal(g.text, 'got 5');
    const slow = request(`${srv.origin}/slow`).catch((e: unknown) => e);
    while (srv.requests.length < 2) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(
      srv.requests.map((r) => [r.method, r.url, r.body, r.headers.authorization]),
      [
        ['POST', '/teapot?x=1', 'hello', 'Bearer t'],
        ['GET', '/slow', '', undefined],
      ],
    );
    const t = Date.now();
    await srv.stop();
    assert.ok(Date.now() - t < 1000, 'stop() does not wait for the slow handler');
    assert.ok((await slow) instanceof Error);
  });
});
