// Proxies: an explicit proxy (VS Code's http.proxy) carries the registry traffic through a
// CONNECT tunnel; NO_PROXY-style exclusions bypass it.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { RegistryClient } from '../../src/registry/client';
import { staticCredentials } from '../../src/registry/credentials';
import { seedStandardImages, startRegistry, type RunningRegistry } from '../support';

describe('proxy support', () => {
  let reg: RunningRegistry;
  let proxy: Server;
  let proxyUrl: string;
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  before(async () => {
    reg = await startRegistry({ mode: 'tls-basic' });
    await seedStandardImages(reg);
    proxy = createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req, client: Socket, head) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host!, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
      }
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    proxy?.close();
    await reg?.stop();
  });

  const client = (noProxy?: string) =>
    new RegistryClient({
      url: reg.url,
      caPem: reg.caPem,
      credentials: staticCredentials({ kind: 'basic', username: reg.username!, password: reg.password! }),
      proxy: { url: proxyUrl, ...(noProxy !== undefined ? { noProxy } : { noProxy: '' }) },
    });

  test('HTTPS registry traffic goes through the proxy as a CONNECT tunnel, TLS verified end to end', async () => {
    tunnels.length = 0;
    const c = client();
    try {
      assert.ok((await c.listCatalog()).includes('alpine'));
      assert.deepEqual([...new Set(tunnels)], [reg.host]);
    } finally {
      await c.close();
    }
  });

  test('hosts in the no-proxy list bypass it', async () => {
    tunnels.length = 0;
    const c = client('127.0.0.1');
    try {
      assert.ok((await c.listCatalog()).includes('alpine'));
      assert.deepEqual(tunnels, []);
    } finally {
      await c.close();
    }
  });
});
