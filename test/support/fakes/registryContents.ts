// Reads what a real test registry holds (repositories, tags, digests, sizes, created dates),
// so that a fake control-plane API (Docker Hub's, GitHub's packages API) tells the same story
// as the registry behind it. Token requests carry INTERNAL_HEADER and so stay out of the
// token server's counts; reads use the registry's own test user.
import { Agent, request } from 'undici';
import { mapLimit } from '../limit';
import { FULL_ACCEPT, MT } from '../mediaTypes';
import type { RunningRegistry } from '../registry';
import { INTERNAL_HEADER } from '../tokenServer';

export interface PlatformImage {
  os: string;
  architecture: string;
  variant?: string;
  digest: string;
  /** config + layers */
  size: number;
}

export interface TagFacts {
  tag: string;
  digest: string;
  mediaType: string;
  /** Single image: config + layers; index: the largest platform image. */
  size: number;
  /** Runnable platforms (attestations left out). */
  platforms: PlatformImage[];
  /** The image config's `created` (latest of an index's platforms). */
  created?: string;
  /** A single manifest's artifactType, else its config's media type (what control planes report as its type). */
  artifactMediaType?: string;
}

/** repository → its tags, each repository's tags in name order. */
export type RegistryContents = Map<string, TagFacts[]>;

interface Manifest {
  mediaType?: string;
  artifactType?: string;
  config?: { digest: string; size: number; mediaType?: string };
  layers?: { size: number }[];
  manifests?: { digest: string; platform?: { os: string; architecture: string; variant?: string } }[];
}

export class RegistryReader {
  private readonly agent = new Agent({ keepAliveTimeout: 5000 });
  private readonly tokens = new Map<string, Promise<string | undefined>>();
  private readonly manifests = new Map<string, Promise<{ body: Manifest; mediaType: string; digest: string }>>();
  private readonly created = new Map<string, Promise<string | undefined>>();

  constructor(private readonly reg: RunningRegistry) {}

  async close(): Promise<void> {
    await this.agent.close();
  }

