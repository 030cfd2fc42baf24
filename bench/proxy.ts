// A counting reverse proxy: every benchmarked client talks to the registry through it, so
// request counts come from one place and are comparable across clients that expose no
// statistics of their own (skopeo, the Snyk and Microsoft libraries). It forwards bytes
// unchanged (status, every header including repeated Link / WWW-Authenticate, body), keeps
// the client's Host header so anything the registry derives from it points back here, and
// keeps upstream connections alive so it adds a small, equal cost per request to everyone.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ProxyCounts {
  /** HTTP requests that reached the proxy. */
  requests: number;
  /** By what they asked for: ping (/v2/), catalog, tags, manifest, blob, other. */
  byKind: Record<string, number>;
  /** Responses by status code. */
  byStatus: Record<string, number>;
  /** Connections that did not speak HTTP (e.g. a TLS handshake from a client probing https first). */
  nonHttp: number;
  /** Peak requests in flight at once: shows whether a client fans out. */
  maxInFlight: number;
  /** Client connections opened (sockets a client used). */
  sockets: number;
  /** Body bytes clients sent (uploads) and received. */
  bytesUp: number;
  bytesDown: number;
  /** Epoch milliseconds (sub-ms, comparable across processes on this machine) when the first request arrived and the last response was sent. */
  firstRequestAt?: number;
  lastResponseAt?: number;
}

const epochNow = (): number => performance.timeOrigin + performance.now();

export interface CountingProxy {
  url: string;
  host: string;
  counts(): ProxyCounts;
  reset(): void;
  close(): Promise<void>;
}

// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are not forwarded.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

export function kindOf(path: string): string {
  const p = path.split('?')[0] ?? '';
  if (p === '/v2/' || p === '/v2') return 'ping';
  if (p === '/v2/_catalog') return 'catalog';
  if (p.endsWith('/tags/list')) return 'tags';
  if (p.includes('/manifests/')) return 'manifest';
  if (p.includes('/blobs/')) return 'blob';
  return 'other';
}

function empty(): ProxyCounts {
  return { requests: 0, byKind: {}, byStatus: {}, nonHttp: 0, maxInFlight: 0, sockets: 0, bytesUp: 0, bytesDown: 0 };
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

/** Rebuild a raw header list without hop-by-hop headers; repeated headers stay repeated. */
function forwardable(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  if (upstream.protocol !== 'http:') throw new Error('the counting proxy forwards to plain-HTTP registries only');
  // No socket cap: a client that fans out thousands of requests (Microsoft's per-tag date
  // lookups) must meet the registry's behaviour, not a limit we invented.
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, keepAliveMsecs: 10_000 });
  let counts = empty();
  let inFlight = 0;
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    counts.firstRequestAt ??= epochNow();
    counts.requests++;
    bump(counts.byKind, kindOf(req.url ?? '/'));
    inFlight++;
    if (inFlight > counts.maxInFlight) counts.maxInFlight = inFlight;
    let done = false;
    const finish = (): void => {
      if (!done) {
        done = true;
        inFlight--;
        counts.lastResponseAt = epochNow();
      }
    };
    res.on('close', finish);

    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
    const up = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
      (ures) => {
        const status = ures.statusCode ?? 502;
        bump(counts.byStatus, String(status));
        res.writeHead(status, ures.statusMessage, forwardable(ures.rawHeaders));
        ures.on('data', (c: Buffer) => (counts.bytesDown += c.length));
        ures.pipe(res);
        ures.on('error', () => res.destroy());
      },
    );
    up.on('error', (e) => {
      if (!res.headersSent) {
        bump(counts.byStatus, '502');
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`proxy: ${e.message}`);
      } else {
        res.destroy();
      }
    });
    req.on('data', (c: Buffer) => (counts.bytesUp += c.length));
    req.pipe(up);
  });
  // A client that sends TLS (or garbage) to a plain-HTTP port: count it, then hang up the way
  // an HTTP server would, so the client sees its usual "not TLS" failure.
  server.on('clientError', (_err, socket) => {
    counts.nonHttp++;
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  server.on('connection', (s: Socket) => {
    counts.sockets++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // Longer than any client's idle timeout, so the proxy never closes a keep-alive connection
  // a client is about to reuse (that would show up as a retry, not as the client's cost).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.maxRequestsPerSocket = 0;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A deep accept queue (the kernel caps it at somaxconn): a client opening thousands of
    // connections at once must not meet SYN drops and 1-3 s retransmits that the registry,
    // listening with Go's default of somaxconn, would not have caused.
    server.listen({ port: 0, host: '127.0.0.1', backlog: 65_535 }, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  return {
    url: `http://${host}`,
    host,
    counts: () => structuredClone(counts),
    reset: () => {
      counts = empty();
      counts.maxInFlight = inFlight;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
