// A scriptable HTTP server for adversarial tests (bad challenges, redirects, huge or slow
// bodies). It records each request before the handler runs, so a test can assert what the
// client sent even when the handler never answers.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostileRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface HostileServer {
  /** 'http://127.0.0.1:PORT' (same as origin; append paths to it). */
  url: string;
  origin: string;
  port: number;
  requests: HostileRequest[];
  stop(): Promise<void>;
}

// Returns are ignored (a promise is awaited for errors), so `(req, res) => res.end()` is fine.
export type HostileHandler = (req: IncomingMessage, res: ServerResponse, body: string) => unknown;

export async function startHostile(handler: HostileHandler): Promise<HostileServer> {
  const requests: HostileRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers }, body });
      Promise.resolve()
        .then(() => handler(req, res, body))
        .catch((e: unknown) => {
          if (!res.headersSent) {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(`hostile handler threw: ${String(e)}`);
          } else {
            res.destroy();
          }
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  let stopped: Promise<void> | undefined;
  return {
    url: origin,
    origin,
    port,
    requests,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A deliberately slow handler keeps its socket busy; cut it so close() can finish.
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
