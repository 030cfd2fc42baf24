// A fake of Docker Hub's control plane, speaking the Hub API's wire format, in front of a real
// token-mode docker-registry (whose token server accepts the same Docker ID + access token):
//
//   POST /v2/users/login                      {username, password} → {token} (an HS256 JWT with
//                                             exp/iat), 401 {"detail": "Incorrect authentication
//                                             credentials."}, 2FA accounts → login_2fa_token
//   GET  /v2/repositories/NS/?page_size=&page=           DRF-style pages: count/next/previous/results
//   GET  /v2/repositories/NS/NAME/tags?page_size=&page=&ordering=last_updated
//
// The JWT is checked on every API request (expired → 401 "Signature has expired.", revoked or
// forged → 401), and a request carrying a bad token fails even on a public namespace, as the
// Hub does. The repositories and tags are read from the registry (`sync()`), so what the API
// says matches what the registry serves. `registryUrl` is a reverse proxy to the registry that
// adds Docker Hub's pull-limit headers to manifest responses (GET counts, HEAD does not).
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent, request } from 'undici';
import type { RunningRegistry } from '../registry';
import { b64url, closeServer, listenLocal, readText, sendJson as send, signJwt, verifyJwt } from './http';
import { readRegistry, type TagFacts } from './registryContents';

export interface FakeDockerHubOptions {
  /** A token-mode registry (service `registry.docker.io` makes it look like the Hub's). */
  registry: RunningRegistry;
  /** Docker ID → personal access token. Default: the registry's user and password. */
  users?: Record<string, string>;
  /** Accounts with two-factor authentication: Docker ID → account password (answers with login_2fa_token). */
  twoFactorPasswords?: Record<string, string>;
  /** Organization → member Docker IDs. */
  organizations?: Record<string, string[]>;
  /** `ns/name` repositories only the namespace's owner or members see. */
  privateRepositories?: string[];
  /** Session JWT lifetime; default 600 s. */
  sessionSeconds?: number;
  /** Pull limit the registry proxy reports; default 100 per 6 h. */
  pullLimit?: number;
  /** How far the Hub's clock is ahead of ours (negative: behind), in seconds: iat/exp and expiry checks use it. */
  clockSkewSeconds?: number;
}

export interface HubApiRequest {
  method: string;
  path: string;
  query: string;
  /** What the Authorization header carried. */
  auth: 'none' | 'valid' | 'expired' | 'revoked' | 'invalid';
  user?: string;
  status: number;
}

export interface FakeDockerHub {
  /** Hub API base: `http://127.0.0.1:PORT`. */
  apiUrl: string;
  /** The registry, through the pull-limit proxy. */
  registryUrl: string;
  requests: HubApiRequest[];
  /** Sign-in attempts, in order. */
  logins: { username: string; ok: boolean }[];
  /** Registry requests through the proxy. */
  registryRequests: { method: string; path: string; status: number }[];
  /** What the API currently serves: `ns/name` → tags (newest first), with the Hub's dates. */
  repositories: Map<string, HubTagRecord[]>;
  pullsRemaining: number;
  /** Re-read the registry (after pushing). */
  sync(): Promise<void>;
  setSessionSeconds(seconds: number): void;
  /** The Hub's clock, this many seconds ahead of ours (negative: behind), from now on. */
  setClockSkew(seconds: number): void;
  /** Invalidate every session issued so far (a password change on the Hub). */
  revokeSessions(): void;
  setUserToken(user: string, token: string): void;
  reset(): void;
  stop(): Promise<void>;
}

export interface HubTagRecord extends TagFacts {
  lastUpdated: string;
  id: number;
}

const NAMESPACE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** Docker Hub answers `application/json` with no charset. */
function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  send(res, status, body, { 'content-type': 'application/json', ...extra });
}

