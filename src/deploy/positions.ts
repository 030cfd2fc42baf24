// What is being typed at a position of a deploy file: a registry host, a repository, a tag or a
// digest, in which field, and the span a completion replaces. Read from the line and its
// sibling keys rather than from a YAML tree, because a file being typed rarely parses (`image:
// ghcr.io/` one keystroke ago was fine, `tag: "1.` is not), and completion must work then too.

import { parseReference, type ImageReference } from '../registry/reference';
import type { DeployKind, FieldName } from './types';

export type CompletionPart = 'host' | 'repository' | 'tag' | 'digest';

export interface CompletionSite {
  part: CompletionPart;
  /** The key whose value is being typed. */
  field: FieldName;
  /** The span an item replaces (the part only: `3.1` in `alpine:3.1`), and the text typed before the cursor in it. */
  start: number;
  end: number;
  prefix: string;
  /** For repository/tag/digest: where the image lives (Docker Hub when nothing names a host). */
  registry?: string;
  /** For tag/digest. */
  repository?: string;
  /** For digest: the tag the digest should belong to, when one is written. */
  tag?: string;
  /** The field holds a whole reference (`image:`, Kustomize `newName:`), so a host item goes on with `/`. */
  reference: boolean;
}

/** Keys that carry a whole reference or a part of one, per kind of file. */
const STRING_KEYS: Partial<Record<FieldName, true>> = { image: true };
const BLOCK_KEYS: Record<DeployKind, readonly FieldName[]> = {
  kubernetes: [],
  compose: [],
  generic: [],
  helm: ['registry', 'repository', 'tag', 'digest'],
  kustomize: ['newName', 'newTag', 'digest'],
  porter: ['repository', 'tag', 'digest'],
};
/** The sibling a block must have to be an image block (a `tag:` elsewhere completes nothing). */
const BLOCK_ANCHOR: Partial<Record<DeployKind, readonly FieldName[]>> = {
  helm: ['repository'],
  kustomize: ['name', 'newName'],
  porter: ['repository'],
};

interface Line {
  start: number;
  text: string;
}

function lineAt(text: string, offset: number): Line {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  let end = text.indexOf('\n', offset);
  if (end < 0) end = text.length;
  if (text[end - 1] === '\r') end--;
  return { start, text: text.slice(start, end) };
}

