// The Registry HTTP API v2 client. One instance per connected registry: it owns the
// keep-alive connection pool, the token cache and what it learned about the server
// (scheme, auth mode, largest accepted page size), and stacks the transport layers:
//
//   request → auth (ping, scope, token, retry on 401) → retry (429/5xx) → redirect (origin
//   rules) → base (undici, body caps, error mapping)

import { createHash } from 'node:crypto';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Dispatcher } from 'undici';
import { artifactFacts, isImageConfig, type ArtifactFacts } from './artifactKind';
import { Authenticator } from './auth';
import type { CredentialSource } from './credentials';
import { isValidDigest } from './digest';
import { connectionDispatcher, type ProxySettings } from './dispatcher';
import type { Resolver } from './resolvedAddress';
import { apiUrl, parseEndpoint, httpAllowed } from './endpoint';
import { RegistryError, isRegistryError, parseErrorBody } from './errors';
import { parseHelmConfig, type HelmChartMeta } from './helmChart';
import { DEFAULT_DEADLINE_MS, type HttpRequest, type HttpResponse, type RoundTripper } from './http';
import {
  MANIFEST_ACCEPT,
  buildKitAttestations,
  imageSize,
  isAttestation,
  isIndex,
  parseImageConfig,
  parseManifest,
  verifiedDigest,
  type AnyManifest,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  type Platform,
} from './manifest';
import { collectPages, nextLink, paginate, truncationError, type Collected, type Page, type PageLimits } from './paging';
import { readNameListPage } from './offThread';
import type { RetryOptions } from './retry';
import { transportStack } from './stack';
import { TokenCache } from './tokenCache';

export interface RegistryClientOptions {
  /**
   * What the user typed: `registry.example.com`, `localhost:5000`, `https://…`; a path is the
   * API's base path (`https://host/artifactory/api/docker/KEY`: requests go to `…/KEY/v2/…`).
   */
  url: string;
  /** Allow plain HTTP and skip TLS verification (the user's explicit choice). */
  insecure?: boolean;
  /** Extra trusted CA certificate(s), PEM. */
  caPem?: string;
  credentials?: CredentialSource;
  proxy?: ProxySettings;
  connectTimeoutMs?: number;
  /** Idle time allowed for the headers, then between body chunks. */
  readTimeoutMs?: number;
  /** Time allowed for one whole exchange, headers to last byte (a server may drip). */
  requestDeadlineMs?: number;
  retry?: RetryOptions;
  userAgent?: string;
  /** Sockets, and requests in flight, per registry. */
  connections?: number;
  /** First page size to ask for; stepped down when the server refuses it. */
  pageSize?: number;
  /** Bounds of one listing walk (defaults: PAGE_LIMITS). */
  pageLimits?: PageLimits;
  /**
   * A full page (exactly as many names as asked for) without a `Link` may not be the last one: ask for
   * the names after its last (`last=`, the spec's own parameter). Nexus group repositories
   * send no `Link` at all (NEXUS-35956), so their listings stopped at the first page. A server
   * that ignores `last` sends the same page again, and the walk ends as cut short.
   */
  continueFullPages?: boolean;
  /** Images of one index that `imageDetails` looks at (default 64). */
  maxIndexEntries?: number;
  /** Share a dispatcher (and its pool) instead of creating one. */
  dispatcher?: Dispatcher;
  /** The name resolver of a dispatcher created here (default `dns.lookup`); tests inject one. */
  resolve?: Resolver;
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
  /** Images in the index beyond the ones looked at (`platforms` lists the first few only). */
  platformsNotShown?: number;
  /** What the manifest holds when it is not a plain image (artifactKind.ts). */
  artifact?: ArtifactFacts;
  /** A Helm chart's Chart.yaml facts, from its config. */
  chart?: HelmChartMeta;
  /** BuildKit attestation entries of an index: their digest and the image each describes. */
  attestations?: { digest: string; subject?: string }[];
}

