// The HTTP path warmed before the first expand (src/registry/warmUp.ts) talks to nobody but its
// own loopback listener: not a proxy the environment names, not a registry; and it leaves no
// listener or socket behind.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { warmHttpPath } from '../../src/registry/warmUp';

const received: string[] = [];
const proxy = createServer((req, res) => {
  received.push(`${req.method} ${req.url}`);
  res.writeHead(502);
  res.end();
});
proxy.on('connect', (req, socket) => {
  received.push(`CONNECT ${req.url}`);
  socket.destroy();
});
const saved = { http: process.env.HTTP_PROXY, https: process.env.HTTPS_PROXY, no: process.env.NO_PROXY };

before(async () => {
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  // A proxy for everything, loopback included: the warm-up must not go through it.
  process.env.HTTP_PROXY = url;
  process.env.HTTPS_PROXY = url;
  process.env.NO_PROXY = '';
});
after(async () => {
  for (const [k, v] of [['HTTP_PROXY', saved.http], ['HTTPS_PROXY', saved.https], ['NO_PROXY', saved.no]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await new Promise<void>((r) => proxy.close(() => r()));
});

test('one page from a loopback listener of its own; the proxy the environment names hears nothing; nothing left open', async () => {
  const open = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap' || r === 'TCPSocketWrap').length;
  const before = open();
  await warmHttpPath();
  await warmHttpPath();
  assert.deepEqual(received, []);
  // Sockets close a moment after the pool does.
  for (let i = 0; i < 50 && open() > before; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(open(), before, process.getActiveResourcesInfo().join(', '));
});
