// A fake of Harbor's REST API (v2.0) in front of a real token-mode docker-registry whose token
// server takes Harbor's logins: users (password or CLI secret) and robot accounts
// (`robot$name`, `robot$project+name`). What it tells matches what the registry holds.
//
//   GET /api/v2.0/projects?page=&page_size=
//        [{project_id, name, repo_count, metadata: {public}}]
//   GET /api/v2.0/projects/P/repositories?page=&page_size=
//        [{id, project_id, name: "P/…", artifact_count, pull_count, creation_time, update_time}]
//   GET /api/v2.0/projects/P/repositories/R/artifacts?page=&page_size=&with_tag=true&with_scan_overview=true&with_accessory=true
//        [{id, type, media_type, manifest_media_type, digest, size, push_time, pull_time,
//          tags: [{id, name, push_time, pull_time, immutable}] | null,
//          scan_overview?: {MIME: {scan_status, severity, summary: {total, fixable, summary}}},
//          accessories: [{id, type, digest, size}] | null}]
//
// Paging as Harbor does it: `page_size` capped at 100 (default 10), `X-Total-Count`, and a
// `Link` with `rel="prev"` and `rel="next"` relative URLs. R is the name inside the project with
// each `/` double-encoded (`team%252Fapp`); a single-encoded one is routed apart by Harbor and
// answers 404, and so it does here. Errors are `{errors: [{code, message}]}`. Basic auth on
// every call; a wrong one → 401 UNAUTHORIZED, a private project of others → 403 FORBIDDEN.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startRegistry, type RunningRegistry } from '../registry';
import { listenInFront, recordingServer, sendJson } from './http';
import { readRegistry, type TagFacts } from './registryContents';

export interface HarborProjectOptions {
  public?: boolean;
  /** Users (not robots) with a role in the project. Default: every user. */
  members?: string[];
  /** Users and robots allowed to delete repositories (project admins, robots with the permission). Default: every user, no robot. */
  deleters?: string[];
}

export interface FakeHarborOptions {
  /** user → password (or CLI secret). Default: `alice` with a random password. */
  users?: Record<string, string>;
  /** `robot$name` (system: every project) or `robot$project+name` → secret. */
  robots?: Record<string, string>;
  /** Per project; projects not named are private and everyone's. */
  projects?: Record<string, HarborProjectOptions>;
  /** Per repository: a scan summary by severity, or a scan status. */
  scans?: Record<string, Record<string, number> | 'Running' | 'Error'>;
  /** Per repository: accessory types every artifact has (`signature.cosign`, `harbor.sbom`). */
  accessories?: Record<string, string[]>;
  /** Per repository: artifact type (IMAGE, CHART, CNAB). */
  types?: Record<string, string>;
  /** The largest page_size honoured (Harbor: 100); smaller makes paging testable with few items. */
  pageCap?: number;
}

export interface HarborApiRequest {
  method: string;
  /** The raw path, as sent (percent-encoding kept). */
  path: string;
  query: Record<string, string>;
  user?: string;
  status: number;
  authorization: boolean;
}

export interface FakeHarbor {
  apiUrl: string;
  registry: RunningRegistry;
  username: string;
  password: string;
  requests: HarborApiRequest[];
  registryLogins: { user: string; ok: boolean }[];
  sync(): Promise<void>;
  reset(): void;
  stop(): Promise<void>;
}

const SCAN_MIME = 'application/vnd.security.vulnerability.report; version=1.1';

/** Harbor's artifact `type`, as its processors set it from the config media type. */
function harborType(configMediaType: string | undefined): string {
  if (configMediaType === 'application/vnd.cncf.helm.config.v1+json') return 'CHART';
  if (configMediaType === 'application/vnd.cnab.config.v1+json') return 'CNAB';
  return 'IMAGE';
}

function harborError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { errors: [{ code, message }] });
}

