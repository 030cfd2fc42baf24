// A fake of the Artifact Registry REST API (artifactregistry.googleapis.com/v1) for Docker
// repositories, speaking its wire protocol and telling the same story as the real registry
// behind it: what it lists is read from that registry (catalog, tags, manifests, config blobs).
//
//   GET /v1/projects/P/locations/L/repositories/R                      repositories.get
//   GET /v1/projects/P/locations/L/repositories?pageSize&pageToken     repositories.list
//   GET /v1/projects/P/locations/L/repositories/R/packages?…           packages.list
//   GET /v1/…/repositories/R/packages/PKG/versions?view=FULL&…         versions.list
//
// Package ids are image names with `/` escaped as `%2F` (`team%2Fapi`), as Google's are.
// Requests need `Authorization: Bearer <access token>` that the fake Google token endpoint
// issued and that is still valid (`isValid`); errors are Google's JSON error envelope
// (`{"error":{"code","message","status","details"}}`). A repository `P/L/R` holds the
// registry's repositories named `P/R/...`, as `L-docker.pkg.dev/P/R/IMAGE` does.

import { createServer, type ServerResponse } from 'node:http';
import { Agent, request } from 'undici';
import { FULL_ACCEPT } from '../mediaTypes';
import type { RunningRegistry } from '../registry';
import { INTERNAL_HEADER } from '../tokenServer';
import { closeServer, listenLocal } from './http';

export interface FakeArRepository {
  project: string;
  location: string;
  repository: string;
  /** Default DOCKER; anything else is listed but holds no images. */
  format?: string;
}

export interface ArRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: Record<string, string>;
  status: number;
  /** The account the token belonged to, when valid. */
  email?: string;
}

export interface FakeArtifactRegistryOptions {
  registry: RunningRegistry;
  repositories: FakeArRepository[];
  /** The account a bearer token belongs to, or undefined when it is not (or no longer) valid. */
  isValid: (token: string) => string | undefined;
  /** Which accounts may do what (`artifactregistry.packages.list`…); default: everyone everything. */
  allow?: (email: string, permission: string, resource: string) => boolean;
  /** Projects whose Artifact Registry API is disabled. */
  disabledProjects?: string[];
}

export interface FakeArtifactRegistry {
  /** Base URL for `apiBaseUrls.artifactregistry`. */
  url: string;
  requests: ArRequest[];
  setAllow(allow: FakeArtifactRegistryOptions['allow']): void;
  stop(): Promise<void>;
}

interface Version {
  digest: string;
  tags: string[];
  mediaType: string;
  size: number;
  buildTime?: string;
}

const MAX_PAGE = 1000;
const DEFAULT_PAGE = 100;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function googleError(code: number, status: string, message: string, details?: unknown[]): { error: Record<string, unknown> } {
  return { error: { code, message, status, ...(details ? { details } : {}) } };
}

function pageOf<T>(items: T[], query: Record<string, string>): { items: T[]; next?: string } | { error: string } {
  const size = query.pageSize === undefined ? DEFAULT_PAGE : Number(query.pageSize);
  if (!Number.isInteger(size) || size < 0) return { error: `Invalid value for pageSize: ${query.pageSize}` };
  const n = size === 0 ? DEFAULT_PAGE : Math.min(size, MAX_PAGE);
  let start = 0;
  if (query.pageToken) {
    const decoded = /^o(\d+)$/.exec(Buffer.from(query.pageToken, 'base64url').toString('utf8'));
    if (!decoded) return { error: 'Invalid page token.' };
    start = Number(decoded[1]);
  }
  const slice = items.slice(start, start + n);
  const end = start + slice.length;
  return { items: slice, ...(end < items.length ? { next: Buffer.from(`o${end}`).toString('base64url') } : {}) };
}

/** Reads the real registry with the test user (internal token fetches stay out of the counts). */
class Reader {
  private readonly agent = new Agent({ keepAliveTimeout: 5000 });
  private readonly tokens = new Map<string, Promise<string>>();

  constructor(private readonly reg: RunningRegistry) {}

  close(): Promise<void> {
    return this.agent.close();
  }

  private token(scope: string): Promise<string> {
    let t = this.tokens.get(scope);
    if (!t) {
      t = (async () => {
        const ts = this.reg.tokenServer;
        if (!ts) return '';
        const url = new URL(ts.realm);
        url.searchParams.set('service', ts.service);
        url.searchParams.set('scope', scope);
        const res = await request(url, {
          dispatcher: this.agent,
          headers: { authorization: `Basic ${Buffer.from(`${this.reg.username}:${this.reg.password}`).toString('base64')}`, [INTERNAL_HEADER]: '1' },
        });
        const body = (await res.body.json()) as { token: string };
        return body.token;
      })();
      this.tokens.set(scope, t);
      // Registry tokens live minutes; the fake reads for seconds. Forget them soon anyway.
      setTimeout(() => this.tokens.delete(scope), 30_000).unref();
    }
    return t;
  }

