// The Registry HTTP API v2 client. One instance per connected registry: it owns the
// keep-alive connection pool, the token cache and what it learned about the server
// (scheme, auth mode, largest accepted page size), and stacks the transport layers:
//
//   request → auth (ping, scope, token, retry on 401) → retry (429/5xx) → redirect (origin
//   rules) → base (undici, body caps, error mapping)

import type { Dispatcher } from 'undici';
import { Authenticator } from './auth';
import type { CredentialSource } from './credentials';
import { connectionDispatcher, type ProxySettings } from './dispatcher';
import { parseEndpoint, httpAllowed } from './endpoint';
import { RegistryError, isRegistryError, parseErrorBody } from './errors';
import type { HttpRequest, HttpResponse, RoundTripper } from './http';
import {
  MANIFEST_ACCEPT,
  imageSize,
  isAttestation,
  isIndex,
  parseManifest,
  sha256Digest,
  verifiedDigest,
  type AnyManifest,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  type Platform,
} from './manifest';
import { nextLink, paginate, type Page } from './paging';
import type { RetryOptions } from './retry';
import { transportStack } from './stack';
import { TokenCache } from './tokenCache';

export interface RegistryClientOptions {
  /** What the user typed: `registry.example.com`, `localhost:5000`, `https://…`. */
  url: string;
  /** Allow plain HTTP and skip TLS verification (the user's explicit choice). */
  insecure?: boolean;
  /** Extra trusted CA certificate(s), PEM. */
  caPem?: string;
  credentials?: CredentialSource;
  proxy?: ProxySettings;
  connectTimeoutMs?: number;
  readTimeoutMs?: number;
  retry?: RetryOptions;
  userAgent?: string;
  /** Sockets (and so requests in flight) per registry. */
  connections?: number;
  /** First page size to ask for; stepped down when the server refuses it. */
  pageSize?: number;
  /** Share a dispatcher (and its pool) instead of creating one. */
  dispatcher?: Dispatcher;
  /** Observers, for statistics and logs. Never given credentials. */
  onRequest?: (method: string, url: URL, status: number) => void;
  onTokenFetch?: (scopes: string[]) => void;
  onRefreshToken?: (token: string) => void;
}

export interface ManifestResult {
  digest: string;
  mediaType: string;
  manifest: AnyManifest;
  raw: Buffer;
  size: number;
}

export interface ManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

export interface ImageConfig {
  created?: string;
  os?: string;
  architecture?: string;
  variant?: string;
}

export interface PlatformImage {
  platform: Platform;
  digest: string;
  mediaType: string;
  /** Config + layers: what a pull downloads. */
  size?: number;
  created?: string;
}

export interface ImageDetails {
  digest: string;
  mediaType: string;
  isIndex: boolean;
  /** Single image: config + layers; index: largest platform image. */
  size?: number;
  created?: string;
  platform?: Platform;
  platforms?: PlatformImage[];
}

export interface ListOptions {
  signal?: AbortSignal;
  /** Resume after this name (a `last=` the server gave us, or the last name shown). */
  last?: string;
  pageSize?: number;
}

const PAGE_SIZE_LADDER = [1000, 500, 250, 100, 50];
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

interface Session {
  base: URL;
  auth: Authenticator;
  /** Everything below auth; pings and token requests use it. */
  retry: RoundTripper;
  transport: RoundTripper;
}

export class RegistryClient {
  readonly stats = { requests: 0, tokenFetches: 0 };
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly tokenCache = new TokenCache();
  private session?: Promise<Session>;
  private pageSize: number;

  constructor(private readonly opts: RegistryClientOptions) {
    parseEndpoint(opts.url, opts.insecure); // fail fast on a bad address
    this.ownsDispatcher = !opts.dispatcher;
    this.dispatcher = opts.dispatcher ?? connectionDispatcher(opts);
    this.pageSize = opts.pageSize ?? PAGE_SIZE_LADDER[0]!;
  }

  /** The page size this registry accepted last (persist it to skip the probing next time). */
  get acceptedPageSize(): number {
    return this.pageSize;
  }

  /** Resolve the endpoint and learn how the registry authenticates. */
  async ping(signal?: AbortSignal): Promise<{ url: string; auth: 'none' | 'basic' | 'bearer' }> {
    const s = await this.connect(signal);
    const mode = await s.auth.ping(s.retry, signal);
    return { url: s.base.origin, auth: mode.kind };
  }

