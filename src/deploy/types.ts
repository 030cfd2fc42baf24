// Shared types of the deploy layer. Everything here is plain data so the VS Code side can keep
// references between a scan and a link (e.g. in a QuickPick item) without holding YAML trees.

import type { ImageReference } from '../registry/reference';

/** Which finder produced a reference; also the file kinds `classifyFile` recognises. */
export type DeployKind = 'kubernetes' | 'compose' | 'helm' | 'kustomize' | 'porter' | 'generic';

/**
 * How the image is written, which decides how it is rewritten:
 * `string` one `image: repo:tag` scalar; `helm` an `image: {registry?, repository, tag?, digest?}`
 * block; `kustomize` an `images:` entry; `porter` a porter.yaml `images:` entry.
 */
export type RefShape = 'string' | 'helm' | 'kustomize' | 'porter';

/** What to write: the tag, the digest, or both (`repo:tag@digest`). */
export type LinkMode = 'tag' | 'digest' | 'tag@digest';

export type FieldName = 'image' | 'registry' | 'repository' | 'tag' | 'digest' | 'name' | 'newName' | 'newTag';

export type ScalarStyle = 'plain' | 'single' | 'double' | 'block';

export type YamlPath = (string | number)[];

/** One scalar the link may rewrite, located in the original text. */
export interface FieldLocation {
  /** Offset of the scalar's source, quotes included (for `digest:` with no value: just after the colon). */
  offset: number;
  /** The scalar exactly as written, quotes included. */
  source: string;
  /** Its string value (`''` for null; numbers and booleans as written, e.g. `1.10`). */
  value: string;
  style: ScalarStyle;
  /** Inside a flow collection (`{…}`/`[…]`), where a plain scalar may not contain `,[]{}`. */
  flow: boolean;
  /**
   * The pair's value node in its own map. Differs from the scalar when the value is an alias
   * (`tag: *version`): the scalar is edited at its anchor, a new key goes after the alias.
   */
  holderOffset: number;
  holderSource: string;
}

/** An image reference found in a deploy file. */
export interface DeployRef {
  file: string;
  kind: DeployKind;
  shape: RefShape;
  /** 1-based line and column of the image scalar, or of the block's first key. */
  line: number;
  column: number;
  /** Offset of the same position, for `TextDocument.positionAt`. */
  offset: number;
  /** The reference as deployed, assembled from the block's fields when it is a block: `ghcr.io/org/app:1.2`. */
  value: string;
  /** `value` parsed without a default tag; absent when it is not a valid reference (`${IMAGE}`…). */
  image?: ImageReference;
  /** Same registry and repository as the scan's target (the picker preselects these). */
  matches: boolean;
  /** Short context for the picker: `Deployment/web › app`, `service api`, `backend.image`. */
  label: string;
  /** 0-based index of the YAML document in a multi-document file. */
  document: number;
  /** YAML path to the image scalar (string shape) or to the block map. */
  path: YamlPath;
  /** The scalars that exist; a block's absent keys are inserted when a link needs them. */
  fields: Partial<Record<FieldName, FieldLocation>>;
  /** Blocks only: where new keys go. `indent` is the column of the block's keys. */
  block?: { indent: number; flow: boolean };
  /** Helm: `global.imageRegistry`, which overrides the block's `registry` (Bitnami convention). */
  globalRegistry?: string;
  /** Other YAML paths that use the same text through an anchor/alias: linking this ref changes them too. */
  shared?: string[];
  /**
   * Variables and template expressions in the value (`${TAG}`, `{{ .Values.tag }}`): the value
   * is decided at deploy time, and `image` is what it gives when no variable is set.
   */
  expressions?: string[];
}

/** How a link treats what is already written (see interpolation.ts and planChange). */
export interface RewriteOptions {
  /**
   * A ref pinned by digest keeps a digest when linked by tag (tag@digest, or digest alone when
   * it had no tag), provided the target's digest is known.
   */
  keepPins?: boolean;
  /** The user agreed that variables which cannot be kept are replaced by the literal value. */
  allowReplace?: boolean;
}

/** One ref's link, for the confirmation before anything is edited. */
export interface PlannedChange {
  /** As written now, and after the link (expressions included). */
  before: string;
  after: string;
  /** The mode this ref is linked in: the chosen one, or the pin style kept. */
  mode: LinkMode;
  /** Expressions the link removes (needs `allowReplace`). */
  replaced: string[];
  /** The chosen mode was tag, and the ref keeps its digest pin. */
  pinKept?: boolean;
  /** The ref is pinned by digest and loses the pin (by tag, pins not kept or digest unknown). */
  pinDropped?: boolean;
}

export interface DeployProblem {
  file: string;
  /** 1-based. */
  line: number;
  column: number;
  /** The YAML parser's message, e.g. `Map keys must be unique`. */
  message: string;
}

export interface DeployFile {
  path: string;
  text: string;
  /** Force a kind (e.g. the configured deploy-config path); otherwise `classifyFile` decides. */
  kind?: DeployKind;
}

export interface ScanResult {
  refs: DeployRef[];
  problems: DeployProblem[];
}

/** A replacement in the original text; several are never overlapping and are sorted by offset. */
export interface TextEdit {
  offset: number;
  length: number;
  newText: string;
}

export interface LinkResult {
  edits: TextEdit[];
  /** The text with the edits applied. */
  text: string;
}

/**
 * Which reference in a file a ref is, independent of offsets: it survives edits elsewhere in
 * the file, so a later scan of the same file finds the same ref by it.
 */
export function refIdentity(ref: Pick<DeployRef, 'kind' | 'shape' | 'document' | 'path'>): string {
  return JSON.stringify([ref.kind, ref.shape, ref.document, ref.path]);
}

/** The text no longer has the reference where the scan found it: scan the current text again. */
export class StaleReferenceError extends Error {
  override readonly name = 'StaleReferenceError';
}

/** The link cannot be made as asked (target lacks the tag/digest the mode needs, block scalar, …). */
export class LinkError extends Error {
  override readonly name = 'LinkError';
}

/** What stands in for a password in generated commands unless the user asks for the real one. */
export const PASSWORD_PLACEHOLDER = '<password>';
