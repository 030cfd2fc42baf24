// "Is this registry already connected?" before Save: the same provider, address and user is
// almost always the same registry added twice by mistake (a second Connect instead of Edit),
// so the wizard warns and offers the existing connection. Different users of one registry
// are a normal setup and pass. No `vscode` import, for the unit tests.

import type { ConnectionConfig } from '../../providers/provider';

// Docker Hub answers under several names; a connection typed with any of them is the same.
const SAME_HOST: Readonly<Record<string, string>> = {
  'index.docker.io': 'docker.io',
  'registry-1.docker.io': 'docker.io',
  'registry.hub.docker.com': 'docker.io',
  'hub.docker.com': 'docker.io',
};

/** `HTTPS://Registry.Example:443/` and `registry.example` are one address. */
export function normalizeAddress(url: string): string {
  let s = url.trim().toLowerCase();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(s)?.[1];
  if (scheme) s = s.slice(scheme.length + 3);
  s = s.replace(/\/+$/, '');
  const slash = s.indexOf('/');
  let host = slash < 0 ? s : s.slice(0, slash);
  const path = slash < 0 ? '' : s.slice(slash);
  host = host.replace(/\.(?=:|$)/, '');
  if ((scheme === 'http' && host.endsWith(':80')) || (scheme !== 'http' && host.endsWith(':443'))) host = host.replace(/:\d+$/, '');
  return (SAME_HOST[host] ?? host) + path;
}

/** The first stored connection that is the same registry as `candidate` (never the one being edited). */
export function findDuplicate(
  candidate: Pick<ConnectionConfig, 'provider' | 'url' | 'username'>,
  stored: readonly ConnectionConfig[],
  editingId?: string,
): ConnectionConfig | undefined {
  const address = normalizeAddress(candidate.url);
  const user = (candidate.username ?? '').trim();
  return stored.find((c) => c.id !== editingId && c.provider === candidate.provider && normalizeAddress(c.url) === address && (c.username ?? '').trim() === user);
}