export interface ListOptions {
  signal?: AbortSignal;
  /** Resume after this name (a `last=` the server gave us, or the last name shown). */
  last?: string;
  pageSize?: number;
}

/** One request for `exchange`: a path under the registry's base, or a full URL (an upload Location). */
export interface Exchange {
  method: HttpRequest['method'];
  path?: string;
  url?: URL;
  accept?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  upload?: HttpRequest['upload'];
  streamBody?: boolean;
  signal?: AbortSignal;
  maxBodyBytes?: number;
  deadlineMs?: number;
}

const PAGE_SIZE_LADDER = [1000, 500, 250, 100, 50];
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
/** Real multi-arch images have a handful of platforms; an index is one tag row, not a crawl. */
const MAX_INDEX_ENTRIES = 64;

interface Session {
  /** The registry's origin. */
  base: URL;
  /** Where `/v2/` sits on it (`/repository/NAME`); absent at the root. */
  basePath?: string;
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
  /**
   * Requests in flight to this registry, whoever asks (tree rows, an index's children, Find):
   * one client per registry, so one limiter per registry. It holds a slot only for one
   * exchange, never while waiting for another, so nested calls cannot deadlock on it.
   */
  private readonly limit: LimitFunction;

  constructor(private readonly opts: RegistryClientOptions) {
    const endpoint = parseEndpoint(opts.url, opts.insecure, { basePath: true }); // fail fast on a bad address
    this.ownsDispatcher = !opts.dispatcher;
    // The host the user typed may resolve to their company's private addresses (resolvedAddress.ts).
    this.dispatcher = opts.dispatcher ?? connectionDispatcher({ ...opts, chosenHost: endpoint.url.hostname });
    this.pageSize = opts.pageSize ?? PAGE_SIZE_LADDER[0]!;
    this.limit = pLimit(opts.connections ?? 16);
  }

  /** The page size this registry accepted last (persist it to skip the probing next time). */
  get acceptedPageSize(): number {
    return this.pageSize;
  }

  /** Resolve the endpoint and learn how the registry authenticates. */
  async ping(signal?: AbortSignal): Promise<{ url: string; auth: 'none' | 'basic' | 'bearer' }> {
    const s = await this.connect(signal);
    const mode = await s.auth.ping(s.retry, signal);
    return { url: `${s.base.origin}${s.basePath ?? ''}`, auth: mode.kind };
  }

  /** Pages of repository names from `_catalog`. */
  catalogPages(opts: ListOptions = {}): AsyncGenerator<Page<string>> {
    return this.listPages('/v2/_catalog', 'repositories', opts, 'the catalog');
  }

  /** Pages of tag names. The reference registry ignores `n` and sends all tags at once. */
  tagPages(repository: string, opts: ListOptions = {}): AsyncGenerator<Page<string>> {
    return this.listPages(`/v2/${repository}/tags/list`, 'tags', opts, repository);
  }

  /** Every repository name, up to the listing limits; `truncated` says when it stopped short. */
  collectCatalog(opts: ListOptions = {}): Promise<Collected<string>> {
    return collectPages(this.catalogPages(opts), this.opts.pageLimits?.maxItems);
  }

  /** Every tag, up to the listing limits; `truncated` says when it stopped short. */
  collectTags(repository: string, opts: ListOptions = {}): Promise<Collected<string>> {
    return collectPages(this.tagPages(repository, opts), this.opts.pageLimits?.maxItems);
  }

  /** Every repository name, or a protocol error when the listing could not be completed. */
  async listCatalog(opts: ListOptions = {}): Promise<string[]> {
    return this.complete(await this.collectCatalog(opts));
  }

  /** Every tag, or a protocol error when the listing could not be completed. */
  async listTags(repository: string, opts: ListOptions = {}): Promise<string[]> {
    return this.complete(await this.collectTags(repository, opts));
  }

