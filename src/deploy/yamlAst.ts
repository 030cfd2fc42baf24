// Small helpers over the `yaml` Document API. Everything that locates text uses node ranges
// into the original source, so nothing is ever re-serialised: edits stay byte-minimal.

import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { FieldLocation, ScalarStyle, YamlPath } from './types';

export type Doc = Document.Parsed;

/** Follows an alias to its anchored node (one level is all YAML allows). */
export function resolve(node: unknown, doc: Doc): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function keyOf(pair: Pair): string | undefined {
  const k = pair.key;
  return isScalar(k) && (typeof k.value === 'string' || typeof k.value === 'number') ? String(k.value) : undefined;
}

/** The map's own pair for `key` (not following `<<` merges). */
export function ownPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => keyOf(p) === key);
}

/**
 * A key's value, own pairs first, then `<<: *base` / `<<: [*a, *b]` merges in order, the way
 * Compose resolves them. Returns the raw node too so callers can tell aliases apart.
 */
export function lookup(map: YAMLMap, key: string, doc: Doc, depth = 0): { node: unknown; raw: unknown } | undefined {
  const own = ownPair(map, key);
  if (own) return { node: resolve(own.value, doc), raw: own.value };
  if (depth > 8) return undefined;
  const merge = ownPair(map, '<<');
  if (!merge) return undefined;
  const sources = isSeq(merge.value) ? merge.value.items : [merge.value];
  for (const s of sources) {
    const m = resolve(s, doc);
    if (isMap(m)) {
      const hit = lookup(m, key, doc, depth + 1);
      if (hit) return hit;
    }
  }
  return undefined;
}

export function getMap(map: unknown, path: string[], doc: Doc): YAMLMap | undefined {
  let cur: unknown = map;
  for (const key of path) {
    if (!isMap(cur)) return undefined;
    cur = lookup(cur, key, doc)?.node;
  }
  return isMap(cur) ? cur : undefined;
}

/** The named map entries of `map`'s `key` (a Compose `services:`, a porter `images:`), aliases followed. */
export function* namedMaps(map: unknown, key: string, doc: Doc): Generator<[name: string, value: YAMLMap]> {
  for (const pair of getMap(map, [key], doc)?.items ?? []) {
    const name = keyOf(pair);
    const value = resolve(pair.value, doc);
    if (name !== undefined && isMap(value)) yield [name, value];
  }
}

/** A non-empty string scalar's value (numbers as written), else undefined. */
export function stringValue(node: unknown): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  const v = typeof node.value === 'string' ? node.value : node.source ?? String(node.value);
  return v === '' ? undefined : v;
}

function styleOf(s: Scalar): ScalarStyle {
  switch (s.type) {
    case 'QUOTE_DOUBLE':
      return 'double';
    case 'QUOTE_SINGLE':
      return 'single';
    case 'BLOCK_FOLDED':
    case 'BLOCK_LITERAL':
      return 'block';
    default:
      return 'plain';
  }
}

/**
 * The location of `raw` (a pair's value node) as an editable scalar, or undefined when it is
 * not a scalar. `flow` is whether the holding map is a flow map; an aliased scalar lives
 * elsewhere, so assume the stricter flow rules for it.
 */
export function fieldAt(text: string, raw: unknown, doc: Doc, flow: boolean): FieldLocation | undefined {
  const node = resolve(raw, doc);
  if (!isScalar(node) || !node.range || !(raw as Node).range) return undefined;
  if (typeof node.value === 'object' && node.value !== null) return undefined;
  const [start, end] = node.range;
  const holder = (raw as Node).range!;
  return {
    offset: start,
    source: text.slice(start, end),
    value: stringValue(node) ?? '',
    style: styleOf(node),
    flow: flow || isAlias(raw),
    holderOffset: holder[0],
    holderSource: text.slice(holder[0], holder[1]),
  };
}

/** 0-based column of an offset: the indentation to use for a sibling key. */
export function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

export function formatPath(path: YamlPath): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

/**
 * Every map pair in document order with its path, not descending into aliases (their anchors
 * are visited where they are defined). `visit` returns false to skip a pair's children.
 */
export function walkPairs(
  node: unknown,
  path: YamlPath,
  visit: (map: YAMLMap, pair: Pair, key: string, path: YamlPath) => boolean,
): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = keyOf(pair);
      if (key === undefined) continue;
      const p = [...path, key];
      if (visit(node, pair, key, p)) walkPairs(pair.value, p, visit);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => walkPairs(item, [...path, i], visit));
  }
}
