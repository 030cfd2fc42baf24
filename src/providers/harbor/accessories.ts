// Harbor's accessories (cosign and Notation signatures, SBOMs, attestations attached to an
// artifact) as referrers: they come with the artifact listing, so a tag's referrers cost no
// request of their own.

import { MediaType } from '../../registry/mediaTypes';
import type { Referrer } from '../../registry/referrers';
import { num } from '../controlPlane';

/** `signature.cosign`, `signature.notation`, `harbor.sbom`, … → the referrers of one artifact. */
export function accessoryReferrers(accessories: readonly { type?: string | null; digest?: string | null; size?: unknown }[] | null | undefined): Referrer[] {
  const out: Referrer[] = [];
  for (const a of accessories ?? []) {
    if (!a.digest) continue;
    const type = (a.type ?? '').toLowerCase();
    const kind = type.includes('signature') ? 'signature' : type.includes('sbom') ? 'sbom' : 'attestation';
    const size = num(a.size);
    out.push({ digest: a.digest, mediaType: MediaType.ociManifest, kind, ...(a.type ? { artifactType: a.type } : {}), ...(size !== undefined ? { size } : {}), source: 'provider' });
  }
  return out;
}
