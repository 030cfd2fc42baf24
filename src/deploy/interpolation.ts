// Values that are not all literal: Compose interpolation (`${TAG:-latest}`, `$TAG`, `${TAG:?}`)
// and Go template expressions (`{{ .Values.tag }}`, in values files read through `tpl`).
//
// The rule a link follows for them (issue 10, defect 3). A variable says "decided at deploy
// time"; only its default is a value this file records. So:
//
// 1. The reference is cut into parts at the delimiters written literally: registry, repository
//    path, tag, digest. (A whole value that is one expression, `${IMAGE:-nginx:1.25}`, is one
//    part.) Parts the link does not change are left as written, expressions and all.
// 2. A part that changes and is written literally is rewritten, as for any reference.
// 3. A part that changes and is exactly one variable with a default (`${TAG:-latest}`,
//    `${TAG-latest}`) keeps the variable and gets the new value as its default:
//    `${TAG:-2.2.0}`. The operator stays; what is deployed when TAG is set does not change, and
//    that is what the variable is for.
// 4. That includes a registry variable whose default is another registry: `${REGISTRY:-
//    localhost:5000}` linked to ghcr.io becomes `${REGISTRY:-ghcr.io}`. The picker only
//    preselects references whose defaults name the chosen repository, so this happens only
//    when the user picks the row, and the confirmation shows it.
// 5. A part that changes but cannot keep its expressions — a variable without a default
//    (`${TAG}`, `$TAG`: there is no written value to update, and adding a default would change
//    nothing wherever TAG is set, i.e. a link that silently does nothing), `${TAG:?msg}`,
//    `${X:+alt}`, a template expression, or a part mixing literal text and a variable
//    (`${VERSION:-1.25}-alpine`) — is replaced by the literal value, and the expressions it held
//    are reported as `replaced`. The deploy layer refuses such an edit unless the caller says
//    the user agreed (`allowReplace`), so a variable is never dropped without saying so.
// 6. In digest mode a tag that holds a variable is kept, as a Helm block's tag key is: the digest
//    decides what is pulled, and dropping the tag would drop the variable. Its default follows
//    the target's tag where rule 3 allows; otherwise it stays as written.
//
// Which parts a default fills in is read from the defaults themselves (`${REGISTRY:-
// localhost:5000}` is a registry because `localhost:5000` is one); a part with no default to
// read is taken to be what its position says.

import { DOCKER_HUB, type ImageReference } from '../registry/reference';
import { nameFor, normalizeTarget, parseLoose, sameRepository } from './naming';
import type { LinkMode } from './types';

export type Segment =
  | { kind: 'text'; raw: string; start: number; value: string }
  | {
      kind: 'expr';
      raw: string;
      start: number;
      /** The variable's name; undefined for a template expression. */
      name?: string;
      /** `:-` or `-` when the expression has a plain default. */
      op?: ':-' | '-';
      /** The default, when `op` is set and it holds no expression of its own. */
      fallback?: string;
    };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Whether `value` holds a `$` variable or a `{{ }}` template expression. */
export function hasExpressions(value: string): boolean {
  return (value.includes('$') || value.includes('{{')) && parseTemplate(value).some((s) => s.kind === 'expr');
}

/** End (exclusive) of the `{…}` opening at `open`, counting nested braces; -1 when unclosed. */
function braceEnd(value: string, open: number): number {
  let depth = 1;
  for (let i = open + 1; i < value.length; i++) {
    if (value[i] === '{') depth++;
    else if (value[i] === '}' && --depth === 0) return i + 1;
  }
  return -1;
}

function braced(raw: string, start: number): Segment {
  const inner = raw.slice(2, -1);
  const name = NAME.exec(inner)?.[0];
  if (!name) return { kind: 'expr', raw, start };
  const rest = inner.slice(name.length);
  const op = rest.startsWith(':-') ? ':-' : rest.startsWith('-') ? '-' : undefined;
  if (!op) return { kind: 'expr', raw, start, name };
  const fallback = rest.slice(op.length);
  return hasExpressions(fallback) ? { kind: 'expr', raw, start, name, op } : { kind: 'expr', raw, start, name, op, fallback: fallback.replace(/\$\$/g, '$') };
}

