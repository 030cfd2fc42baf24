// Credentials go only where the user pointed them: hostile registries, CDNs and token services
// on loopback, each test asserting what the hostile side received (no Authorization, no
// credential, no body, a bounded number of requests) and what the user is told.
//
// "Public" hosts (registry.example.com, cdn.example.net…) are simulated: the client is given
// those names, and a dispatcher whose connector routes every host and port to 127.0.0.1 on the
// same port. So a realm such as http://[::ffff:7f00:1]:PORT would really reach the hostile
// token server on PORT if the client let it through; the tests prove it does not.

import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { after, describe, test } from 'node:test';
import { Agent } from 'undici';
import { RegistryClient } from '../../src/registry/client';
import { staticCredentials, type CredentialRequest, type CredentialSource, type Credentials } from '../../src/registry/credentials';
import { RegistryError } from '../../src/registry/errors';
import { transportStack } from '../../src/registry/stack';
import { MAX_CACHED_TOKENS, type TokenCache } from '../../src/registry/tokenCache';
import { startHostile, type HostileServer } from '../support';

const USER = 'alice';
const SECRET = 'Hostile-Auth-S3cret-789';
const REFRESH = 'refresh-token-R3fresh-456';
const basic = `Basic ${Buffer.from(`${USER}:${SECRET}`).toString('base64')}`;
const userCreds = staticCredentials({ kind: 'basic', username: USER, password: SECRET });

const servers: HostileServer[] = [];
const agents: Agent[] = [];
async function hostile(handler: (req: IncomingMessage, res: ServerResponse, body: string) => unknown): Promise<HostileServer> {
  const s = await startHostile(handler);
  servers.push(s);
  return s;
}
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await Promise.all(agents.map((a) => a.close()));
});

