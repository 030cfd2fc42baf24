// One undici dispatcher per registry connection: its keep-alive pool is what makes a listing
// of thousands of repositories cost a handful of TCP/TLS handshakes, and it is where the
// registry's own trust settings (custom CA, skip verification) and the proxy live.

import { Agent, EnvHttpProxyAgent, type Dispatcher } from './undici';
import { rootCertificates } from 'node:tls';
import { publicNamesResolvePublic, type Resolver } from './resolvedAddress';

export interface ProxySettings {
  /** Explicit proxy (VS Code's `http.proxy`); otherwise HTTP(S)_PROXY from the environment. */
  url?: string;
  /** Hosts that bypass the proxy (NO_PROXY syntax); otherwise NO_PROXY from the environment. */
  noProxy?: string;
  /** VS Code's `http.proxyStrictSSL`: verify the proxy's certificate. */
  strictSSL?: boolean;
}

export interface DispatcherOptions {
  /** Extra trusted CA certificates (PEM), added to Node's roots rather than replacing them. */
  caPem?: string;
  /** Skip TLS verification entirely (the user marked the registry insecure). */
  skipTlsVerify?: boolean;
  proxy?: ProxySettings;
  connectTimeoutMs?: number;
  /** Time allowed for the headers, and then between body chunks: a body dripped a byte at a
   * time never trips it (the transport's per-request deadline does). */
  readTimeoutMs?: number;
  /** Sockets per origin; registries rate-limit and so do we. */
  connections?: number;
  /** The name resolver under the rebinding check (default `dns.lookup`); tests inject one. */
  resolve?: Resolver;
  /** The registry host the user typed: it may resolve to a private or loopback address (resolvedAddress.ts). */
  chosenHost?: string;
}

export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  const tls = {
    ...(opts.caPem ? { ca: [...rootCertificates, opts.caPem] } : {}),
    rejectUnauthorized: !opts.skipTlsVerify,
  };
  const connectTimeout = opts.connectTimeoutMs ?? 10_000;
  const readTimeout = opts.readTimeoutMs ?? 30_000;
  const agentOptions = {
    // Only direct connections resolve here (the lookup never reaches `proxyTls`): through a
    // proxy, the proxy resolves the registry's name (resolvedAddress.ts).
    connect: { ...tls, timeout: connectTimeout, lookup: publicNamesResolvePublic(opts.resolve, opts.chosenHost) },
    requestTls: tls,
    proxyTls: { rejectUnauthorized: opts.proxy?.strictSSL ?? true },
    headersTimeout: readTimeout,
    bodyTimeout: readTimeout,
    keepAliveTimeout: 30_000,
    connections: opts.connections ?? 16,
    pipelining: 1,
  };
  // EnvHttpProxyAgent reads the proxy variables once, here, but NO_PROXY on every request; with
  // no proxy at all every request would end on its plain Agent anyway, so that is used directly.
  const env = process.env;
  if (!opts.proxy?.url && !(env.http_proxy ?? env.HTTP_PROXY) && !(env.https_proxy ?? env.HTTPS_PROXY)) return new Agent(agentOptions);
  return new EnvHttpProxyAgent({
    ...(opts.proxy?.url ? { httpProxy: opts.proxy.url, httpsProxy: opts.proxy.url } : {}),
    ...(opts.proxy?.noProxy !== undefined ? { noProxy: opts.proxy.noProxy } : {}),
    ...agentOptions,
  });
}

/** The pool settings a registry client and a control-plane client both take, by their names. */
export type ConnectionSettings = Omit<DispatcherOptions, 'skipTlsVerify'> & {
  /** The user's “insecure” switch: here only its TLS half counts; plain HTTP is the caller's rule. */
  insecure?: boolean;
};

/** The pool of a client that was given none to share. */
export function connectionDispatcher(s: ConnectionSettings): Dispatcher {
  return createDispatcher({
    caPem: s.caPem,
    skipTlsVerify: s.insecure,
    proxy: s.proxy,
    connectTimeoutMs: s.connectTimeoutMs,
    readTimeoutMs: s.readTimeoutMs,
    connections: s.connections,
    resolve: s.resolve,
    chosenHost: s.chosenHost,
  });
}
