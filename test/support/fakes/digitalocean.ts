// A fake of the DigitalOcean API's container-registry endpoints, in front of a real token-mode
// docker-registry whose token server accepts the API token as username and password (what
// `doctl registry login` writes), as registry.digitalocean.com does:
//
//   GET /v2/registry                                          {registry: {name, region, …}}
//   GET /v2/registry/NAME/repositoriesV2?per_page=&page=&page_token=
//        {repositories: [{registry_name, name, tag_count, manifest_count, latest_manifest}],
//         meta: {total}, links: {pages: {next, last}}}  (page_token wins over page)
//   GET /v2/registry/NAME/repositories/REPO/tags?per_page=&page=   (REPO with / as %2F)
//        {tags: [{registry_name, repository, tag, manifest_digest, compressed_size_bytes,
//                 size_bytes, updated_at}], meta: {total}, links: {pages: {next, last}}}
//
// `Authorization: Bearer TOKEN`; unknown token → 401 {id: "unauthorized"}, a token without the
// registry:read scope → 403 {id: "forbidden"}. Repositories are the registry's `NAME/…` ones,
// read from the registry itself (`sync()`), so API and registry tell the same story.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startRegistry, type RunningRegistry } from '../registry';
import { listenInFront, recordingServer, sendJson } from './http';
import { readRegistry, type TagFacts } from './registryContents';

export interface FakeDigitalOceanOptions {
  /** The registry's name: images are `registry.digitalocean.com/NAME/…`. Default `acme`. */
  registryName?: string;
  /** API token → its scopes. Default: one token with registry:read. */
  tokens?: Record<string, string[]>;
  /** Largest page the API serves (the real one: 200); small values make paging testable. */
  maxPerPage?: number;
  /** Answer GET /v2/registry with 404 (no registry created yet). */
  noRegistry?: boolean;
}

export interface DoApiRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  auth: 'none' | 'valid' | 'invalid';
  status: number;
}

export interface FakeDigitalOcean {
  apiUrl: string;
  /** The real registry (token mode) behind registry.digitalocean.com. */
  registry: RunningRegistry;
  registryName: string;
  /** A token with registry:read. */
  token: string;
  requests: DoApiRequest[];
  /** Registry sign-ins (token-server Basic checks), in order. */
  registryLogins: { ok: boolean }[];
  setTokens(tokens: Record<string, string[]>): void;
  /** The next `count` API requests get this status (429 comes with `ratelimit-reset` / `retry-after`). */
  failNext(count: number, status: number, headers?: Record<string, string>): void;
  /** Re-read the registry after pushing. */
  sync(): Promise<void>;
  reset(): void;
  stop(): Promise<void>;
}