/** Every host name, on any port, connects to 127.0.0.1 on that port; `connects` records the names. */
function routedToLoopback(): { dispatcher: Agent; connects: string[] } {
  const connects: string[] = [];
  const dispatcher = new Agent({
    connect: (opts, callback) => {
      connects.push(opts.hostname);
      const socket = connect({ host: '127.0.0.1', port: Number(opts.port) });
      socket.once('connect', () => callback(null, socket));
      socket.once('error', (e) => callback(e, null));
    },
  });
  agents.push(dispatcher);
  return { dispatcher, connects };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const challenge = (res: ServerResponse, value: string): void => {
  res.writeHead(401, { 'www-authenticate': value, 'content-type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
};

const at = (name: string, s: HostileServer): string => `http://${name}:${s.port}`;

/** A client for `url`, routed to loopback, plain HTTP allowed so that only the address rules stand in the way. */
function client(url: string, credentials: CredentialSource = userCreds) {
  const route = routedToLoopback();
  const c = new RegistryClient({ url, insecure: true, credentials, dispatcher: route.dispatcher, retry: { maxRetries: 0 } });
  return { c, connects: route.connects };
}

const sentSecret = (s: HostileServer): boolean =>
  s.requests.some((r) => JSON.stringify(r.headers).includes(basic.slice(6)) || r.body.includes(SECRET) || r.body.includes(REFRESH) || JSON.stringify(r.headers).includes(REFRESH));

function isError(kind: RegistryError['kind'], re: RegExp, not?: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof RegistryError, `a RegistryError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    assert.match(e.message, re);
    if (not) assert.doesNotMatch(e.message, not);
    assert.ok(!e.message.includes(SECRET) && !e.message.includes(REFRESH), 'no secret in the message');
    return true;
  };
}

/**
 * A Bearer registry with its own token service at /token (Basic credentials → `good-token`),
 * tags at /v2/app/tags/list, and manifests answered by `manifest`.
 */
async function bearerRegistry(name: string, manifest: (req: IncomingMessage, res: ServerResponse) => void) {
  const tokenRequests: IncomingMessage['headers'][] = [];
  const reg: HostileServer = await hostile((req, res) => {
    const self = at(name, reg);
    if (req.url!.startsWith('/token')) {
      tokenRequests.push(req.headers);
      return req.headers.authorization === basic ? json(res, 200, { token: 'good-token', expires_in: 300 }) : json(res, 401, {});
    }
    if (req.headers.authorization !== 'Bearer good-token') return challenge(res, `Bearer realm="${self}/token",service="registry"`);
    if (req.url === '/v2/app/tags/list' || req.url!.startsWith('/v2/app/tags/list?')) return json(res, 200, { name: 'app', tags: ['v1'] });
    manifest(req, res);
  });
  return { reg, tokenRequests };
}

describe('a 401/403 from a redirect target is not the registry speaking', () => {
  for (const status of [401, 403]) {
    test(`a CDN answering ${status} with a Bearer challenge gets no credential, moves no realm, and is named as the host that refused`, async () => {
      const cdn: HostileServer = await hostile((_req, res) => {
        res.writeHead(status, { 'www-authenticate': `Bearer realm="${at('cdn.example.net', cdn)}/token",service="cdn"` });
        res.end();
      });
      const { reg, tokenRequests } = await bearerRegistry('registry.example.com', (_req, res) => {
        res.writeHead(307, { location: `${at('cdn.example.net', cdn)}/blobs/sha256-abc?sig=xyz` });
        res.end();
      });
      const { c } = client(at('registry.example.com', reg));
      await assert.rejects(
        c.getManifest('app', 'latest'),
        isError('protocol', new RegExp(`cdn\\.example\\.net:${cdn.port} refused a request that registry\\.example\\.com:${reg.port} redirected to it \\(HTTP ${status}\\)`), /rejected the credentials|Check the username|sign in|denied access/),
      );
      assert.equal(cdn.requests.length, 1, 'one request to the CDN, no retry with credentials');
      assert.equal(cdn.requests[0]!.headers.authorization, undefined, 'no Authorization reached the CDN');
      assert.ok(!sentSecret(cdn), 'no credential reached the CDN');
      assert.equal(tokenRequests.length, 1, 'one token, from the registry’s own realm');
      // The next normal request still uses the registry's realm (and its cached token).
      assert.deepEqual(await c.listTags('app'), ['v1']);
      assert.equal(tokenRequests.length, 1);
      assert.equal(cdn.requests.length, 1, 'the CDN’s realm was never adopted');
      await c.close();
    });
  }

  test('a CDN challenge on the very first request (the probe) does not decide how the connection authenticates', async () => {
    const cdn: HostileServer = await hostile((_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="storage"' });
      res.end();
    });
    const reg = await hostile((req, res) => {
      // Public manifests are redirected to storage without auth; everything else asks for Bearer.
      if (req.url!.includes('/manifests/')) {
        res.writeHead(302, { location: `${at('cdn.example.net', cdn)}/m` });
        return res.end();
      }
      challenge(res, `Bearer realm="${at('registry.example.com', reg)}/token",service="registry"`);
    });
    const { c } = client(at('registry.example.com', reg));
    await assert.rejects(c.getManifest('app', 'latest'), isError('protocol', /cdn\.example\.net:\d+ refused a request/));
    assert.equal(cdn.requests.length, 1);
    assert.equal(cdn.requests[0]!.headers.authorization, undefined);
    assert.equal((await c.ping()).auth, 'bearer', 'the registry’s own challenge, not the CDN’s Basic');
    assert.ok(!sentSecret(cdn) && !sentSecret(reg), 'Basic credentials went nowhere');
    await c.close();
  });
});

describe('one address classifier, applied to the realm and at every hop', () => {
  const REALM_HOSTS = ['[::ffff:127.0.0.1]', '[::ffff:a9fe:a9fe]', '[::]', '[::7f00:1]', 'localhost.', '0.0.0.0', '100.64.0.1', '[fe80::1]', '[fc00::1]', '169.254.169.254', '2130706433'];
  for (const host of REALM_HOSTS) {
    test(`a public registry naming a token realm at ${host} gets no credential sent there and no token back`, async () => {
      const tokens = await hostile((_req, res) => json(res, 200, { token: 'stolen' }));
      const reg: HostileServer = await hostile((req, res) => {
        if (req.headers.authorization) return json(res, 200, { name: 'app', tags: ['leaked'] });
        challenge(res, `Bearer realm="http://${host}:${tokens.port}/token",service="registry"`);
      });
      const { c, connects } = client(at('registry.example.com', reg));
      const parsedHost = new URL(`http://${host}:1/`).host.replace(/:1$/, '');
      await assert.rejects(
        c.listTags('app'),
        isError('insecure', new RegExp(`registry\\.example\\.com:${reg.port} named a token service at .+:${tokens.port}, (an address of this computer|an address on a private network|a link-local address, where cloud metadata services live); refused`)),
      );
      assert.equal(tokens.requests.length, 0, `the token service at ${parsedHost} received nothing`);
      assert.ok(!connects.some((h) => h !== 'registry.example.com'), `no connection to another host (${connects.join(', ')})`);
      assert.ok(reg.requests.every((r) => r.headers.authorization === undefined), 'nothing came back to the registry');
      assert.ok(reg.requests.length <= 2, `bounded: ${reg.requests.length} registry requests`);
      await c.close();
    });
  }

  test('the same realm on a public name works (the routing above would have reached it)', async () => {
    const tokens = await hostile((req, res) => (req.headers.authorization === basic ? json(res, 200, { token: 'fine' }) : json(res, 401, {})));
    const reg = await hostile((req, res) => {
      if (req.headers.authorization === 'Bearer fine') return json(res, 200, { name: 'app', tags: ['v1'] });
      challenge(res, `Bearer realm="${at('auth.example.org', tokens)}/token",service="registry"`);
    });
    const { c } = client(at('registry.example.com', reg));
    assert.deepEqual(await c.listTags('app'), ['v1']);
    assert.equal(tokens.requests.length, 1);
    await c.close();
  });

  for (const target of ['[::ffff:a9fe:a9fe]', '169.254.169.254', 'localhost.', '[::7f00:1]', '10.1.2.3']) {
    test(`a public token service redirecting to ${target} is refused before that hop: nothing reaches it, no token reaches the registry`, async () => {
      const internal = await hostile((_req, res) => json(res, 200, { token: 'from-the-inside' }));
      const tokens = await hostile((_req, res) => {
        res.writeHead(302, { location: `http://${target}:${internal.port}/latest/meta-data/iam` });
        res.end();
      });
      const reg = await hostile((req, res) => {
        if (req.headers.authorization) return json(res, 200, { name: 'app', tags: ['leaked'] });
        challenge(res, `Bearer realm="${at('auth.example.org', tokens)}/token",service="registry"`);
      });
      const { c } = client(at('registry.example.com', reg));
      await assert.rejects(c.listTags('app'), isError('insecure', new RegExp(`auth\\.example\\.org:${tokens.port} redirected a request to .+:${internal.port}, (an address of this computer|an address on a private network|a link-local address, where cloud metadata services live); refused`)));
      assert.equal(internal.requests.length, 0, 'the internal address received nothing');
      assert.equal(tokens.requests.length, 1, 'one token request, carrying the credentials only to the named service');
      assert.ok(reg.requests.every((r) => r.headers.authorization === undefined), 'no token was sent back to the registry');
      await c.close();
    });
  }

  test('a public registry redirecting a manifest to a private address is refused before the hop', async () => {
    const internal = await hostile((_req, res) => json(res, 200, {}));
    const { reg } = await bearerRegistry('registry.example.com', (_req, res) => {
      res.writeHead(307, { location: `http://[::ffff:a9fe:a9fe]:${internal.port}/computeMetadata/v1/` });
      res.end();
    });
    const { c } = client(at('registry.example.com', reg));
    await assert.rejects(c.getManifest('app', 'latest'), isError('insecure', /redirected a request to \[::ffff:a9fe:a9fe\]:\d+, a link-local address, where cloud metadata services live; refused/));
    assert.equal(internal.requests.length, 0);
    await c.close();
  });

  test('a control-plane API on a public host redirecting to the metadata address is refused; a public hop keeps no Authorization', async () => {
    const internal = await hostile((_req, res) => json(res, 200, { secret: 'instance-role' }));
    const elsewhere = await hostile((_req, res) => json(res, 200, { ok: true }));
    const api: HostileServer = await hostile((req, res) => {
      const to = req.url === '/inside' ? `http://169.254.169.254:${internal.port}/latest/meta-data/` : `${at('other.example.org', elsewhere)}/page`;
      res.writeHead(302, { location: to });
      res.end();
    });
    const { dispatcher } = routedToLoopback();
    const origin = new URL(at('api.example.com', api));
    const stack = transportStack({ dispatcher, origin, insecure: true, retry: { maxRetries: 0 } });
    const get = (path: string) => stack({ method: 'GET', url: new URL(path, origin), headers: { authorization: `token ${SECRET}` } });
    await assert.rejects(get('/inside'), isError('insecure', /api\.example\.com:\d+ redirected a request to 169\.254\.169\.254:\d+, a link-local address/));
    assert.equal(internal.requests.length, 0);
    const res = await get('/outside');
    assert.equal(res.status, 200);
    assert.equal(elsewhere.requests[0]!.headers.authorization, undefined);
  });

  test('a registry on this computer may still redirect within it (local setups keep working)', async () => {
    const storage = await hostile((_req, res) => json(res, 200, { name: 'app', tags: ['local'] }));
    const reg = await hostile((_req, res) => {
      res.writeHead(307, { location: `http://localhost:${storage.port}/v2/app/tags/list` });
      res.end();
    });
    const c = new RegistryClient({ url: reg.url, retry: { maxRetries: 0 } });
    assert.deepEqual(await c.listTags('app'), ['local']);
    await c.close();
  });
});

