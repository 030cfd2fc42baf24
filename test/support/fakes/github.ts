// A fake of the GitHub REST API's packages endpoints, speaking its wire format, in front of a
// real token-mode docker-registry that plays ghcr.io (its token server checks personal access
// tokens through `validPat`, as ghcr.io/token exchanges Basic user:PAT for a bearer token):
//
//   GET /user                                              {login, id, type} + X-OAuth-Scopes
//   GET /user/packages?package_type=container              the caller's own packages
//   GET /users/U/packages?package_type=container           U's packages the caller may see
//   GET /orgs/O/packages?package_type=container            O's packages the caller may see
//   GET /{user | users/U | orgs/O}/packages/container/NAME/versions
//                                                          versions newest first, tags in
//                                                          metadata.container.tags
//
// Arrays with `per_page` (default 30, at most 100) and `page`, `Link: <…>; rel="next"` (and
// last/prev/first), X-RateLimit-* headers; errors are `{message, documentation_url, status}`:
// 401 Bad credentials, 403 for a missing read:packages scope (with X-Accepted-OAuth-Scopes) or
// an exhausted rate limit, 404 Not Found. Packages and versions are read from the registry
// (`sync()`): the first path segment is the owner (user or organization), the rest the package
// name; one version per digest, plus `untaggedVersions` older untagged ones per package.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { RunningRegistry } from '../registry';
import { closeServer, listenLocal, sendJson } from './http';
import { readRegistry } from './registryContents';

export interface FakeGitHubUser {
  /** As GitHub spells it (may have upper case; ghcr.io names are its lower case). */
  login: string;
  /** Classic personal access token. */
  pat: string;
  /** Default ['read:packages', 'repo']. */
  scopes?: string[];
}

export interface FakeGitHubOptions {
  registry: RunningRegistry;
  users: FakeGitHubUser[];
  /** Organization login → member logins. */
  organizations?: Record<string, string[]>;
  /** `owner/name` packages that are private (only the owner or organization members see them). */
  privatePackages?: string[];
  /** Older untagged versions per package (GitHub keeps them after a tag moves); default 1. */
  untaggedVersions?: number;
}

export interface GitHubApiRequest {
  method: string;
  path: string;
  query: string;
  /** Login the token belongs to; undefined when anonymous or rejected. */
  user?: string;
  status: number;
}

export interface FakeGitHub {
  apiUrl: string;
  requests: GitHubApiRequest[];
  /** What ghcr.io's token endpoint accepts: a known PAT that may read packages (any username, as ghcr.io). */
  validPat(username: string, password: string): boolean;
  sync(): Promise<void>;
  setRateLimitRemaining(n: number): void;
  revokePat(login: string): void;
  reset(): void;
  stop(): Promise<void>;
}

interface Version {
  id: number;
  name: string;
  tags: string[];
  created: string;
}

interface Package {
  id: number;
  owner: string;
  ownerType: 'User' | 'Organization';
  name: string;
  private: boolean;
  versions: Version[];
  created: string;
  updated: string;
}

const DOCS = 'https://docs.github.com/rest';

