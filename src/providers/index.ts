// The provider registry: every provider kind the extension knows, by id.

import { acrProvider } from './acr';
import { digitalOceanProvider } from './digitalocean';
import { dockerHubProvider } from './dockerhub';
import { genericProvider } from './generic';
import { githubProvider } from './github';
import { googleProvider } from './google';
import { quayProvider } from './quay';
import type { RegistryProvider } from './provider';

export const providers: readonly RegistryProvider[] = [genericProvider, dockerHubProvider, githubProvider, googleProvider, acrProvider, digitalOceanProvider, quayProvider];

export function providerFor(id: string): RegistryProvider | undefined {
  return providers.find((p) => p.form.id === id);
}

/** Which provider owns a registry host, by the hosts each cloud serves its registries on. */
const HOST_PATTERNS: readonly [RegExp, string][] = [
  [/^(docker\.io|index\.docker\.io|registry-1\.docker\.io|registry\.hub\.docker\.com)$/, 'dockerhub'],
  [/^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/, 'ecr'],
  [/^([a-z]+\.)?gcr\.io$|^[a-z0-9-]+-docker\.pkg\.dev$/, 'google'],
  [/^ghcr\.io$/, 'ghcr'],
  [/^[a-z0-9]+\.azurecr\.(io|cn|us)$/, 'acr'],
  [/^registry\.digitalocean\.com$/, 'digitalocean'],
  [/^quay\.io$/, 'quay'],
];

/** The provider that fits a registry host (Docker config import); Generic v2 otherwise. */
export function providerForRegistryHost(host: string): string {
  const h = host.toLowerCase().replace(/:443$/, '');
  const id = HOST_PATTERNS.find(([re]) => re.test(h))?.[1];
  return id && providerFor(id) ? id : 'generic';
}
