// What an entry of Docker's config becomes when imported: the provider that owns its registry
// host builds the connection (Docker Hub from `docker.io`, ECR from its account/region host…);
// a provider that cannot, or an unknown host, gives a Generic v2 connection with the entry's
// credentials, which works against every registry that accepts `docker login`.

import type { DockerConfigEntry } from './dockerConfig';
import { providerFor, providerForRegistryHost } from './index';
import type { ConnectionConfig, ConnectionSecrets } from './provider';

export interface ImportedConnection {
  config: Omit<ConnectionConfig, 'id'>;
  secrets: ConnectionSecrets;
}

export function connectionFromDockerEntry(entry: DockerConfigEntry): ImportedConnection {
  const provider = providerFor(providerForEntry(entry));
  const specific = provider?.fromDockerConfig?.(entry);
  if (specific) return { config: { ...specific.config, options: { ...specific.config.options, importedFrom: 'docker-config' } }, secrets: specific.secrets };
  return genericFromDockerEntry(entry);
}

/**
 * The provider by the entry's host; on another host, what the login itself gives away: Harbor's
 * robot names (`robot$…`), a Nexus repository URL as the config's key (`…/repository/NAME`). A
 * login to a Nexus connector (`HOST:PORT`) stays Generic v2: the connector serves `/v2/` at its root.
 */
function providerForEntry(entry: DockerConfigEntry): string {
  const byHost = providerForRegistryHost(entry.registry);
  if (byHost !== 'generic') return byHost;
  if (entry.username?.startsWith('robot$')) return 'harbor';
  if (/\/repository\/[^/]+\/?$/.test(entry.serverKey)) return 'nexus';
  return byHost;
}

function genericFromDockerEntry(entry: DockerConfigEntry): ImportedConnection {
  const secrets: ConnectionSecrets = {};
  if (entry.password) secrets.password = entry.password;
  if (entry.identityToken) secrets.identityToken = entry.identityToken;
  return {
    config: {
      provider: 'generic',
      name: entry.registry,
      url: entry.registry,
      // `<token>` is how Docker marks an identity-token login; it is not a user name.
      ...(entry.username && entry.username !== '<token>' ? { username: entry.username } : {}),
      options: { importedFrom: 'docker-config' },
    },
    secrets,
  };
}
