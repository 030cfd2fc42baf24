// A shape knows how the fields of one way of writing an image make up a reference, and which
// field values a link produces. Finders locate fields; rewrite.ts turns value changes into edits.

import type { ImageReference } from '../registry/reference';
import { hasExpressions, planTemplate } from './interpolation';
import { nameFor, nameOf, normalizeTarget, withVersion, type FieldValues } from './naming';
import type { DeployRef, FieldName, LinkMode, RefShape, YamlPath } from './types';
import type { YAMLMap } from 'yaml';
import { columnOf, fieldAt, ownPair, type Doc } from './yamlAst';

export interface Shape {
  /** Canonical key order: a missing key is inserted after the nearest earlier key that exists. */
  readonly order: readonly FieldName[];
  /** The reference the fields describe, as the deploy tool would pull it. */
  assemble(values: FieldValues, ref: Pick<DeployRef, 'globalRegistry'>): string;
  /** Field values after linking `target` (already checked to carry what `mode` needs). */
  plan(values: FieldValues, ref: DeployRef, target: ImageReference, mode: LinkMode): FieldValues;
}

/** `image: nginx:1.25`: Kubernetes, Compose, Helm strings, generic files. */
export const stringShape: Shape = {
  order: ['image'],
  assemble: (v) => v.image ?? '',
  plan(v, _ref, target, mode) {
    const literal = (image: string) => {
      const t = normalizeTarget(target);
      // nameFor keeps the written name when the repository is unchanged.
      const name = nameFor(nameOf(image) || undefined, t);
      return withVersion(name, mode === 'digest' ? undefined : t.tag, mode === 'tag' ? undefined : t.digest);
    };
    const image = v.image ?? '';
    return { image: hasExpressions(image) ? planTemplate(image, target, mode, literal).value : literal(image) };
  },
};

/** What a finder reports; find.ts adds file, position, value and matching. */
export interface FoundRef {
  shape: RefShape;
  path: YamlPath;
  label: string;
  fields: DeployRef['fields'];
  /** Offset reported as the ref's position: the image scalar, or the block's first key. */
  at: number;
  block?: DeployRef['block'];
  globalRegistry?: string;
}

export type Finder = (doc: Doc, text: string, emit: (ref: FoundRef) => void) => void;

/**
 * Anything non-empty without white space counts: `${IMAGE}` is still where the image goes, and
 * so is `{{ .Values.registry }}/app:1.0` (white space inside a template expression is allowed).
 */
function isImageString(value: string): boolean {
  return value !== '' && !/\s/.test(value.replace(/\{\{[^}]*\}\}/g, ''));
}

/** A string-shaped ref for the pair value `raw`, or undefined when it is not an image string. */
export function stringRef(text: string, raw: unknown, doc: Doc, flow: boolean, path: YamlPath, label: string): FoundRef | undefined {
  const f = fieldAt(text, raw, doc, flow);
  if (!f || f.style === 'block' || !isImageString(f.value)) return undefined;
  return { shape: 'string', path, label, fields: { image: f }, at: f.offset };
}

/**
 * A block-shaped ref from the map's own keys among `names`. Undefined when one of them holds a
 * collection or a block scalar: that is not something a link can rewrite.
 */
export function blockRef(
  text: string,
  map: YAMLMap,
  doc: Doc,
  shape: Exclude<RefShape, 'string'>,
  names: readonly FieldName[],
  path: YamlPath,
  label: string,
): FoundRef | undefined {
  if (!map.range) return undefined;
  const fields: DeployRef['fields'] = {};
  for (const name of names) {
    const pair = ownPair(map, name);
    if (!pair) continue;
    const f = fieldAt(text, pair.value, doc, !!map.flow);
    if (!f || f.style === 'block') return undefined;
    fields[name] = f;
  }
  const at = map.range[0];
  return { shape, path, label, fields, at, block: { indent: columnOf(text, at), flow: !!map.flow } };
}
