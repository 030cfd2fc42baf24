// A small reverse proxy that serves a real docker-registry under a path, the way Artifactory
// (`/artifactory/api/docker/KEY/v2/…`) and Nexus (`/repository/NAME/v2/…`) serve theirs: the
// prefix is stripped on the way in, and `Location` and `Link` are rewritten on the way out the
// way each product writes them: at the origin's root as the docker client would see them
// (Artifactory: `</v2/…>`, without the repository key, RTFACT-18971), or as absolute URLs of
// that root (Nexus: `<https://HOST/v2/…>`). Credentials never reach the registry: the product's fake checks them in
// `gate`, which may answer a request itself (sign-in, token endpoint, refusals in the
// product's error shape) before anything is forwarded. Every request is recorded.

import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenLocal, recordingServer } from './fakes/http';

export interface PathProxyRequest {
  method: string;
  /** As sent, percent-encoding kept, with the query. */
  path: string;
  /** The Authorization scheme the client used (`Basic`, `Bearer`), never the credential. */
  scheme?: string;
  /** The user the gate recognised. */
  user?: string;
  /** The registry path the request was forwarded as, when it was. */
  forwarded?: string;
  status: number;
}

export interface PathProxyOptions {
  /** A plain-HTTP docker-registry's base URL (`http://127.0.0.1:PORT`). */
  registry: string;
  /** `/artifactory/api/docker/docker-local`, `/repository/docker-hosted`. */
  prefix: string;
  /** How the product writes `Link` and `Location`: `/v2/…` of the origin, or that as an absolute URL. */
  links: 'root' | 'absolute';
  /** Answers the request itself and returns true (auth, token endpoint, errors); false forwards it. */
  gate?(req: IncomingMessage, res: ServerResponse, rec: PathProxyRequest, url: URL): boolean;
}

export interface PathProxy {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** The API's base URL: origin + prefix. */
  url: string;
  requests: PathProxyRequest[];
  /** Replaces the next `Link` headers' values (hostile tests); undefined restores the product's own. */
  rewriteLink?: (value: string) => string;
  /** Sends no `Link` at all, as a Nexus group repository does (NEXUS-35956). */
  dropLinks?: boolean;
  /** Rewrites the registry path a request is forwarded as (a server that ignores `last=`). */
  forwardAs?: (path: string) => string;
  stop(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

export async function startPathProxy(opts: PathProxyOptions): Promise<PathProxy> {
  const requests: PathProxyRequest[] = [];
  const registry = new URL(opts.registry);
  const proxy: PathProxy = { origin: '', url: '', requests, stop: async () => undefined };
  const outward = (path: string): string => (opts.links === 'absolute' ? `${proxy.origin}${path}` : path);
  /** `/v2/…` or the registry's absolute URL of it → where the product says it is. */
  const rewrite = (value: string): string => value.replace(new RegExp(`(^|<)(?:${registry.origin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})?(/v2/[^>]*)`, 'g'), (_m, lead: string, path: string) => `${lead}${outward(path)}`);

  const forward = (req: IncomingMessage, res: ServerResponse, rec: PathProxyRequest, asked: string): void => {
    const rest = proxy.forwardAs ? proxy.forwardAs(asked) : asked;
    rec.forwarded = rest;
    const headers: Record<string, string> = {};
    for (const h of ['accept', 'content-type', 'user-agent']) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    const out = httpRequest({ host: registry.hostname, port: registry.port, method: req.method, path: rest, headers }, (up) => {
      const h: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(up.headers)) {
        if (v === undefined || HOP_BY_HOP.has(k)) continue;
        h[k] = k === 'location' && typeof v === 'string' ? rewrite(v) : v;
      }
      if (proxy.dropLinks) delete h.link;
      else if (typeof up.headers.link === 'string') {
        const link = rewrite(up.headers.link);
        h.link = proxy.rewriteLink ? proxy.rewriteLink(link) : link;
      }
      res.writeHead(up.statusCode ?? 502, h);
      up.pipe(res);
    });
    out.on('error', (e) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${e.message}`);
    });
    out.end();
  };

  const server = recordingServer<PathProxyRequest>(
    requests,
    (req) => {
      const scheme = /^(\w+)\s/.exec(req.headers.authorization ?? '')?.[1];
      return { method: req.method ?? '', path: req.url ?? '/', ...(scheme ? { scheme } : {}), status: 0 };
    },
    (req, res, rec) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (opts.gate?.(req, res, rec, url)) return;
      const raw = req.url ?? '/';
      if (!raw.startsWith(`${opts.prefix}/v2/`)) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('Not Found');
        return;
      }
      forward(req, res, rec, raw.slice(opts.prefix.length));
    },
    (res, e) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`proxy handler failed: ${String(e)}`);
    },
  );
  proxy.origin = await listenLocal(server);
  proxy.url = `${proxy.origin}${opts.prefix}`;
  proxy.stop = () => closeServer(server);
  return proxy;
}
