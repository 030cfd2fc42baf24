// DNS rebinding: a public name that a server hands us (a token realm, a redirect target) and
// that resolves to this computer is refused at connect time. The registry host the user typed
// may resolve to a private or loopback address (company DNS, a VPN, /etc/hosts), but never to
// link-local (the cloud metadata service). The resolver is injected: `rebind.example` resolves
// to 127.0.0.1, where a real registry (or a hostile server) listens behind a TCP front that
// counts connections, so "refused before any byte" is what the server side saw, not what the
// client says; `metadata.example` resolves to 169.254.169.254.

import assert from 'node:assert/strict';
import { lookup, type LookupAddress } from 'node:dns';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { RegistryClient } from '../../src/registry/client';
import { createDispatcher } from '../../src/registry/dispatcher';
import { RegistryError } from '../../src/registry/errors';
import type { Resolver } from '../../src/registry/resolvedAddress';
import type { Dispatcher } from '../../src/registry/undici';
import { startHostile, startRegistry, type HostileServer, type RunningRegistry } from '../support';

const ANSWERS: Record<string, string> = { 'rebind.example': '127.0.0.1', 'metadata.example': '169.254.169.254' };

/** `rebind.example` → 127.0.0.1, `metadata.example` → 169.254.169.254; anything else through the system resolver. */
const rebinding: Resolver = ((hostname: string, options: { all?: boolean }, callback: (...a: unknown[]) => void) => {
  const fixed = ANSWERS[hostname];
  if (fixed === undefined) return lookup(hostname, options, callback as never);
  const answer: LookupAddress = { address: fixed, family: 4 };
  if (options.all) callback(null, [answer]);
  else callback(null, answer.address, answer.family);
}) as Resolver;

interface Front {
  port: number;
  /** TCP connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

/** A TCP front on 127.0.0.1 that forwards to `targetPort` and counts what reaches it. */
async function front(targetPort: number): Promise<Front> {
  const state = { connections: 0 };
  const open = new Set<Socket>();
  const server: Server = createServer((socket) => {
    state.connections++;
    open.add(socket);
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of open) s.destroy();
      }),
  };
}

const refusedAsRebinding = (host: string) => (e: unknown): boolean => {
  assert.ok(e instanceof RegistryError, `a RegistryError, got ${String(e)}`);
  assert.equal(e.kind, 'insecure', e.message);
  assert.match(e.message, new RegExp(`^${host.replace('.', '\\.')} resolved to 127\\.0\\.0\\.1, an address of this computer; refused because the name is public`));
  assert.match(e.message, /connect the registry by its address/);
  return true;
};

const dispatchers: Dispatcher[] = [];
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  await Promise.all(cleanups.map((c) => c()));
  await Promise.all(dispatchers.map((d) => d.close()));
});

/** As the product builds one: its own dispatcher, which knows the host the user typed. */
function client(url: string): RegistryClient {
  const c = new RegistryClient({ url, insecure: true, resolve: rebinding, retry: { maxRetries: 0 } });
  cleanups.push(() => c.close());
  return c;
}

/** A shared pool that was told of no chosen host: every public name must reach a public address. */
function sharedPoolClient(url: string): RegistryClient {
  const dispatcher = createDispatcher({ resolve: rebinding });
  dispatchers.push(dispatcher);
  return new RegistryClient({ url, insecure: true, dispatcher, retry: { maxRetries: 0 } });
}

describe('a public name that resolves to loopback (real registry behind a counting front)', () => {
  let reg: RunningRegistry;
  let f: Front;
  before(async () => {
    reg = await startRegistry({ mode: 'plain' });
    await reg.pusher.pushImage('x/y', 'a', { layerBytes: [10] });
    f = await front(Number(new URL(reg.url).port));
    cleanups.push(() => f.close(), () => reg.stop());
  });

  test('a pool that was not told the registry host: a public name reaching loopback is refused before a connection is made', async () => {
    const c = sharedPoolClient(`http://rebind.example:${f.port}`);
    await assert.rejects(c.ping(), refusedAsRebinding('rebind.example'));
    await assert.rejects(c.listTags('x/y'), refusedAsRebinding('rebind.example'));
    assert.equal(f.connections, 0, 'the registry saw no connection');
  });

  test('the registry host the user typed may resolve to loopback or a private address (company DNS, /etc/hosts)', async () => {
    const before = f.connections;
    const c = client(`http://rebind.example:${f.port}`);
    assert.deepEqual(await c.listTags('x/y'), ['a']);
    assert.ok(f.connections > before, 'the registry was reached by the name the user typed');
  });

  test('…but never to link-local (the cloud metadata service), even by the name the user typed', async () => {
    const c = client('http://metadata.example/');
    await assert.rejects(c.ping(), (e: unknown) => {
      assert.ok(e instanceof RegistryError, String(e));
      assert.equal(e.kind, 'insecure');
      assert.match(e.message, /^metadata\.example resolved to 169\.254\.169\.254, a link-local address/);
      return true;
    });
  });

  test('the same registry by its loopback address, through the same kind of dispatcher, keeps working', async () => {
    const c = client(`http://127.0.0.1:${f.port}`);
    assert.deepEqual(await c.listTags('x/y'), ['a']);
    assert.ok(f.connections > 0);
    const byName = client(`http://localhost:${f.port}`);
    assert.deepEqual(await byName.listTags('x/y'), ['a'], 'localhost is loopback by name: it may resolve to loopback');
  });
});

describe('a token realm or a redirect target that rebinds', () => {
  let token: HostileServer;
  let tokenFront: Front;
  let registry: HostileServer;
  before(async () => {
    token = await startHostile((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: 'hostile-token', expires_in: 300 }));
    });
    tokenFront = await front(token.port);
    registry = await startHostile((req, res) => {
      if (req.url?.startsWith('/v2/x/y/tags/list')) {
        res.writeHead(307, { location: `http://rebind.example:${tokenFront.port}/tags` });
        return res.end();
      }
      if (req.headers.authorization || !req.url?.startsWith('/v2/needs-token/')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ name: 'x/y', tags: ['a'] }));
      }
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://rebind.example:${tokenFront.port}/token",service="reg"`, 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
    });
    cleanups.push(() => tokenFront.close(), () => token.stop(), () => registry.stop());
  });

  test('a realm named rebind.example is refused: the token service is never reached', async () => {
    const c = client(registry.url);
    await assert.rejects(c.listTags('needs-token/z'), refusedAsRebinding('rebind.example'));
    assert.equal(tokenFront.connections, 0);
    assert.equal(token.requests.length, 0);
  });

  test('a redirect to rebind.example is refused the same way', async () => {
    const c = client(registry.url);
    await assert.rejects(c.listTags('x/y'), refusedAsRebinding('rebind.example'));
    assert.equal(tokenFront.connections, 0);
    assert.ok(registry.requests.some((r) => r.url.startsWith('/v2/x/y/tags/list')), 'the registry itself was asked');
  });
});
