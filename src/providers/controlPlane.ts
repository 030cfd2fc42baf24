// The HTTP client the cloud providers use for their control planes (the Docker Hub and GitHub
// APIs, ACR's token exchange, the DigitalOcean API, the Quay API). It is the registry layer's
// transport stack — body caps, network failures in plain words, retries on 429/5xx honouring
// Retry-After and `ratelimit-reset`, redirects that never carry Authorization to another
// origin — on its own keep-alive pool with the user's proxy and trust settings, or on the
// provider's pool when it shares one with its registry client. Requests are logged by method,
// path and status only: headers, bodies and queries never reach the log. Plus the paging glue
// from "a page and a cursor" and "several sources with next links" APIs to the tree's `Page`s.

import { RegistryClient, type Exchange, type ImageConfig, type ImageDetails, type ListOptions, type ManifestHead, type ManifestResult, type RegistryClientOptions } from '../registry/client';
import { connectionDispatcher, type ProxySettings } from '../registry/dispatcher';
import { httpAllowed } from '../registry/endpoint';
import { RegistryError, elideTokenRuns, errorCode } from '../registry/errors';
import type { Descriptor } from '../registry/manifest';
import { ResponseHeaders, type HttpRequest, type HttpResponse, type RoundTripper } from '../registry/http';
import type { Page as ClientPage } from '../registry/paging';
import type { RetryOptions } from '../registry/retry';
import { transportStack } from '../registry/stack';
import type { Dispatcher } from '../registry/undici';
import { capitalize } from './messages';
import type { Page } from './provider';

const MAX_API_BODY = 8 * 1024 * 1024;

export interface ControlPlaneOptions {
  /** `https://api.digitalocean.com`, `https://quay.io`, `https://ghe.example.com/api/v3`. */
  baseUrl: string | URL;
  /** For messages and logs: “the DigitalOcean API”. */
  label: string;
  /**
   * A pool the provider owns and shares with its registry client (Docker Hub, GitHub); `close`
   * leaves it open. Without one, the client opens its own from the settings below.
   */
  dispatcher?: Dispatcher;
  proxy?: ProxySettings;
  /** Extra trusted CA (self-hosted Quay). */
  caPem?: string;
  /** Skip TLS verification and allow plain HTTP (the user's explicit choice). */
  insecure?: boolean;
  userAgent?: string;
  log?: (message: string) => void;
  retry?: RetryOptions;
  connectTimeoutMs?: number;
  readTimeoutMs?: number;
  /** Called after every exchange, for a provider's own statistics and logs (never given headers). */
  onResponse?: (method: string, url: URL, status: number) => void;
}

export interface ApiResponse extends HttpResponse {
  /** The body parsed as JSON; undefined when empty or not JSON. */
  json: unknown;
}

