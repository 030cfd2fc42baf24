// Image references, parsed and normalized the way the Docker CLI and containerd do:
//   nginx                      → docker.io/library/nginx:latest
//   localhost:5000/a/b:1.0     → registry localhost:5000, repository a/b, tag 1.0
//   ghcr.io/o/app:1@sha256:…   → tag and digest both kept
// The grammar is distribution's reference/regexp.go.

import { RegistryError } from './errors';

export const DOCKER_HUB = 'docker.io';
/** Where Docker Hub's registry API actually lives. */
export const DOCKER_HUB_REGISTRY = 'registry-1.docker.io';
const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const SHA256 = /^sha256:[a-f0-9]{64}$/;
const DOMAIN = /^(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*)(?::[0-9]+)?$/;

export interface ImageReference {
  /** Registry host as written in references: `docker.io`, `ghcr.io`, `localhost:5000`. */
  registry: string;
  /** Repository path: `library/nginx`, `team/app`. */
  repository: string;
  tag?: string;
  digest?: string;
}

function invalid(input: string, why: string): RegistryError {
  return new RegistryError('invalid', `“${input}” is not a valid image reference: ${why}.`);
}

export function isDigest(s: string): boolean {
  return DIGEST.test(s);
}

export function isTag(s: string): boolean {
  return TAG.test(s);
}

export function isValidRepository(name: string): boolean {
  return name.length > 0 && name.length <= 255 && name.split('/').every((c) => COMPONENT.test(c));
}

/** Canonical registry host: Docker Hub's aliases fold into `docker.io`. */
export function normalizeRegistryHost(host: string): string {
  const h = host.toLowerCase();
  return HUB_ALIASES.has(h) ? DOCKER_HUB : h;
}

export function parseReference(input: string, options: { defaultTag?: string | false } = {}): ImageReference {
  const text = input.trim();
  if (!text) throw invalid(input, 'it is empty');
  if (/\s/.test(text)) throw invalid(input, 'it contains white space');
  if (/^[a-z]+:\/\//i.test(text)) throw invalid(input, 'leave out the scheme (https://)');

  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) throw invalid(input, `“${digest}” is not a digest (expected algorithm:hex, e.g. sha256:…)`);
    if (digest.startsWith('sha256:') && !SHA256.test(digest)) throw invalid(input, 'a sha256 digest has 64 lower-case hex digits');
  }

  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!isTag(tag)) throw invalid(input, `“${tag}” is not a valid tag (letters, digits, _ . -; at most 128; not starting with . or -)`);
  }

  let registry: string = DOCKER_HUB;
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      if (!DOMAIN.test(first)) throw invalid(input, `“${first}” is not a valid registry host`);
      registry = normalizeRegistryHost(first);
      path = rest.slice(slash + 1);
    }
  }
  if (!path) throw invalid(input, 'the repository name is missing');
  if (path !== path.toLowerCase()) throw invalid(input, 'repository names must be lower case');
  if (!isValidRepository(path)) {
    throw invalid(input, 'repository path components are lower-case letters and digits, separated by . _ __ or -');
  }
  if (registry === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;

  const defaultTag = options.defaultTag ?? 'latest';
  if (!tag && !digest && defaultTag) tag = defaultTag;
  return { registry, repository: path, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** Full form: `docker.io/library/nginx:latest`, `host/repo:tag@sha256:…`. */
export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The short form a person types: Docker Hub's `docker.io/library/` prefix is dropped. */
export function familiarReference(ref: ImageReference): string {
  let name = `${ref.registry}/${ref.repository}`;
  if (ref.registry === DOCKER_HUB) {
    name = ref.repository.startsWith('library/') ? ref.repository.slice('library/'.length) : ref.repository;
  }
  return `${name}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The host that serves the Registry API for a reference's registry. */
export function apiHost(registry: string): string {
  return normalizeRegistryHost(registry) === DOCKER_HUB ? DOCKER_HUB_REGISTRY : registry;
}
