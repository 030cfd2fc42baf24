// Turning what a user typed into the registry's API origin, with the plain-HTTP rule:
// HTTP is automatic only for loopback; anywhere else it takes an explicit "insecure".
// Some products serve the Registry API under a path of their own origin (Artifactory:
// `/artifactory/api/docker/KEY/v2/`, Nexus: `/repository/NAME/v2/`): such an address keeps its
// path as the API's base path when the caller allows one. Trust stays with the origin: a base
// path narrows where requests go, it never widens where credentials may be sent.

import { isLoopbackHost } from './address';
import { RegistryError } from './errors';
import { DOCKER_HUB_REGISTRY, normalizeRegistryHost } from './reference';

export interface Endpoint {
  /** `https://host:port` when a scheme was given or implied; the client may still probe. */
  url: URL;
  /** The user gave no scheme: https first, http as a fallback where HTTP is allowed. */
  schemeImplied: boolean;
  /** Where the API's `/v2/` sits, without a trailing slash (`/artifactory/api/docker/KEY`); absent at the root. */
  basePath?: string;
}

export interface EndpointOptions {
  /** Accept a path before `/v2/` as the API's base path (providers whose API lives under one). */
  basePath?: boolean;
}

export function parseEndpoint(input: string, insecure = false, opts: EndpointOptions = {}): Endpoint {
  const text = input.trim().replace(/\/+$/, '');
  if (!text) throw new RegistryError('invalid', 'Enter the registry address, for example registry.example.com or localhost:5000.');
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  let url: URL;
  try {
    url = new URL(hasScheme ? text : `https://${text}`);
  } catch {
    throw new RegistryError('invalid', `“${input.trim()}” is not a registry address. Use host[:port], for example registry.example.com or localhost:5000.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RegistryError('invalid', `Registry addresses use https:// or http://, not ${url.protocol}//.`);
  }
  if (url.username || url.password) {
    throw new RegistryError('invalid', 'Do not put credentials in the address; use the username and password fields.');
  }
  const basePath = opts.basePath ? apiBasePath(url, input) : undefined;
  if (!opts.basePath && url.pathname !== '/' && url.pathname !== '/v2' && url.pathname !== '/v2/') {
    throw new RegistryError('invalid', `Give the registry address only (host[:port]), without a path: repositories such as “${url.pathname.replace(/^\//, '')}” are browsed in the tree.`);
  }
  if (url.search || url.hash) throw new RegistryError('invalid', 'The registry address takes no query or fragment.');
  if (normalizeRegistryHost(url.host) === 'docker.io') url = new URL(`https://${DOCKER_HUB_REGISTRY}`);
  const origin = new URL(url.origin);
  if (origin.protocol === 'http:' && !insecure && !isLoopbackHost(origin.hostname)) {
    throw new RegistryError('insecure', `Plain HTTP to ${origin.host} would expose your credentials and images to the network. Use https://, or turn on “Allow insecure” if you trust this network.`);
  }
  return { url: origin, schemeImplied: !hasScheme, ...(basePath ? { basePath } : {}) };
}

/** The path before `/v2/`, normalised: no trailing slash, no `/v2`, no dot segments. */
function apiBasePath(url: URL, input: string): string | undefined {
  // URL has already resolved `..` (and `%2e%2e`); an encoded slash would be split by a server later.
  if (/%2e|%2f|%5c/i.test(url.pathname)) {
    throw new RegistryError('invalid', `“${input.trim()}” has an encoded “.”, “/” or “\\” in its path. Give the path as the product shows it, for example https://host/artifactory/api/docker/docker-local.`);
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/v2$/, '').replace(/\/+$/, '');
  return path || undefined;
}

/** The URL of an API path (`/v2/…`) under an endpoint's base path. */
export function apiUrl(origin: URL, basePath: string | undefined, path: string): URL {
  return new URL(`${basePath ?? ''}${path}`, origin);
}

/** The API path of a URL under `basePath` (`/v2/…`), or undefined when the URL lies outside it. */
export function pathUnderBase(url: URL, basePath: string | undefined): string | undefined {
  if (!basePath) return url.pathname;
  return url.pathname.startsWith(`${basePath}/`) ? url.pathname.slice(basePath.length) : undefined;
}

export function httpAllowed(url: URL, insecure: boolean): boolean {
  return insecure || isLoopbackHost(url.hostname);
}