  async get(path: string, scope: string, accept?: string): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
    const token = await this.token(scope);
    const res = await request(new URL(path, this.reg.url), {
      dispatcher: this.agent,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(accept ? { accept } : {}) },
    });
    return { status: res.statusCode, body: await res.body.text(), headers: res.headers };
  }

  async catalog(): Promise<string[]> {
    const out: string[] = [];
    let path: string | undefined = '/v2/_catalog?n=1000';
    while (path) {
      const res = await this.get(path, 'registry:catalog:*');
      out.push(...((JSON.parse(res.body) as { repositories?: string[] }).repositories ?? []));
      const link = /<([^>]+)>;\s*rel="next"/.exec(String(res.headers.link ?? ''));
      path = link?.[1];
    }
    return out;
  }

  async versions(repo: string): Promise<Version[]> {
    const scope = `repository:${repo}:pull`;
    const tags = (JSON.parse((await this.get(`/v2/${repo}/tags/list`, scope)).body) as { tags?: string[] | null }).tags ?? [];
    const byDigest = new Map<string, Version>();
    for (const tag of [...tags].sort()) {
      const res = await this.get(`/v2/${repo}/manifests/${tag}`, scope, FULL_ACCEPT);
      const digest = String(res.headers['docker-content-digest']);
      const known = byDigest.get(digest);
      if (known) {
        known.tags.push(tag);
        continue;
      }
      const m = JSON.parse(res.body) as { mediaType?: string; config?: { digest: string; size: number }; layers?: { size: number }[]; manifests?: { digest: string }[] };
      const mediaType = String(res.headers['content-type'] ?? m.mediaType ?? '');
      let size = 0;
      let buildTime: string | undefined;
      if (m.config) {
        size = m.config.size + (m.layers ?? []).reduce((a, l) => a + l.size, 0);
        const cfg = JSON.parse((await this.get(`/v2/${repo}/blobs/${m.config.digest}`, scope)).body) as { created?: string };
        buildTime = cfg.created;
      }
      byDigest.set(digest, { digest, tags: [tag], mediaType, size, ...(buildTime ? { buildTime } : {}) });
    }
    return [...byDigest.values()].sort((a, b) => (a.digest < b.digest ? -1 : 1));
  }
}

