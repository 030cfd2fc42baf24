// What refers to an image: signatures, SBOMs, attestations. Three sources, merged by digest:
//   1. the OCI 1.1 referrers API (`GET /v2/NAME/referrers/DIGEST`); where it is missing (404:
//      distribution 2.8, GHCR, Docker Hub) the spec's fallback tag `sha256-HEX`, an index of
//      the referrers (cosign v3 writes it);
//   2. cosign's older tags `sha256-HEX.sig`, `.att`, `.sbom` (cosign uses them whatever the
//      registry supports);
//   3. BuildKit attestations inside the image's own index.
// Every request goes through the client (its limiter, origins, deadlines); a tag the listing
// does not hold costs nothing.

import { artifactFacts, descriptorFacts, type ArtifactKind } from './artifactKind';
import type { RegistryClient } from './client';
import { isValidDigest } from './digest';
import { fallbackTags } from './fallbackTags';
import { RegistryError, isRegistryError, parseErrorBody } from './errors';
import { MediaType, parseIndex, type Descriptor } from './manifest';
import { nextLink } from './paging';

/** api: the registry's referrers API; provider: the provider's own API (Harbor accessories, ECR ListImageReferrers). */
export type ReferrerSource = 'api' | 'provider' | 'tag' | 'index';

export interface Referrer {
  digest: string;
  mediaType: string;
  size?: number;
  kind: ArtifactKind;
  artifactType?: string;
  predicateTypes?: string[];
  source: ReferrerSource;
  /** The fallback tag it was found under. */
  tag?: string;
  /** `org.opencontainers.image.created`, when the referrer carries it. */
  created?: string;
}

export interface Referrers {
  items: Referrer[];
  /** Whether the registry's referrers API or the provider's API answered (false: the fallbacks were used). */
  api: boolean;
  /** Entries beyond MAX_REFERRERS that were not looked at. */
  notShown?: number;
}

/** One tag row's lookup stays small whatever a server sends. */
export const MAX_REFERRERS = 100;
const MAX_PAGES = 10;
const MAX_LIST_BYTES = 1024 * 1024;

export { fallbackSubject, fallbackTag, fallbackTags } from './fallbackTags';
export { badgesOf, type Badges } from './badges';

/**
 * The referrers API's answer, or undefined where the registry has none (404). Paged by Link,
 * up to MAX_PAGES; an `artifactType` filter the server did not apply is applied here.
 */
export async function referrersApi(client: RegistryClient, repository: string, digest: string, opts: { artifactType?: string; signal?: AbortSignal } = {}): Promise<{ items: Descriptor[]; notShown: number } | undefined> {
  if (!isValidDigest(digest)) throw new RegistryError('invalid', 'Referrers are looked up by digest (algorithm:hex).');
  const query = opts.artifactType ? `?artifactType=${encodeURIComponent(opts.artifactType)}` : '';
  let res = await client.exchange({ method: 'GET', path: `/v2/${repository}/referrers/${digest}${query}`, accept: MediaType.ociIndex, signal: opts.signal, maxBodyBytes: MAX_LIST_BYTES });
  if (res.status === 404) return undefined;
  const items: Descriptor[] = [];
  for (let page = 0; ; page++) {
    const host = res.url.host;
    if (res.status < 200 || res.status >= 300) throw listError(res.status, res.body, host, repository);
    const index = parseIndex(res.body, host, `a referrers list for ${repository}@${digest.slice(0, 19)}…`);
    const filtered = opts.artifactType && !/artifactType/i.test(res.headers.get('oci-filters-applied') ?? '');
    items.push(...(filtered ? index.manifests.filter((d) => d.artifactType === opts.artifactType) : index.manifests));
    const next = nextLink(res.headers.getAll('link'), res.url);
    if (!next || page + 1 >= MAX_PAGES || items.length >= MAX_REFERRERS) break;
    res = await client.exchange({ method: 'GET', url: next, accept: MediaType.ociIndex, signal: opts.signal, maxBodyBytes: MAX_LIST_BYTES });
  }
  return { items: items.slice(0, MAX_REFERRERS), notShown: Math.max(0, items.length - MAX_REFERRERS) };
}

function listError(status: number, body: Buffer, host: string, repository: string): RegistryError {
  const { code, message } = parseErrorBody(body);
  const detail = message ? ` (${message})` : '';
  if (status === 401) return new RegistryError('unauthorized', `${host} requires you to sign in to list what refers to images of ${repository}.`, { status, code });
  if (status === 403) return new RegistryError('forbidden', `${host} denied listing what refers to images of ${repository}${detail}.`, { status, code });
  if (status === 429) return new RegistryError('rateLimited', `${host} is rate limiting requests; try again shortly.`, { status, code });
  return new RegistryError(status >= 500 ? 'network' : 'protocol', `${host} answered HTTP ${status} listing what refers to images of ${repository}${detail}.`, { status, code });
}