describe('no body follows a cross-origin 307/308', () => {
  /** A registry whose token endpoint answers the refresh-token POST with `redirect`. */
  async function refreshRegistry(redirect: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
    const reg: HostileServer = await hostile((req, res, body) => {
      if (req.url!.startsWith('/token')) return redirect(req, res, body);
      if (req.headers.authorization === 'Bearer via-refresh') return json(res, 200, { name: 'app', tags: ['v1'] });
      challenge(res, `Bearer realm="${reg.url}/token",service="registry"`);
    });
    return reg;
  }
  const refreshCreds = staticCredentials({ kind: 'refreshToken', refreshToken: REFRESH });

  for (const status of [307, 308]) {
    test(`a refresh-token POST answered by a ${status} to another origin is refused; the other origin receives nothing`, async () => {
      const other = await hostile((_req, res) => json(res, 200, { token: 'attacker-token' }));
      const reg = await refreshRegistry((_req, res) => {
        res.writeHead(status, { location: `${other.url}/oauth2/token` });
        res.end();
      });
      const c = new RegistryClient({ url: reg.url, credentials: refreshCreds, retry: { maxRetries: 0 } });
      await assert.rejects(c.listTags('app'), isError('insecure', /redirected a POST request with its body to another server \(127\.0\.0\.1:\d+\); refused/));
      assert.equal(other.requests.length, 0, 'the other origin received nothing');
      const posts = reg.requests.filter((r) => r.method === 'POST');
      assert.equal(posts.length, 1, 'one POST, to the registry’s own token endpoint');
      assert.ok(reg.requests.every((r) => r.headers.authorization === undefined), 'no token came back to the registry');
      await c.close();
    });
  }

  test('a same-origin 307 on the refresh-token POST is followed with its body', async () => {
    const reg = await refreshRegistry((req, res, body) => {
      if (req.url === '/token') {
        res.writeHead(307, { location: '/token/v2' });
        return res.end();
      }
      const form = new URLSearchParams(body);
      if (form.get('grant_type') === 'refresh_token' && form.get('refresh_token') === REFRESH) return json(res, 200, { access_token: 'via-refresh', expires_in: 300 });
      json(res, 400, {});
    });
    const c = new RegistryClient({ url: reg.url, credentials: staticCredentials({ kind: 'refreshToken', refreshToken: REFRESH }), retry: { maxRetries: 0 } });
    assert.deepEqual(await c.listTags('app'), ['v1']);
    assert.equal(reg.requests.filter((r) => r.url === '/token/v2' && r.body.includes('refresh_token=')).length, 1);
    await c.close();
  });
});

