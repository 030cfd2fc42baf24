// A fake of GitLab's REST API (v4, the container registry part) in front of a real token-mode
// docker-registry whose token server stands in for GitLab's JWT service (GITLAB/jwt/auth): it
// takes an access token with read_registry as the password (any user name), or a deploy
// token with its own user name. What the API tells matches what the registry holds.
//
//   GET /api/v4/groups/:id/registry/repositories?per_page=&page=
//   GET /api/v4/projects/:id/registry/repositories?per_page=&page=&tags_count=
//        [{id, name, path, project_id, location, created_at, cleanup_policy_started_at, tags_count?}]
//   GET /api/v4/projects/:id/registry/repositories/:rid/tags?per_page=&page=
//        [{name, path, location}]   (no digest, no date: that is what the detail call is for)
//   GET /api/v4/projects/:id/registry/repositories/:rid/tags/:name
//        {name, path, location, revision, short_revision, digest, created_at, total_size}
//
// `:id` is a numeric id or a URL-encoded full path. Paging as GitLab does it: `per_page`
// capped at 100 (default 20), `X-Page`, `X-Per-Page`, `X-Total`, `X-Total-Pages`,
// `X-Next-Page`, `X-Prev-Page`, and a `Link` of absolute URLs (rel next/prev/first/last).
// Auth: `PRIVATE-TOKEN` (or `Authorization: Bearer`). Unknown token → 401 `{message: "401
// Unauthorized"}`; expired → 401 invalid_token "Token has expired."; without read_api or api
// → 403 insufficient_scope; a group or project the token's user cannot see → 404.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startRegistry, type RunningRegistry } from '../registry';
import { listenInFront, recordingServer, sendJson } from './http';
import { readRegistry, type TagFacts } from './registryContents';

export interface GitLabTokenInfo {
  scopes: string[];
  expired?: boolean;
}

export interface FakeGitLabOptions {
  /** Project full paths; every registry repository belongs to the longest one it starts with. */
  projects: string[];
  /** access token → its scopes. Default: one token with read_api and read_registry. */
  tokens?: Record<string, GitLabTokenInfo>;
  /** deploy token user name → token (read_registry). */
  deployTokens?: Record<string, string>;
  /** Groups (and their projects) the token's user is not a member of: 404. */
  hiddenGroups?: string[];
  /** The largest per_page honoured (GitLab: 100); smaller makes paging testable. */
  pageCap?: number;
  /** Leave out the Link header (older GitLab behind some proxies): X-Next-Page only. */
  noLink?: boolean;
}

export interface GitLabApiRequest {
  method: string;
  /** The raw path, as sent. */
  path: string;
  query: Record<string, string>;
  token?: string;
  status: number;
}

export interface FakeGitLab {
  apiUrl: string;
  registry: RunningRegistry;
  token: string;
  requests: GitLabApiRequest[];
  registryLogins: { user: string; ok: boolean }[];
  setTokens(tokens: Record<string, GitLabTokenInfo>): void;
  sync(): Promise<void>;
  reset(): void;
  stop(): Promise<void>;
}

