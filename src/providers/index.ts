// The provider registry: every provider kind the extension knows, by id.

import { acrProvider } from './acr';
import { digitalOceanProvider } from './digitalocean';
import { dockerHubProvider } from './dockerhub';
import { ecrProvider } from './ecr';
import { isEcrHost } from './ecrApi';
import { genericProvider } from './generic';
import { githubProvider } from './github';
import { googleProvider } from './google';
import { quayProvider } from './quay';
import type { RegistryProvider } from './provider';

export const providers: readonly RegistryProvider[] = [genericProvider, ecrProvider, googleProvider, dockerHubProvider, githubProvider, acrProvider, digitalOceanProvider, quayProvider];

export function providerFor(id: string): RegistryProvider | undefined {
  return providers.find((p) => p.form.id === id);
}

/** Which provider owns a registry host, by the hosts each cloud serves its registries on. */
const HOST_PATTERNS: readonly [{ test(host: string): boolean }, string][] = [
  [/^(docker\.io|index\.docker\.io|registry-1\.docker\.io|registry\.hub\.docker\.com)$/, 'dockerhub'],
  // Every partition and endpoint flavour (FIPS, dual-stack, China, ISO) ecrApi.ts knows.
  [{ test: isEcrHost }, 'ecr'],
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
