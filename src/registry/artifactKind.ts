// What a manifest holds, read from what was fetched anyway (its `artifactType`, config media
// type, layer media types and annotations): no request of its own. Pure and free of schemas,
// so the tree can name kinds without loading the network side.

import { MediaType } from './mediaTypes';

export type ArtifactKind = 'image' | 'helm' | 'cnab' | 'wasm' | 'signature' | 'sbom' | 'attestation' | 'artifact';

/** The part of a manifest or index this module reads; both shapes fit. */
export interface ManifestShape {
  mediaType?: string;
  artifactType?: string;
  config?: { mediaType: string };
  layers?: readonly { mediaType: string; annotations?: Record<string, string> }[];
  manifests?: readonly { mediaType: string; annotations?: Record<string, string>; platform?: { os: string; architecture: string } }[];
  subject?: { digest: string };
  annotations?: Record<string, string>;
}

export interface ArtifactFacts {
  kind: ArtifactKind;
  /** The type that decided it (artifactType, else the config's media type), when not an image. */
  artifactType?: string;
  /** The digest this artifact refers to (OCI 1.1 `subject`). */
  subject?: string;
  /** in-toto predicate types of an attestation (SLSA provenance, SPDX…). */
  predicateTypes?: string[];
}

const IMAGE_CONFIGS: ReadonlySet<string> = new Set([MediaType.ociConfig, MediaType.dockerConfig]);
const PREDICATE_ANNOTATIONS = ['in-toto.io/predicate-type', 'predicateType', 'dev.sigstore.bundle.predicateType', 'dev.cosignproject.cosign/predicateType'];
const CNAB_INDEX_ANNOTATION = 'org.opencontainers.artifactType';

export function isImageConfig(mediaType: string | undefined): boolean {
  return mediaType !== undefined && IMAGE_CONFIGS.has(mediaType);
}

function isSbomType(t: string): boolean {
  return /spdx|cyclonedx|syft/i.test(t);
}

/** SPDX/CycloneDX predicates make an attestation an SBOM; the rest (SLSA, vuln…) stay attestations. */
export function predicateKind(predicateType: string): 'sbom' | 'attestation' {
  return isSbomType(predicateType) ? 'sbom' : 'attestation';
}

export function isProvenance(predicateType: string): boolean {
  return /slsa\.dev\/provenance/i.test(predicateType);
}

/** A type string that names a kind by itself (artifactType, config or layer media type). */
function kindOfType(t: string | undefined): ArtifactKind | undefined {
  if (!t) return undefined;
  if (t === MediaType.helmConfig || t === MediaType.helmChart) return 'helm';
  if (t === MediaType.cnabConfig || t === MediaType.cnabManifest) return 'cnab';
  if (/wasm/i.test(t)) return 'wasm';
  if (t === MediaType.notationSignature || t === MediaType.cosignSignature || t === MediaType.cosignArtifactSig || /signature/i.test(t)) return 'signature';
  if (isSbomType(t)) return 'sbom';
  if (t === MediaType.inToto || t === MediaType.dsseEnvelope || /in-toto|attestation/i.test(t)) return 'attestation';
  return undefined;
}

function predicatesOf(m: ManifestShape): string[] {
  const found = new Set<string>();
  for (const a of [m.annotations, ...(m.layers ?? []).map((l) => l.annotations)]) {
    for (const key of PREDICATE_ANNOTATIONS) {
      const p = a?.[key];
      if (p) found.add(p);
    }
  }
  return [...found];
}

/** A descriptor's kind from what it says of itself (a referrers list entry): no fetch. */
export function descriptorFacts(d: { artifactType?: string; annotations?: Record<string, string> }): ArtifactFacts {
  const facts = artifactFacts({ artifactType: d.artifactType, annotations: d.annotations, layers: [] });
  return facts.kind === 'image' ? { ...facts, kind: 'artifact' } : facts;
}

/** The kind of one manifest or index, and what decided it. */
export function artifactFacts(m: ManifestShape): ArtifactFacts {
  const subject = m.subject?.digest;
  const predicateTypes = predicatesOf(m);
  const base = (kind: ArtifactKind, artifactType?: string): ArtifactFacts => ({
    kind,
    ...(artifactType ? { artifactType } : {}),
    ...(subject ? { subject } : {}),
    ...(predicateTypes.length ? { predicateTypes } : {}),
  });
  if (m.manifests) {
    const declared = m.artifactType ?? m.annotations?.[CNAB_INDEX_ANNOTATION];
    const byType = kindOfType(declared);
    if (byType) return base(byType, declared);
    // An index made only of artifacts (a cosign v3 fallback index, a chart index) is not an image.
    return base(declared ? 'artifact' : 'image', declared);
  }
  const config = m.config?.mediaType;
  const declared = m.artifactType ?? (isImageConfig(config) || config === MediaType.ociEmpty ? undefined : config);
  // A sigstore bundle is a signature unless it carries an attestation's predicate.
  if (declared === MediaType.sigstoreBundle || m.layers?.some((l) => l.mediaType === MediaType.sigstoreBundle)) {
    return base(predicateTypes.length ? predicateKind(predicateTypes[0]!) : 'signature', declared ?? MediaType.sigstoreBundle);
  }
  // In-toto statements name what they attest in a predicate: an SBOM attestation is an SBOM.
  if (predicateTypes.length && (declared === undefined || kindOfType(declared) === 'attestation')) {
    return base(predicateTypes.some(isSbomType) ? 'sbom' : 'attestation', declared);
  }
  const byType = kindOfType(declared);
  if (byType) return base(byType, declared);
  // Old-style artifacts (cosign `.sig`/`.att`/`.sbom` tags) say it only in their layers.
  for (const l of m.layers ?? []) {
    const k = kindOfType(l.mediaType);
    if (k) return base(k, declared ?? l.mediaType);
  }
  if (declared) return base('artifact', declared);
  return base('image');
}
