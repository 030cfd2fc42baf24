// The floor: the fewest requests each task can be done in, on a keep-alive undici Agent, with
// no layers, checks or error mapping. It knows what a real client must discover (the largest
// page the registry accepts comes from the bench's own config), so no client can beat it
// except by noise:
//   catalog  `_catalog?n=<maxentries>`, following Link until there is none;
//   tags     one `tags/list` (the reference registry ignores `n` and sends every tag);
//   resolve  the index, then every platform's manifest → config chain concurrently.
// Token mode: a request goes out without credentials, the 401's challenge names realm,
// service and scope, one token per scope is fetched (Basic) and reused. That 401 is the least
// any client pays to learn the realm, so it counts towards the floor too.
import { Agent, request } from 'undici';
import { orderTags } from '../../src/ui/tree/sort';
import { ACCEPT_ALL_MANIFESTS, platformName, runnable, type BenchClient, type ClientFactory, type DatedTags, type IndexEntry, type ResolvedImage, type Target } from './types';

interface Got {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** `Bearer realm="…",service="…",scope="…"`: enough for the reference registry's challenge. */
function parseBearer(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of header.replace(/^Bearer\s+/i, '').matchAll(/([a-z_]+)="([^"]*)"/gi)) out[m[1]!.toLowerCase()] = m[2]!;
  return out;
}

function nextLink(link: string | string[] | undefined, base: URL): URL | undefined {
  for (const v of Array.isArray(link) ? link : link ? [link] : []) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(v);
    if (m) return new URL(m[1]!, base);
  }
  return undefined;
}

class Floor implements BenchClient {
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, connections: 16 });
  private readonly base: URL;
  private readonly tokens = new Map<string, Promise<string>>();

  constructor(private readonly t: Target) {
    this.base = new URL(t.url);
  }

  private async send(url: URL, accept: string, token?: string, method: 'GET' | 'HEAD' = 'GET'): Promise<Got> {
    const res = await request(url, {
      method,
      dispatcher: this.agent,
      headers: { accept, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
  }

  /** GET with the scope's token once known; the first 401 of a scope fetches it (single flight). */
  private async get(url: URL, scope: string, accept = 'application/json', method: 'GET' | 'HEAD' = 'GET'): Promise<Got> {
    const known = this.tokens.get(scope);
    let res = await this.send(url, accept, known ? await known : undefined, method);
    if (res.status === 401 && this.t.username !== undefined) {
      let pending = this.tokens.get(scope);
      if (!pending || pending === known) {
        pending = this.fetchToken(first(res.headers['www-authenticate']) ?? '');
        this.tokens.set(scope, pending);
      }
      res = await this.send(url, accept, await pending, method);
    }
    if (res.status !== 200) throw new Error(`floor: GET ${url.pathname} → ${res.status} ${res.body.toString('utf8').slice(0, 200)}`);
    return res;
  }

  private async fetchToken(challenge: string): Promise<string> {
    const c = parseBearer(challenge);
    if (!c.realm) throw new Error(`floor: no bearer realm in ${challenge}`);
    const u = new URL(c.realm);
    if (c.service) u.searchParams.set('service', c.service);
    if (c.scope) u.searchParams.set('scope', c.scope);
    const basic = Buffer.from(`${this.t.username}:${this.t.password ?? ''}`).toString('base64');
    const res = await request(u, { dispatcher: this.agent, headers: { authorization: `Basic ${basic}` } });
    const body = (await res.body.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (res.statusCode !== 200 || !token) throw new Error(`floor: token fetch → ${res.statusCode}`);
    return token;
  }

  async catalog(): Promise<string[]> {
    const out: string[] = [];
    let url: URL | undefined = new URL(`/v2/_catalog?n=${this.t.maxEntries}`, this.base);
    while (url) {
      const res = await this.get(url, 'registry:catalog:*');
      out.push(...((JSON.parse(res.body.toString('utf8')) as { repositories?: string[] }).repositories ?? []));
      url = nextLink(res.headers.link, url);
    }
    return out;
  }

  async tags(repo: string): Promise<string[]> {
    const out: string[] = [];
    let url: URL | undefined = new URL(`/v2/${repo}/tags/list`, this.base);
    while (url) {
      const res = await this.get(url, `repository:${repo}:pull`);
      out.push(...((JSON.parse(res.body.toString('utf8')) as { tags?: string[] }).tags ?? []));
      url = nextLink(res.headers.link, url);
    }
    return out;
  }

  async resolve(repo: string, ref: string): Promise<ResolvedImage> {
    const scope = `repository:${repo}:pull`;
    const top = await this.get(new URL(`/v2/${repo}/manifests/${ref}`, this.base), scope, ACCEPT_ALL_MANIFESTS);
    const index = JSON.parse(top.body.toString('utf8')) as { manifests: IndexEntry[] };
    const platforms = await Promise.all(
      runnable(index.manifests).map(async (d) => {
        const m = await this.get(new URL(`/v2/${repo}/manifests/${d.digest}`, this.base), scope, ACCEPT_ALL_MANIFESTS);
        const manifest = JSON.parse(m.body.toString('utf8')) as { config: { digest: string } };
        const c = await this.get(new URL(`/v2/${repo}/blobs/${manifest.config.digest}`, this.base), scope);
        const config = JSON.parse(c.body.toString('utf8')) as { created?: string };
        return { platform: platformName(d.platform), digest: d.digest, created: config.created };
      }),
    );
    return { digest: first(top.headers['docker-content-digest']), platforms };
  }

  /**
   * The least work that dates the visible page: the tag list, the first 100 in the tree's order,
   * a HEAD each for its digest (16 at a time: the pool's 16 connections), then one manifest +
   * config per distinct digest.
   */
  async tagsWithDates(repo: string): Promise<DatedTags> {
    const started = performance.now();
    const names = await this.tags(repo);
    const listedMs = performance.now() - started;
    const visible = orderTags(names.map((name) => ({ name })), 'semver').tags.slice(0, 100).map((t) => t.name);
    const scope = `repository:${repo}:pull`;
    const digests = new Map<string, string[]>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < visible.length) {
          const tag = visible[next++]!;
          const h = await this.get(new URL(`/v2/${repo}/manifests/${tag}`, this.base), scope, ACCEPT_ALL_MANIFESTS, 'HEAD');
          const d = first(h.headers['docker-content-digest'])!;
          digests.set(d, [...(digests.get(d) ?? []), tag]);
        }
      }),
    );
    let dated = 0;
    await Promise.all(
      [...digests].map(async ([d, tags]) => {
        const m = await this.get(new URL(`/v2/${repo}/manifests/${d}`, this.base), scope, ACCEPT_ALL_MANIFESTS);
        const manifest = JSON.parse(m.body.toString('utf8')) as { config: { digest: string } };
        const c = await this.get(new URL(`/v2/${repo}/blobs/${manifest.config.digest}`, this.base), scope);
        if ((JSON.parse(c.body.toString('utf8')) as { created?: string }).created) dated += tags.length;
      }),
    );
    return { tags: names.length, dated, listedMs, visible: visible.length };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

export const floor: ClientFactory = {
  key: 'floor',
  name: 'floor (raw undici keep-alive)',
  tagsWithDates: true,
  create: (t) => new Floor(t),
};