/** A promise and its resolver, for holding a server or a provider until the test lets go. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Two listings of one repository once `shared` work has started; the first (a hover) cancels. */
async function hoverAndStay(c: RegistryClient, started: Promise<void>) {
  const hover = new AbortController();
  const first = c.listTags('app', { signal: hover.signal });
  const second = c.listTags('app', { signal: new AbortController().signal });
  await started;
  hover.abort();
  return { first, second };
}

describe('shared fetches do not share one caller’s cancellation', () => {
  test('two waiters on one token fetch: the first cancels alone, the second still gets its token', async () => {
    const tokenAsked = deferred();
    const released = deferred();
    const reg: HostileServer = await hostile(async (req, res) => {
      if (req.url!.startsWith('/token')) {
        tokenAsked.resolve();
        await released.promise;
        return json(res, 200, { token: 'shared', expires_in: 300 });
      }
      if (req.headers.authorization === 'Bearer shared') return json(res, 200, { name: 'app', tags: ['v1'] });
      challenge(res, `Bearer realm="${reg.url}/token",service="registry"`);
    });
    const c = new RegistryClient({ url: reg.url, credentials: userCreds, retry: { maxRetries: 0 } });
    assert.equal((await c.ping()).auth, 'bearer');
    const { first, second } = await hoverAndStay(c, tokenAsked.promise);
    await assert.rejects(first, isError('cancelled', /cancelled/));
    released.resolve();
    assert.deepEqual(await second, ['v1']);
    assert.equal(reg.requests.filter((r) => r.url.startsWith('/token')).length, 1, 'one token fetch for both');
    await c.close();
  });

  test('two waiters on one credential fetch: the first cancels alone, the provider is asked once and not cancelled', async () => {
    const asked: CredentialRequest[] = [];
    const creds = deferred<Credentials>();
    const providerAsked = deferred();
    const source = (request: CredentialRequest): Promise<Credentials> => {
      asked.push(request);
      providerAsked.resolve();
      return creds.promise;
    };
    const reg = await hostile((req, res) => (req.headers.authorization === basic ? json(res, 200, { name: 'app', tags: ['v1'] }) : challenge(res, 'Basic realm="registry"')));
    const c = new RegistryClient({ url: reg.url, credentials: source, retry: { maxRetries: 0 } });
    assert.equal((await c.ping()).auth, 'basic');
    const { first, second } = await hoverAndStay(c, providerAsked.promise);
    creds.resolve({ kind: 'basic', username: USER, password: SECRET });
    await assert.rejects(first, isError('cancelled', /cancelled/));
    assert.deepEqual(await second, ['v1']);
    assert.equal(reg.requests.filter((r) => r.headers.authorization === basic).length, 1, 'only the caller still waiting sent a request');
    assert.equal(asked.length, 1);
    assert.equal(asked[0]!.signal?.aborted, false, 'the provider’s work was not cancelled by the first caller');
    await c.close();
  });

  test('a registry naming a new realm per response cannot grow the token cache without end', async () => {
    const N = MAX_CACHED_TOKENS + 64;
    const reg: HostileServer = await hostile((req, res) => {
      const realm = /^\/token\/(\d+)/.exec(req.url!);
      if (realm) return json(res, 200, { token: `tok-${realm[1]}`, expires_in: 3600 });
      const repo = /^\/v2\/r(\d+)\/tags\/list/.exec(req.url!);
      // Repository rN accepts only a token from realm N, and names realm N when refusing.
      if (repo && req.headers.authorization === `Bearer tok-${repo[1]}`) return json(res, 200, { name: `r${repo[1]}`, tags: ['v1'] });
      challenge(res, `Bearer realm="${reg.url}/token/${repo?.[1] ?? 0}",service="registry"`);
    });
    const c = new RegistryClient({ url: reg.url, credentials: userCreds, retry: { maxRetries: 0 } });
    for (let i = 0; i < N; i++) assert.deepEqual(await c.listTags(`r${i}`), ['v1']);
    const cache = (c as unknown as { tokenCache: TokenCache }).tokenCache;
    assert.ok(cache.size <= MAX_CACHED_TOKENS, `${cache.size} tokens cached after ${N} realms`);
    assert.ok(reg.requests.length <= 4 * N + 2, `bounded: ${reg.requests.length} requests for ${N} listings`);
    await c.close();
  });
});

