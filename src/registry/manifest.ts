// Manifests: the media types we accept, digest verification, and the shapes we read.
// The Accept list matters on the reference registry: without the OCI types an OCI manifest
// answers 404, and a Docker manifest list asked for without its type is silently replaced by
// the amd64 manifest (with a different digest). So every request sends all four.

import { createHash } from 'node:crypto';
import { RegistryError } from './errors';

export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

export const MANIFEST_ACCEPT = [MediaType.ociIndex, MediaType.ociManifest, MediaType.dockerList, MediaType.dockerManifest].join(', ');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  artifactType?: string;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
}

export interface ImageManifest {
  schemaVersion: number;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: number;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export type AnyManifest = ImageManifest | ImageIndex;

export function isIndexMediaType(mt: string | undefined): boolean {
  return mt === MediaType.ociIndex || mt === MediaType.dockerList;
}

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
  const algo = (headerDigest ?? requested ?? 'sha256:').split(':')[0];
  const computed = algo === 'sha512' ? `sha512:${createHash('sha512').update(body).digest('hex')}` : sha256Digest(body);
  if (headerDigest && headerDigest.startsWith(`${algo}:`) && headerDigest !== computed) {
    throw new RegistryError('protocol', `${host} sent a manifest whose content does not match its Docker-Content-Digest (${headerDigest}).`);
  }
  if (requested && requested.includes(':') && requested !== computed) {
    throw new RegistryError('protocol', `${host} sent a manifest that does not match the requested digest ${requested}.`);
  }
  return computed;
}

export function parseManifest(body: Buffer, contentType: string | undefined, host: string): { manifest: AnyManifest; mediaType: string } {
  let json: AnyManifest & { mediaType?: string };
  try {
    json = JSON.parse(body.toString('utf8')) as AnyManifest & { mediaType?: string };
  } catch {
    throw new RegistryError('protocol', `${host} sent a manifest that is not valid JSON.`);
  }
  const mediaType = json.mediaType ?? contentType?.split(';')[0]?.trim() ?? (isIndex(json) ? MediaType.ociIndex : MediaType.ociManifest);
  if (mediaType === MediaType.dockerSchema1 || mediaType === MediaType.dockerSchema1Signed) {
    throw new RegistryError('protocol', `${host} only offered a Docker schema 1 manifest, which is deprecated and not supported.`);
  }
  return { manifest: json, mediaType };
}

/** BuildKit attestations and other non-runnable entries in an index. */
export function isAttestation(d: Descriptor): boolean {
  return (
    d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
    (d.platform?.os === 'unknown' && d.platform.architecture === 'unknown')
  );
}

export function formatPlatform(p: Platform | undefined): string {
  if (!p) return 'unknown';
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** Sum of what a pull downloads: config plus layers (compressed sizes). */
export function imageSize(m: ImageManifest): number {
  return (m.config?.size ?? 0) + (m.layers ?? []).reduce((sum, l) => sum + (l.size ?? 0), 0);
}
