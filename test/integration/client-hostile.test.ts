// The client against servers that misbehave on purpose: redirects that would leak
// credentials, realms that point elsewhere, paging loops, rate limits, stalls and truncation.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, describe, test } from 'node:test';
import { RegistryClient } from '../../src/registry/client';
import { staticCredentials } from '../../src/registry/credentials';
import { RegistryError } from '../../src/registry/errors';
import { MediaType } from '../../src/registry/manifest';
import { startHostile, type HostileServer } from '../support';

const USER = 'alice';
const SECRET = 'Hostile-S3cret-123';
const basic = `Basic ${Buffer.from(`${USER}:${SECRET}`).toString('base64')}`;
const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: { mediaType: MediaType.ociConfig, digest: 'sha256:' + 'c'.repeat(64), size: 2 }, layers: [] }));
const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;

const servers: HostileServer[] = [];
async function hostile(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>): Promise<HostileServer> {
  const s = await startHostile(handler);
  servers.push(s);
  return s;
}
after(async () => Promise.all(servers.map((s) => s.stop())));

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** /v2/ open, everything else handled by `rest`. */
function registry(rest: (req: IncomingMessage, res: ServerResponse) => unknown) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.url === '/v2/') json(res, 200, {});
    else void rest(req, res);
  };
}

const rejectsWith = (kind: RegistryError['kind'], re: RegExp) => (e: unknown) => e instanceof RegistryError && e.kind === kind && re.test(e.message) && !e.message.includes(SECRET);