  /** Pages of repository names from `_catalog`. */
  catalogPages(opts: ListOptions = {}): AsyncGenerator<Page<string>> {
    return this.listPages('/v2/_catalog', 'repositories', opts, 'the catalog');
  }

  /** Pages of tag names. The reference registry ignores `n` and sends all tags at once. */
  tagPages(repository: string, opts: ListOptions = {}): AsyncGenerator<Page<string>> {
    return this.listPages(`/v2/${repository}/tags/list`, 'tags', opts, repository);
  }

  async listCatalog(opts: ListOptions = {}): Promise<string[]> {
    return collect(this.catalogPages(opts));
  }

  async listTags(repository: string, opts: ListOptions = {}): Promise<string[]> {
    return collect(this.tagPages(repository, opts));
  }

  async getManifest(repository: string, reference: string, signal?: AbortSignal): Promise<ManifestResult> {
    const res = await this.send({ method: 'GET', path: `/v2/${repository}/manifests/${reference}`, accept: MANIFEST_ACCEPT, signal });
    this.expectOk(res, `${repository}:${reference}`, 'manifest');
    const host = res.url.host;
    const requested = reference.includes(':') ? reference : undefined;
    const digest = verifiedDigest(res.body, res.headers.get('docker-content-digest'), requested, host);
    const { manifest, mediaType } = parseManifest(res.body, res.headers.get('content-type'), host);
    return { digest, mediaType, manifest, raw: res.body, size: res.body.length };
  }

  /** Digest without the body: HEAD, which Docker Hub does not count as a pull. */
  async headManifest(repository: string, reference: string, signal?: AbortSignal): Promise<ManifestHead> {
    const res = await this.send({ method: 'HEAD', path: `/v2/${repository}/manifests/${reference}`, accept: MANIFEST_ACCEPT, signal });
    this.expectOk(res, `${repository}:${reference}`, 'manifest');
    const digest = res.headers.get('docker-content-digest');
    if (!digest) {
      // Some registries omit the header on HEAD; the body is the only source of truth then.
      const full = await this.getManifest(repository, reference, signal);
      return { digest: full.digest, mediaType: full.mediaType, size: full.size };
    }
    return {
      digest,
      mediaType: res.headers.get('content-type')?.split(';')[0]?.trim() ?? '',
      size: Number(res.headers.get('content-length') ?? 0),
    };
  }

  async getBlob(repository: string, digest: string, signal?: AbortSignal, maxBytes = MAX_CONFIG_BYTES): Promise<Buffer> {
    const res = await this.send({ method: 'GET', path: `/v2/${repository}/blobs/${digest}`, signal, maxBodyBytes: maxBytes });
    this.expectOk(res, `${repository}@${digest}`, 'blob');
    if (digest.startsWith('sha256:') && sha256Digest(res.body) !== digest) {
      throw new RegistryError('protocol', `${res.url.host} sent a blob that does not match its digest ${digest}.`);
    }
    return res.body;
  }

  async getConfig(repository: string, config: Descriptor, signal?: AbortSignal): Promise<ImageConfig> {
    const body = await this.getBlob(repository, config.digest, signal);
    try {
      const json = JSON.parse(body.toString('utf8')) as ImageConfig;
      return { created: json.created, os: json.os, architecture: json.architecture, variant: json.variant };
    } catch {
      throw new RegistryError('protocol', `The image config ${config.digest} in ${repository} is not valid JSON.`);
    }
  }

