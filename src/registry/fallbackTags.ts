// The tag names of the referrers fallback schema: `sha256-HEX` (the OCI 1.1 fallback index,
// also cosign v3's) and cosign's older `sha256-HEX.sig` / `.att` / `.sbom`. No imports: the
// tree hides these tags from listings at activation-bundle cost.

export type FallbackKind = 'signature' | 'attestation' | 'sbom';

const COSIGN_SUFFIXES: readonly [string, FallbackKind][] = [
  ['sig', 'signature'],
  ['att', 'attestation'],
  ['sbom', 'sbom'],
];

const FALLBACK = /^(sha256|sha512)-([0-9a-f]{64}|[0-9a-f]{128})(?:\.(sig|att|sbom))?$/;

/** `sha256-HEX`: the fallback tag of a digest. */
export function fallbackTag(digest: string): string {
  return digest.replace(':', '-');
}

/** The tags a fallback-schema registry may hold for `digest`, and what each holds. */
export function fallbackTags(digest: string): { tag: string; kind?: FallbackKind }[] {
  const base = fallbackTag(digest);
  return [{ tag: base }, ...COSIGN_SUFFIXES.map(([suffix, kind]) => ({ tag: `${base}.${suffix}`, kind }))];
}

/** The digest a fallback-schema tag is about, or undefined for any other tag. */
export function fallbackSubject(tag: string): string | undefined {
  // Asked of every tag of a listing (100,000 at a time): most fail at the first letter.
  if (tag.charCodeAt(0) !== 115 /* s */ || tag.length < 71) return undefined;
  const m = FALLBACK.exec(tag);
  if (!m) return undefined;
  const [, algorithm, hex] = m;
  // The algorithm decides the length: sha256 with 128 digits is not a fallback tag.
  if ((algorithm === 'sha256') !== (hex!.length === 64)) return undefined;
  return `${algorithm}:${hex}`;
}