describe('hostile servers', () => {
  test('a cross-origin redirect (blob CDN) never receives the Authorization header', async () => {
    const cdn = await hostile((_req, res) => {
      res.writeHead(200, { 'content-type': MediaType.ociManifest, 'docker-content-digest': digest });
      res.end(manifest);
    });
    const reg = await hostile((req, res) => {
      if (req.headers.authorization !== basic) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="hostile"' });
        res.end();
        return;
      }
      res.writeHead(307, { location: `${cdn.url}/blob?sig=abc` });
      res.end();
    });
    const c = new RegistryClient({ url: reg.url, credentials: staticCredentials({ kind: 'basic', username: USER, password: SECRET }) });
    const m = await c.getManifest('app', 'latest');
    assert.equal(m.digest, digest);
    assert.equal(reg.requests.at(-1)!.headers.authorization, basic, 'the registry itself got credentials');
    assert.equal(cdn.requests.length, 1);
    assert.equal(cdn.requests[0]!.headers.authorization, undefined, 'the CDN did not');
    await c.close();
  });

  test('a token realm on another plain-HTTP host is refused for an https registry', async () => {
    // Unit-level: the rule is about the URLs, no server needed beyond the check.
    const { checkRealm } = await import('../../src/registry/tokenService');
    const allowHttp = (u: URL) => u.hostname === '127.0.0.1';
    assert.throws(() => checkRealm('http://auth.example.com/token', new URL('https://registry.example.com'), allowHttp), /downgrade/);
    assert.throws(() => checkRealm('https://127.0.0.1:5001/token', new URL('https://registry.example.com'), allowHttp), /local or private/);
    assert.throws(() => checkRealm('https://169.254.169.254/latest/meta-data', new URL('https://registry.example.com'), allowHttp), /local or private/);
    assert.equal(checkRealm('/token', new URL('https://registry.example.com'), allowHttp).toString(), 'https://registry.example.com/token');
  });

  test('a realm that points the client at another loopback service still gets no request when it is not http(s)', async () => {
    const reg = await hostile((_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="file:///etc/passwd",service="x"' });
      res.end();
    });
    const c = new RegistryClient({ url: reg.url, credentials: staticCredentials({ kind: 'basic', username: USER, password: SECRET }) });
    await assert.rejects(c.listTags('a'), rejectsWith('protocol', /unsupported scheme/));
    await c.close();
  });

  test('a Link to another origin is refused', async () => {
    const reg = await hostile(registry((_req, res) => json(res, 200, { repositories: ['a'] }, { link: '<http://evil.example/v2/_catalog?last=a>; rel="next"' })));
    const c = new RegistryClient({ url: reg.url });
    await assert.rejects(c.listCatalog(), rejectsWith('protocol', /another server/));
    await c.close();
  });

  test('a listing that is JSON but not an object (null, a number, an array) is a shape error naming the host', async () => {
    for (const body of [null, 42, ['a'], { repositories: 'a' }]) {
      const reg = await hostile(registry((_req, res) => json(res, 200, body)));
      const c = new RegistryClient({ url: reg.url });
      await assert.rejects(c.listCatalog(), rejectsWith('protocol', new RegExp(`^${reg.url.replace(/^https?:\/\//, '').replace(/[.]/g, '\\.')} sent a .*(not a JSON object|without a “repositories” list)`)));
      await c.close();
    }
  });

  test('a server that repeats a page is stopped after the repeat, not followed forever', async () => {
    const reg = await hostile(registry((_req, res) => json(res, 200, { repositories: ['a', 'b'] }, { link: '</v2/_catalog?n=2&last=b>; rel="next"' })));
    const c = new RegistryClient({ url: reg.url });
    await assert.rejects(c.listCatalog(), rejectsWith('protocol', /same page twice|linked back/));
    assert.ok(reg.requests.filter((r) => r.url.startsWith('/v2/_catalog')).length <= 3);
    await c.close();
  });

  test('429 with Retry-After is waited out and retried', async () => {
    let n = 0;
    const reg = await hostile(registry((_req, res) => (n++ === 0 ? json(res, 429, { errors: [{ code: 'TOOMANYREQUESTS' }] }, { 'retry-after': '1' }) : json(res, 200, { name: 'a', tags: ['1'] }))));
    const c = new RegistryClient({ url: reg.url });
    const t0 = Date.now();
    assert.deepEqual(await c.listTags('a'), ['1']);
    assert.ok(Date.now() - t0 >= 900, 'waited for Retry-After');
    await c.close();
  });

  test('a long rate limit is reported with its reset time instead of hanging', async () => {
    const reg = await hostile(registry((_req, res) => json(res, 429, {}, { 'retry-after': '7200' })));
    const c = new RegistryClient({ url: reg.url });
    await assert.rejects(c.listTags('a'), (e: unknown) => e instanceof RegistryError && e.kind === 'rateLimited' && !!e.resetAt && e.resetAt.getTime() > Date.now() + 7_000_000);
    await c.close();
  });

  test('5xx is retried, then succeeds', async () => {
    let n = 0;
    const reg = await hostile(registry((_req, res) => (n++ < 2 ? json(res, 503, {}) : json(res, 200, { name: 'a', tags: ['x'] }))));
    const c = new RegistryClient({ url: reg.url, retry: { baseDelayMs: 10 } });
    assert.deepEqual(await c.listTags('a'), ['x']);
    assert.equal(n, 3);
    await c.close();
  });

  test('a server that stalls is timed out with a read timeout error', async () => {
    const reg = await hostile(registry(() => undefined /* never answers */));
    const c = new RegistryClient({ url: reg.url, readTimeoutMs: 300, retry: { maxRetries: 0 } });
    await assert.rejects(c.listTags('a'), rejectsWith('timeout', /stopped answering/));
    await c.close();
  });

  test('a body cut short is a network error, not a parse of half a document', async () => {
    const reg = await hostile(registry((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"name":"a","tags":["');
      setTimeout(() => res.destroy(), 20);
    }));
    const c = new RegistryClient({ url: reg.url, retry: { maxRetries: 0 } });
    await assert.rejects(c.listTags('a'), rejectsWith('network', /closed before the response was complete/));
    await c.close();
  });

  test('an oversized manifest is refused by the body cap', async () => {
    const reg = await hostile(registry((_req, res) => {
      res.writeHead(200, { 'content-type': MediaType.ociManifest });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const pump = (): void => {
        while (sent < 40 && res.write(chunk)) sent++;
        if (sent < 40) res.once('drain', pump);
        else res.end();
      };
      pump();
    }));
    const c = new RegistryClient({ url: reg.url });
    await assert.rejects(c.getManifest('a', 'latest'), rejectsWith('protocol', /larger than/));
    await c.close();
  });

  test('a manifest whose bytes do not match Docker-Content-Digest is refused', async () => {
    const reg = await hostile(registry((_req, res) => {
      res.writeHead(200, { 'content-type': MediaType.ociManifest, 'docker-content-digest': 'sha256:' + 'f'.repeat(64) });
      res.end(manifest);
    }));
    const c = new RegistryClient({ url: reg.url });
    await assert.rejects(c.getManifest('a', 'latest'), rejectsWith('protocol', /does not match/));
    await c.close();
  });

  test('ECR-style page size refusal ("less than or equal to") steps the page size down', async () => {
    const reg = await hostile(registry((req, res) => {
      const n = Number(new URL(req.url!, 'http://x').searchParams.get('n'));
      if (n > 100) return json(res, 400, { errors: [{ code: 'INVALID_PARAMETER', message: "Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100" }] });
      json(res, 200, { repositories: ['only'] });
    }));
    const c = new RegistryClient({ url: reg.url });
    assert.deepEqual(await c.listCatalog(), ['only']);
    assert.equal(c.acceptedPageSize, 100);
    await c.close();
  });

  test('Basic credentials are never sent over plain HTTP to a non-loopback host', async () => {
    assert.throws(() => new RegistryClient({ url: 'http://registry.example.com' }), rejectsWith('insecure', /Allow insecure/));
  });

  test('a redirect from https to http is refused', async () => {
    const { redirectTransport } = await import('../../src/registry/redirect');
    const { ResponseHeaders } = await import('../../src/registry/http');
    const rt = redirectTransport(async (req) => ({ status: 302, headers: new ResponseHeaders({ location: 'http://cdn.example/blob' }), url: req.url, body: Buffer.alloc(0) }), { allowHttp: () => true });
    await assert.rejects(rt({ method: 'GET', url: new URL('https://r.example/v2/a/blobs/x'), headers: { authorization: basic } }), rejectsWith('insecure', /drop TLS/));
  });
  test("a registry's error message is quoted as one short line: no page of text, no escape sequence, no credential it echoes", async () => {
    const echoed = Buffer.from(`${USER}:${SECRET}`).toString('base64') + 'x'.repeat(20);
    const reg = await hostile(
      registry((_req, res) =>
        json(res, 403, { errors: [{ code: 'DENIED', message: `access denied\u001b[31m\r\nfor ${echoed} ${'lorem ipsum '.repeat(10_000)}` }] }),
      ),
    );
    const c = new RegistryClient({ url: reg.url, insecure: true });
    const e = await c.listTags('app').then(
      () => assert.fail('a 403 listed tags'),
      (x: unknown) => x,
    );
    assert.ok(e instanceof RegistryError && e.kind === 'forbidden', String(e));
    const m = (e as RegistryError).message;
    assert.match(m, /denied access to app \(access denied \[31m for … lorem ipsum/);
    assert.ok(m.length < 400, `${m.length} characters`);
    assert.ok(!/[\u0000-\u001f]/.test(m), 'a control character reached the message');
    assert.ok(!m.includes(echoed.slice(0, 20)), 'the echoed credential reached the message');
    await c.close();
  });
});