  async getManifest(repository: string, reference: string, signal?: AbortSignal): Promise<ManifestResult> {
    this.checkReference(reference);
    const res = await this.send({ method: 'GET', path: `/v2/${repository}/manifests/${reference}`, accept: MANIFEST_ACCEPT, signal });
    this.expectOk(res, `${repository}:${reference}`, 'manifest');
    const host = res.url.host;
    const requested = reference.includes(':') ? reference : undefined;
    const digest = verifiedDigest(res.body, this.headerDigest(res, `${repository}:${reference}`), requested, host);
    const { manifest, mediaType } = parseManifest(res.body, res.headers.get('content-type'), host);
    return { digest, mediaType, manifest, raw: res.body, size: res.body.length };
  }

  /** Digest without the body: HEAD, which Docker Hub does not count as a pull. */
  async headManifest(repository: string, reference: string, signal?: AbortSignal): Promise<ManifestHead> {
    this.checkReference(reference);
    const res = await this.send({ method: 'HEAD', path: `/v2/${repository}/manifests/${reference}`, accept: MANIFEST_ACCEPT, signal });
    this.expectOk(res, `${repository}:${reference}`, 'manifest');
    const digest = this.headerDigest(res, `${repository}:${reference}`);
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
    if (!isValidDigest(digest)) throw new RegistryError('protocol', `${await this.host(signal)} named a blob of ${repository} by something that is not a digest (algorithm:hex); it was not fetched.`);
    const res = await this.send({ method: 'GET', path: `/v2/${repository}/blobs/${digest}`, signal, maxBodyBytes: maxBytes });
    this.expectOk(res, `${repository}@${digest}`, 'blob');
    const computed = contentDigest(res.body, digest);
    if (computed !== undefined && computed !== digest) {
      throw new RegistryError('protocol', `${res.url.host} sent a blob that does not match its digest ${digest}.`);
    }
    return res.body;
  }

  async getConfig(repository: string, config: Descriptor, signal?: AbortSignal): Promise<ImageConfig> {
    const [body, session] = await Promise.all([this.getBlob(repository, config.digest, signal), this.connect(signal)]);
    return parseImageConfig(body, session.base.host, config.digest);
  }

