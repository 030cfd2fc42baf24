// Where a Google connection's images live: a Container Registry host and project, or an
// Artifact Registry location, project and (optionally) repository; read from what the console's
// copy button gives, and named back the way image paths spell it.

import type { ConnectionConfig } from '../provider';

export const GCR_HOSTS = ['gcr.io', 'us.gcr.io', 'eu.gcr.io', 'asia.gcr.io'] as const;

const GAR_HOST = /^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)-docker\.pkg\.dev$/;
/** Project IDs: 6–30 of lower-case letters, digits, hyphens; older ones may be domain-scoped (`example.com:proj`). */
export const PROJECT_ID = /^(?:[a-z0-9][a-z0-9.-]*\.[a-z]{2,}:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
export const AR_REPOSITORY_ID = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export type GoogleRegistryKind = 'gar' | 'gcr';

/** Where a connection's images live. */
export interface GoogleTarget {
  kind: GoogleRegistryKind;
  /** `gcr.io`, `us-central1-docker.pkg.dev`. */
  host: string;
  /** As the APIs spell it: `my-project`, `example.com:my-project`. */
  project: string;
  /** Artifact Registry only. */
  location?: string;
  /** Artifact Registry only; absent means every Docker repository of the project in that location. */
  repository?: string;
}

/** The project as image paths spell it: `example.com:proj` → `example.com/proj`. */
export function projectPath(project: string): string {
  return project.replace(':', '/');
}

/** `HOST/PROJECT[/REPOSITORY]`: what the tree and messages call the connection's registry. */
export function targetPath(t: GoogleTarget): string {
  return [t.host, projectPath(t.project), ...(t.repository ? [t.repository] : [])].join('/');
}

/** `gcr.io`, `eu.gcr.io`, `us-central1-docker.pkg.dev`… (Docker config import). */
export function isGoogleRegistryHost(host: string): boolean {
  const bare = host.trim().toLowerCase().replace(/^https?:\/\//, '').split('/')[0] ?? '';
  return bare === 'gcr.io' || bare.endsWith('.gcr.io') || GAR_HOST.test(bare);
}

/**
 * Reads `LOCATION-docker.pkg.dev/PROJECT[/REPOSITORY]` (with or without https://, and with
 * an image path after the repository, which is dropped): what the console's copy button gives.
 */
export function parseArtifactRegistryPath(text: string): { ok: true; target: GoogleTarget } | { ok: false; message: string } {
  const input = text.trim().replace(/^https?:\/\//i, '').replace(/\/+$/, '');
  if (!input) return { ok: false, message: 'Enter the repository path, for example us-central1-docker.pkg.dev/my-project/my-repo (the console’s copy button gives it).' };
  const parts = input.split('/');
  const host = parts[0]!.toLowerCase();
  const m = GAR_HOST.exec(host);
  if (!m) {
    if (host === 'gcr.io' || host.endsWith('.gcr.io')) return { ok: false, message: `${host} is Container Registry: choose “Container Registry” above, or use the Artifact Registry path (LOCATION-docker.pkg.dev/PROJECT/REPOSITORY).` };
    if (host.endsWith('.pkg.dev')) return { ok: false, message: `${host} is not a Docker repository host: Docker repositories are at LOCATION-docker.pkg.dev (Maven, npm and Python ones cannot be browsed here).` };
    return { ok: false, message: `The path must start with LOCATION-docker.pkg.dev, for example us-central1-docker.pkg.dev/my-project/my-repo; “${host.slice(0, 60)}” is not such a host.` };
  }
  let rest = parts.slice(1);
  // A domain-scoped project appears as two segments: example.com/my-project.
  if (rest.length >= 2 && rest[0]!.includes('.')) rest = [`${rest[0]}:${rest[1]}`, ...rest.slice(2)];
  const [project, repository] = rest;
  if (!project) return { ok: false, message: `Add the project ID after the host: ${host}/PROJECT/REPOSITORY.` };
  if (!PROJECT_ID.test(project)) return { ok: false, message: `“${project.slice(0, 60)}” is not a project ID: IDs are 6 to 30 lower-case letters, digits and hyphens, starting with a letter (the ID, not the project’s display name).` };
  if (repository !== undefined && !AR_REPOSITORY_ID.test(repository)) {
    return { ok: false, message: `“${repository.slice(0, 70)}” is not a repository ID: lower-case letters, digits and hyphens, starting with a letter.` };
  }
  return { ok: true, target: { kind: 'gar', host, location: m[1]!, project, ...(repository ? { repository } : {}) } };
}

/** The target a stored connection describes. */
export function targetOf(config: ConnectionConfig): GoogleTarget {
  const o = config.options ?? {};
  const kind: GoogleRegistryKind = o.registry === 'gcr' ? 'gcr' : 'gar';
  const project = typeof o.project === 'string' ? o.project : '';
  if (kind === 'gcr') return { kind, host: config.url, project };
  return {
    kind,
    host: config.url,
    project,
    location: typeof o.location === 'string' ? o.location : (GAR_HOST.exec(config.url)?.[1] ?? ''),
    ...(typeof o.repository === 'string' && o.repository ? { repository: o.repository } : {}),
  };
}