export async function startFakeGitHub(opts: FakeGitHubOptions): Promise<FakeGitHub> {
  const users = opts.users.map((u) => ({ ...u, scopes: u.scopes ?? ['read:packages', 'repo'] }));
  const orgs = opts.organizations ?? {};
  const privatePackages = new Set((opts.privatePackages ?? []).map((p) => p.toLowerCase()));
  const untagged = opts.untaggedVersions ?? 1;
  const revoked = new Set<string>();
  const requests: GitHubApiRequest[] = [];
  let packages: Package[] = [];
  let apiUrl = '';
  let rateRemaining = 5000;
  const rateReset = Math.floor(Date.now() / 1000) + 3600;

  const userByPat = (pat: string): (typeof users)[number] | undefined => users.find((u) => u.pat === pat && !revoked.has(u.login));
  const ownerLogin = (lower: string): { login: string; type: 'User' | 'Organization' } | undefined => {
    const u = users.find((x) => x.login.toLowerCase() === lower);
    if (u) return { login: u.login, type: 'User' };
    const o = Object.keys(orgs).find((x) => x.toLowerCase() === lower);
    return o ? { login: o, type: 'Organization' } : undefined;
  };
  const canSee = (p: Package, login: string | undefined): boolean => {
    if (!p.private) return true;
    if (!login) return false;
    if (p.owner === login) return true;
    return (orgs[p.owner] ?? []).includes(login);
  };

  function packageJson(p: Package): Record<string, unknown> {
    const ownerPath = p.ownerType === 'User' ? `users/${p.owner}` : `orgs/${p.owner}`;
    return {
      id: p.id,
      name: p.name,
      package_type: 'container',
      owner: { login: p.owner, id: 1000 + p.id, type: p.ownerType },
      version_count: p.versions.length,
      visibility: p.private ? 'private' : 'public',
      url: `${apiUrl}/${ownerPath}/packages/container/${encodeURIComponent(p.name)}`,
      created_at: p.created,
      updated_at: p.updated,
      html_url: `https://github.com/${p.owner}/packages/container/package/${p.name}`,
    };
  }

  function versionJson(p: Package, v: Version): Record<string, unknown> {
    return {
      id: v.id,
      name: v.name,
      url: `${apiUrl}/packages/container/${encodeURIComponent(p.name)}/versions/${v.id}`,
      package_html_url: `https://github.com/${p.owner}/packages/container/package/${p.name}`,
      created_at: v.created,
      updated_at: v.created,
      html_url: `https://github.com/${p.owner}/packages/container/${p.name}/${v.id}`,
      metadata: { package_type: 'container', container: { tags: v.tags } },
    };
  }

  function paged(res: ServerResponse, url: URL, all: unknown[], extra: Record<string, string>): void {
    const per = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? '30') || 30));
    const page = Math.max(1, Number(url.searchParams.get('page') ?? '1') || 1);
    const last = Math.max(1, Math.ceil(all.length / per));
    const link = (n: number, rel: string): string => {
      const u = new URL(url.pathname, apiUrl);
      for (const [k, v] of url.searchParams) if (k !== 'page') u.searchParams.set(k, v);
      u.searchParams.set('page', String(n));
      return `<${u.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, 'prev'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'));
    sendJson(res, 200, all.slice((page - 1) * per, page * per), { ...extra, ...(links.length ? { link: links.join(', ') } : {}) });
  }

  function handle(req: IncomingMessage, res: ServerResponse, rec: GitHubApiRequest): void {
    const url = new URL(req.url ?? '/', apiUrl);
    const rate = (): Record<string, string> => ({
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(Math.max(0, rateRemaining)),
      'x-ratelimit-reset': String(rateReset),
      'x-ratelimit-resource': 'core',
      'x-github-api-version-selected': '2022-11-28',
    });
    if (req.method !== 'GET') return sendJson(res, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
    const auth = /^(?:Bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    let login: string | undefined;
    let scopes: string[] = [];
    if (req.headers.authorization !== undefined) {
      const u = auth ? userByPat(auth[1]!) : undefined;
      if (!u) return sendJson(res, 401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });
      login = u.login;
      scopes = u.scopes;
      rec.user = login;
    }
    if (rateRemaining <= 0) {
      return sendJson(res, 403, { message: `API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.`, documentation_url: DOCS, status: '403' }, rate());
    }
    rateRemaining--;
    const scopeHeaders: Record<string, string> = login ? { 'x-oauth-scopes': scopes.join(', '), 'x-accepted-oauth-scopes': '' } : {};
    const path = url.pathname;
    if (path === '/user') {
      if (!login) return sendJson(res, 401, { message: 'Requires authentication', documentation_url: DOCS, status: '401' }, rate());
      return sendJson(res, 200, { login, id: 4242, type: 'User', name: login }, { ...rate(), ...scopeHeaders });
    }
    const m = /^\/(user|users\/([^/]+)|orgs\/([^/]+))\/packages(?:\/container\/([^/]+)\/versions)?\/?$/.exec(path);
    if (!m) return sendJson(res, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' }, rate());
    // The packages API always wants a token (even for public packages) with read:packages.
    if (!login) return sendJson(res, 401, { message: 'Requires authentication', documentation_url: DOCS, status: '401' }, rate());
    if (!scopes.some((s) => s === 'read:packages' || s === 'write:packages' || s === 'delete:packages')) {
      return sendJson(
        res,
        403,
        { message: 'You need at least read:packages scope to list packages.', documentation_url: DOCS, status: '403' },
        { ...rate(), ...scopeHeaders, 'x-accepted-oauth-scopes': 'read:packages' },
      );
    }
    let owner: string | undefined;
    if (m[1] === 'user') owner = login;
    else {
      const given = decodeURIComponent(m[2] ?? m[3]!);
      const found = ownerLogin(given.toLowerCase());
      if (!found || (m[3] !== undefined) !== (found.type === 'Organization')) return sendJson(res, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' }, rate());
      owner = found.login;
    }
    const mine = packages.filter((p) => p.owner === owner && canSee(p, login));
    if (m[4] === undefined) {
      const type = url.searchParams.get('package_type');
      if (!type) return sendJson(res, 422, { message: 'Invalid request.\n\n"package_type" wasn\'t supplied.', documentation_url: DOCS, status: '422' }, rate());
      const list = type === 'container' ? mine : [];
      return paged(res, url, list.map(packageJson), { ...rate(), ...scopeHeaders });
    }
    const name = decodeURIComponent(m[4]);
    const p = mine.find((x) => x.name === name);
    if (!p) return sendJson(res, 404, { message: 'Package not found.', documentation_url: DOCS, status: '404' }, rate());
    return paged(res, url, p.versions.map((v) => versionJson(p, v)), { ...rate(), ...scopeHeaders });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const rec: GitHubApiRequest = { method: req.method ?? '', path: url.pathname, query: url.search, status: 0 };
    requests.push(rec);
    res.on('finish', () => {
      rec.status = res.statusCode;
    });
    try {
      handle(req, res, rec);
    } catch (e) {
      if (!res.headersSent) sendJson(res, 500, { message: String(e) });
      else res.destroy();
    }
    req.resume();
  });
  server.keepAliveTimeout = 2000;
  apiUrl = await listenLocal(server);

  let nextId = 1;
  const fake: FakeGitHub = {
    apiUrl,
    requests,
    validPat(_username, password) {
      const u = userByPat(password);
      return !!u && u.scopes.some((s) => s === 'read:packages' || s === 'write:packages' || s === 'delete:packages');
    },
    async sync() {
      const contents = await readRegistry(opts.registry, (r) => r.includes('/') && ownerLogin(r.split('/')[0]!) !== undefined);
      const next: Package[] = [];
      for (const [repo, tags] of contents) {
        const [ownerLower, ...rest] = repo.split('/');
        const owner = ownerLogin(ownerLower!)!;
        const byDigest = new Map<string, Version>();
        for (const t of tags) {
          const created = t.created ?? '2024-01-01T00:00:00Z';
          const v = byDigest.get(t.digest) ?? { id: 0, name: t.digest, tags: [], created };
          v.tags.push(t.tag);
          byDigest.set(t.digest, v);
        }
        const tagged = [...byDigest.values()].sort((a, b) => (a.created === b.created ? (a.name < b.name ? -1 : 1) : a.created < b.created ? 1 : -1));
        const old = Array.from({ length: untagged }, (_, i) => ({ id: 0, name: `sha256:${randomBytes(32).toString('hex')}`, tags: [], created: `2023-0${Math.min(9, i + 1)}-01T00:00:00Z` }));
        const versions = [...tagged, ...old].map((v) => ({ ...v, id: nextId++ }));
        const dates = versions.map((v) => v.created).sort();
        next.push({
          id: nextId++,
          owner: owner.login,
          ownerType: owner.type,
          name: rest.join('/'),
          private: privatePackages.has(repo),
          versions,
          created: dates[0]!,
          updated: dates.at(-1)!,
        });
      }
      packages = next;
    },
    setRateLimitRemaining(n) {
      rateRemaining = n;
    },
    revokePat(login) {
      revoked.add(login);
    },
    reset() {
      requests.length = 0;
    },
    async stop() {
      await closeServer(server);
    },
  };
  await fake.sync();
  return fake;
}