  /**
   * What a person wants to know about a tag: digest, size, created time, and for an index its
   * runnable platforms (attestations skipped). `configs: false` skips the config blobs (no
   * created time) when only sizes are needed.
   */
  async imageDetails(repository: string, reference: string, opts: { signal?: AbortSignal; configs?: boolean } = {}): Promise<ImageDetails> {
    const top = await this.getManifest(repository, reference, opts.signal);
    const facts = artifactFacts(top.manifest);
    const artifact = facts.kind === 'image' ? {} : { artifact: facts };
    if (!isIndex(top.manifest)) {
      const m = top.manifest as ImageManifest;
      // An artifact's config is not an image config (a chart's is Chart.yaml as JSON): only
      // image configs are read as one.
      if (facts.kind === 'helm' && m.config && opts.configs !== false) {
        const chart = parseHelmConfig(await this.getBlob(repository, m.config.digest, opts.signal), await this.host(opts.signal), m.config.digest);
        return { digest: top.digest, mediaType: top.mediaType, isIndex: false, size: imageSize(m), ...artifact, chart };
      }
      const readConfig = opts.configs !== false && !!m.config && (facts.kind === 'image' || isImageConfig(m.config.mediaType));
      const cfg = readConfig ? await this.getConfig(repository, m.config, opts.signal) : {};
      return {
        digest: top.digest,
        mediaType: top.mediaType,
        isIndex: false,
        size: imageSize(m),
        created: cfg.created,
        platform: cfg.os ? { os: cfg.os, architecture: cfg.architecture ?? 'unknown', ...(cfg.variant ? { variant: cfg.variant } : {}) } : undefined,
        ...artifact,
      };
    }
    const index = top.manifest as ImageIndex;
    const host = await this.host(opts.signal);
    // One fetch per distinct image, for the first few: an index of 5,000 entries (or 5,000
    // copies of one) costs at most MAX_INDEX_ENTRIES children, through the registry's limiter.
    const unique = new Map<string, Descriptor>();
    for (const d of index.manifests) {
      if (isAttestation(d)) continue;
      if (!isValidDigest(d.digest)) {
        throw new RegistryError('protocol', `${host} sent an image index for ${repository}:${reference} with an entry whose digest is not a digest (algorithm:hex); refused.`);
      }
      if (!unique.has(d.digest)) unique.set(d.digest, d);
    }
    const cap = this.opts.maxIndexEntries ?? MAX_INDEX_ENTRIES;
    const entries = [...unique.values()].slice(0, cap);
    const platforms = await Promise.all(
      entries.map(async (d): Promise<PlatformImage> => {
        // Fetched by digest, so getManifest verifies the bytes against it.
        const child = await this.getManifest(repository, d.digest, opts.signal);
        if (isIndex(child.manifest)) return { platform: d.platform ?? { os: 'unknown', architecture: 'unknown' }, digest: d.digest, mediaType: d.mediaType };
        const m = child.manifest as ImageManifest;
        const cfg = opts.configs === false || !m.config ? {} : await this.getConfig(repository, m.config, opts.signal);
        return { platform: d.platform ?? { os: cfg.os ?? 'unknown', architecture: cfg.architecture ?? 'unknown' }, digest: d.digest, mediaType: d.mediaType, size: imageSize(m), created: cfg.created };
      }),
    );
    const sizes = platforms.map((p) => p.size ?? 0);
    const created = platforms.map((p) => p.created).filter((c): c is string => !!c).sort().at(-1);
    const notShown = unique.size - entries.length;
    const attestations = buildKitAttestations(index);
    return {
      digest: top.digest,
      mediaType: top.mediaType,
      isIndex: true,
      size: sizes.length ? Math.max(...sizes) : undefined,
      created,
      platforms,
      ...(notShown > 0 ? { platformsNotShown: notShown } : {}),
      ...artifact,
      ...(attestations.length ? { attestations } : {}),
    };
  }

  async deleteManifest(repository: string, digest: string, signal?: AbortSignal): Promise<void> {
    if (!isValidDigest(digest)) throw new RegistryError('invalid', 'Manifests are deleted by digest (algorithm:hex), not by tag.');
    const res = await this.send({ method: 'DELETE', path: `/v2/${repository}/manifests/${digest}`, signal });
    if (res.status === 405) {
      throw new RegistryError('forbidden', `${res.url.host} does not allow deleting images (deletion is disabled on this registry).`, { status: 405, code: parseErrorBody(res.body).code });
    }
    if (res.status !== 202 && res.status !== 200 && res.status !== 204) this.expectOk(res, `${repository}@${digest}`, 'manifest');
  }

  /**
   * One exchange through the whole stack (auth, retries, redirect rules, deadline, this
   * registry's limiter) for the layers built on the client (upload.ts, copy.ts). A streamed
   * 2xx body keeps its limiter slot until it closes.
   */
  exchange(r: Exchange): Promise<HttpResponse> {
    return this.send(r);
  }

  /** Where this registry's API lives (after the scheme is settled): upload Locations must stay there. */
  async baseUrl(signal?: AbortSignal): Promise<URL> {
    return new URL((await this.connect(signal)).base);
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close().catch(() => undefined);
  }

  // ——— internals ———