/** The value as literal text and expressions, in order; `raw`s concatenate back to `value`. */
export function parseTemplate(value: string): Segment[] {
  const out: Segment[] = [];
  let text = '';
  let textStart = 0;
  const flush = (at: number) => {
    if (text) out.push({ kind: 'text', raw: value.slice(textStart, at), start: textStart, value: text });
    text = '';
  };
  let i = 0;
  while (i < value.length) {
    let end = -1;
    let seg: Segment | undefined;
    if (value.startsWith('$$', i)) {
      if (!text) textStart = i;
      text += '$';
      i += 2;
      continue;
    }
    if (value.startsWith('${', i) && (end = braceEnd(value, i + 1)) > 0) seg = braced(value.slice(i, end), i);
    else if (value[i] === '$' && NAME.test(value.slice(i + 1))) {
      const name = NAME.exec(value.slice(i + 1))![0];
      end = i + 1 + name.length;
      seg = { kind: 'expr', raw: value.slice(i, end), start: i, name };
    } else if (value.startsWith('{{', i) && (end = value.indexOf('}}', i + 2)) > 0) {
      end += 2;
      seg = { kind: 'expr', raw: value.slice(i, end), start: i };
    }
    if (seg) {
      flush(i);
      out.push(seg);
      i = end;
    } else {
      if (!text) textStart = i;
      text += value[i++];
    }
  }
  flush(value.length);
  return out;
}

/** The value with every default filled in; undefined when some expression has none. */
export function renderTemplate(value: string): string | undefined {
  let out = '';
  for (const s of parseTemplate(value)) {
    if (s.kind === 'text') out += s.value;
    else if (s.fallback !== undefined) out += s.fallback;
    else return undefined;
  }
  return out;
}

/** How the picker and the messages name an expression: `${TAG}`, `{{ .Values.tag }}`. */
export function expressionLabel(s: Extract<Segment, { kind: 'expr' }>): string {
  return s.name ? `\${${s.name}}` : s.raw;
}

/** The expressions of `value`, named for people, each once. */
export function expressionsIn(value: string): string[] {
  return [...new Set(parseTemplate(value).flatMap((s) => (s.kind === 'expr' ? [expressionLabel(s)] : [])))];
}

/** Expressions of `before` that `after` no longer has (a changed default is not a loss). */
export function droppedExpressions(before: string, after: string): string[] {
  const kept = new Set(expressionsIn(after));
  return expressionsIn(before).filter((e) => !kept.has(e));
}

/**
 * The text for one part that should now read `next` (undefined: the part goes away), keeping
 * what rule 3 allows. `replaced` names the expressions that do not survive.
 */
export function retemplate(written: string | undefined, next: string | undefined): { text: string | undefined; replaced: string[] } {
  if (written === undefined) return { text: next, replaced: [] };
  const exprs = expressionsIn(written);
  if (next === undefined) return { text: undefined, replaced: exprs };
  if (!exprs.length || renderTemplate(written) === next) return { text: exprs.length ? written : next, replaced: [] };
  const segs = parseTemplate(written);
  const only = segs.length === 1 && segs[0].kind === 'expr' ? segs[0] : undefined;
  if (only?.op && only.fallback !== undefined) return { text: `\${${only.name}${only.op}${next}}`, replaced: [] };
  return { text: next, replaced: exprs };
}

