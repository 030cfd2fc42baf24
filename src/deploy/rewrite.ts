// Linking: turn a ref and a target into minimal text edits. Only the scalars whose value
// changes are replaced (in their own quoting style), and a missing block key is inserted as one
// new line after its nearest earlier sibling (or `, key: value` in a flow map). Every other
// byte of the file stays as it was.

import type { ImageReference } from '../registry/reference';
import { fieldValues, renderedValues, scanText, SHAPES } from './find';
import { cutTemplate, droppedExpressions, hasExpressions, retemplate } from './interpolation';
import { checkTarget, type FieldValues } from './naming';
import { formatScalar } from './scalar';
import {
  LinkError,
  refIdentity,
  StaleReferenceError,
  type DeployRef,
  type FieldLocation,
  type FieldName,
  type LinkMode,
  type LinkResult,
  type PlannedChange,
  type RewriteOptions,
  type TextEdit,
} from './types';

/** Applies non-overlapping edits made against `text`. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.offset - a.offset)) {
    out = out.slice(0, e.offset) + e.newText + out.slice(e.offset + e.length);
  }
  return out;
}

/** Links one ref. Throws StaleReferenceError when `text` no longer has it where it was found. */
export function linkReference(text: string, ref: DeployRef, target: ImageReference, mode: LinkMode, options: RewriteOptions = {}): LinkResult {
  return linkReferences(text, [ref], target, mode, options);
}

/**
 * Links several refs of the same file in one set of edits (one undo step in the editor).
 * Throws LinkError when a ref would lose a variable and `options.allowReplace` is not set.
 */
export function linkReferences(text: string, refs: readonly DeployRef[], target: ImageReference, mode: LinkMode, options: RewriteOptions = {}): LinkResult {
  checkTarget(target, mode);
  if (refs.length === 0) return { edits: [], text };
  if (refs.some((r) => r.file !== refs[0].file)) throw new LinkError('linkReferences takes refs of one file at a time.');
  verify(text, refs);
  const edits = mergeEdits(
    refs.flatMap((r) => {
      const plan = planRef(r, target, mode, options);
      if (plan.replaced.length && !options.allowReplace) {
        throw new LinkError(`${r.file}:${r.line}: linking ${r.label} would replace ${plan.replaced.join(', ')} with a literal value; confirm that first.`);
      }
      return editsFor(text, r, plan.values);
    }),
  );
  return { edits, text: applyEdits(text, edits) };
}

/** Whether the ref pins a digest, and whether it also names a tag (its pin style). */
function pinOf(ref: DeployRef): { pinned: boolean; tagged: boolean } {
  if (ref.shape === 'string') {
    const cut = hasExpressions(ref.value) ? cutTemplate(ref.value) : undefined;
    return {
      pinned: !!(cut ? cut.digest : ref.image?.digest),
      tagged: !!(cut ? cut.tag : ref.image?.tag),
    };
  }
  const tag = ref.fields.tag ?? ref.fields.newTag;
  return { pinned: !!ref.fields.digest?.value, tagged: !!tag?.value };
}

/**
 * The mode a ref is linked in. By tag, a ref pinned by digest keeps its pin style when asked
 * to (issue 10, defect 6: pins were silently downgraded); that needs the target's digest.
 */
function modeFor(ref: DeployRef, target: ImageReference, mode: LinkMode, options: RewriteOptions): Pick<PlannedChange, 'mode' | 'pinKept' | 'pinDropped'> {
  if (mode !== 'tag') return { mode };
  const pin = pinOf(ref);
  if (!pin.pinned) return { mode };
  if (options.keepPins && target.digest) return { mode: pin.tagged ? 'tag@digest' : 'digest', pinKept: true };
  return { mode, pinDropped: true };
}

interface RefPlan extends PlannedChange {
  /** Field values after the link. */
  values: FieldValues;
}

/**
 * Field values after the link. Block fields with expressions are planned on their defaults
 * and written back through `retemplate` (a changed default keeps its variable).
 */
function planRef(ref: DeployRef, target: ImageReference, mode: LinkMode, options: RewriteOptions): RefPlan {
  const shape = SHAPES[ref.shape];
  const how = modeFor(ref, target, mode, options);
  const now = fieldValues(ref);
  let values: FieldValues;
  if (ref.shape === 'string' || !ref.expressions?.length) {
    values = shape.plan(now, ref, target, how.mode);
  } else {
    const rendered = renderedValues(ref);
    // A registry key decided at deploy time (`{{ .Values.global.registry }}`, `${REGISTRY}`) is
    // taken to be the target's, as in a string (interpolation.ts): the repository is compared.
    const deployTime = ref.fields.registry && hasExpressions(rendered.registry ?? '');
    if (deployTime) rendered.registry = target.registry;
    const planned = shape.plan(rendered, ref, target, how.mode);
    if (deployTime && planned.registry === target.registry) planned.registry = rendered.registry = now.registry;
    values = { ...planned };
    for (const [k, v] of Object.entries(planned)) {
      const written = now[k];
      if (written === undefined || !hasExpressions(written)) continue;
      values[k] = v === rendered[k] ? written : retemplate(written, v).text;
    }
  }
  const after = shape.assemble(values, ref);
  const replaced = [...new Set(Object.keys(now).flatMap((k) => droppedExpressions(now[k] ?? '', values[k] ?? '')))];
  return { ...how, before: ref.value, after, replaced, values };
}

