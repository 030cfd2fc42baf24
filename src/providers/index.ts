// The provider registry: every provider kind the extension knows, by id. Generic v2 is always
// here; the cloud providers are loaded on first use (cloud.ts, bundled as dist/providers.js),
// which keeps them out of activation.

import type * as Cloud from './cloud';
import { genericProvider } from './generic';
import type { RegistryProvider } from './provider';

let cloud: typeof Cloud | undefined;
function loadCloud(): typeof Cloud {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  cloud ??= require('./cloud') as typeof Cloud;
  return cloud;
}

/** Every provider, in the order the wizard offers them (loads the cloud providers). */
export function allProviders(): readonly RegistryProvider[] {
  return [genericProvider, ...loadCloud().cloudProviders];
}

export function providerFor(id: string): RegistryProvider | undefined {
  if (id === genericProvider.form.id) return genericProvider;
  return loadCloud().cloudProviders.find((p) => p.form.id === id);
}

/** Which provider owns a registry host, by the hosts each cloud serves its registries on. */
const HOST_PATTERNS: readonly [{ test(host: string): boolean }, string][] = [
  [/^(docker\.io|index\.docker\.io|registry-1\.docker\.io|registry\.hub\.docker\.com)$/, 'dockerhub'],
  // Every partition and endpoint flavour (FIPS, dual-stack, China, ISO) ecr/hosts.ts knows; the
  // cheap test first, so that other hosts do not load the cloud providers.
  [{ test: (h) => /\.dkr[.-]ecr/.test(h) && loadCloud().isEcrHost(h) }, 'ecr'],
  [/^([a-z]+\.)?gcr\.io$|^[a-z0-9-]+-docker\.pkg\.dev$/, 'google'],
  [/^ghcr\.io$/, 'ghcr'],
  [/^[a-z0-9]+\.azurecr\.(io|cn|us)$/, 'acr'],
  [/^registry\.digitalocean\.com$/, 'digitalocean'],
  [/^quay\.io$/, 'quay'],
  [/^registry\.gitlab\.com$/, 'gitlab'],
  // The JFrog Platform (SaaS): `acme.jfrog.io`, or `KEY.acme.jfrog.io` with the subdomain method.
  [/(^|\.)[a-z0-9-]+\.jfrog\.io$/, 'artifactory'],
];

/** The provider that fits a registry host (Docker config import); Generic v2 otherwise. */
export function providerForRegistryHost(host: string): string {
  const h = host.toLowerCase().replace(/:443$/, '');
  const id = HOST_PATTERNS.find(([re]) => re.test(h))?.[1];
  return id && providerFor(id) ? id : 'generic';
}