  /**
   * What a person wants to know about a tag: digest, size, created time, and for an index its
   * runnable platforms (attestations skipped). `configs: false` skips the config blobs (no
   * created time) when only sizes are needed.
   */
  async imageDetails(repository: string, reference: string, opts: { signal?: AbortSignal; configs?: boolean } = {}): Promise<ImageDetails> {
    const top = await this.getManifest(repository, reference, opts.signal);
    if (!isIndex(top.manifest)) {
      const m = top.manifest as ImageManifest;
      const cfg = opts.configs === false || !m.config ? {} : await this.getConfig(repository, m.config, opts.signal);
      return {
        digest: top.digest,
        mediaType: top.mediaType,
        isIndex: false,
        size: imageSize(m),
        created: cfg.created,
        platform: cfg.os ? { os: cfg.os, architecture: cfg.architecture ?? 'unknown', ...(cfg.variant ? { variant: cfg.variant } : {}) } : undefined,
      };
    }
    const index = top.manifest as ImageIndex;
    const entries = index.manifests.filter((d) => !isAttestation(d));
    const platforms = await Promise.all(
      entries.map(async (d): Promise<PlatformImage> => {
        const child = await this.getManifest(repository, d.digest, opts.signal);
        if (isIndex(child.manifest)) return { platform: d.platform ?? { os: 'unknown', architecture: 'unknown' }, digest: d.digest, mediaType: d.mediaType };
        const m = child.manifest as ImageManifest;
        const cfg = opts.configs === false || !m.config ? {} : await this.getConfig(repository, m.config, opts.signal);
        return { platform: d.platform ?? { os: cfg.os ?? 'unknown', architecture: cfg.architecture ?? 'unknown' }, digest: d.digest, mediaType: d.mediaType, size: imageSize(m), created: cfg.created };
      }),
    );
    const sizes = platforms.map((p) => p.size ?? 0);
    const created = platforms.map((p) => p.created).filter((c): c is string => !!c).sort().at(-1);
    return { digest: top.digest, mediaType: top.mediaType, isIndex: true, size: sizes.length ? Math.max(...sizes) : undefined, created, platforms };
  }

  async deleteManifest(repository: string, digest: string, signal?: AbortSignal): Promise<void> {
    if (!digest.includes(':')) throw new RegistryError('invalid', 'Manifests are deleted by digest, not by tag.');
    const res = await this.send({ method: 'DELETE', path: `/v2/${repository}/manifests/${digest}`, signal });
    if (res.status === 405) {
      throw new RegistryError('forbidden', `${res.url.host} does not allow deleting images (deletion is disabled on this registry).`, { status: 405, code: parseErrorBody(res.body).code });
    }
    if (res.status !== 202 && res.status !== 200 && res.status !== 204) this.expectOk(res, `${repository}@${digest}`, 'manifest');
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close().catch(() => undefined);
  }

  // ——— internals ———

  private async *listPages(path: string, field: 'repositories' | 'tags', opts: ListOptions, what: string): AsyncGenerator<Page<string>> {
    const s = await this.connect(opts.signal);
    const first = new URL(path, s.base);
    let size = opts.pageSize ?? this.pageSize;
    first.searchParams.set('n', String(size));
    const kind = field === 'tags' ? 'tags' : 'catalog';
    const noun = field === 'tags' ? 'tag list' : 'catalog page';
    if (opts.last) first.searchParams.set('last', opts.last);

    const fetchPage = async (url: URL): Promise<Page<string>> => {
      for (;;) {
        const res = await this.send({ method: 'GET', url, accept: 'application/json', signal: opts.signal });
        if (res.status === 400 && pageSizeRefused(res) && url.searchParams.has('n')) {
          const smaller = PAGE_SIZE_LADDER.find((n) => n < size);
          if (!smaller) this.expectOk(res, what, kind);
          size = smaller!;
          if (!opts.pageSize) this.pageSize = size;
          url = new URL(url);
          url.searchParams.set('n', String(size));
          continue;
        }
        this.expectOk(res, what, kind);
        let json: Record<string, unknown>;
        try {
          json = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
        } catch {
          throw new RegistryError('protocol', `${res.url.host} sent a ${noun} that is not valid JSON.`);
        }
        const items = json[field];
        if (items !== null && items !== undefined && !Array.isArray(items)) {
          throw new RegistryError('protocol', `${res.url.host} sent a ${noun} without a “${field}” list.`);
        }
        return { items: ((items as unknown[] | null) ?? []).filter((x): x is string => typeof x === 'string'), next: nextLink(res.headers.getAll('link'), url) };
      }
    };
    yield* paginate(first, fetchPage);
  }

