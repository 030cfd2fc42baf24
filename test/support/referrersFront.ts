// The OCI 1.1 referrers API in front of the real registry, which (distribution 2.8) has none.
// `GET /v2/NAME/referrers/DIGEST[?artifactType=…]` is answered from the manifests the registry
// holds: every revision in its storage whose `subject` is DIGEST, as the spec's image index.
// Everything else passes through to the registry untouched. Each request is recorded.
import { readdir, readFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { MT } from './mediaTypes';
import type { RunningRegistry } from './registry';

export interface ReferrersFront {
  url: string;
  /** `METHOD path` of every request, in order. */
  requests: string[];
  stop(): Promise<void>;
}

const REFERRERS = /^\/v2\/(.+)\/referrers\/(sha256:[0-9a-f]{64})$/;

interface Stored {
  mediaType?: string;
  artifactType?: string;
  config?: { mediaType?: string };
  subject?: { digest?: string };
  annotations?: Record<string, string>;
}

/** The descriptors of every manifest of `repository` in the registry's storage whose subject is `digest`. */
export async function referrersOf(dataDir: string, repository: string, digest: string): Promise<Record<string, unknown>[]> {
  const v2 = join(dataDir, 'docker', 'registry', 'v2');
  let revisions: string[];
  try {
    revisions = await readdir(join(v2, 'repositories', repository, '_manifests', 'revisions', 'sha256'));
  } catch {
    return [];
  }
  const out: Record<string, unknown>[] = [];
  for (const hex of revisions.sort()) {
    const body = await readFile(join(v2, 'blobs', 'sha256', hex.slice(0, 2), hex, 'data'));
    const m = JSON.parse(body.toString('utf8')) as Stored;
    if (m.subject?.digest !== digest) continue;
    out.push({
      mediaType: m.mediaType ?? MT.ociManifest,
      digest: `sha256:${hex}`,
      size: body.length,
      // The spec: artifactType, else the config's media type.
      artifactType: m.artifactType ?? m.config?.mediaType,
      ...(m.annotations ? { annotations: m.annotations } : {}),
    });
  }
  return out;
}

export async function startReferrersFront(reg: RunningRegistry): Promise<ReferrersFront> {
  const target = new URL(reg.url);
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const url = new URL(req.url ?? '/', 'http://front');
    const m = REFERRERS.exec(url.pathname);
    if (m && req.method === 'GET') {
      const filter = url.searchParams.get('artifactType');
      void referrersOf(reg.dataDir, decodeURIComponent(m[1]!), m[2]!).then(
        (all) => {
          const manifests = filter ? all.filter((d) => d.artifactType === filter) : all;
          res.writeHead(200, { 'content-type': MT.ociIndex, ...(filter ? { 'oci-filters-applied': 'artifactType' } : {}) });
          res.end(JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests }));
        },
        (e: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(e));
        },
      );
      return;
    }
    const up = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