/** A referrer from what a descriptor says of itself (a referrers list, a provider's listing). */
export function fromDescriptor(d: Pick<Descriptor, 'digest' | 'mediaType' | 'size' | 'artifactType' | 'annotations'>, source: ReferrerSource, tag?: string): Referrer {
  const facts = descriptorFacts(d);
  const created = d.annotations?.['org.opencontainers.image.created'];
  return {
    digest: d.digest,
    mediaType: d.mediaType,
    size: d.size,
    kind: facts.kind,
    ...(d.artifactType ? { artifactType: d.artifactType } : {}),
    ...(facts.predicateTypes ? { predicateTypes: facts.predicateTypes } : {}),
    source,
    ...(tag ? { tag } : {}),
    ...(created ? { created } : {}),
  };
}

/** A manifest fetched by tag or digest, described as a referrer; undefined when it is not there. */
async function fetched(client: RegistryClient, repository: string, reference: string, source: ReferrerSource, signal?: AbortSignal, hint?: ArtifactKind): Promise<Referrer | undefined> {
  try {
    const m = await client.getManifest(repository, reference, signal);
    const facts = artifactFacts(m.manifest);
    // A cosign tag's suffix says what it is when the layers do not.
    const kind = facts.kind === 'image' || facts.kind === 'artifact' ? (hint ?? facts.kind) : facts.kind;
    return {
      digest: m.digest,
      mediaType: m.mediaType,
      size: m.size,
      kind,
      ...(facts.artifactType ? { artifactType: facts.artifactType } : {}),
      ...(facts.predicateTypes ? { predicateTypes: facts.predicateTypes } : {}),
      source,
      ...(source === 'tag' ? { tag: reference } : {}),
    };
  } catch (e) {
    if (isRegistryError(e, 'notFound')) return undefined;
    throw e;
  }
}

export interface FindOptions {
  /** The provider's own list (Harbor accessories, ECR ListImageReferrers), asked instead of the registry's API; undefined when it has none for this image. */
  provider?: () => Promise<Referrer[] | undefined>;
  /** Whether the repository holds a tag: true/false from a loaded listing, undefined to ask the registry. */
  hasTag?: (tag: string) => boolean | undefined;
  /** BuildKit attestation entries that describe this image (an index tag: all of ImageDetails.attestations). */
  attestations?: readonly { digest: string; subject?: string }[];
  signal?: AbortSignal;
}

/** Everything that refers to `digest` in `repository`, from every source, once per digest. */
export async function findReferrers(client: RegistryClient, repository: string, digest: string, opts: FindOptions = {}): Promise<Referrers> {
  const { signal } = opts;
  const present = (tag: string) => opts.hasTag?.(tag) !== false;
  const fromProvider = await opts.provider?.();
  const api = fromProvider ? { items: [], notShown: 0 } : await referrersApi(client, repository, digest, { signal });
  const found: Referrer[] = fromProvider ?? (api ? api.items.map((d) => fromDescriptor(d, 'api')) : []);
  const [indexTag, ...cosign] = fallbackTags(digest);
  const lookups: Promise<Referrer[]>[] = [];
  if (!api && present(indexTag!.tag)) {
    lookups.push(
      (async () => {
        try {
          const m = await client.getManifest(repository, indexTag!.tag, signal);
          const entries = 'manifests' in m.manifest ? m.manifest.manifests.slice(0, MAX_REFERRERS) : [];
          return entries.map((d) => fromDescriptor(d, 'tag', indexTag!.tag));
        } catch (e) {
          if (isRegistryError(e, 'notFound')) return [];
          throw e;
        }
      })(),
    );
  }
  for (const c of cosign) {
    if (present(c.tag)) lookups.push(fetched(client, repository, c.tag, 'tag', signal, c.kind).then((r) => (r ? [r] : [])));
  }
  for (const a of opts.attestations ?? []) {
    lookups.push(fetched(client, repository, a.digest, 'index', signal, 'attestation').then((r) => (r ? [r] : [])));
  }
  for (const list of await Promise.all(lookups)) found.push(...list);
  const byDigest = new Map<string, Referrer>();
  for (const r of found) if (!byDigest.has(r.digest)) byDigest.set(r.digest, r);
  return { items: [...byDigest.values()], api: !!api, ...(api?.notShown ? { notShown: api.notShown } : {}) };
}