  private async *listPages(path: string, field: 'repositories' | 'tags', opts: ListOptions, what: string): AsyncGenerator<Page<string>> {
    const s = await this.connect(opts.signal);
    const first = apiUrl(s.base, s.basePath, path);
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
        const read = await readNameListPage(res.body, field);
        if ('problem' in read) {
          const shape = { json: 'that is not valid JSON', object: 'that is not a JSON object', list: `without a “${field}” list` }[read.problem];
          throw new RegistryError('protocol', `${res.url.host} sent a ${noun} ${shape}.`);
        }
        const next = nextLink(res.headers.getAll('link'), url, s.basePath);
        // Exactly as many as asked for: fewer is the end, more is a server that does not page.
        if (next || !this.opts.continueFullPages || read.names.length !== size) return { items: read.names, ...(next ? { next } : {}) };
        const after = new URL(url);
        after.searchParams.set('n', String(size));
        after.searchParams.set('last', read.names.at(-1)!);
        return { items: read.names, next: after };
      }
    };
    yield* paginate(first, fetchPage, this.opts.pageLimits);
  }

  /** A collected listing, or the reason it is not complete as an error. */
  private async complete(c: Collected<string>): Promise<string[]> {
    if (c.truncated) throw truncationError(await this.host(), c.truncated, this.opts.pageLimits);
    return c.items;
  }

  /** The registry's host, for messages about what it sent. */
  private async host(signal?: AbortSignal): Promise<string> {
    return (await this.connect(signal)).base.host;
  }

  /** A tag or a digest: anything else would make another path of the URL it goes into. */
  private checkReference(reference: string): void {
    if (reference.includes(':') ? !isValidDigest(reference) : !TAG.test(reference)) {
      throw new RegistryError('invalid', 'An image is named by a tag (letters, digits, “_”, “.”, “-”) or a digest (algorithm:hex); this reference is neither.');
    }
  }

  /**
   * `Docker-Content-Digest`, when sent: it is what the user pins, so a header that is not an
   * `algorithm:hex` digest is refused (not echoed: it is the server's text, not ours).
   */
  private headerDigest(res: HttpResponse, what: string): string | undefined {
    const value = res.headers.get('docker-content-digest');
    if (value === undefined || value === '') return undefined;
    if (!isValidDigest(value)) {
      throw new RegistryError('protocol', `${res.url.host} sent a Docker-Content-Digest for ${what} that is not a digest (algorithm:hex); refused.`);
    }
    return value;
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

  private async send(r: Exchange): Promise<HttpResponse> {
    const s = await this.connect(r.signal);
    const url = r.url ?? apiUrl(s.base, s.basePath, r.path!);
    const req: HttpRequest = {
      method: r.method,
      url,
      headers: { ...(r.accept ? { accept: r.accept } : {}), ...r.headers },
      signal: r.signal,
      maxBodyBytes: r.maxBodyBytes,
      ...(r.body !== undefined ? { body: r.body } : {}),
      ...(r.upload ? { upload: r.upload } : {}),
      ...(r.streamBody ? { streamBody: true } : {}),
      ...(r.deadlineMs !== undefined ? { deadlineMs: r.deadlineMs } : {}),
    };
    if (!r.streamBody) return this.limit(() => s.transport(req));
    return new Promise<HttpResponse>((resolve, reject) => {
      void this.limit(async () => {
        try {
          const res = await s.transport(req);
          resolve(res);
          if (res.stream) await new Promise((closed) => res.stream!.once('close', closed));
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  /** The layers under auth; every exchange through them (pings and tokens too) has a deadline. */
  private layers(base: URL): RoundTripper {
    const deadlineMs = this.opts.requestDeadlineMs ?? DEFAULT_DEADLINE_MS;
    const stack = transportStack({
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
    return (req) => stack(req.deadlineMs === undefined ? { ...req, deadlineMs } : req);
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
    const endpoint = parseEndpoint(this.opts.url, insecure, { basePath: true });
    const basePath = endpoint.basePath;
    const build = (base: URL): Session => {
      const retry = this.layers(base);
      const auth = new Authenticator({
        registry: base,
        basePath,
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
      return { base, basePath, auth, retry, transport: auth.transport(retry) };
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

/** The distribution spec's tag grammar. */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** The digest of `body` in the algorithm `digest` names, when we can compute it (not blake3). */
function contentDigest(body: Buffer, digest: string): string | undefined {
  const algorithm = digest.slice(0, digest.indexOf(':'));
  if (algorithm !== 'sha256' && algorithm !== 'sha512') return undefined;
  return `${algorithm}:${createHash(algorithm).update(body).digest('hex')}`;
}