/** `  - key: value` → indent of the key, key, where the value starts (after quotes), the quote. */
const KEY_LINE = /^(\s*(?:-\s+)?)([A-Za-z][\w.-]*)\s*:(\s*)(["']?)/;

interface KeyValue {
  key: string;
  /** Column of the key (list dash counted as indentation, as YAML does for the map under it). */
  indent: number;
  valueStart: number;
  quote: string;
  /** The value as written (no quotes, no trailing comment). */
  value: string;
}

function keyValue(line: string): KeyValue | undefined {
  const m = KEY_LINE.exec(line);
  if (!m) return undefined;
  const valueStart = m[0].length;
  const quote = m[4];
  const rest = line.slice(valueStart);
  const stop = quote ? rest.indexOf(quote) : rest.search(/\s#|\s*$/);
  const value = (stop < 0 ? rest : rest.slice(0, stop)).trim();
  return { key: m[2], indent: m[1].length, valueStart, quote, value };
}

/**
 * The sibling keys of the map the line at `lineStart` belongs to: keys at the same column up and
 * down, until a less indented key (the parent) or another list item (`- key:` at that column).
 */
function siblings(text: string, lineStart: number, indent: number, ownIsItem: boolean): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  const index = text.slice(0, lineStart).split('\n').length - 1;
  const walk = (step: 1 | -1): void => {
    // Going up from an item's first line, everything at this column belongs to the item before.
    if (step < 0 && ownIsItem) return;
    for (let j = index + step; j >= 0 && j < lines.length; j += step) {
      const l = lines[j];
      if (!l.trim() || /^\s*#/.test(l)) continue;
      const kv = keyValue(l);
      if (!kv) {
        if (l.length - l.trimStart().length < indent) return;
        continue;
      }
      if (kv.indent < indent) return;
      if (kv.indent > indent) continue;
      const item = /^\s*-\s/.test(l);
      if (item && step > 0) return;
      out.set(kv.key, kv.value);
      if (item) return;
    }
  };
  walk(-1);
  walk(1);
  return out;
}

function looksLikeHost(segment: string, knownHosts: ReadonlySet<string>): boolean {
  return knownHosts.has(segment) || segment.includes('.') || segment.includes(':') || segment === 'localhost';
}

function parseName(name: string): ImageReference | undefined {
  try {
    return parseReference(name, { defaultTag: false });
  } catch {
    return undefined;
  }
}

/**
 * Where the cursor is inside a reference being typed (`value` up to the end of the scalar,
 * `cursor` the index in it). `withTag` false: the field holds a name only (Kustomize newName).
 */
function referenceSite(value: string, cursor: number, knownHosts: ReadonlySet<string>, withTag: boolean): Omit<CompletionSite, 'field' | 'start' | 'end' | 'reference'> & { from: number; to: number } | undefined {
  const before = value.slice(0, cursor);
  const at = before.indexOf('@');
  const slash = before.indexOf('/');
  const firstSegment = slash < 0 ? before : before.slice(0, slash);
  const hostWritten = slash >= 0 && looksLikeHost(firstSegment, knownHosts);
  const partEnd = (from: number, stops: RegExp): number => {
    const rest = value.slice(from);
    const i = rest.search(stops);
    return i < 0 ? value.length : from + i;
  };
  if (at >= 0) {
    if (!withTag) return undefined;
    const name = before.slice(0, at);
    const colon = name.lastIndexOf(':');
    const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : undefined;
    const ref = parseName(tag !== undefined ? name.slice(0, colon) : name);
    if (!ref) return undefined;
    return { part: 'digest', from: at + 1, to: value.length, prefix: before.slice(at + 1), registry: ref.registry, repository: ref.repository, ...(tag ? { tag } : {}) };
  }
  // A colon after the last slash is a tag, except `host:port` typed with no slash yet.
  const lastSlash = before.lastIndexOf('/');
  const colon = before.lastIndexOf(':');
  if (colon > lastSlash && !(slash < 0 && knownHosts.has(before.slice(0, partEnd(0, /[/@]/))))) {
    if (!withTag) return undefined;
    const ref = parseName(before.slice(0, colon));
    if (!ref) return undefined;
    return { part: 'tag', from: colon + 1, to: partEnd(colon + 1, /@/), prefix: before.slice(colon + 1), registry: ref.registry, repository: ref.repository };
  }
  if (hostWritten) {
    const ref = parseName(`${firstSegment}/x`);
    if (!ref) return undefined;
    return { part: 'repository', from: slash + 1, to: partEnd(slash + 1, /[:@]/), prefix: before.slice(slash + 1), registry: ref.registry };
  }
  return { part: 'host', from: 0, to: partEnd(0, /[/@]/), prefix: before };
}

/**
 * What a completion at `offset` would complete in a file of `kind`, or undefined (not a value of
 * an image field, a comment, a flow collection…). `knownHosts` are the connected registries'
 * hosts as written in references: `localhost:5000` without a slash is a host, not `localhost` + tag.
 */
export function completionSite(text: string, offset: number, kind: DeployKind, knownHosts: ReadonlySet<string> = new Set()): CompletionSite | undefined {
  const line = lineAt(text, offset);
  const kv = keyValue(line.text);
  if (!kv) return undefined;
  const col = offset - line.start;
  if (col < kv.valueStart) return undefined;
  const valueText = line.text.slice(kv.valueStart);
  const valueEnd = kv.valueStart + (kv.quote ? (valueText.indexOf(kv.quote) < 0 ? valueText.length : valueText.indexOf(kv.quote)) : valueText.search(/\s#|\s*$/));
  if (col > valueEnd) return undefined;
  // Flow collections and block scalars are not typed into here.
  if (!kv.quote && /^[[{|>&*!]/.test(valueText)) return undefined;
  const value = line.text.slice(kv.valueStart, valueEnd);
  const cursor = col - kv.valueStart;
  const field = kv.key as FieldName;
  const base = line.start + kv.valueStart;
  const site = (s: ReturnType<typeof referenceSite>, reference: boolean): CompletionSite | undefined => {
    if (!s) return undefined;
    const { from, to, ...rest } = s;
    return { ...rest, field, start: base + from, end: base + to, reference };
  };

  if (STRING_KEYS[field]) return site(referenceSite(value, cursor, knownHosts, true), true);
  if (!BLOCK_KEYS[kind].includes(field)) return undefined;
  const item = /^\s*-\s/.test(line.text);
  const sib = siblings(text, line.start, kv.indent, item);
  const anchors = BLOCK_ANCHOR[kind] ?? [];
  if (!anchors.some((a) => sib.has(a) || a === field)) return undefined;
  const whole = { start: base, end: base + value.length, prefix: value.slice(0, cursor), field, reference: false };

  if (field === 'registry') return { ...whole, part: 'host' };
  if (field === 'repository' || field === 'newName') {
    // A repository value may carry its host (`repository: ghcr.io/org/app`, porter, Kustomize).
    const registry = field === 'repository' ? sib.get('registry') : undefined;
    if (registry) return { ...whole, part: 'repository', registry: parseName(`${registry}/x`)?.registry ?? registry };
    return site(referenceSite(value, cursor, knownHosts, false), true);
  }
  // tag / newTag / digest: the image is named by the siblings.
  const name = kind === 'kustomize' ? (sib.get('newName') || sib.get('name')) : sib.get('repository');
  if (!name) return undefined;
  const registry = kind === 'helm' ? sib.get('registry') : undefined;
  const ref = parseName(registry ? `${registry}/${name}` : name);
  if (!ref) return undefined;
  const tag = sib.get(kind === 'kustomize' ? 'newTag' : 'tag');
  if (field === 'digest') return { ...whole, part: 'digest', registry: ref.registry, repository: ref.repository, ...(tag ? { tag } : {}) };
  return { ...whole, part: 'tag', registry: ref.registry, repository: ref.repository };
}
