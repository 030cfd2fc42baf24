// What a tag's referrers vouch for, at a glance: signed, SBOM, provenance. Pure (no schemas),
// so the tree computes its badges without the network side.

import { isProvenance } from './artifactKind';
import type { Referrer } from './referrers';

export interface Badges {
  signed: boolean;
  sbom: boolean;
  provenance: boolean;
}

export function badgesOf(items: readonly Pick<Referrer, 'kind' | 'source' | 'predicateTypes'>[]): Badges {
  return {
    signed: items.some((r) => r.kind === 'signature'),
    sbom: items.some((r) => r.kind === 'sbom'),
    // BuildKit's index attestations are its SLSA provenance (and SBOMs, which say so in their predicate).
    provenance: items.some((r) => r.kind === 'attestation' && (r.source === 'index' || (r.predicateTypes ?? []).some(isProvenance))),
  };
}
