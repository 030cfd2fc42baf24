// Where images of a connection are pulled from, as every reference the extension writes or
// copies names it (copy reference, pull command, Link Image, hover). Usually that is the
// registry's own address; products that serve the Registry API under a path (Artifactory,
// Nexus) are pulled through another host, port or path (`docker.example.com`, `nexus:8443`,
// `acme.jfrog.io/docker-local`), kept as the connection's `pullHost` option. No `vscode` and no
// network code here: the tree imports it at activation.

import { DOCKER_HUB, normalizeRegistryHost, parseReference } from '../registry/reference';
import type { ConnectionConfig } from './provider';

/** What the pull host is read from; `provider` lets a product imply one (a registry from settings has no options). */
export type PullHostConfig = Pick<ConnectionConfig, 'url' | 'options'> & { provider?: string };

/** The pull host the connection was given, if any. */
export function configuredPullHost(config: Pick<ConnectionConfig, 'options'>): string | undefined {
  const v = config.options?.pullHost;
  return typeof v === 'string' && v ? v : undefined;
}

/**
 * The pull host a product implies when none was given: Artifactory's repository path method
 * (`HOST/KEY`, its default since Artifactory 7), a Nexus repository's own host.
 */
export function impliedPullHost(config: PullHostConfig): string | undefined {
  const m = /^(?:https?:\/\/)?([^/]+)(\/.*)$/i.exec(config.url.trim().replace(/\/+$/, ''));
  if (!m) return undefined;
  const host = m[1]!.toLowerCase();
  if (config.provider === 'artifactory') {
    const key = /\/api\/docker\/([^/]+)$/.exec(m[2]!)?.[1];
    return key ? `${host}/${key.toLowerCase()}` : host;
  }
  return config.provider === 'nexus' ? host : undefined;
}

/** The pull host given or implied; undefined where references simply use the registry's address. */
export function knownPullHost(config: PullHostConfig): string | undefined {
  return configuredPullHost(config) ?? impliedPullHost(config);
}

/** The reference prefix of a connection's images: its pull host, or its address without the scheme. */
export function pullHost(config: PullHostConfig): string {
  return knownPullHost(config) ?? config.url.replace(/^https?:\/\//, '').replace(/\/+$/, '');
}

/**
 * A pull host as typed (`docker.example.com`, `host:8443`, `host/repo-key`, with or without
 * https://), normalised; or the reason it cannot prefix an image reference. The first part must
 * read as a host to Docker (a dot, a port or `localhost`), or `docker pull` would go to Docker Hub.
 */
export function parsePullHost(input: string): { host: string } | { error: string } {
  const text = input.trim().replace(/^https?:\/\//i, '').replace(/\/+$/, '');
  const example = 'for example docker.example.com, nexus.example.com:8443 or acme.jfrog.io/docker-local';
  if (!text) return { error: `Enter the host images are pulled from, ${example}.` };
  let ref;
  try {
    ref = parseReference(`${text}/image`, { defaultTag: false });
  } catch {
    return { error: `“${text}” cannot begin an image reference. Use a host, optionally with a port and a lower-case path, ${example}.` };
  }
  if (ref.registry === DOCKER_HUB && !/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)(\/|$)/i.test(text)) {
    return { error: `Docker would read “${text}” as a Docker Hub namespace, not a host. Give the full host name (with a dot or a port), ${example}.` };
  }
  return { host: text.replace(/^[^/]+/, (h) => h.toLowerCase()) };
}

/**
 * A repository of the connection as an image reference names it: a pull host with a path
 * (`acme.jfrog.io/docker-local`, Artifactory's repository path method) moves the path into the
 * repository (`docker-local/app`), since Docker reads the first segment alone as the host.
 */
export function referenceOf(config: PullHostConfig, repository: string): { registry: string; repository: string } {
  return splitPullHost(pullHost(config), repository);
}

/** `acme.jfrog.io/docker-local` + `app` → registry `acme.jfrog.io`, repository `docker-local/app`; a bare host is left as it is. */
export function splitPullHost(host: string, repository: string): { registry: string; repository: string } {
  const slash = host.indexOf('/');
  return slash < 0 ? { registry: host, repository } : { registry: host.slice(0, slash), repository: `${host.slice(slash + 1)}/${repository}` };
}

/** The connection's repository that a reference's registry and repository name, or undefined when it is not this connection's. */
export function repositoryOf(config: PullHostConfig, registry: string, repository: string): string | undefined {
  const host = pullHost(config).toLowerCase();
  const slash = host.indexOf('/');
  const bare = slash < 0 ? host : host.slice(0, slash);
  if (normalizeRegistryHost(registry) !== normalizeRegistryHost(bare)) return undefined;
  if (slash < 0) return repository;
  const prefix = `${host.slice(slash + 1)}/`;
  return repository.startsWith(prefix) && repository.length > prefix.length ? repository.slice(prefix.length) : undefined;
}