describe('token responses are checked by a schema', () => {
  const shapes: [string, unknown, RegExp][] = [
    ['null', null, /sent a token response that is not a JSON object/],
    ['a numeric token', { token: 12345 }, /sent a token response whose token is not text/],
    ['expires_in as text', { token: 'ok', expires_in: '3600' }, /sent a token response whose expires_in is not a number/],
  ];
  for (const [name, body, re] of shapes) {
    test(`a token service answering ${name} is a protocol error naming the registry`, async () => {
      const reg: HostileServer = await hostile((req, res) => {
        if (req.url!.startsWith('/token')) return json(res, 200, body);
        if (req.headers.authorization?.startsWith('Bearer')) return json(res, 200, { name: 'app', tags: ['v1'] });
        challenge(res, `Bearer realm="${reg.url}/token",service="registry"`);
      });
      const c = new RegistryClient({ url: reg.url, credentials: userCreds, retry: { maxRetries: 0 } });
      await assert.rejects(c.listTags('app'), isError('protocol', new RegExp(`The token service of 127\\.0\\.0\\.1:${reg.port} ${re.source}`)));
      assert.ok(reg.requests.every((r) => !String(r.headers.authorization ?? '').startsWith('Bearer')), 'nothing was sent on as a token');
      await c.close();
    });
  }
});
