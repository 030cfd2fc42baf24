// The first request of an extension host runs code that has never run: undici's pool and HTTP
// parser (a WebAssembly module, compiled on first use, each of its functions on first call),
// this client's session and transport stack, http-link-header, and VS Code's patched
// `net.connect`, which loads the system's certificates before its first socket connects. In
// bench/vscode that was about 15-25 ms of a first expand's 120, all of it paid after the click.
//
// `warmHttpPath` pays it beforehand, while the view shows the registries, with one listing page
// asked of a listener of our own on 127.0.0.1 that lives for that one request: nothing goes to
// a registry or a proxy (the pool is a plain Agent, whatever HTTP(S)_PROXY says), no credential
// exists to send, and the machine's network sees no traffic.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RegistryClient } from './client';
import { Agent } from './undici';

export async function warmHttpPath(): Promise<void> {
  const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    // A page with a next link, as a real catalog's first page: the link parser runs too.
    res.writeHead(200, { 'content-type': 'application/json', link: '</v2/_catalog?last=warm&n=1>; rel="next"' });
    res.end('{"repositories":["warm"]}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const dispatcher = new Agent({ connections: 1 });
  try {
    const { port } = server.address() as AddressInfo;
    const client = new RegistryClient({ url: `http://127.0.0.1:${port}`, dispatcher });
    const pages = client.catalogPages({ pageSize: 1 });
    await pages.next();
    await pages.return(undefined);
  } finally {
    await dispatcher.close().catch(() => undefined);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
