// A fake of the Quay API in front of a real token-mode docker-registry whose token server takes
// Quay's registry logins: robot accounts (`ns+robot` + token) and `$oauthtoken` + an OAuth token.
//
//   GET /api/v1/repository?namespace=NS&last_modified=true&next_page=T
//        {repositories: [{namespace, name, description, is_public, kind, state, last_modified}],
//         next_page?}   (`pageSize` per page; next_page is opaque)
//   GET /api/v1/repository/NS/NAME/manifest/DIGEST/security?vulnerabilities=true
//        {status: scanned|queued|failed|unsupported, data: {Layer: {Features: [{Name,
//         Vulnerabilities: [{Name, Severity}]}]}} | null}   (default queued; setScan)
//   GET /api/v1/repository/NS/NAME/tag/?page=&limit=&onlyActiveTags=true
//        {tags: [{name, reversion, start_ts, manifest_digest, is_manifest_list, size,
//                 last_modified}], page, has_additional}   (limit capped at 100)
//
// `Authorization: Bearer OAUTH`; an unknown token → 401 invalid_token, a token without
// repo:read → 403 insufficient_scope; anonymous callers see public repositories only, a
// private repository's tags → 403. Basic (a robot) is not accepted by the API (401).
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startRegistry, type RunningRegistry } from '../registry';
import { listenInFront, recordingServer, sendJson as send } from './http';
import { readRegistry, type TagFacts } from './registryContents';

export interface FakeQuayOptions {
  /** OAuth token → its scopes. Default: one token with repo:read. */
  oauthTokens?: Record<string, string[]>;
  /** Robot `ns+name` → token. Default: `acme+reader` with a random token. */
  robots?: Record<string, string>;
  /** `ns/name` repositories only signed-in callers see. */
  privateRepositories?: string[];
  /** Repositories per page (quay.io: 100). */
  pageSize?: number;
}

export interface QuayApiRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  auth: 'none' | 'valid' | 'invalid' | 'basic';
  status: number;
}

export interface FakeQuay {
  apiUrl: string;
  registry: RunningRegistry;
  oauthToken: string;
  robot: string;
  robotToken: string;
  requests: QuayApiRequest[];
  registryLogins: { user: string; ok: boolean }[];
  setOauthTokens(tokens: Record<string, string[]>): void;
  /** Quay's scan of a manifest: its status and, once scanned, one severity per vulnerability found; 'absent' answers 404 (no scanner). */
  setScan(digest: string, scan: { status: string; severities?: string[] } | 'absent'): void;
  sync(): Promise<void>;
  reset(): void;
  stop(): Promise<void>;
}

/** Quay answers `application/json` with no charset. */
function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, body, { 'content-type': 'application/json' });
}

function quayError(res: ServerResponse, status: number, type: string, detail: string): void {
  sendJson(res, status, { detail, error_message: detail, error_type: type, title: type, type: `https://quay.io/api/v1/error/${type}`, status });
}

