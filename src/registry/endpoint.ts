// Turning what a user typed into the registry's API origin, with the plain-HTTP rule:
// HTTP is automatic only for loopback; anywhere else it takes an explicit "insecure".

import { isLoopbackHost } from './address';
import { RegistryError } from './errors';
import { DOCKER_HUB_REGISTRY, normalizeRegistryHost } from './reference';

export interface Endpoint {
  /** `https://host:port` when a scheme was given or implied; the client may still probe. */
  url: URL;
  /** The user gave no scheme: https first, http as a fallback where HTTP is allowed. */
  schemeImplied: boolean;
}

export function parseEndpoint(input: string, insecure = false): Endpoint {
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
  if (url.pathname !== '/' && url.pathname !== '/v2' && url.pathname !== '/v2/') {
    throw new RegistryError('invalid', `Give the registry address only (host[:port]), without a path: repositories such as “${url.pathname.replace(/^\//, '')}” are browsed in the tree.`);
  }
  if (url.search || url.hash) throw new RegistryError('invalid', 'The registry address takes no query or fragment.');
  if (normalizeRegistryHost(url.host) === 'docker.io') url = new URL(`https://${DOCKER_HUB_REGISTRY}`);
  const origin = new URL(url.origin);
  if (origin.protocol === 'http:' && !insecure && !isLoopbackHost(origin.hostname)) {
    throw new RegistryError('insecure', `Plain HTTP to ${origin.host} would expose your credentials and images to the network. Use https://, or turn on “Allow insecure” if you trust this network.`);
  }
  return { url: origin, schemeImplied: !hasScheme };
}

export function httpAllowed(url: URL, insecure: boolean): boolean {
  return insecure || isLoopbackHost(url.hostname);
}