export async function startFakeDigitalOcean(opts: FakeDigitalOceanOptions = {}): Promise<FakeDigitalOcean> {
  const registryName = opts.registryName ?? 'acme';
  const token = `dop_v1_${randomBytes(32).toString('hex')}`;
  let tokens: Record<string, string[]> = opts.tokens ?? { [token]: ['registry:read'] };
  const maxPerPage = opts.maxPerPage ?? 200;
  const registryLogins: { ok: boolean }[] = [];
  const canRead = (t: string): boolean => !!tokens[t]?.some((s) => s === 'registry:read' || s === 'registry:*' || s === '*');

  const registry = await startRegistry({
    mode: 'token',
    tokenServer: {
      service: 'registry.digitalocean.com',
      validate: (user, password) => {
        const ok = user === password && canRead(password);
        registryLogins.push({ ok });
        return ok;
      },
    },
  });

  let contents = new Map<string, TagFacts[]>();
  const requests: DoApiRequest[] = [];
  let apiUrl = '';
  let failures: { count: number; status: number; headers: Record<string, string> } = { count: 0, status: 0, headers: {} };

  const pageLinks = (path: string, page: number, perPage: number, total: number, tokenFor?: (offset: number) => string): Record<string, unknown> => {
    const last = Math.max(1, Math.ceil(total / perPage));
    const link = (p: number): string => {
      const u = new URL(path, apiUrl);
      u.searchParams.set('page', String(p));
      if (tokenFor) u.searchParams.set('page_token', tokenFor((p - 1) * perPage));
      u.searchParams.set('per_page', String(perPage));
      return u.toString();
    };
    const pages: Record<string, string> = {};
    if (page > 1) pages.prev = link(page - 1);
    if (page < last) {
      pages.next = link(page + 1);
      pages.last = link(last);
    }
    return { pages };
  };

  const handle = (req: IncomingMessage, res: ServerResponse, rec: DoApiRequest): void => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (failures.count > 0) {
      failures.count--;
      const body = failures.status === 429 ? { id: 'too_many_requests', message: 'API Rate limit exceeded.' } : { id: 'server_error', message: 'Server was unable to give you a response.' };
      const t = JSON.stringify(body);
      res.writeHead(failures.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(t), ...failures.headers });
      res.end(t);
      return;
    }
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!m) {
      rec.auth = 'none';
      return sendJson(res, 401, { id: 'unauthorized', message: 'Unable to authenticate you' });
    }
    if (!tokens[m[1]!]) {
      rec.auth = 'invalid';
      return sendJson(res, 401, { id: 'unauthorized', message: 'Unable to authenticate you' });
    }
    rec.auth = 'valid';
    if (!canRead(m[1]!)) return sendJson(res, 403, { id: 'forbidden', message: 'You are not authorized to perform this operation' });
    if (req.method !== 'GET') return sendJson(res, 405, { id: 'method_not_allowed', message: 'Method not allowed' });
    const segs = url.pathname.split('/').slice(1);
    const perPage = Math.min(maxPerPage, Math.max(1, Number(url.searchParams.get('per_page') ?? 20) || 20));
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const notFound = (): void => sendJson(res, 404, { id: 'not_found', message: 'The resource you were accessing could not be found.' });

    if (url.pathname === '/v2/registry') {
      if (opts.noRegistry) return notFound();
      return sendJson(res, 200, {
        registry: { name: registryName, storage_usage_bytes: 0, storage_usage_bytes_updated_at: '2024-06-01T00:00:00Z', created_at: '2024-01-01T00:00:00Z', region: 'fra1' },
      });
    }
    if (segs[0] !== 'v2' || segs[1] !== 'registry' || opts.noRegistry) return notFound();
    if (decodeURIComponent(segs[2] ?? '') !== registryName) return notFound();
    const repos = [...contents.entries()]
      .filter(([name]) => name.startsWith(`${registryName}/`))
      .map(([name, tags]) => ({ name: name.slice(registryName.length + 1), tags }));

    if (segs.length === 4 && segs[3] === 'repositoriesV2') {
      const pt = url.searchParams.get('page_token');
      let offset = (page - 1) * perPage;
      if (pt) {
        try {
          offset = (JSON.parse(Buffer.from(pt, 'base64url').toString('utf8')) as { o: number }).o;
        } catch {
          return sendJson(res, 400, { id: 'bad_request', message: 'invalid page_token' });
        }
      }
      const slice = repos.slice(offset, offset + perPage);
      const effectivePage = Math.floor(offset / perPage) + 1;
      return sendJson(res, 200, {
        repositories: slice.map((r) => {
          const latest = [...r.tags].sort((a, b) => (b.created ?? '').localeCompare(a.created ?? ''))[0];
          return {
            registry_name: registryName,
            name: r.name,
            tag_count: r.tags.length,
            manifest_count: new Set(r.tags.map((t) => t.digest)).size,
            ...(latest
              ? {
                  latest_manifest: {
                    digest: latest.digest,
                    registry_name: registryName,
                    repository: r.name,
                    compressed_size_bytes: latest.size,
                    size_bytes: latest.size * 2,
                    updated_at: latest.created ?? '2024-01-01T00:00:00Z',
                    tags: r.tags.filter((t) => t.digest === latest.digest).map((t) => t.tag),
                    blobs: [],
                  },
                }
              : {}),
          };
        }),
        meta: { total: repos.length },
        links: pageLinks(url.pathname, effectivePage, perPage, repos.length, (o) => Buffer.from(JSON.stringify({ o })).toString('base64url')),
      });
    }
    if (segs.length === 6 && segs[3] === 'repositories' && segs[5] === 'tags') {
      const repoName = decodeURIComponent(segs[4]!);
      const repo = repos.find((r) => r.name === repoName);
      if (!repo) return notFound();
      const slice = repo.tags.slice((page - 1) * perPage, page * perPage);
      return sendJson(res, 200, {
        tags: slice.map((t) => ({
          registry_name: registryName,
          repository: repoName,
          tag: t.tag,
          manifest_digest: t.digest,
          compressed_size_bytes: t.size,
          size_bytes: t.size * 2,
          updated_at: t.created ?? '2024-01-01T00:00:00Z',
        })),
        meta: { total: repo.tags.length },
        links: pageLinks(url.pathname, page, perPage, repo.tags.length),
      });
    }
    return notFound();
  };

  const server = recordingServer<DoApiRequest>(
    requests,
    (req, url) => ({ method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), auth: 'none', status: 0 }),
    handle,
    (res, e) => sendJson(res, 500, { id: 'server_error', message: String(e) }),
  );
  const front = await listenInFront(server, registry);
  apiUrl = front.url;

  return {
    apiUrl,
    registry,
    registryName,
    token,
    requests,
    registryLogins,
    setTokens(t) {
      tokens = t;
    },
    failNext(count, status, headers = {}) {
      failures = { count, status, headers };
    },
    async sync() {
      contents = await readRegistry(registry);
    },
    reset() {
      requests.length = 0;
      registryLogins.length = 0;
      registry.tokenServer?.reset();
    },
    stop: front.stop,
  };
}
