// The host `docker login` names for a connection, to tell which entries of Docker's config are
// already connected. Docker's config is keyed by that host; a connection's pull host may carry a
// path (Artifactory `acme.jfrog.io/docker-local`) and its API address another path or port
// (`…/artifactory/api/docker/KEY`, Nexus `…/repository/NAME`), neither of which Docker would log
// in to. No network code: the import command reads this before loading the providers.

import { normalizeRegistryHost } from '../registry/reference';
import { referenceOf, type PullHostConfig } from './pullHost';

/** `acme.jfrog.io` for a connection pulled as `acme.jfrog.io/docker-local`; Docker Hub's aliases folded. */
export function loginHost(config: PullHostConfig): string {
  return normalizeRegistryHost(referenceOf(config, '').registry);
}

/** The login hosts of `configs`, to compare with a Docker config entry's `registry`. */
export function connectedLoginHosts(configs: readonly PullHostConfig[]): Set<string> {
  return new Set(configs.map(loginHost));
}