export async function startFakeDockerHub(opts: FakeDockerHubOptions): Promise<FakeDockerHub> {
  const reg = opts.registry;
  const users: Record<string, string> = { ...(opts.users ?? (reg.username ? { [reg.username]: reg.password! } : {})) };
  const twoFactor = { ...(opts.twoFactorPasswords ?? {}) };
  const orgs = opts.organizations ?? {};
  const privateRepos = new Set(opts.privateRepositories ?? []);
  let sessionSeconds = opts.sessionSeconds ?? 600;
  let skewMs = (opts.clockSkewSeconds ?? 0) * 1000;
  /** The Hub's idea of the time. */
  const hubNow = (): number => Date.now() + skewMs;
  let revokedBefore = 0;
  const secret = randomBytes(32);
  const pullLimit = opts.pullLimit ?? 100;

  const requests: HubApiRequest[] = [];
  const logins: { username: string; ok: boolean }[] = [];
  const registryRequests: { method: string; path: string; status: number }[] = [];
  let repositories = new Map<string, HubTagRecord[]>();
  let apiUrl = '';

  // ——— sessions ———
  let serial = 0;
  function issue(username: string): string {
    const now = Math.floor(hubNow() / 1000);
    return signJwt(secret, {
      'https://hub.docker.com': { username, email: `${username}@example.test`, role_id: '', session_id: randomUUID(), source: 'pat' },
      sub: randomUUID(),
      username,
      iat: now,
      exp: now + sessionSeconds,
      jti: `${++serial}-${randomBytes(6).toString('hex')}`,
      iss: 'https://hub.docker.com',
      issued_ms: Date.now(),
    });
  }

  function check(auth: string | undefined): { state: HubApiRequest['auth']; user?: string } {
    if (!auth) return { state: 'none' };
    const m = /^(?:Bearer|JWT)\s+(\S+)$/i.exec(auth);
    if (!m) return { state: 'invalid' };
    const claims = verifyJwt(secret, m[1]!) as { username: string; exp: number; issued_ms: number } | undefined;
    if (!claims) return { state: 'invalid' };
    if (claims.issued_ms <= revokedBefore) return { state: 'revoked', user: claims.username };
    if (claims.exp * 1000 <= hubNow()) return { state: 'expired', user: claims.username };
    return { state: 'valid', user: claims.username };
  }

  // ——— data ———
  function namespaceExists(ns: string): boolean {
    if (users[ns] !== undefined || twoFactor[ns] !== undefined || orgs[ns]) return true;
    return [...repositories.keys()].some((r) => r.startsWith(`${ns}/`));
  }

  function canSee(repo: string, user: string | undefined): boolean {
    if (!privateRepos.has(repo)) return true;
    const ns = repo.split('/')[0]!;
    return user !== undefined && (user === ns || (orgs[ns] ?? []).includes(user));
  }

  function repoJson(full: string, tags: HubTagRecord[]): Record<string, unknown> {
    const [ns, name] = full.split('/') as [string, string];
    const last = tags.map((t) => t.lastUpdated).sort().at(-1) ?? null;
    return {
      name,
      namespace: ns,
      repository_type: 'image',
      status: 1,
      status_description: 'active',
      description: '',
      is_private: privateRepos.has(full),
      star_count: 0,
      pull_count: 0,
      last_updated: last,
      last_modified: last,
      date_registered: '2023-06-01T00:00:00.000000Z',
      affiliation: '',
      media_types: [...new Set(tags.map((t) => t.mediaType))],
      content_types: ['image'],
      categories: [],
      storage_size: tags.reduce((n, t) => n + t.size, 0),
    };
  }

  function tagJson(full: string, t: HubTagRecord): Record<string, unknown> {
    return {
      creator: 4242,
      id: t.id,
      images: t.platforms.map((p) => ({
        architecture: p.architecture,
        features: '',
        variant: p.variant ?? null,
        digest: p.digest,
        os: p.os,
        os_features: '',
        os_version: null,
        size: p.size,
        status: 'active',
        last_pulled: null,
        last_pushed: t.lastUpdated,
      })),
      last_updated: t.lastUpdated,
      last_updater: 4242,
      last_updater_username: full.split('/')[0],
      name: t.tag,
      repository: 1000,
      full_size: t.size,
      v2: true,
      tag_status: 'active',
      tag_last_pulled: null,
      tag_last_pushed: t.lastUpdated,
      media_type: t.mediaType,
      content_type: hubContentType(t.artifactMediaType),
      digest: t.digest,
    };
  }

  /** DRF page-number pagination, with absolute next/previous links. */
  function paged(res: ServerResponse, url: URL, all: unknown[]): void {
    const sizeText = url.searchParams.get('page_size');
    const size = sizeText === null ? 10 : Number(sizeText);
    if (!Number.isInteger(size) || size < 1 || size > 100) {
      sendJson(res, 400, { message: 'page_size must be an integer between 1 and 100', errinfo: { page_size: sizeText } });
      return;
    }
    const page = Number(url.searchParams.get('page') ?? '1');
    const pages = Math.max(1, Math.ceil(all.length / size));
    if (!Number.isInteger(page) || page < 1 || page > pages) {
      sendJson(res, 404, { detail: 'Invalid page.' });
      return;
    }
    const link = (p: number): string => {
      const u = new URL(url.pathname, apiUrl);
      for (const [k, v] of url.searchParams) if (k !== 'page') u.searchParams.set(k, v);
      u.searchParams.set('page', String(p));
      return u.toString();
    };
    sendJson(res, 200, {
      count: all.length,
      next: page < pages ? link(page + 1) : null,
      previous: page > 1 ? link(page - 1) : null,
      results: all.slice((page - 1) * size, page * size),
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse, rec: HubApiRequest): Promise<void> {
    const url = new URL(req.url ?? '/', apiUrl);
    if (req.method === 'POST' && url.pathname === '/v2/users/login') {
      const text = await readText(req);
      let body: { username?: unknown; password?: unknown } = {};
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        sendJson(res, 400, { detail: 'JSON parse error' });
        return;
      }
      const missing = Object.fromEntries(['username', 'password'].filter((k) => typeof body[k as 'username'] !== 'string' || !body[k as 'username']).map((k) => [k, ['This field is required.']]));
      if (Object.keys(missing).length) {
        sendJson(res, 400, missing);
        return;
      }
      const username = String(body.username).toLowerCase();
      rec.user = username;
      if (twoFactor[username] !== undefined && twoFactor[username] === body.password) {
        logins.push({ username, ok: false });
        sendJson(res, 401, { detail: 'Two factor authentication required', login_2fa_token: b64url(randomBytes(24)) });
        return;
      }
      if (users[username] === undefined || users[username] !== body.password) {
        logins.push({ username, ok: false });
        sendJson(res, 401, { detail: 'Incorrect authentication credentials.' });
        return;
      }
      logins.push({ username, ok: true });
      sendJson(res, 200, { token: issue(username) });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'DELETE') {
      sendJson(res, 405, { detail: `Method "${req.method}" not allowed.` });
      return;
    }
    const auth = check(req.headers.authorization);
    rec.auth = auth.state;
    rec.user = auth.user;
    if (auth.state === 'expired') return sendJson(res, 401, { detail: 'Signature has expired.' });
    if (auth.state === 'revoked') return sendJson(res, 401, { detail: 'Token is invalid or expired' });
    if (auth.state === 'invalid') return sendJson(res, 401, { detail: 'Error decoding signature.' });
    const user = auth.state === 'valid' ? auth.user : undefined;

    if (req.method === 'DELETE') {
      // Only the namespace's owner or an organization member deletes; the images go from the registry too.
      const m = /^\/v2\/repositories\/([^/]+)\/([^/]+)\/?$/.exec(url.pathname);
      if (!m) return sendJson(res, 405, { detail: 'Method "DELETE" not allowed.' });
      if (!user) return sendJson(res, 401, { detail: 'Authentication credentials were not provided.' });
      const [ns, name] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
      const tags = repositories.get(`${ns}/${name}`);
      if (!tags) return sendJson(res, 404, { message: 'httperror 404: object not found', errinfo: { namespace: ns, repository: name } });
      if (user !== ns && !(orgs[ns] ?? []).includes(user)) return sendJson(res, 403, { detail: 'You do not have permission to perform this action.' });
      for (const digest of new Set(tags.map((t) => t.digest))) await reg.pusher.deleteManifest(`${ns}/${name}`, digest);
      repositories.delete(`${ns}/${name}`);
      res.writeHead(202);
      res.end();
      return;
    }

    const repoList = /^\/v2\/repositories\/([^/]+)\/?$/.exec(url.pathname);
    if (repoList) {
      const ns = decodeURIComponent(repoList[1]!);
      if (!NAMESPACE.test(ns) || !namespaceExists(ns)) return sendJson(res, 404, { message: 'httperror 404: object not found', errinfo: { namespace: ns } });
      const list = [...repositories.entries()].filter(([name]) => name.startsWith(`${ns}/`) && canSee(name, user)).map(([name, tags]) => repoJson(name, tags));
      return paged(res, url, list);
    }
    const tagList = /^\/v2\/repositories\/([^/]+)\/([^/]+)\/tags\/?$/.exec(url.pathname);
    if (tagList) {
      const full = `${decodeURIComponent(tagList[1]!)}/${decodeURIComponent(tagList[2]!)}`;
      const tags = repositories.get(full);
      if (!tags || !canSee(full, user)) return sendJson(res, 404, { message: 'httperror 404: object not found', errinfo: { namespace: full.split('/')[0], repository: full.split('/')[1] } });
      const ordering = url.searchParams.get('ordering');
      const sorted = ordering === 'last_updated' || ordering === '-last_updated' ? tags : [...tags].sort((a, b) => (a.tag < b.tag ? -1 : 1));
      return paged(res, url, sorted.map((t) => tagJson(full, t)));
    }
    sendJson(res, 404, { detail: 'Not found.' });
  }

  const api = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const rec: HubApiRequest = { method: req.method ?? '', path: url.pathname, query: url.search, auth: 'none', status: 0 };
    requests.push(rec);
    res.on('finish', () => {
      rec.status = res.statusCode;
    });
    handle(req, res, rec).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { detail: String(e) });
      else res.destroy();
    });
  });
  api.keepAliveTimeout = 2000;
  apiUrl = await listenLocal(api);

  // ——— registry proxy with pull-limit headers ———
  let pullsRemaining = pullLimit;
  const agent = new Agent({ keepAliveTimeout: 5000 });
  const proxy = createServer((req, res) => {
    const path = req.url ?? '/';
    const manifest = /^\/v2\/.+\/manifests\/[^/]+$/.test(path.split('?')[0]!);
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !['host', 'connection', 'keep-alive', 'transfer-encoding'].includes(k)) headers[k] = v;
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : req;
    request(`${reg.url}${path}`, { method: req.method as 'GET', headers, body, dispatcher: agent })
      .then(async (up) => {
        const out: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !['connection', 'keep-alive', 'transfer-encoding'].includes(k)) out[k] = v;
        if (manifest && up.statusCode === 200) {
          if (req.method === 'GET') pullsRemaining = Math.max(0, pullsRemaining - 1);
          out['ratelimit-limit'] = `${pullLimit};w=21600`;
          out['ratelimit-remaining'] = `${pullsRemaining};w=21600`;
          out['docker-ratelimit-source'] = '127.0.0.1';
        }
        registryRequests.push({ method: req.method ?? '', path, status: up.statusCode });
        res.writeHead(up.statusCode, out);
        if (req.method === 'HEAD') {
          await up.body.dump();
          res.end();
        } else {
          for await (const chunk of up.body) res.write(chunk);
          res.end();
        }
      })
      .catch((e: unknown) => {
        if (!res.headersSent) sendJson(res, 502, { errors: [{ code: 'UNKNOWN', message: String(e) }] });
        else res.destroy();
      });
  });
  proxy.keepAliveTimeout = 2000;
  const registryUrl = await listenLocal(proxy);

  let nextId = 1;
  const fake: FakeDockerHub = {
    apiUrl,
    registryUrl,
    requests,
    logins,
    registryRequests,
    get repositories() {
      return repositories;
    },
    get pullsRemaining() {
      return pullsRemaining;
    },
    async sync() {
      // Docker Hub has exactly two-part names.
      const contents = await readRegistry(reg, (r) => r.split('/').length === 2);
      const next = new Map<string, HubTagRecord[]>();
      for (const [repo, tags] of contents) {
        const records = tags.map((t) => ({ ...t, lastUpdated: toHubDate(t.created), id: nextId++ }));
        // ordering=last_updated: most recent first; ties by name.
        records.sort((a, b) => (a.lastUpdated === b.lastUpdated ? (a.tag < b.tag ? -1 : 1) : a.lastUpdated < b.lastUpdated ? 1 : -1));
        next.set(repo, records);
      }
      repositories = next;
    },
    setSessionSeconds(seconds) {
      sessionSeconds = seconds;
    },
    setClockSkew(seconds) {
      skewMs = seconds * 1000;
    },
    revokeSessions() {
      revokedBefore = Date.now();
    },
    setUserToken(user, token) {
      users[user] = token;
    },
    reset() {
      requests.length = 0;
      logins.length = 0;
      registryRequests.length = 0;
    },
    async stop() {
      await closeServer(api);
      await closeServer(proxy);
      await agent.close();
    },
  };
  await fake.sync();
  return fake;
}

/** `2024-01-26T23:44:44Z` → `2024-01-26T23:44:44.000000Z`, the Hub's six-digit form. */
/** Hub's tag `content_type`: what it recognised from the config media type. */
function hubContentType(configMediaType: string | undefined): string {
  if (configMediaType === 'application/vnd.cncf.helm.config.v1+json') return 'helm';
  if (!configMediaType || /container\.image|image\.config/.test(configMediaType)) return 'image';
  return 'unrecognized';
}

function toHubDate(iso: string | undefined): string {
  const d = iso ? new Date(iso) : new Date('2023-06-01T00:00:00Z');
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