/** What linking `ref` does: before and after as written, the mode used, variables that go. */
export function planChange(ref: DeployRef, target: ImageReference, mode: LinkMode, options: RewriteOptions = {}): PlannedChange {
  checkTarget(target, mode);
  const { values: _values, ...change } = planRef(ref, target, mode, options);
  return change;
}

/** `nginx:1.24 → nginx:1.25@sha256:0123456789ab…`, for the picker. */
export function describeChange(ref: DeployRef, target: ImageReference, mode: LinkMode, options: RewriteOptions = {}): string {
  const { before, after } = planChange(ref, target, mode, options);
  return after === before ? `${shortDigests(after)} (unchanged)` : `${shortDigests(before)} → ${shortDigests(after)}`;
}

export function shortDigests(value: string): string {
  return value.replace(/([a-z0-9]+:[a-f0-9]{12})[a-f0-9]{20,}/g, '$1…');
}

/**
 * The text must still hold the ref exactly where the scan found it: scanning it again has to
 * find the same path with the same scalars at the same offsets. Anything else (an edit above
 * it, a changed value, a file that no longer parses) is stale, and nothing is edited.
 */
function verify(text: string, refs: readonly DeployRef[]): void {
  const fresh = new Map<string, string>();
  for (const kind of new Set(refs.map((r) => r.kind))) {
    const scan = scanText(refs[0].file, text, kind);
    if (scan.problems.length) {
      const p = scan.problems[0];
      throw new StaleReferenceError(`${p.file} no longer parses (line ${p.line}: ${p.message}); scan it again.`);
    }
    for (const r of scan.refs) fresh.set(refIdentity(r), fingerprint(r));
  }
  for (const r of refs) {
    if (fresh.get(refIdentity(r)) !== fingerprint(r)) {
      throw new StaleReferenceError(`${r.file}:${r.line}: ${r.label} changed since it was scanned; scan it again.`);
    }
  }
}

const fingerprint = (r: DeployRef) => JSON.stringify([r.fields, r.globalRegistry ?? null]);

function editsFor(text: string, ref: DeployRef, after: FieldValues): TextEdit[] {
  const shape = SHAPES[ref.shape];
  const before = fieldValues(ref);
  const edits: TextEdit[] = [];
  // New keys that go after the same sibling share one edit, in canonical order.
  const inserts = new Map<FieldName, TextEdit>();
  for (const name of shape.order) {
    const next = after[name];
    if (next === undefined || next === before[name]) continue;
    const field = ref.fields[name];
    if (field) {
      const written = formatScalar(next, field.style, field.flow);
      // `digest:` with no value: the empty scalar sits right after the colon.
      edits.push({ offset: field.offset, length: field.source.length, newText: field.source === '' ? ` ${written}` : written });
    } else if (next !== '') {
      const anchorName = anchorFor(ref, shape.order, name);
      const anchor = ref.fields[anchorName]!;
      const edit = inserts.get(anchorName) ?? insertionAfter(text, anchor, ref.block?.flow ?? false);
      edit.newText += newKey(text, edit.offset, name, next, anchor, ref);
      inserts.set(anchorName, edit);
    }
  }
  return [...edits, ...inserts.values()];
}

/** The nearest existing key before `name` in canonical order, else the first existing key. */
function anchorFor(ref: DeployRef, order: readonly FieldName[], name: FieldName): FieldName {
  const before = order.slice(0, order.indexOf(name)).reverse().find((f) => ref.fields[f]);
  const any = before ?? order.find((f) => ref.fields[f]);
  if (!any) throw new LinkError(`${ref.file}:${ref.line}: ${ref.label} has no keys to add ${name} next to.`);
  return any;
}

/** An empty edit at the end of the anchor's line (block) or right after its value (flow). */
function insertionAfter(text: string, anchor: FieldLocation, flow: boolean): TextEdit {
  const end = anchor.holderOffset + anchor.holderSource.length;
  if (flow) return { offset: end, length: 0, newText: '' };
  const nl = text.indexOf('\n', end);
  const offset = nl < 0 ? text.length : text[nl - 1] === '\r' ? nl - 1 : nl;
  return { offset, length: 0, newText: '' };
}

function newKey(text: string, offset: number, name: FieldName, value: string, anchor: FieldLocation, ref: DeployRef): string {
  const style = anchor.style === 'block' ? 'plain' : anchor.style;
  if (ref.block?.flow) return `, ${name}: ${formatScalar(value, style, true)}`;
  // The line break the file uses at this spot (CRLF files stay CRLF).
  const eol = text.startsWith('\r\n', offset) ? '\r\n' : text[offset] === '\n' ? '\n' : text.includes('\r\n') ? '\r\n' : '\n';
  return `${eol}${' '.repeat(ref.block?.indent ?? 0)}${name}: ${formatScalar(value, style, false)}`;
}

/** Sorted, with duplicates (one anchored scalar shared by two refs) merged; overlaps refused. */
function mergeEdits(edits: TextEdit[]): TextEdit[] {
  const sorted = [...edits].sort((a, b) => a.offset - b.offset || a.length - b.length);
  const out: TextEdit[] = [];
  for (const e of sorted) {
    const prev = out[out.length - 1];
    if (prev && prev.offset === e.offset && prev.length === e.length && prev.newText === e.newText) continue;
    if (prev && (e.offset < prev.offset + prev.length || (e.offset === prev.offset && e.length === 0 && prev.length === 0))) {
      throw new LinkError('Two of the chosen references would edit the same text differently; link them one at a time.');
    }
    out.push(e);
  }
  return out;
}