export async function startFakeGitLab(opts: FakeGitLabOptions): Promise<FakeGitLab> {
  const token = `glpat-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  let tokens: Record<string, GitLabTokenInfo> = opts.tokens ?? { [token]: { scopes: ['read_api', 'read_registry'] } };
  const deploy = opts.deployTokens ?? {};
  const registryLogins: { user: string; ok: boolean }[] = [];
  const projects = [...opts.projects].sort();
  const hidden = opts.hiddenGroups ?? [];

  const registry = await startRegistry({
    mode: 'token',
    tokenServer: {
      service: 'container_registry',
      validate: (user, password) => {
        const t = tokens[password];
        const ok = (deploy[user] !== undefined && deploy[user] === password) || (!!t && !t.expired && t.scopes.some((s) => s === 'read_registry' || s === 'api'));
        registryLogins.push({ user, ok });
        return ok;
      },
    },
  });

  let contents = new Map<string, TagFacts[]>();
  const requests: GitLabApiRequest[] = [];
  const registryHost = new URL(registry.url).host;
  const projectOf = (repo: string): string | undefined => projects.filter((p) => repo === p || repo.startsWith(`${p}/`)).sort((a, b) => b.length - a.length)[0];
  const repoList = (): { id: number; path: string; project: string }[] =>
    [...contents.keys()].flatMap((path, i) => {
      const project = projectOf(path);
      return project ? [{ id: i + 1, path, project }] : [];
    });
  const projectId = (p: string): number => projects.indexOf(p) + 1;
  const isHidden = (path: string): boolean => hidden.some((g) => path === g || path.startsWith(`${g}/`));

  const paged = <T>(req: IncomingMessage, res: ServerResponse, url: URL, all: T[], body: (items: T[]) => unknown): void => {
    const perPage = Math.min(opts.pageCap ?? 100, Math.max(1, Number(url.searchParams.get('per_page') ?? 20) || 20));
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const pages = Math.max(1, Math.ceil(all.length / perPage));
    const items = all.slice((page - 1) * perPage, page * perPage);
    const link = (p: number): string => {
      const u = new URL(url.toString());
      const origin = `http://${req.headers.host}`;
      u.searchParams.set('page', String(p));
      u.searchParams.set('per_page', String(perPage));
      return `${origin}${u.pathname}${u.search}`;
    };
    const links: string[] = [];
    if (page > 1) links.push(`<${link(page - 1)}>; rel="prev"`);
    if (page < pages) links.push(`<${link(page + 1)}>; rel="next"`);
    links.push(`<${link(1)}>; rel="first"`, `<${link(pages)}>; rel="last"`);
    sendJson(res, 200, body(items), {
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-total': String(all.length),
      'x-total-pages': String(pages),
      'x-next-page': page < pages ? String(page + 1) : '',
      'x-prev-page': page > 1 ? String(page - 1) : '',
      ...(opts.noLink ? {} : { link: links.join(', ') }),
    });
  };

  const repoJson = (r: { id: number; path: string; project: string }, tagsCount: boolean) => {
    const tags = contents.get(r.path) ?? [];
    const created = tags.map((t) => t.created ?? '2024-01-01T00:00:00Z').sort()[0] ?? '2024-01-01T00:00:00Z';
    return {
      id: r.id,
      name: r.path === r.project ? '' : r.path.slice(r.project.length + 1),
      path: r.path,
      project_id: projectId(r.project),
      location: `${registryHost}/${r.path}`,
      created_at: created,
      cleanup_policy_started_at: null,
      status: null,
      ...(tagsCount ? { tags_count: tags.length } : {}),
    };
  };

  const handle = (req: IncomingMessage, res: ServerResponse, rec: GitLabApiRequest): void => {
    const url = new URL(req.url ?? '/', 'http://x');
    const given = (req.headers['private-token'] as string | undefined) ?? /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    rec.token = given;
    const t = given ? tokens[given] : undefined;
    if (!t) return sendJson(res, 401, { message: '401 Unauthorized' });
    if (t.expired) return sendJson(res, 401, { error: 'invalid_token', error_description: 'Token has expired.' });
    if (!t.scopes.some((s) => s === 'read_api' || s === 'api')) {
      return sendJson(res, 403, { error: 'insufficient_scope', error_description: 'The request requires higher privileges than provided by the access token.', scope: 'api read_api' });
    }
    const raw = (req.url ?? '/').split('?')[0]!;
    const m = /^\/api\/v4\/(groups|projects)\/([^/]+)\/registry\/repositories(?:\/(\d+)(?:\/tags(?:\/([^/]+))?)?)?$/.exec(raw);
    if (!m) return sendJson(res, 404, { error: '404 Not Found' });
    const [, kind, rawId, rid, rawTag] = m;
    const id = decodeURIComponent(rawId!);
    if (kind === 'groups') {
      const known = projects.some((p) => p.startsWith(`${id}/`));
      if (!known || isHidden(id)) return sendJson(res, 404, { message: '404 Group Not Found' });
      const repos = repoList().filter((r) => r.project.startsWith(`${id}/`));
      return paged(req, res, url, repos, (items) => items.map((r) => repoJson(r, false)));
    }
    const project = /^\d+$/.test(id) ? projects[Number(id) - 1] : projects.find((p) => p === id);
    if (!project || isHidden(project)) return sendJson(res, 404, { message: '404 Project Not Found' });
    const repos = repoList().filter((r) => r.project === project);
    if (!rid) return paged(req, res, url, repos, (items) => items.map((r) => repoJson(r, url.searchParams.get('tags_count') === 'true')));
    const repo = repos.find((r) => r.id === Number(rid));
    if (!repo) return sendJson(res, 404, { message: '404 Repository Not Found' });
    if (raw.endsWith(`/repositories/${rid}`)) {
      if (req.method !== 'DELETE') return sendJson(res, 404, { error: '404 Not Found' });
      // Deleting takes the `api` scope; GitLab answers 202 and deletes in the background (here: at once).
      if (!t.scopes.includes('api')) return sendJson(res, 403, { error: 'insufficient_scope', error_description: 'The request requires higher privileges than provided by the access token.', scope: 'api' });
      const path = repo.path;
      void Promise.all([...new Set((contents.get(path) ?? []).map((x) => x.digest))].map((d) => registry.pusher.deleteManifest(path, d))).then(
        () => {
          contents.delete(path);
          sendJson(res, 202, {});
        },
        (e: unknown) => sendJson(res, 500, { message: String(e) }),
      );
      return;
    }
    const tags = [...(contents.get(repo.path) ?? [])].sort((a, b) => a.tag.localeCompare(b.tag));
    if (!rawTag) return paged(req, res, url, tags, (items) => items.map((x) => ({ name: x.tag, path: `${repo.path}:${x.tag}`, location: `${registryHost}/${repo.path}:${x.tag}` })));
    const tag = tags.find((x) => x.tag === decodeURIComponent(rawTag));
    if (!tag) return sendJson(res, 404, { message: '404 Tag Not Found' });
    return sendJson(res, 200, {
      name: tag.tag,
      path: `${repo.path}:${tag.tag}`,
      location: `${registryHost}/${repo.path}:${tag.tag}`,
      revision: tag.digest.slice(7),
      short_revision: tag.digest.slice(7, 16),
      digest: tag.digest,
      created_at: tag.created ?? '2024-01-01T00:00:00Z',
      total_size: tag.size,
    });
  };

  const server = recordingServer<GitLabApiRequest>(
    requests,
    (req, url) => ({ method: req.method ?? '', path: (req.url ?? '/').split('?')[0]!, query: Object.fromEntries(url.searchParams), status: 0 }),
    handle,
    (res, e) => sendJson(res, 500, { message: String(e) }),
  );
  const front = await listenInFront(server, registry);

  return {
    apiUrl: front.url,
    registry,
    token,
    requests,
    registryLogins,
    setTokens(t) {
      tokens = t;
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
