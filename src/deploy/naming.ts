// How a new reference is spelled, and which tag/digest fields a link mode writes. Shared by every
// shape so a plain `image:` string, a Helm block and a Kustomize entry follow the same rules.

import {
  DOCKER_HUB,
  familiarReference,
  formatReference,
  normalizeRegistryHost,
  parseReference,
  type ImageReference,
} from '../registry/reference';
import { LinkError, type LinkMode } from './types';

export type FieldValues = Partial<Record<string, string>>;

/** Parses what a file says, without inventing `:latest`; undefined for `${IMAGE}` and the like. */
export function parseLoose(value: string): ImageReference | undefined {
  try {
    return parseReference(value, { defaultTag: false });
  } catch {
    return undefined;
  }
}

/** Target with Docker Hub aliases folded (`index.docker.io` → `docker.io`, `nginx` → `library/nginx`). */
export function normalizeTarget(target: ImageReference): ImageReference {
  const registry = normalizeRegistryHost(target.registry);
  const repository = registry === DOCKER_HUB && !target.repository.includes('/') ? `library/${target.repository}` : target.repository;
  return { ...target, registry, repository };
}

export function sameRepository(a: ImageReference | undefined, b: ImageReference): boolean {
  if (!a) return false;
  const x = normalizeTarget(a);
  const y = normalizeTarget(b);
  return x.registry === y.registry && x.repository === y.repository;
}

export function checkTarget(target: ImageReference, mode: LinkMode): void {
  if (mode !== 'digest' && !target.tag) throw new LinkError(`Linking by ${mode} needs a tag, and ${formatReference(target)} has none.`);
  if (mode !== 'tag' && !target.digest) throw new LinkError(`Linking by ${mode} needs a digest, and ${formatReference(target)} has none.`);
}

/** The name part as written (`nginx`, `ghcr.io/o/app`, `localhost:5000/x`), without tag or digest. */
export function nameOf(value: string): string {
  const at = value.indexOf('@');
  const rest = at >= 0 ? value.slice(0, at) : value;
  const colon = rest.lastIndexOf(':');
  return colon > rest.lastIndexOf('/') ? rest.slice(0, colon) : rest;
}

/** Whether a written name starts with a registry host, by the same rule as parseReference. */
function hasRegistryHost(name: string): boolean {
  const slash = name.indexOf('/');
  if (slash < 0) return false;
  const first = name.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase();
}

/**
 * The name to write for `target` where `existing` was written. An unchanged repository keeps
 * its spelling (`index.docker.io/nginx` stays). Otherwise Docker Hub gets the familiar short
 * form when the existing name had no registry host (`nginx`, `bitnami/redis`), and every other
 * case the full form, so a file that spells hosts out keeps doing so.
 */
export function nameFor(existing: string | undefined, target: ImageReference): string {
  const t = normalizeTarget(target);
  const written = existing ? parseLoose(existing) : undefined;
  if (existing && sameRepository(written, t)) return existing;
  const bare = { registry: t.registry, repository: t.repository };
  return existing && hasRegistryHost(existing) ? formatReference(bare) : familiarReference(bare);
}

/** Repository path for a block that keeps the registry in its own key (`registry: docker.io`). */
export function repositoryPathFor(existing: string | undefined, target: ImageReference): string {
  const t = normalizeTarget(target);
  // Docker Hub official images: keep `library/` only when the chart already spells it.
  if (t.registry === DOCKER_HUB && t.repository.startsWith('library/') && !existing?.startsWith('library/')) {
    return t.repository.slice('library/'.length);
  }
  return t.repository;
}

export function withVersion(name: string, tag: string | undefined, digest: string | undefined): string {
  return `${name}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
}

/**
 * Tag and digest of a block (Helm, Kustomize, porter) for a link mode. The rule:
 * - `tag`: write the tag; an existing non-empty digest is cleared to `""`, because charts and
 *   Kustomize let a digest win over the tag, so a stale one would keep the old image.
 * - `digest`: write the digest (inserting the key if needed). The tag key is never removed or
 *   cleared: many charts ignore `digest` or fall back to `.Chart.AppVersion` without a tag. It is
 *   updated to the target's tag when the target has one so tag and digest never disagree; with
 *   no target tag it stays as it was. No tag key is inserted.
 * - `tag@digest`: write both, inserting either key if needed.
 */
export function planVersion(
  values: FieldValues,
  present: (field: string) => boolean,
  target: ImageReference,
  mode: LinkMode,
  tagKey: string,
  digestKey: string,
): void {
  if (mode === 'tag') {
    values[tagKey] = target.tag;
    if (present(digestKey) && values[digestKey]) values[digestKey] = '';
  } else if (mode === 'digest') {
    values[digestKey] = target.digest;
    if (present(tagKey) && target.tag) values[tagKey] = target.tag;
  } else {
    values[tagKey] = target.tag;
    values[digestKey] = target.digest;
  }
}
