// A small JSON-over-HTTPS client for provider control-plane APIs (Docker Hub's Hub API, the
// GitHub REST API), built from the registry layer's transport stack so it shares its rules:
// body caps, network errors in plain words, retries on 429/5xx honouring Retry-After, and
// redirects that never carry Authorization to another origin. Plus the paging glue that
// turns "several sources, each with next links" into the tree's `Page`s.

import { httpAllowed } from '../registry/endpoint';
import { RegistryError } from '../registry/errors';
import { ResponseHeaders, type HttpRequest, type HttpResponse, type RoundTripper } from '../registry/http';
import type { Page as ClientPage } from '../registry/paging';
import { redirectTransport } from '../registry/redirect';
import { retryTransport, type RetryOptions } from '../registry/retry';
import { baseTransport } from '../registry/transport';
import type { Dispatcher } from '../registry/undici';
import type { Page } from './provider';

const MAX_API_BODY = 8 * 1024 * 1024;

export interface JsonApiOptions {
  /** `https://hub.docker.com`, `https://api.github.com`, `https://ghe.example.com/api/v3`. */
  baseUrl: string;
  /** For messages: “Docker Hub”, “GitHub”. */
  service: string;
  dispatcher: Dispatcher;
  userAgent?: string;
  retry?: RetryOptions;
  /** Called after every exchange, for statistics and debug logs (never given headers). */
  onResponse?: (method: string, url: URL, status: number) => void;
}

export interface ApiResponse extends HttpResponse {
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** Parse and check an API base URL: https, or plain HTTP only to loopback (tests, local fakes). */
export function parseApiBase(input: string, service: string): URL {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new RegistryError('invalid', `“${input}” is not a URL for the ${service} API. Use the form https://host/path.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RegistryError('invalid', `The ${service} API URL must start with https://.`);
  if (url.username || url.password) throw new RegistryError('invalid', `Do not put credentials in the ${service} API URL.`);
  if (url.protocol === 'http:' && !httpAllowed(url, false)) {
    throw new RegistryError('insecure', `The ${service} API URL uses plain HTTP to ${url.host}, which would expose your token. Use https://.`);
  }
  url.search = '';
  url.hash = '';
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

export class JsonApi {
  readonly base: URL;
  readonly service: string;
  private readonly transport: RoundTripper;

  constructor(opts: JsonApiOptions) {
    this.base = parseApiBase(opts.baseUrl, opts.service);
    this.service = opts.service;
    const raw = baseTransport(opts.dispatcher, opts.userAgent ?? 'registry-explorer/0.1');
    const observed: RoundTripper = async (req) => {
      const res = await raw(req);
      opts.onResponse?.(req.method, req.url, res.status);
      return res;
    };
    const redirect = redirectTransport(observed, { allowHttp: (u) => httpAllowed(u, false) || u.origin === this.base.origin });
    this.transport = retryTransport(redirect, opts.retry);
  }

  /** `/v2/repositories/x/` → absolute URL under the base (keeping a base path such as `/api/v3`). */
  url(path: string, query: Record<string, string | number> = {}): URL {
    const u = new URL(this.base.toString());
    // A bare origin's pathname is `/`, never empty: strip it before appending.
    u.pathname = `${this.base.pathname.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
    for (const [k, v] of Object.entries(query)) u.searchParams.set(k, String(v));
    return u;
  }

  /** A link the API sent (`next`): resolved, and refused when it leaves the API's origin. */
  follow(link: string, from: URL): URL {
    let u: URL;
    try {
      u = new URL(link, from);
    } catch {
      throw new RegistryError('protocol', `${this.service} sent a next-page link that is not a URL.`);
    }
    if (u.origin !== this.base.origin) {
      throw new RegistryError('protocol', `${this.service} sent a next-page link to another server (${u.host}); refused.`);
    }
    return u;
  }

  async request(
    method: HttpRequest['method'],
    url: URL,
    opts: { headers?: Record<string, string>; body?: unknown; signal?: AbortSignal } = {},
  ): Promise<ApiResponse> {
    if (url.origin !== this.base.origin) throw new RegistryError('protocol', `Refused to send a ${this.service} API request to ${url.host}.`);
    const headers: Record<string, string> = { accept: 'application/json', ...(opts.headers ?? {}) };
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
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
}

/** A short description of where a request went, for debug logs: path and query, no secrets. */
export function logPath(url: URL): string {
  return `${url.pathname}${url.search}`;
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