interface Cut {
  registry?: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** Offsets of one literal character outside expressions. */
function literalOffsets(segs: Segment[], ch: string): number[] {
  const out: number[] = [];
  for (const s of segs) {
    if (s.kind !== 'text') continue;
    for (let i = 0; i < s.raw.length; i++) if (s.raw[i] === ch) out.push(s.start + i);
  }
  return out;
}

/** Whether a written first path segment names a registry host (parseReference's rule), reading a default where there is one. */
function isHostPart(part: string): boolean {
  const rendered = renderTemplate(part);
  // A variable with no default in front of a `/` stands for a registry far more often than for a Docker Hub user.
  if (rendered === undefined) return true;
  return rendered.includes('.') || rendered.includes(':') || rendered === 'localhost' || rendered !== rendered.toLowerCase();
}

/** Cuts a written reference at its literal delimiters (rule 1). */
export function cutTemplate(value: string): Cut {
  const segs = parseTemplate(value);
  const at = literalOffsets(segs, '@')[0];
  const nameTag = at === undefined ? value : value.slice(0, at);
  const digest = at === undefined ? undefined : value.slice(at + 1);
  const slashes = literalOffsets(segs, '/').filter((o) => o < nameTag.length);
  const lastSlash = slashes.length ? slashes[slashes.length - 1] : -1;
  const colon = literalOffsets(segs, ':').find((o) => o > lastSlash && o < nameTag.length);
  const name = colon === undefined ? nameTag : nameTag.slice(0, colon);
  const tag = colon === undefined ? undefined : nameTag.slice(colon + 1);
  const first = slashes[0];
  const registry = first !== undefined && isHostPart(name.slice(0, first)) ? name.slice(0, first) : undefined;
  const repository = registry === undefined ? name : name.slice(first! + 1);
  return { ...(registry !== undefined ? { registry } : {}), repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/**
 * What the file says with defaults filled in, as far as it can be known: the whole reference,
 * or, when only the tag or digest has no default (`api:${TAG}`), the repository alone.
 */
export function renderReference(value: string): ImageReference | undefined {
  const full = renderTemplate(value);
  if (full !== undefined) return parseLoose(full);
  const cut = cutTemplate(value);
  const name = renderTemplate(cut.registry !== undefined ? `${cut.registry}/${cut.repository}` : cut.repository);
  return name === undefined ? undefined : parseLoose(name);
}

function join(c: Cut): string {
  return `${c.registry !== undefined ? `${c.registry}/` : ''}${c.repository}${c.tag !== undefined ? `:${c.tag}` : ''}${c.digest !== undefined ? `@${c.digest}` : ''}`;
}

/**
 * A string image with expressions, linked to `target` in `mode` by the rules above. `plain`
 * links a value with the expressions rendered (the literal rules, for a whole-value variable).
 */
export function planTemplate(
  value: string,
  target: ImageReference,
  mode: LinkMode,
  plain: (rendered: string) => string,
): { value: string; replaced: string[] } {
  const segs = parseTemplate(value);
  if (segs.length === 1 && segs[0].kind === 'expr') {
    const r = retemplate(value, plain(renderTemplate(value) ?? ''));
    return { value: r.text ?? '', replaced: r.replaced };
  }
  const t = normalizeTarget(target);
  const cut = cutTemplate(value);
  const replaced: string[] = [];
  const part = (written: string | undefined, next: string | undefined) => {
    const r = retemplate(written, next);
    replaced.push(...r.replaced);
    return r.text;
  };
  const out: Cut = { ...cut };
  const writtenName = cut.registry !== undefined ? `${cut.registry}/${cut.repository}` : cut.repository;
  const renderedName = renderTemplate(writtenName);
  const renderedRepo = renderTemplate(cut.repository);
  const same =
    renderedName !== undefined
      ? sameRepository(parseLoose(renderedName), t)
      : // Registry decided at deploy time: the repository path is what can be compared.
        renderedRepo !== undefined && (renderedRepo === t.repository || (t.registry === DOCKER_HUB && `library/${renderedRepo}` === t.repository));
  if (!same) {
    const name = nameFor(renderedName, t);
    const cutNew = cutTemplate(name);
    if (cut.registry !== undefined && cutNew.registry !== undefined) {
      out.registry = part(cut.registry, cutNew.registry);
      out.repository = part(cut.repository, cutNew.repository) ?? '';
    } else {
      // A registry part appears or goes away: the name is one part then.
      delete out.registry;
      out.repository = part(writtenName, name) ?? '';
    }
  }
  if (mode === 'digest' && cut.tag !== undefined && hasExpressions(cut.tag)) {
    // Rule 6: the digest decides what is pulled, so a variable tag never has to go; its default
    // follows the target's tag where it can.
    const r = retemplate(cut.tag, t.tag);
    if (t.tag && !r.replaced.length) out.tag = r.text!;
  } else {
    const tag = part(cut.tag, mode === 'digest' ? undefined : t.tag);
    if (tag === undefined) delete out.tag;
    else out.tag = tag;
  }
  const digest = part(cut.digest, mode === 'tag' ? undefined : t.digest);
  if (digest === undefined) delete out.digest;
  else out.digest = digest;
  return { value: join(out), replaced: [...new Set(replaced)] };
}
