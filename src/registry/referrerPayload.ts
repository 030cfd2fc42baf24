// What a signature, SBOM or attestation says, for a read-only document: its manifest's facts
// and each JSON layer's content, DSSE envelopes decoded to their in-toto statements (a sigstore
// bundle's envelope too). Binary and oversized layers are named, not read.

import { artifactFacts } from './artifactKind';
import type { RegistryClient } from './client';
import { decodeEnvelope, isEnvelope } from './dsse';
import { isRegistryError } from './errors';
import { parseJsonText } from './wire';

export interface PayloadLayer {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  /** The layer as JSON; for a DSSE envelope, its decoded payload (the in-toto statement). */
  content?: unknown;
  envelope?: { payloadType: string; signatures: number; predicateType?: string };
  /** Why the content is not shown. */
  note?: string;
}

export interface ReferrerPayload {
  reference: string;
  digest: string;
  kind: string;
  artifactType?: string;
  subject?: string;
  annotations?: Record<string, string>;
  layers: PayloadLayer[];
  /** Layers beyond MAX_LAYERS, not read. */
  layersNotShown?: number;
}

export const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;
const MAX_LAYERS = 8;

function isJsonType(mediaType: string): boolean {
  return /json/i.test(mediaType) || mediaType === 'text/spdx';
}

async function readLayer(client: RegistryClient, repository: string, l: { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }, host: string, signal?: AbortSignal): Promise<PayloadLayer> {
  const base: PayloadLayer = { mediaType: l.mediaType, digest: l.digest, size: l.size, ...(l.annotations ? { annotations: l.annotations } : {}) };
  if (!isJsonType(l.mediaType)) return { ...base, note: 'binary content, not shown' };
  if (l.size > MAX_PAYLOAD_BYTES) return { ...base, note: `larger than ${MAX_PAYLOAD_BYTES / 1024 / 1024} MB, not shown` };
  let body: Buffer;
  try {
    body = await client.getBlob(repository, l.digest, signal, MAX_PAYLOAD_BYTES);
  } catch (e) {
    if (isRegistryError(e, 'notFound')) return { ...base, note: 'the registry no longer has this layer' };
    throw e;
  }
  if (l.mediaType === 'text/spdx') return { ...base, content: body.toString('utf8') };
  const json = parseJsonText(body, host, `a layer of ${repository}@${l.digest.slice(0, 19)}…`);
  // A sigstore bundle carries its attestation as `dsseEnvelope`.
  const envelopeJson = isEnvelope(json) ? json : typeof json === 'object' && json !== null && isEnvelope((json as { dsseEnvelope?: unknown }).dsseEnvelope) ? (json as { dsseEnvelope: unknown }).dsseEnvelope : undefined;
  if (envelopeJson === undefined) return { ...base, content: json };
  const env = decodeEnvelope(envelopeJson, host);
  return {
    ...base,
    envelope: { payloadType: env.payloadType, signatures: env.signatures, ...(env.predicateType ? { predicateType: env.predicateType } : {}) },
    content: env.payload,
  };
}

/** The referrer `reference` (a digest or a fallback tag) of `repository`, read for a person. */
export async function readReferrerPayload(client: RegistryClient, repository: string, reference: string, signal?: AbortSignal): Promise<ReferrerPayload> {
  const m = await client.getManifest(repository, reference, signal);
  const host = (await client.baseUrl(signal)).host;
  const facts = artifactFacts(m.manifest);
  const layerList = 'layers' in m.manifest ? m.manifest.layers : [];
  const layers: PayloadLayer[] = [];
  // One at a time: a payload is opened by a person, and the client's limiter is shared with the tree.
  for (const l of layerList.slice(0, MAX_LAYERS)) layers.push(await readLayer(client, repository, l, host, signal));
  return {
    reference,
    digest: m.digest,
    kind: facts.kind,
    ...(facts.artifactType ? { artifactType: facts.artifactType } : {}),
    ...(facts.subject ? { subject: facts.subject } : {}),
    ...(m.manifest.annotations ? { annotations: m.manifest.annotations } : {}),
    layers,
    ...(layerList.length > MAX_LAYERS ? { layersNotShown: layerList.length - MAX_LAYERS } : {}),
  };
}