/** An API base URL, checked: http(s), no credentials, plain HTTP only to loopback unless insecure. */
export function parseApiBase(input: string | URL, label: string, insecure = false): URL {
  let url: URL;
  try {
    url = new URL(input.toString().trim());
  } catch {
    throw new RegistryError('invalid', `“${String(input)}” is not a URL for ${label}. Use the form https://host[:port].`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RegistryError('invalid', `The URL of ${label} must start with https://.`);
  if (url.username || url.password) throw new RegistryError('invalid', `Do not put credentials in the URL of ${label}.`);
  if (url.protocol === 'http:' && !httpAllowed(url, insecure)) {
    throw new RegistryError('insecure', `The URL of ${label} uses plain HTTP to ${url.host}, which would expose your token to the network. Use https://.`);
  }
  url.search = '';
  url.hash = '';
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

export class ControlPlane {
  readonly base: URL;
  readonly label: string;
  readonly stats = { requests: 0 };
  /** Undefined when the pool is the provider's: then closing it is the provider's business. */
  private readonly ownDispatcher?: Dispatcher;
  private readonly transport: RoundTripper;
  private readonly log?: (message: string) => void;

  constructor(opts: ControlPlaneOptions) {
    this.base = parseApiBase(opts.baseUrl, opts.label, opts.insecure);
    this.label = opts.label;
    this.log = opts.log;
    // A self-hosted product's API (Harbor, GitLab) is on a host the user typed, like its registry.
    const dispatcher = opts.dispatcher ?? connectionDispatcher({ ...opts, connections: 4, chosenHost: this.base.hostname });
    if (!opts.dispatcher) this.ownDispatcher = dispatcher;
    this.transport = transportStack({
      dispatcher,
      userAgent: opts.userAgent,
      origin: this.base,
      insecure: opts.insecure,
      retry: opts.retry,
      observe: (req, res, ms) => {
        this.stats.requests++;
        this.log?.(`${this.label}: ${req.method} ${req.url.pathname} → ${res.status} (${ms} ms)`);
        opts.onResponse?.(req.method, req.url, res.status);
      },
    });
  }

  /** `/v2/registry/x` → absolute URL under the base, keeping a base path; undefined query values are left out. */
  url(path: string, query: Record<string, string | number | boolean | undefined> = {}): URL {
    const u = new URL(this.base.toString());
    u.pathname = `${this.base.pathname.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
    return u;
  }

  /** A link the API sent (`next`): resolved, and refused when it leaves the API's origin. */
  follow(link: string, from: URL): URL {
    let u: URL;
    try {
      u = new URL(link, from);
    } catch {
      throw new RegistryError('protocol', `${capitalize(this.label)} sent a next-page link that is not a URL.`);
    }
    if (u.origin !== this.base.origin) {
      throw new RegistryError('protocol', `${capitalize(this.label)} sent a next-page link to another server (${u.host}); refused.`);
    }
    return u;
  }

  async request(
    method: HttpRequest['method'],
    url: URL,
    opts: { headers?: Record<string, string>; form?: Record<string, string>; json?: unknown; signal?: AbortSignal } = {},
  ): Promise<ApiResponse> {
    if (url.origin !== this.base.origin) throw new RegistryError('protocol', `Refused to send a request for ${this.label} to ${url.host}.`);
    const headers: Record<string, string> = { accept: 'application/json', ...(opts.headers ?? {}) };
    let body: string | undefined;
    if (opts.form) {
      body = new URLSearchParams(opts.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] = 'application/json';
    }
    const res = await this.transport({ method, url, headers, body, signal: opts.signal, maxBodyBytes: MAX_API_BODY });
    let json: unknown;
    if (res.body.length) {
      try {
        json = JSON.parse(res.body.toString('utf8'));
      } catch {
        json = undefined;
      }
    }
    return { ...res, json };
  }

  async close(): Promise<void> {
    await this.ownDispatcher?.close().catch(() => undefined);
  }
}

/** Where a request went, for a provider's debug log: path and query (never a secret there), no host. */
export function logPath(url: URL): string {
  return `${url.pathname}${url.search}`;
}

/** A plain-object view of a JSON value, or an empty one. */
export function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** An RFC 3339, RFC 2822 or epoch-seconds time as ISO 8601; undefined when unreadable. */
export function isoTime(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return new Date(v * 1000).toISOString();
  if (typeof v !== 'string' || !v) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** Leave out anything that is (or contains) one of the secrets, for messages built from server text. */
export function scrub(message: string | undefined, secrets: (string | undefined)[]): string | undefined {
  if (!message) return undefined;
  let out = message.slice(0, 300);
  for (const s of secrets) if (s && s.length >= 4 && out.includes(s)) out = out.split(s).join('…');
  // Server messages sometimes quote a token back.
  return elideTokenRuns(out);
}

/**
 * Pages from an API whose pages are "items + a cursor for the next one" (a page token, a page
 * number). `more` is memoized, so a double click on "Load more" fetches one page, not two;
 * a cursor seen before ends the listing with an error instead of looping forever.
 */
export function cursorPages<T, C>(
  fetchPage: (cursor: C | undefined, signal?: AbortSignal) => Promise<{ items: T[]; next?: C }>,
  what: string,
): (signal?: AbortSignal) => Promise<Page<T>> {
  const seen = new Set<string>();
  const step = async (cursor: C | undefined, signal?: AbortSignal): Promise<Page<T>> => {
    const page = await fetchPage(cursor, signal);
    if (page.next === undefined) return { items: page.items };
    const key = JSON.stringify(page.next);
    if (seen.has(key)) throw new RegistryError('protocol', `${what} repeated a page; stopped listing to avoid a loop.`);
    seen.add(key);
    let pending: Promise<Page<T>> | undefined;
    const next = page.next;
    // A failed page may be asked for again (Retry); a successful one is kept.
    const more = (s?: AbortSignal): Promise<Page<T>> =>
      (pending ??= step(next, s).catch((e: unknown) => {
        pending = undefined;
        throw e;
      }));
    return { items: page.items, more };
  };
  return (signal?: AbortSignal) => step(undefined, signal);
}

/**
 * One listing made of several sources (a Docker Hub namespace, a GitHub owner), each a paged
 * API. A tree page is filled to at least `target` items where the sources allow: a source that
 * ends mid-page hands over to the next one in the same call, so three small namespaces show
 * as one page rather than three. A source that fails after others filled part of a page does
 * not hide them: the page comes back with what was gathered, and `more` retries the failed
 * source (skipping what it already delivered), so its error shows where its items would be.
 * `more` is memoized while it runs or after it succeeds: a double click gets the same page.
 */
export function chainedPages<T>(
  sources: ((signal: () => AbortSignal | undefined) => AsyncGenerator<ClientPage<T>>)[],
  target: number,
): (signal?: AbortSignal) => Promise<Page<T>> {
  let index = 0;
  let current: AsyncGenerator<ClientPage<T>> | undefined;
  /** Items of `sources[index]` handed out so far, and how many a restarted source must skip. */
  let delivered = 0;
  let skip = 0;
  let signal: AbortSignal | undefined;
  const currentSignal = (): AbortSignal | undefined => signal;
  const nextSource = (): void => {
    current = undefined;
    index++;
    delivered = 0;
    skip = 0;
  };

  const step = async (s?: AbortSignal): Promise<Page<T>> => {
    signal = s;
    const items: T[] = [];
    while (index < sources.length && items.length < target) {
      if (!current) {
        current = sources[index]!(currentSignal);
        skip = delivered;
      }
      let r: IteratorResult<ClientPage<T>>;
      try {
        r = await current.next();
      } catch (e) {
        current = undefined;
        if (!items.length) throw e;
        break;
      }
      if (r.done) {
        nextSource();
        continue;
      }
      let got = r.value.items;
      if (skip > 0) {
        const n = Math.min(skip, got.length);
        got = got.slice(n);
        skip -= n;
      }
      items.push(...got);
      delivered += got.length;
      if (!r.value.next) {
        await current.return(undefined);
        nextSource();
      }
    }
    if (index >= sources.length) return { items };
    let pending: Promise<Page<T>> | undefined;
    return {
      items,
      more: (next?: AbortSignal) =>
        (pending ??= step(next).catch((e: unknown) => {
          pending = undefined;
          throw e;
        })),
    };
  };
  return step;
}

/** What `observeResponses` reports: never request headers, so never a credential. */
export interface ObservedResponse {
  method: string;
  url: URL;
  status: number;
  headers: ResponseHeaders;
}

/**
 * A view of `dispatcher` that reports the status and headers of every response before the
 * caller sees it (Docker Hub's `ratelimit-remaining` arrives on manifest responses, which the
 * registry client does not hand out). Requests go through the returned dispatcher; close the
 * original one.
 */
export function observeResponses(dispatcher: Dispatcher, observe: (r: ObservedResponse) => void): Dispatcher {
  type Handler = Dispatcher.DispatchHandler;
  const interceptor = (dispatch: Dispatcher['dispatch']): Dispatcher['dispatch'] => (opts: Dispatcher.DispatchOptions, handler: Handler) =>
    dispatch(opts, {
      onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
      onRequestUpgrade: (controller, status, headers, socket) => handler.onRequestUpgrade?.(controller, status, headers, socket),
      onResponseStart: (controller, status, headers, statusMessage) => {
        try {
          const origin = typeof opts.origin === 'string' ? opts.origin : (opts.origin?.toString() ?? '');
          observe({ method: opts.method, url: new URL(opts.path, origin), status, headers: new ResponseHeaders(headers as Record<string, string | string[]>) });
        } catch {
          // An observer never breaks a request.
        }
        return handler.onResponseStart?.(controller, status, headers, statusMessage);
      },
      onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
      onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
      onResponseError: (controller, error) => handler.onResponseError?.(controller, error),
    });
  return dispatcher.compose(interceptor);
}

type RetryCheck = (e: unknown, signal?: AbortSignal) => Promise<boolean>;

/** What a provider wraps around every call of its registry client. */
export interface ClientGuard {
  /** How the provider's registry spells a repository name (`nginx` → `library/nginx` on Docker Hub). */
  repository?(name: string): string;
  /** Runs before each call: refresh short-lived credentials before they expire. */
  before?(signal?: AbortSignal): Promise<unknown>;
  /**
   * For a refusal the auth layer's fresh-credentials retry after a 401 does not cover (ECR
   * answers an expired password with 403): asked as a call starts, it returns the check for
   * that call's failure, which resolves true once new credentials are in place, and the call is
   * tried once more (a listing resumes after the last name it gave).
   */
  retry?(): RetryCheck;
  /** Rewrites a failure of the registry: the provider's own words, and never a secret. */
  error?(e: unknown): unknown;
}

/**
 * A registry client whose every public call goes through a provider's guard. The tree uses
 * `connection.client` directly for manifests and digests, so the guard has to sit here, not
 * only in the provider's own listing code. Calls nest (imageDetails → getManifest, listTags →
 * tagPages): an error is rewritten (and retried) once, by the innermost call that sees it.
 * Failures of the guard's own `before` and `retry` are already in the provider's words and
 * pass as they are.
 */
export class GuardedRegistryClient extends RegistryClient {
  /** Errors no outer call may rewrite or retry again. */
  private readonly settled = new WeakSet<object>();

  constructor(
    opts: RegistryClientOptions,
    private readonly guard: ClientGuard,
  ) {
    super(opts);
  }

  private settle(e: unknown): unknown {
    if (typeof e === 'object' && e !== null) this.settled.add(e);
    return e;
  }

  private isSettled(e: unknown): boolean {
    return typeof e === 'object' && e !== null && this.settled.has(e);
  }

  private rewrite(e: unknown): unknown {
    if (this.isSettled(e) || !this.guard.error) return this.settle(e);
    return this.settle(this.guard.error(e));
  }

  private name(repository: string): string {
    return this.guard.repository ? this.guard.repository(repository) : repository;
  }

  /** `before`, then this call's retry check. */
  private async prepare(signal: AbortSignal | undefined): Promise<RetryCheck | undefined> {
    try {
      await this.guard.before?.(signal);
      return this.guard.retry?.();
    } catch (e) {
      throw this.settle(e);
    }
  }

  private async retries(check: RetryCheck | undefined, e: unknown, signal: AbortSignal | undefined): Promise<boolean> {
    if (!check || this.isSettled(e)) return false;
    try {
      return await check(e, signal);
    } catch (err) {
      throw this.settle(err);
    }
  }

  private async run<T>(signal: AbortSignal | undefined, call: () => Promise<T>): Promise<T> {
    const check = await this.prepare(signal);
    try {
      return await call();
    } catch (e) {
      if (!(await this.retries(check, e, signal))) throw this.rewrite(e);
    }
    try {
      return await call();
    } catch (e) {
      throw this.rewrite(e);
    }
  }

  private async *guarded(opts: ListOptions, make: (o: ListOptions) => AsyncGenerator<ClientPage<string>>): AsyncGenerator<ClientPage<string>> {
    let it: AsyncGenerator<ClientPage<string>> | undefined;
    let last = opts.last;
    let retried = false;
    try {
      for (;;) {
        const check = await this.prepare(opts.signal);
        it ??= make(last === opts.last ? opts : { ...opts, last });
        let r: IteratorResult<ClientPage<string>>;
        try {
          r = await it.next();
        } catch (e) {
          if (retried || !(await this.retries(check, e, opts.signal))) throw e;
          retried = true;
          it = undefined;
          continue;
        }
        if (r.done) return;
        if (r.value.items.length) last = r.value.items[r.value.items.length - 1];
        yield r.value;
      }
    } catch (e) {
      throw this.rewrite(e);
    } finally {
      await it?.return(undefined);
    }
  }

  override ping(signal?: AbortSignal) {
    return this.run(signal, () => super.ping(signal));
  }
  override catalogPages(opts: ListOptions = {}) {
    return this.guarded(opts, (o) => super.catalogPages(o));
  }
  override tagPages(repository: string, opts: ListOptions = {}) {
    return this.guarded(opts, (o) => super.tagPages(this.name(repository), o));
  }
  override getManifest(repository: string, reference: string, signal?: AbortSignal): Promise<ManifestResult> {
    return this.run(signal, () => super.getManifest(this.name(repository), reference, signal));
  }
  override headManifest(repository: string, reference: string, signal?: AbortSignal): Promise<ManifestHead> {
    return this.run(signal, () => super.headManifest(this.name(repository), reference, signal));
  }
  override getBlob(repository: string, digest: string, signal?: AbortSignal, maxBytes?: number): Promise<Buffer> {
    return this.run(signal, () => super.getBlob(this.name(repository), digest, signal, maxBytes));
  }
  override getConfig(repository: string, config: Descriptor, signal?: AbortSignal): Promise<ImageConfig> {
    // Guarded through getBlob; only the name is the provider's here.
    return super.getConfig(this.name(repository), config, signal);
  }
  /** The provider's credentials step and words apply; a streamed upload is sent once, never retried here. */
  override exchange(r: Exchange): Promise<HttpResponse> {
    if (!r.upload) return this.run(r.signal, () => super.exchange(r));
    return this.prepare(r.signal).then(() => super.exchange(r).catch((e: unknown) => Promise.reject(this.rewrite(e))));
  }
  override imageDetails(repository: string, reference: string, opts: { signal?: AbortSignal; configs?: boolean } = {}): Promise<ImageDetails> {
    return this.run(opts.signal, () => super.imageDetails(this.name(repository), reference, opts));
  }
  override deleteManifest(repository: string, digest: string, signal?: AbortSignal): Promise<void> {
    return this.run(signal, () => super.deleteManifest(this.name(repository), digest, signal));
  }
}

/** A copy of a registry error with another message (no `cause`: it may quote what we hide). */
export function reword(e: RegistryError, message: string): RegistryError {
  return new RegistryError(e.kind, message, { status: e.status, code: e.code, resetAt: e.resetAt });
}

/** The message a JSON API error body carries: `message`, `error_message`, `detail`, `errors[0].message`… */
export function apiMessage(json: unknown): string | undefined {
  const o = obj(json);
  const first = Array.isArray(o.errors) ? obj(o.errors[0]) : {};
  return text(o.message) ?? text(o.error_message) ?? text(o.detail) ?? text(o.error_description) ?? text(first.message) ?? text(o.error);
}

/** An API error code: `id` (DigitalOcean), `error_type` (Quay), `errors[0].code` (ACR), `error`. */
export function apiCode(json: unknown): string | undefined {
  const o = obj(json);
  const first = Array.isArray(o.errors) ? obj(o.errors[0]) : {};
  return errorCode(o.id) ?? errorCode(o.error_type) ?? errorCode(first.code) ?? errorCode(o.error);
}

/** Registry client options every provider sets the same way, with requests logged by path only. */
export function clientOptions(url: string, ctx: { proxy?: ProxySettings; userAgent?: string; log?: (m: string) => void }, label: string): RegistryClientOptions {
  return {
    url,
    proxy: ctx.proxy,
    userAgent: ctx.userAgent,
    onRequest: (method, u, status) => ctx.log?.(`${label}: ${method} ${u.pathname} → ${status}`),
  };
}

/** The message with every secret in it replaced by “…” (nothing else touched); undefined when none was there. */
export function hideSecrets(message: string, secrets: (string | undefined)[]): string | undefined {
  let out = message;
  for (const s of secrets) if (s && s.length >= 4 && out.includes(s)) out = out.split(s).join('…');
  return out === message ? undefined : out;
}
