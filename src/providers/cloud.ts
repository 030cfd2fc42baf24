// The cloud providers, one bundle loaded on first use (dist/providers.js): their control-plane
// clients, error mapping and forms are a quarter of the extension's code, and a user who
// browses only a Generic v2 registry never needs them. index.ts requires this module when a
// connection, the wizard or the Docker config import first asks for a provider other than
// Generic. The heavy SDKs behind ECR and Google stay separate bundles below this one.

import { acrProvider } from './acr';
import { artifactoryProvider } from './artifactory';
import { digitalOceanProvider } from './digitalocean';
import { dockerHubProvider } from './dockerhub';
import { ecrProvider } from './ecr';
import { googleProvider } from './google';
import { githubProvider } from './github';
import { gitlabProvider } from './gitlab';
import { harborProvider } from './harbor';
import { nexusProvider } from './nexus';
import { quayProvider } from './quay';
import type { RegistryProvider } from './provider';

export { isEcrHost } from './ecr/hosts';

/** In the order the wizard offers them, after Generic. */
export const cloudProviders: readonly RegistryProvider[] = [ecrProvider, googleProvider, dockerHubProvider, githubProvider, acrProvider, digitalOceanProvider, quayProvider, harborProvider, gitlabProvider, artifactoryProvider, nexusProvider];
