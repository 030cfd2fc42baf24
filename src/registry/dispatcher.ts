// One undici dispatcher per registry connection: its keep-alive pool is what makes a listing
// of thousands of repositories cost a handful of TCP/TLS handshakes, and it is where the
// registry's own trust settings (custom CA, skip verification) and the proxy live.

import { EnvHttpProxyAgent, type Dispatcher } from './undici';
import { rootCertificates } from 'node:tls';

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
  /** Time allowed for the headers, and then between body chunks. */
  readTimeoutMs?: number;
  /** Sockets per origin; registries rate-limit and so do we. */
  connections?: number;
}

export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  const tls = {
    ...(opts.caPem ? { ca: [...rootCertificates, opts.caPem] } : {}),
    rejectUnauthorized: !opts.skipTlsVerify,
  };
  const connectTimeout = opts.connectTimeoutMs ?? 10_000;
  const readTimeout = opts.readTimeoutMs ?? 30_000;
  return new EnvHttpProxyAgent({
    ...(opts.proxy?.url ? { httpProxy: opts.proxy.url, httpsProxy: opts.proxy.url } : {}),
    ...(opts.proxy?.noProxy !== undefined ? { noProxy: opts.proxy.noProxy } : {}),
    connect: { ...tls, timeout: connectTimeout },
    requestTls: tls,
    proxyTls: { rejectUnauthorized: opts.proxy?.strictSSL ?? true },
    headersTimeout: readTimeout,
    bodyTimeout: readTimeout,
    keepAliveTimeout: 30_000,
    connections: opts.connections ?? 16,
    pipelining: 1,
  });
}