  private expectOk(res: HttpResponse, what: string, kind: 'manifest' | 'blob' | 'tags' | 'catalog'): void {
    if (res.status >= 200 && res.status < 300) return;
    const { code, message } = parseErrorBody(res.body);
    const host = res.url.host;
    const detail = message ? ` (${message})` : '';
    if (res.status === 404) {
      const text =
        kind === 'catalog'
          ? `${host} does not offer a repository catalog. Add the repository names to the connection instead.`
          : kind === 'tags'
            ? `Repository ${what} was not found on ${host}.`
            : `${kind === 'blob' ? 'Blob' : 'Image'} ${what} was not found on ${host}.`;
      throw new RegistryError('notFound', text, { status: 404, code });
    }
    if (res.status === 403) {
      throw new RegistryError('forbidden', `${host} denied access to ${kind === 'catalog' ? 'the repository catalog' : what}${detail}. Your credentials lack the permission.`, { status: 403, code });
    }
    if (res.status === 401) {
      throw new RegistryError('unauthorized', `${host} requires you to sign in to read ${what}.`, { status: 401, code });
    }
    if (res.status >= 500) {
      throw new RegistryError('network', `${host} had a server error (HTTP ${res.status}) reading ${what}${detail}. Try again shortly.`, { status: res.status, code });
    }
    throw new RegistryError('protocol', `${host} answered HTTP ${res.status} reading ${what}${detail}.`, { status: res.status, code });
  }

  private async send(r: { method: HttpRequest['method']; path?: string; url?: URL; accept?: string; signal?: AbortSignal; maxBodyBytes?: number }): Promise<HttpResponse> {
    const s = await this.connect(r.signal);
    const url = r.url ?? new URL(r.path!, s.base);
    return s.transport({
      method: r.method,
      url,
      headers: r.accept ? { accept: r.accept } : {},
      signal: r.signal,
      maxBodyBytes: r.maxBodyBytes,
    });
  }

  private layers(base: URL): RoundTripper {
    return transportStack({
      dispatcher: this.dispatcher,
      userAgent: this.opts.userAgent,
      origin: base,
      insecure: this.opts.insecure,
      retry: this.opts.retry,
      observe: (req, res) => {
        this.stats.requests++;
        this.opts.onRequest?.(req.method, req.url, res.status);
      },
    });
  }

  /** Pick the scheme (probing https then http where allowed and the user gave none) once. */
  private connect(signal?: AbortSignal): Promise<Session> {
    this.session ??= this.makeSession(signal).catch((e: unknown) => {
      this.session = undefined;
      throw e;
    });
    return this.session;
  }

  private async makeSession(signal?: AbortSignal): Promise<Session> {
    const insecure = !!this.opts.insecure;
    const endpoint = parseEndpoint(this.opts.url, insecure);
    const build = (base: URL): Session => {
      const retry = this.layers(base);
      const auth = new Authenticator({
        registry: base,
        credentials: this.opts.credentials,
        tokenTransport: retry,
        tokenCache: this.tokenCache,
        allowHttp: (u) => httpAllowed(u, insecure),
        onTokenFetch: (scopes) => {
          this.stats.tokenFetches++;
          this.opts.onTokenFetch?.(scopes);
        },
        onRefreshToken: this.opts.onRefreshToken,
      });
      return { base, auth, retry, transport: auth.transport(retry) };
    };
    const https = build(endpoint.url);
    if (!endpoint.schemeImplied || endpoint.url.protocol !== 'https:') return https;
    const plain = new URL(endpoint.url);
    plain.protocol = 'http:';
    if (!httpAllowed(plain, insecure)) return https;
    try {
      await https.auth.ping(https.retry, signal);
      return https;
    } catch (e) {
      if (isRegistryError(e) && (e.code === 'NOT_TLS' || e.kind === 'network')) {
        const fallback = build(new URL(plain.origin));
        try {
          await fallback.auth.ping(fallback.retry, signal);
          return fallback;
        } catch {
          throw e;
        }
      }
      throw e;
    }
  }
}

function pageSizeRefused(res: HttpResponse): boolean {
  const { code, message } = parseErrorBody(res.body);
  return code === 'PAGINATION_NUMBER_INVALID' || /less than or equal to|maxResults|page size/i.test(message ?? res.body.toString('utf8').slice(0, 500));
}

async function collect(pages: AsyncGenerator<Page<string>>): Promise<string[]> {
  const out: string[] = [];
  for await (const p of pages) out.push(...p.items);
  return out;
}