export async function startFakeHarbor(opts: FakeHarborOptions = {}): Promise<FakeHarbor> {
  const password = `Harbor-${Math.random().toString(36).slice(2)}-Pw1`;
  const users = opts.users ?? { alice: password };
  const username = Object.keys(users)[0] ?? 'alice';
  const robots = opts.robots ?? {};
  const registryLogins: { user: string; ok: boolean }[] = [];
  const check = (user: string, pass: string): boolean => (users[user] !== undefined && users[user] === pass) || (robots[user] !== undefined && robots[user] === pass);

  const registry = await startRegistry({
    mode: 'token',
    tokenServer: {
      service: 'harbor-registry',
      validate: (user, pass) => {
        const ok = check(user, pass);
        registryLogins.push({ user, ok });
        return ok;
      },
    },
  });

  let contents = new Map<string, TagFacts[]>();
  const requests: HarborApiRequest[] = [];
  const projectOf = (repo: string): string => repo.split('/')[0]!;
  const projectNames = (): string[] => [...new Set([...contents.keys()].map(projectOf))].sort();

  const canSee = (user: string, project: string): boolean => {
    const p = opts.projects?.[project];
    if (user.includes('$')) {
      const m = /^robot\$(?:([^+]+)\+)?/.exec(user);
      return !m?.[1] || m[1] === project;
    }
    return !!p?.public || !p?.members || p.members.includes(user);
  };

  /** The page of `all` the query asks for, with Harbor's paging headers. */
  const paged = <T>(res: ServerResponse, url: URL, all: T[], body: (items: T[]) => unknown): void => {
    const size = Math.min(opts.pageCap ?? 100, Math.max(1, Number(url.searchParams.get('page_size') ?? 10) || 10));
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const items = all.slice((page - 1) * size, page * size);
    const link = (p: number): string => {
      const u = new URL(url.toString());
      u.searchParams.set('page', String(p));
      u.searchParams.set('page_size', String(size));
      return `${u.pathname}${u.search}`;
    };
    const links: string[] = [];
    if (page > 1) links.push(`<${link(page - 1)}>; rel="prev"`);
    if (page * size < all.length) links.push(`<${link(page + 1)}>; rel="next"`);
    sendJson(res, 200, body(items), { 'x-total-count': String(all.length), ...(links.length ? { link: links.join(' , ') } : {}) });
  };

  const artifactsOf = (repo: string, url: URL): unknown[] => {
    const tags = contents.get(repo) ?? [];
    const byDigest = new Map<string, TagFacts[]>();
    for (const t of tags) byDigest.set(t.digest, [...(byDigest.get(t.digest) ?? []), t]);
    const withTag = url.searchParams.get('with_tag') !== 'false';
    const withScan = url.searchParams.get('with_scan_overview') === 'true';
    const withAccessory = url.searchParams.get('with_accessory') === 'true';
    const scan = opts.scans?.[repo];
    const accessories = opts.accessories?.[repo] ?? [];
    let id = 1;
    const list = [...byDigest.entries()].map(([digest, ts]) => {
      const pushed = ts.map((t) => t.created ?? '2024-01-01T00:00:00Z').sort().at(-1)!;
      const index = /index|list/.test(ts[0]!.mediaType);
      return {
        id: id++,
        // Harbor's processors name charts and CNAB bundles by their config; the rest are IMAGE.
        type: opts.types?.[repo] ?? harborType(ts[0]!.artifactMediaType),
        media_type: index ? ts[0]!.mediaType : (ts[0]!.artifactMediaType ?? 'application/vnd.oci.image.config.v1+json'),
        manifest_media_type: ts[0]!.mediaType,
        project_id: 1,
        repository_id: 1,
        digest,
        // Harbor adds up an index's platforms.
        size: index ? ts[0]!.platforms.reduce((n, p) => n + p.size, 0) : ts[0]!.size,
        push_time: pushed,
        pull_time: '0001-01-01T00:00:00.000Z',
        extra_attrs: {},
        tags: withTag ? ts.map((t, i) => ({ id: i + 1, name: t.tag, push_time: t.created ?? pushed, pull_time: '0001-01-01T00:00:00.000Z', immutable: false, repository_id: 1, artifact_id: 1 })) : null,
        ...(withScan && scan
          ? {
              scan_overview: {
                [SCAN_MIME]: typeof scan === 'string'
                  ? { scan_status: scan, severity: 'Unknown', report_id: 'r' }
                  : { scan_status: 'Success', severity: 'High', report_id: 'r', summary: { total: Object.values(scan).reduce((a, b) => a + b, 0), fixable: 0, summary: scan } },
              },
            }
          : {}),
        accessories: withAccessory && accessories.length ? accessories.map((type, i) => ({ id: 100 + i, artifact_id: 100 + i, subject_artifact_id: 1, size: 500, digest: `sha256:${String(i).repeat(64)}`, type, icon: '' })) : null,
      };
    });
    return list.sort((a, b) => b.push_time.localeCompare(a.push_time) || a.digest.localeCompare(b.digest));
  };

  const handle = (req: IncomingMessage, res: ServerResponse, rec: HarborApiRequest): void => {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    let user = '';
    if (m) {
      const text = Buffer.from(m[1]!, 'base64').toString('utf8');
      const colon = text.indexOf(':');
      user = text.slice(0, colon);
      rec.user = user;
      if (!check(user, text.slice(colon + 1))) return harborError(res, 401, 'UNAUTHORIZED', 'unauthorized');
    } else {
      return harborError(res, 401, 'UNAUTHORIZED', 'unauthorized');
    }
    const raw = (req.url ?? '/').split('?')[0]!;
    const del = req.method === 'DELETE' ? /^\/api\/v2\.0\/projects\/([^/]+)\/repositories\/([^/]+)$/.exec(raw) : null;
    if (del) {
      const project = decodeURIComponent(del[1]!);
      const repo = `${project}/${decodeURIComponent(decodeURIComponent(del[2]!))}`;
      if (!contents.has(repo) || !canSee(user, project)) return harborError(res, 404, 'NOT_FOUND', `repository ${repo} not found`);
      const deleters = opts.projects?.[project]?.deleters;
      if (deleters ? !deleters.includes(user) : user.includes('$')) return harborError(res, 403, 'FORBIDDEN', 'forbidden');
      void Promise.all([...new Set(contents.get(repo)!.map((t) => t.digest))].map((d) => registry.pusher.deleteManifest(repo, d))).then(
        () => {
          contents.delete(repo);
          sendJson(res, 200, {});
        },
        (e: unknown) => harborError(res, 500, 'INTERNAL_SERVER_ERROR', String(e)),
      );
      return;
    }
    if (raw === '/api/v2.0/projects') {
      const names = projectNames().filter((p) => canSee(user, p));
      return paged(res, url, names, (items) =>
        items.map((name, i) => ({ project_id: i + 1, name, repo_count: [...contents.keys()].filter((r) => projectOf(r) === name).length, metadata: { public: String(!!opts.projects?.[name]?.public) } })),
      );
    }
    const segs = raw.split('/');
    // ['', 'api', 'v2.0', 'projects', P, 'repositories', (R, 'artifacts')]
    if (segs.length >= 6 && segs[1] === 'api' && segs[2] === 'v2.0' && segs[3] === 'projects' && segs[5] === 'repositories') {
      const project = decodeURIComponent(segs[4]!);
      if (!projectNames().includes(project)) return harborError(res, 404, 'NOT_FOUND', `project ${project} not found`);
      if (!canSee(user, project)) return harborError(res, 403, 'FORBIDDEN', 'forbidden');
      if (segs.length === 6) {
        const repos = [...contents.keys()].filter((r) => projectOf(r) === project);
        return paged(res, url, repos, (items) =>
          items.map((name, i) => {
            const tags = contents.get(name) ?? [];
            const latest = tags.map((t) => t.created ?? '2024-01-01T00:00:00Z').sort().at(-1) ?? '2024-01-01T00:00:00Z';
            return { id: i + 1, project_id: 1, name, artifact_count: new Set(tags.map((t) => t.digest)).size, pull_count: 0, creation_time: latest, update_time: latest };
          }),
        );
      }
      if (segs.length === 8 && segs[7] === 'artifacts') {
        const once = decodeURIComponent(segs[6]!);
        // A single-encoded `/` arrives decoded here: Harbor's router no longer matches it.
        if (once.includes('/')) return harborError(res, 404, 'NOT_FOUND', '404 page not found');
        const repo = `${project}/${decodeURIComponent(once)}`;
        if (!contents.has(repo)) return harborError(res, 404, 'NOT_FOUND', `repository ${repo} not found`);
        return paged(res, url, artifactsOf(repo, url), (items) => items);
      }
    }
    return harborError(res, 404, 'NOT_FOUND', '404 page not found');
  };

  const server = recordingServer<HarborApiRequest>(
    requests,
    (req, url) => ({ method: req.method ?? '', path: (req.url ?? '/').split('?')[0]!, query: Object.fromEntries(url.searchParams), status: 0, authorization: !!req.headers.authorization }),
    handle,
    (res, e) => harborError(res, 500, 'INTERNAL_SERVER_ERROR', String(e)),
  );
  const front = await listenInFront(server, registry);

  return {
    apiUrl: front.url,
    registry,
    username,
    password: users[username] ?? password,
    requests,
    registryLogins,
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