export async function startFakeArtifactRegistry(opts: FakeArtifactRegistryOptions): Promise<FakeArtifactRegistry> {
  const reader = new Reader(opts.registry);
  const requests: ArRequest[] = [];
  let allow = opts.allow;
  const disabled = new Set(opts.disabledProjects ?? []);
  /** First time the fake saw a digest: its upload time. */
  const seen = new Map<string, string>();
  const started = new Date().toISOString();

  const find = (p: string, l: string, r: string) => opts.repositories.find((x) => x.project === p && x.location === l && x.repository === r);
  const repoJson = (x: FakeArRepository) => ({
    name: `projects/${x.project}/locations/${x.location}/repositories/${x.repository}`,
    format: x.format ?? 'DOCKER',
    mode: 'STANDARD_REPOSITORY',
    createTime: started,
    updateTime: started,
  });

  async function route(method: string, path: string, query: Record<string, string>, email: string): Promise<{ status: number; body: unknown }> {
    const segs = path.split('/').slice(1); // v1, projects, P, locations, L, repositories, …
    if (method !== 'GET' || segs[0] !== 'v1' || segs[1] !== 'projects' || segs[3] !== 'locations' || segs[5] !== 'repositories') {
      return { status: 404, body: googleError(404, 'NOT_FOUND', `The requested URL ${path} was not found on this server.`) };
    }
    const [project, location] = [segs[2]!, segs[4]!];
    if (disabled.has(project)) {
      return {
        status: 403,
        body: googleError(
          403,
          'PERMISSION_DENIED',
          `Artifact Registry API has not been used in project ${project} before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/artifactregistry.googleapis.com/overview?project=${project} then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.`,
          [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'SERVICE_DISABLED', domain: 'googleapis.com', metadata: { service: 'artifactregistry.googleapis.com', consumer: `projects/${project}` } }],
        ),
      };
    }
    const check = (permission: string, resource: string) =>
      !allow || allow(email, permission, resource)
        ? undefined
        : {
            status: 403,
            body: googleError(403, 'PERMISSION_DENIED', `Permission '${permission}' denied on resource '//artifactregistry.googleapis.com/${resource}' (or it may not exist).`, [
              { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'IAM_PERMISSION_DENIED', domain: 'artifactregistry.googleapis.com', metadata: { permission, resource } },
            ]),
          };
    const parent = `projects/${project}/locations/${location}`;
    if (segs.length === 6) {
      const denied = check('artifactregistry.repositories.list', parent);
      if (denied) return denied;
      const all = opts.repositories.filter((x) => x.project === project && x.location === location).sort((a, b) => (a.repository < b.repository ? -1 : 1));
      const page = pageOf(all, query);
      if ('error' in page) return { status: 400, body: googleError(400, 'INVALID_ARGUMENT', page.error) };
      return { status: 200, body: { repositories: page.items.map(repoJson), ...(page.next ? { nextPageToken: page.next } : {}) } };
    }
    const repo = find(project, location, segs[6]!);
    const repoName = `${parent}/repositories/${segs[6]}`;
    if (segs.length === 7) {
      const denied = check('artifactregistry.repositories.get', repoName);
      if (denied) return denied;
      return repo ? { status: 200, body: repoJson(repo) } : { status: 404, body: googleError(404, 'NOT_FOUND', 'Requested entity was not found.') };
    }
    if (segs[7] !== 'packages' || (segs.length !== 8 && !(segs.length === 10 && segs[9] === 'versions'))) {
      return { status: 404, body: googleError(404, 'NOT_FOUND', `The requested URL ${path} was not found on this server.`) };
    }
    const permission = segs.length === 8 ? 'artifactregistry.packages.list' : 'artifactregistry.versions.list';
    const denied = check(permission, repoName);
    if (denied) return denied;
    if (!repo) return { status: 404, body: googleError(404, 'NOT_FOUND', 'Requested entity was not found.') };
    const prefix = `${repo.project}/${repo.repository}/`;
    if (segs.length === 8) {
      const images = (repo.format ?? 'DOCKER') === 'DOCKER' ? (await reader.catalog()).filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length)) : [];
      const page = pageOf(images.sort(), query);
      if ('error' in page) return { status: 400, body: googleError(400, 'INVALID_ARGUMENT', page.error) };
      return {
        status: 200,
        body: {
          packages: page.items.map((image) => ({ name: `${repoName}/packages/${encodeURIComponent(image)}`, createTime: started, updateTime: started })),
          ...(page.next ? { nextPageToken: page.next } : {}),
        },
      };
    }
    // The path segment is the package id as the resource name spells it (`team%2Fapi`).
    const packageId = segs[8]!;
    const image = decodeURIComponent(packageId);
    if (!(await reader.catalog()).includes(prefix + image)) return { status: 404, body: googleError(404, 'NOT_FOUND', 'Requested entity was not found.') };
    const full = query.view === 'FULL';
    const versions = await reader.versions(prefix + image);
    const page = pageOf(versions, query);
    if ('error' in page) return { status: 400, body: googleError(400, 'INVALID_ARGUMENT', page.error) };
    const pkgName = `${repoName}/packages/${encodeURIComponent(image)}`;
    return {
      status: 200,
      body: {
        versions: page.items.map((v) => {
          const uploaded = seen.get(v.digest) ?? new Date().toISOString();
          seen.set(v.digest, uploaded);
          const name = `${pkgName}/versions/${v.digest}`;
          return {
            name,
            createTime: uploaded,
            updateTime: uploaded,
            ...(full
              ? {
                  relatedTags: v.tags.map((t) => ({ name: `${pkgName}/tags/${t}`, version: name })),
                  metadata: {
                    name: `${repoName}/dockerImages/${encodeURIComponent(image)}@${v.digest}`,
                    imageSizeBytes: String(v.size),
                    mediaType: v.mediaType,
                    ...(v.buildTime ? { buildTime: v.buildTime } : {}),
                  },
                }
              : {}),
          };
        }),
        ...(page.next ? { nextPageToken: page.next } : {}),
      },
    };
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // Google keeps `%2F` in resource names: split on the raw path, not the decoded one.
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams);
    const rec: ArRequest = { method: req.method ?? 'GET', path, query, status: 0 };
    requests.push(rec);
    res.on('finish', () => (rec.status = res.statusCode));
    req.resume();
    const auth = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const email = auth ? opts.isValid(auth[1]!) : undefined;
    if (!email) {
      send(
        res,
        401,
        googleError(
          401,
          'UNAUTHENTICATED',
          'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
          [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: auth ? 'ACCESS_TOKEN_EXPIRED' : 'CREDENTIALS_MISSING', domain: 'googleapis.com' }],
        ),
        { 'www-authenticate': `Bearer realm="https://accounts.google.com/"${auth ? ', error="invalid_token"' : ''}` },
      );
      return;
    }
    rec.email = email;
    route(rec.method, path, query, email).then(
      (out) => send(res, out.status, out.body),
      (e: unknown) => send(res, 500, googleError(500, 'INTERNAL', `fake: ${String(e)}`)),
    );
  });
  server.keepAliveTimeout = 2000;
  const url = await listenLocal(server);
  return {
    url,
    requests,
    setAllow(a) {
      allow = a;
    },
    async stop() {
      await closeServer(server);
      await reader.close();
    },
  };
}