export async function startFakeQuay(opts: FakeQuayOptions = {}): Promise<FakeQuay> {
  const oauthToken = randomBytes(30).toString('base64url');
  let oauth: Record<string, string[]> = opts.oauthTokens ?? { [oauthToken]: ['repo:read'] };
  const robotToken = randomBytes(48).toString('base64url').toUpperCase();
  const robots = opts.robots ?? { 'acme+reader': robotToken };
  const robot = Object.keys(robots)[0] ?? 'acme+reader';
  const privateRepos = new Set(opts.privateRepositories ?? []);
  const pageSize = opts.pageSize ?? 100;
  const registryLogins: { user: string; ok: boolean }[] = [];

  const registry = await startRegistry({
    mode: 'token',
    tokenServer: {
      service: 'quay-test',
      validate: (user, password) => {
        const ok = robots[user] !== undefined ? robots[user] === password : user === '$oauthtoken' && oauth[password] !== undefined;
        registryLogins.push({ user, ok });
        return ok;
      },
    },
  });

  let contents = new Map<string, TagFacts[]>();
  const scans = new Map<string, { status: string; severities?: string[] } | 'absent'>();
  const requests: QuayApiRequest[] = [];
  const rfc2822 = (iso: string): string => new Date(iso).toUTCString().replace('GMT', '-0000');

  const handle = (req: IncomingMessage, res: ServerResponse, rec: QuayApiRequest): void => {
    const url = new URL(req.url ?? '/', 'http://x');
    const authz = req.headers.authorization ?? '';
    let signedIn = false;
    if (/^Basic /i.test(authz)) {
      rec.auth = 'basic';
      return quayError(res, 401, 'invalid_token', 'Invalid bearer token format');
    }
    const m = /^Bearer\s+(\S+)$/i.exec(authz);
    if (m) {
      const scopes = oauth[m[1]!];
      if (!scopes) {
        rec.auth = 'invalid';
        return quayError(res, 401, 'invalid_token', 'Invalid OAuth token');
      }
      rec.auth = 'valid';
      if (!scopes.includes('repo:read')) return quayError(res, 403, 'insufficient_scope', 'Unauthorized');
      signedIn = true;
    }
    const dm = req.method === 'DELETE' ? /^\/api\/v1\/repository\/([^/]+)\/([^/]+)$/.exec(url.pathname) : null;
    if (dm) {
      // Deleting takes an admin token (repo:admin); the images go from the registry too.
      if (!signedIn) return quayError(res, 401, 'invalid_token', 'Requires authentication');
      if (!oauth[m![1]!]!.includes('repo:admin')) return quayError(res, 403, 'insufficient_scope', 'Unauthorized');
      const name = `${decodeURIComponent(dm[1]!)}/${decodeURIComponent(dm[2]!)}`;
      const tags = contents.get(name);
      if (!tags) return quayError(res, 404, 'not_found', 'Not Found');
      void Promise.all([...new Set(tags.map((t) => t.digest))].map((d) => registry.pusher.deleteManifest(name, d))).then(
        () => {
          contents.delete(name);
          res.writeHead(204);
          res.end();
        },
        (e: unknown) => quayError(res, 500, 'internal_error', String(e)),
      );
      return;
    }
    const visible = (name: string): boolean => signedIn || !privateRepos.has(name);
    if (url.pathname === '/api/v1/repository') {
      const ns = url.searchParams.get('namespace');
      if (!ns) return quayError(res, 400, 'invalid_request', 'Namespace, public or starred must be specified');
      const repos = [...contents.keys()].filter((r) => r.split('/')[0] === ns && r.split('/').length === 2 && visible(r));
      let offset = 0;
      const np = url.searchParams.get('next_page');
      if (np) {
        try {
          offset = (JSON.parse(Buffer.from(np, 'base64url').toString('utf8')) as { o: number }).o;
        } catch {
          return quayError(res, 400, 'invalid_request', 'Invalid page token');
        }
      }
      const slice = repos.slice(offset, offset + pageSize);
      const withDates = url.searchParams.get('last_modified') === 'true';
      return sendJson(res, 200, {
        repositories: slice.map((r) => {
          const tags = contents.get(r) ?? [];
          const latest = tags.map((t) => t.created ?? '').sort().at(-1);
          return {
            namespace: ns,
            name: r.split('/')[1],
            description: null,
            is_public: !privateRepos.has(r),
            kind: 'image',
            state: 'NORMAL',
            ...(withDates && latest ? { last_modified: Math.floor(Date.parse(latest) / 1000) } : {}),
          };
        }),
        ...(offset + pageSize < repos.length ? { next_page: Buffer.from(JSON.stringify({ o: offset + pageSize })).toString('base64url') } : {}),
      });
    }
    const sm = /^\/api\/v1\/repository\/([^/]+)\/([^/]+)\/manifest\/([^/]+)\/security$/.exec(url.pathname);
    if (sm) {
      const name = `${decodeURIComponent(sm[1]!)}/${decodeURIComponent(sm[2]!)}`;
      const digest = decodeURIComponent(sm[3]!);
      if (!contents.has(name) || !visible(name)) return quayError(res, 404, 'not_found', 'Not Found');
      const scan = scans.get(digest) ?? { status: 'queued' };
      if (scan === 'absent') return quayError(res, 404, 'not_found', 'Not Found');
      const features = scan.status === 'scanned' ? (scan.severities ?? []).map((sev, i) => ({ Name: `pkg${i}`, Version: '1.0', Vulnerabilities: [{ Name: `CVE-2024-${1000 + i}`, Severity: sev }] })) : [];
      return sendJson(res, 200, { status: scan.status, data: scan.status === 'scanned' ? { Layer: { Name: digest, IndexedByVersion: 4, Features: features } } : null });
    }
    const tm = /^\/api\/v1\/repository\/([^/]+)\/([^/]+)\/tag\/$/.exec(url.pathname);
    if (tm) {
      const name = `${decodeURIComponent(tm[1]!)}/${decodeURIComponent(tm[2]!)}`;
      const tags = contents.get(name);
      if (!tags) return quayError(res, 404, 'not_found', 'Not Found');
      if (!visible(name)) return quayError(res, 403, 'insufficient_scope', 'Unauthorized');
      const limit = Math.min(100, Math.max(1, Number(url.searchParams.get('limit') ?? 50) || 50));
      const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
      // Newest first, as Quay lists them.
      const sorted = [...tags].sort((a, b) => (b.created ?? '').localeCompare(a.created ?? '') || a.tag.localeCompare(b.tag));
      const slice = sorted.slice((page - 1) * limit, page * limit);
      return sendJson(res, 200, {
        tags: slice.map((t) => {
          const created = t.created ?? '2024-01-01T00:00:00Z';
          const list = t.platforms.length > 1 || /index|list/.test(t.mediaType);
          return {
            name: t.tag,
            reversion: false,
            start_ts: Math.floor(Date.parse(created) / 1000),
            manifest_digest: t.digest,
            is_manifest_list: list,
            size: list ? null : t.size,
            last_modified: rfc2822(created),
          };
        }),
        page,
        has_additional: page * limit < sorted.length,
      });
    }
    return quayError(res, 404, 'not_found', 'Not Found');
  };

  const server = recordingServer<QuayApiRequest>(
    requests,
    (req, url) => ({ method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), auth: 'none', status: 0 }),
    handle,
    (res, e) => quayError(res, 500, 'internal_error', String(e)),
  );
  const front = await listenInFront(server, registry);

  return {
    apiUrl: front.url,
    registry,
    oauthToken,
    robot,
    robotToken: robots[robot] ?? robotToken,
    requests,
    registryLogins,
    setOauthTokens(t) {
      oauth = t;
    },
    setScan(digest, scan) {
      scans.set(digest, scan);
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
