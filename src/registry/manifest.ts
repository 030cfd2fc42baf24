// Manifests: the media types we accept, digest verification, and the shapes we read.
// The Accept list matters on the reference registry: without the OCI types an OCI manifest
// answers 404, and a Docker manifest list asked for without its type is silently replaced by
// the amd64 manifest (with a different digest). So every request sends all four.

import { createHash } from 'node:crypto';
import * as v from 'valibot';
import { isValidDigest } from './digest';
import { RegistryError } from './errors';
import { MediaType, isIndexMediaType, type Platform } from './mediaTypes';
import { digestSchema, parseJsonText, parseWire, sizeSchema, wireObject } from './wire';

// The names the rest of the code knows these by; they live in mediaTypes.ts so that the UI can
// use them without loading the schemas.
export { MediaType, formatPlatform, isIndexMediaType, type Platform } from './mediaTypes';

export const MANIFEST_ACCEPT = [MediaType.ociIndex, MediaType.ociManifest, MediaType.dockerList, MediaType.dockerManifest].join(', ');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  artifactType?: string;
}

export interface ImageManifest {
  schemaVersion: number;
  mediaType?: string;
  /** OCI 1.1: what kind of artifact this is, when it is not an image. */
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  /** OCI 1.1: the manifest this one refers to (a signature's image). */
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: number;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export type AnyManifest = ImageManifest | ImageIndex;

export function isIndex(m: AnyManifest): m is ImageIndex {
  return Array.isArray((m as ImageIndex).manifests);
}

export function sha256Digest(body: Buffer): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

/**
 * The digest of what we received, checked against what the server claims and what we asked
 * for. A mismatch means a broken proxy or a lying server; either way the bytes are not
 * the image the user named.
 */
export function verifiedDigest(body: Buffer, headerDigest: string | undefined, requested: string | undefined, host: string): string {
  if (headerDigest && !isValidDigest(headerDigest)) {
    // Never quoted: a header is the server's text, and this one is not a digest.
    throw new RegistryError('protocol', `${host} sent a Docker-Content-Digest header that is not a digest (algorithm:hex).`);
  }
  const algo = (headerDigest || requested || 'sha256:').split(':')[0];
  const computed = algo === 'sha512' ? `sha512:${createHash('sha512').update(body).digest('hex')}` : sha256Digest(body);
  if (headerDigest && headerDigest.startsWith(`${algo}:`) && headerDigest !== computed) {
    throw new RegistryError('protocol', `${host} sent a manifest whose content does not match its Docker-Content-Digest (${headerDigest}).`);
  }
  if (requested && requested.includes(':') && requested !== computed) {
    throw new RegistryError('protocol', `${host} sent a manifest that does not match the requested digest ${requested}.`);
  }
  return computed;
}

// The shapes, as schemas (see wire.ts). Descriptors are strict where the extension acts on a
// value (a digest becomes a URL and may be written into the user's YAML; a size is summed) and
// loose objects everywhere, so fields we do not check (subject, urls, data…) pass through.
const annotationsSchema = v.record(v.string(), v.string());

const platformSchema = wireObject({
  architecture: v.string(),
  os: v.string(),
  variant: v.optional(v.string()),
  'os.version': v.optional(v.string()),
});

const descriptorSchema = wireObject({
  mediaType: v.string(),
  digest: digestSchema,
  size: sizeSchema,
  platform: v.optional(platformSchema),
  annotations: v.optional(annotationsSchema),
  artifactType: v.optional(v.string()),
});

const imageManifestSchema = wireObject({
  schemaVersion: v.literal(2),
  mediaType: v.optional(v.string()),
  artifactType: v.optional(v.string()),
  config: descriptorSchema,
  layers: v.array(descriptorSchema),
  subject: v.optional(descriptorSchema),
  annotations: v.optional(annotationsSchema),
});

const imageIndexSchema = wireObject({
  schemaVersion: v.literal(2),
  mediaType: v.optional(v.string()),
  artifactType: v.optional(v.string()),
  manifests: v.array(descriptorSchema),
  subject: v.optional(descriptorSchema),
  annotations: v.optional(annotationsSchema),
});

/** A referrers answer (OCI 1.1) or a fallback `sha256-HEX` tag: an index of descriptors. */
export function parseIndex(body: Buffer, host: string, what: string): ImageIndex {
  return parseWire(imageIndexSchema, parseJsonText(body, host, what), host, what);
}

/** Just enough to decide which schema applies. */
const envelopeSchema = wireObject({ mediaType: v.optional(v.string()), schemaVersion: v.optional(v.unknown()) });

const MANIFEST_TYPES: ReadonlySet<string> = new Set([MediaType.ociManifest, MediaType.dockerManifest]);

/**
 * A manifest or index from `host`, checked against its schema: anything else (not JSON, a bare
 * number, `layers` not a list, a descriptor digest that is not `algorithm:hex`) is a protocol
 * RegistryError that says what was wrong, never a TypeError later on.
 */
export function parseManifest(body: Buffer, contentType: string | undefined, host: string): { manifest: AnyManifest; mediaType: string } {
  const json = parseJsonText(body, host, 'a manifest');
  const envelope = parseWire(envelopeSchema, json, host, 'a manifest');
  const hasManifests = 'manifests' in envelope;
  const mediaType = envelope.mediaType ?? (contentType?.split(';')[0]?.trim() || (hasManifests ? MediaType.ociIndex : MediaType.ociManifest));
  if (mediaType === MediaType.dockerSchema1 || mediaType === MediaType.dockerSchema1Signed || envelope.schemaVersion === 1) {
    throw new RegistryError('protocol', `${host} only offered a Docker schema 1 manifest, which is deprecated and not supported.`);
  }
  // The declared type decides; for a type we do not know (an artifact, `application/json`), the shape does.
  const index = isIndexMediaType(mediaType) || (!MANIFEST_TYPES.has(mediaType) && hasManifests);
  const manifest: AnyManifest = index ? parseWire(imageIndexSchema, json, host, 'an image index') : parseWire(imageManifestSchema, json, host, 'a manifest');
  return { manifest, mediaType };
}

/** The facts the extension reads from an image config blob. */
export interface ImageConfigFacts {
  created?: string;
  os?: string;
  architecture?: string;
  variant?: string;
}

const optionalText = v.optional(v.nullable(v.string()));

const imageConfigSchema = wireObject({ created: optionalText, os: optionalText, architecture: optionalText, variant: optionalText });

/** An image config blob (`digest`, from `host`) reduced to its facts, or a protocol error. */
export function parseImageConfig(body: Buffer, host: string, digest: string): ImageConfigFacts {
  const what = `an image config (${digest.slice(0, 19)}…)`;
  const c = parseWire(imageConfigSchema, parseJsonText(body, host, what), host, what);
  const facts: ImageConfigFacts = {};
  if (c.created) facts.created = c.created;
  if (c.os) facts.os = c.os;
  if (c.architecture) facts.architecture = c.architecture;
  if (c.variant) facts.variant = c.variant;
  return facts;
}

/** BuildKit attestations and other non-runnable entries in an index. */
export function isAttestation(d: Descriptor): boolean {
  return (
    d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
    (d.platform?.os === 'unknown' && d.platform.architecture === 'unknown')
  );
}

/** BuildKit attestation entries of an index, each with the image it describes when it says so. */
export function buildKitAttestations(index: ImageIndex): { digest: string; subject?: string }[] {
  return index.manifests
    .filter((d) => d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest')
    .map((d) => {
      const subject = d.annotations?.['vnd.docker.reference.digest'];
      return isValidDigest(subject) ? { digest: d.digest, subject } : { digest: d.digest };
    });
}

/** Sum of what a pull downloads: config plus layers (compressed sizes). */
export function imageSize(m: ImageManifest): number {
  return (m.config?.size ?? 0) + (m.layers ?? []).reduce((sum, l) => sum + (l.size ?? 0), 0);
}
