// The small HTTP pieces every fake cloud service is built from, and the JWTs the fake sign-in
// services issue. Servers listen on loopback only (the providers allow plain HTTP there and
// nowhere else), and `closeServer` drops kept-alive connections first, since a client pool
// holding one open would otherwise stall the end of a test.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A JSON answer with its length set; `headers` may add to or replace the content type. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function readText(req: IncomingMessage): Promise<string> {
  return (await readBody(req)).toString('utf8');
}

/** Listens on a free loopback port; the server's base URL. */
export async function listenLocal(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Listens `api` on loopback in front of the registry it was started for. If it cannot listen,
 * the registry is stopped before the error goes up (nobody else holds it yet); `stop` closes
 * both.
 */
export async function listenInFront(api: Server, registry: { stop(): Promise<void> }): Promise<{ url: string; stop(): Promise<void> }> {
  let url: string;
  try {
    url = await listenLocal(api);
  } catch (e) {
    await registry.stop();
    throw e;
  }
  return {
    url,
    async stop() {
      await closeServer(api);
      await registry.stop();
    },
  };
}

export function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/** An HS256 JWT, as the fake sign-in services issue them. */
export function signJwt(key: Buffer | string, claims: Record<string, unknown>): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  return `${head}.${body}.${createHmac('sha256', key).update(`${head}.${body}`).digest('base64url')}`;
}

/** The claims of a JWT `signJwt` issued with `key`; undefined for anything else. */
export function verifyJwt(key: Buffer | string, token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[0] || !parts[1] || !parts[2]) return undefined;
  const want = createHmac('sha256', key).update(`${parts[0]}.${parts[1]}`).digest();
  const got = Buffer.from(parts[2], 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
  try {
    return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * A fake API server: each request is recorded before the handler runs (its status filled in
 * once answered), and a handler that throws answers 500 in the API's own error shape.
 */
export function recordingServer<R extends { status: number }>(
  requests: R[],
  record: (req: IncomingMessage, url: URL) => R,
  handle: (req: IncomingMessage, res: ServerResponse, rec: R) => void,
  fail: (res: ServerResponse, e: unknown) => void,
): Server {
  return createServer((req, res) => {
    const rec = record(req, new URL(req.url ?? '/', 'http://x'));
    requests.push(rec);
    res.on('finish', () => (rec.status = res.statusCode));
    req.resume();
    req.on('end', () => {
      try {
        handle(req, res, rec);
      } catch (e) {
        if (!res.headersSent) fail(res, e);
      }
    });
  });
}