  async read(only?: (repository: string) => boolean): Promise<RegistryContents> {
    const repos = (await this.catalog()).filter((r) => !only || only(r));
    const out: RegistryContents = new Map();
    await mapLimit(repos, 12, async (repo) => {
      const tags = [...((await this.json<{ tags: string[] | null }>(`/v2/${repo}/tags/list`, repo)).tags ?? [])].sort();
      const facts = await mapLimit(tags, 8, (tag) => this.tagFacts(repo, tag));
      out.set(repo, facts);
    });
    return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  private async catalog(): Promise<string[]> {
    const all: string[] = [];
    let path: string | undefined = '/v2/_catalog?n=1000';
    while (path) {
      const res = await this.get(path, 'registry:catalog:*');
      const body = JSON.parse(res.body) as { repositories?: string[] };
      all.push(...(body.repositories ?? []));
      const link = /<([^>]+)>;\s*rel="next"/.exec(res.link ?? '');
      path = link ? link[1] : undefined;
    }
    return all;
  }

  private async tagFacts(repo: string, tag: string): Promise<TagFacts> {
    const top = await this.manifest(repo, tag);
    if (top.body.manifests) {
      const platforms: PlatformImage[] = [];
      const dates: string[] = [];
      for (const d of top.body.manifests) {
        if (!d.platform || d.platform.os === 'unknown') continue;
        const child = await this.manifest(repo, d.digest);
        platforms.push({ ...d.platform, digest: d.digest, size: imageSize(child.body) });
        const c = await this.createdOf(repo, child.body);
        if (c) dates.push(c);
      }
      return {
        tag,
        digest: top.digest,
        mediaType: top.mediaType,
        size: Math.max(0, ...platforms.map((p) => p.size)),
        platforms,
        ...(dates.length ? { created: dates.sort().at(-1)! } : {}),
      };
    }
    const created = await this.createdOf(repo, top.body);
    const cfg = top.body.config ? await this.configPlatform(repo, top.body.config.digest) : undefined;
    const artifactMediaType = top.body.artifactType ?? top.body.config?.mediaType;
    return {
      tag,
      digest: top.digest,
      mediaType: top.mediaType,
      size: imageSize(top.body),
      platforms: cfg ? [{ ...cfg, digest: top.digest, size: imageSize(top.body) }] : [],
      ...(created ? { created } : {}),
      ...(artifactMediaType ? { artifactMediaType } : {}),
    };
  }

  private manifest(repo: string, ref: string): Promise<{ body: Manifest; mediaType: string; digest: string }> {
    const key = ref.includes(':') ? ref : `${repo}:${ref}`;
    let p = this.manifests.get(key);
    if (!p) {
      p = (async () => {
        const res = await this.get(`/v2/${repo}/manifests/${ref}`, `repository:${repo}:pull`, { accept: FULL_ACCEPT });
        const body = JSON.parse(res.body) as Manifest;
        return { body, mediaType: res.contentType ?? body.mediaType ?? MT.dockerManifest, digest: res.digest! };
      })();
      this.manifests.set(key, p);
    }
    return p;
  }

  private createdOf(repo: string, m: Manifest): Promise<string | undefined> {
    if (!m.config) return Promise.resolve(undefined);
    const digest = m.config.digest;
    let p = this.created.get(digest);
    if (!p) {
      p = this.get(`/v2/${repo}/blobs/${digest}`, `repository:${repo}:pull`).then((r) => (JSON.parse(r.body) as { created?: string }).created);
      this.created.set(digest, p);
    }
    return p;
  }

  private async configPlatform(repo: string, digest: string): Promise<{ os: string; architecture: string; variant?: string } | undefined> {
    const res = await this.get(`/v2/${repo}/blobs/${digest}`, `repository:${repo}:pull`);
    const c = JSON.parse(res.body) as { os?: string; architecture?: string; variant?: string };
    return c.os ? { os: c.os, architecture: c.architecture ?? 'unknown', ...(c.variant ? { variant: c.variant } : {}) } : undefined;
  }

  private async json<T>(path: string, repo: string): Promise<T> {
    return JSON.parse((await this.get(path, `repository:${repo}:pull`)).body) as T;
  }

  private async get(path: string, scope: string, headers: Record<string, string> = {}): Promise<{ body: string; link?: string; digest?: string; contentType?: string }> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.token(scope, attempt > 0);
      const res = await request(`${this.reg.url}${path}`, {
        dispatcher: this.agent,
        headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      });
      const body = await res.body.text();
      if (res.statusCode === 401 && attempt === 0) continue;
      if (res.statusCode !== 200) throw new Error(`registry reader: GET ${path} → ${res.statusCode}: ${body.slice(0, 300)}`);
      const h = (n: string): string | undefined => {
        const v = res.headers[n];
        return Array.isArray(v) ? v.join(', ') : v;
      };
      return { body, link: h('link'), digest: h('docker-content-digest'), contentType: h('content-type')?.split(';')[0] };
    }
  }

  private token(scope: string, fresh: boolean): Promise<string | undefined> {
    const ts = this.reg.tokenServer;
    if (!ts) return Promise.resolve(undefined);
    let p = fresh ? undefined : this.tokens.get(scope);
    if (!p) {
      p = (async () => {
        const u = new URL(ts.realm);
        u.searchParams.set('service', ts.service);
        u.searchParams.set('scope', scope);
        const basic = Buffer.from(`${this.reg.username}:${this.reg.password}`).toString('base64');
        const res = await request(u, { dispatcher: this.agent, headers: { [INTERNAL_HEADER]: 'fake-reader', authorization: `Basic ${basic}` } });
        const body = JSON.parse(await res.body.text()) as { token?: string };
        return body.token;
      })();
      this.tokens.set(scope, p);
    }
    return p;
  }
}

function imageSize(m: Manifest): number {
  return (m.config?.size ?? 0) + (m.layers ?? []).reduce((n, l) => n + l.size, 0);
}

export async function readRegistry(reg: RunningRegistry, only?: (repository: string) => boolean): Promise<RegistryContents> {
  const reader = new RegistryReader(reg);
  try {
    return await reader.read(only);
  } finally {
    await reader.close();
  }
}
