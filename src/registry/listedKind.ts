// What a provider's listing says an artifact is, mapped to the kinds artifactKind.ts reads from
// manifests: Harbor's `type` (IMAGE, CHART, CNAB…) and `media_type`, ECR's `artifactMediaType`,
// Docker Hub's `content_type` (image, helm…). Rows whose listing carries every fact (digest,
// date, size) have no manifest read, so this is their only word on what they hold.

import { artifactFacts, isImageConfig, type ArtifactFacts, type ArtifactKind } from './artifactKind';
import { MediaType } from './mediaTypes';

export interface ListedTypes {
  /** A product's word for the artifact: Harbor's `type`, Docker Hub's `content_type`. */
  type?: string | null;
  /** The config's media type or artifactType (Harbor's `media_type`, ECR's `artifactMediaType`). */
  artifactMediaType?: string | null;
}

// Harbor's artifact processors and Docker Hub's content types; anything else is left to the media type.
// A Map: a server's word is never looked up among an object's inherited names (`constructor`).
const WORDS: ReadonlyMap<string, ArtifactKind> = new Map([
  ['image', 'image'],
  ['chart', 'helm'],
  ['helm', 'helm'],
  ['cnab', 'cnab'],
  ['wasm', 'wasm'],
  ['sbom', 'sbom'],
]);

// Harbor's `media_type` of an index is the index's own type: it says nothing of the artifact.
const MANIFEST_TYPES: ReadonlySet<string> = new Set([MediaType.ociIndex, MediaType.ociManifest, MediaType.dockerList, MediaType.dockerManifest]);
// RFC 6838 names (type/subtype, 127 characters each): the tooltip quotes the type, so a value
// that is not one (Markdown, line breaks, a page of text) is not taken from a listing.
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i;

/** The kind a listing entry names; undefined for an image or when it says nothing we know. */
export function listedFacts(t: ListedTypes): ArtifactFacts | undefined {
  const mediaType = t.artifactMediaType && MEDIA_TYPE.test(t.artifactMediaType) ? t.artifactMediaType : undefined;
  const declared = mediaType && !MANIFEST_TYPES.has(mediaType) && !isImageConfig(mediaType) ? mediaType : undefined;
  // The media type is the more precise of the two (a Harbor IMAGE can carry a WASM config).
  if (declared && declared !== MediaType.ociEmpty) {
    const facts = artifactFacts({ config: { mediaType: declared }, layers: [] });
    return facts.kind === 'image' ? undefined : facts;
  }
  if (isImageConfig(mediaType)) return undefined;
  const word = t.type ? WORDS.get(t.type.toLowerCase()) : undefined;
  return word && word !== 'image' ? { kind: word } : undefined;
}
