// The token scope a request needs, derived from its method and path, so the bearer layer can
// attach the right token before the first request instead of paying a 401 round trip on each.

import { pathUnderBase } from './endpoint';
import type { HttpRequest } from './http';

const TAGS = /^\/v2\/(.+)\/tags\/list$/;
const MANIFEST = /^\/v2\/(.+)\/manifests\/[^/]+$/;
const BLOB = /^\/v2\/(.+)\/blobs\/(?:uploads\/.*|uploads|[^/]+)$/;
const REFERRERS = /^\/v2\/(.+)\/referrers\/[^/]+$/;

export function repositoryFromPath(pathname: string): string | undefined {
  for (const re of [TAGS, MANIFEST, BLOB, REFERRERS]) {
    const m = re.exec(pathname);
    if (m) return decodeURIComponent(m[1]!);
  }
  return undefined;
}

/** `basePath`: where the registry serves its API (`/artifactory/api/docker/KEY`); scopes name what lies under it. */
export function scopesFor(req: Pick<HttpRequest, 'method' | 'url'>, basePath?: string): string[] {
  const path = pathUnderBase(req.url, basePath);
  if (path === undefined) return [];
  if (path === '/v2/_catalog') return ['registry:catalog:*'];
  const repo = repositoryFromPath(path);
  if (!repo) return [];
  const actions = req.method === 'GET' || req.method === 'HEAD' ? 'pull' : req.method === 'DELETE' ? 'delete' : 'pull,push';
  // A cross-repository mount reads the source repository too; asking for both up front saves
  // a 401 and a second token per mounted blob.
  const from = req.method === 'POST' && req.url.searchParams.has('mount') ? req.url.searchParams.get('from') : null;
  if (from && from !== repo) return mergeScopes([`repository:${repo}:${actions}`], [`repository:${from}:pull`]);
  return [`repository:${repo}:${actions}`];
}

/** Scopes merged per resource, actions unioned: `repository:a:pull` + `repository:a:push` → `repository:a:pull,push`. */
export function mergeScopes(...lists: string[][]): string[] {
  const byResource = new Map<string, Set<string>>();
  for (const scope of lists.flat()) {
    const i = scope.lastIndexOf(':');
    if (i <= 0) continue;
    const resource = scope.slice(0, i);
    const set = byResource.get(resource) ?? new Set<string>();
    for (const a of scope.slice(i + 1).split(',')) if (a) set.add(a);
    byResource.set(resource, set);
  }
  return [...byResource].map(([resource, actions]) => `${resource}:${[...actions].sort().join(',')}`).sort();
}
