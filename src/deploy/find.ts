// Scanning: parse every document of a file, run the finder for its kind, and turn what the
// finder found into DeployRefs with positions, values and matching. A file that does not parse
// yields problems and no refs, so a half-read file can never be linked.

import { LineCounter, parseAllDocuments } from 'yaml';
import type { ImageReference } from '../registry/reference';
import { classifyFile } from './classify';
import { findCompose } from './compose';
import { findGeneric } from './generic';
import { findHelm, helmShape } from './helm';
import { findKubernetes } from './kubernetes';
import { findKustomize, kustomizeShape } from './kustomize';
import { expressionsIn, hasExpressions, renderReference, renderTemplate } from './interpolation';
import { parseLoose, sameRepository, type FieldValues } from './naming';
import { findPorter, porterShape } from './porter';
import { stringShape, type Finder, type FoundRef, type Shape } from './shape';
import type { DeployFile, DeployKind, DeployProblem, DeployRef, RefShape, ScanResult } from './types';
import { formatPath, type Doc } from './yamlAst';

const FINDERS: Record<DeployKind, Finder> = {
  kubernetes: findKubernetes,
  compose: findCompose,
  helm: findHelm,
  kustomize: findKustomize,
  porter: findPorter,
  generic: findGeneric,
};

export const SHAPES: Record<RefShape, Shape> = {
  string: stringShape,
  helm: helmShape,
  kustomize: kustomizeShape,
  porter: porterShape,
};

export function fieldValues(ref: Pick<DeployRef, 'fields'>): FieldValues {
  const out: FieldValues = {};
  for (const [name, f] of Object.entries(ref.fields)) out[name] = f.value;
  return out;
}

export interface ScanOptions {
  /** Flags refs with the same registry and repository as `matches`. */
  target?: ImageReference;
  /** Paths of configured deploy-config files (compared as given, `\` folded to `/`). */
  configured?: string[];
}

/** Scans one file as `kind`. */
export function scanText(file: string, text: string, kind: DeployKind, options: ScanOptions = {}): ScanResult {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const list: Doc[] = Array.isArray(docs) ? docs : [];
  const problems = list.flatMap((d) =>
    d.errors.map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      return { file, line: pos.line, column: pos.col, message: e.message };
    }),
  );
  if (problems.length) return { refs: [], problems };

  const refs: DeployRef[] = [];
  // One ref per piece of text: an anchored value reached through several aliases is reported
  // once, with the other paths in `shared`.
  const seen = new Map<string, DeployRef>();
  list.forEach((doc, document) => {
    FINDERS[kind](doc, text, (found: FoundRef) => {
      const key = `${found.shape}:${found.shape === 'string' ? found.fields.image!.offset : found.at}`;
      const prior = seen.get(key);
      if (prior) {
        (prior.shared ??= []).push(formatPath(found.path));
        return;
      }
      const ref = toRef(file, kind, document, found, lineCounter, options.target);
      seen.set(key, ref);
      refs.push(ref);
    });
  });
  markShared(refs);
  return { refs: refs.sort((a, b) => a.offset - b.offset), problems };
}

/**
 * Refs that would edit the same scalar (`tag: *version` in two Helm blocks) name each other in
 * `shared`, so the UI can say that linking one changes the other.
 */
function markShared(refs: DeployRef[]): void {
  const users = new Map<number, DeployRef[]>();
  for (const r of refs) for (const f of Object.values(r.fields)) users.set(f.offset, [...(users.get(f.offset) ?? []), r]);
  for (const r of refs) {
    for (const f of Object.values(r.fields)) {
      for (const other of users.get(f.offset)!) {
        const path = formatPath(other.path);
        if (other !== r && !r.shared?.includes(path)) (r.shared ??= []).push(path);
      }
    }
  }
}

/** Field values with every default filled in; a field with an expression that has none stays as written. */
export function renderedValues(ref: Pick<DeployRef, 'fields'>): FieldValues {
  const out = fieldValues(ref);
  for (const [k, v] of Object.entries(out)) if (v !== undefined && hasExpressions(v)) out[k] = renderTemplate(v) ?? v;
  return out;
}

/** What the ref deploys when no variable is set (see interpolation.ts), as far as that is known. */
function imageOf(found: FoundRef, value: string): ImageReference | undefined {
  if (!hasExpressions(value)) return parseLoose(value);
  if (found.shape === 'string') return renderReference(value);
  const rendered = SHAPES[found.shape].assemble(renderedValues(found), found);
  return hasExpressions(rendered) ? undefined : parseLoose(rendered);
}

function toRef(file: string, kind: DeployKind, document: number, found: FoundRef, lines: LineCounter, target?: ImageReference): DeployRef {
  const pos = lines.linePos(found.at);
  const value = SHAPES[found.shape].assemble(fieldValues(found), found);
  const image = imageOf(found, value);
  const expressions = expressionsIn(value);
  return {
    file,
    kind,
    shape: found.shape,
    line: pos.line,
    column: pos.col,
    offset: found.at,
    value,
    ...(image ? { image } : {}),
    matches: !!target && sameRepository(image, target),
    label: found.label,
    document,
    path: found.path,
    fields: found.fields,
    ...(found.block ? { block: found.block } : {}),
    ...(found.globalRegistry ? { globalRegistry: found.globalRegistry } : {}),
    ...(expressions.length ? { expressions } : {}),
  };
}

const slashes = (p: string) => p.replace(/\\/g, '/');

/** Problems per file, files in first-seen order: one broken file is one entry, however many errors it has. */
export function problemsByFile(problems: readonly DeployProblem[]): { file: string; problems: DeployProblem[] }[] {
  const out = new Map<string, DeployProblem[]>();
  for (const p of problems) out.set(p.file, [...(out.get(p.file) ?? []), p]);
  return [...out].map(([file, list]) => ({ file, problems: list }));
}

/** Scans files of any kind; files that are not deploy files are skipped. */
export function findReferences(files: DeployFile[], options: ScanOptions = {}): ScanResult {
  const configured = new Set((options.configured ?? []).map(slashes));
  const refs: DeployRef[] = [];
  const problems: ScanResult['problems'] = [];
  for (const f of files) {
    const kind = f.kind ?? classifyFile(f.path, f.text, { configured: configured.has(slashes(f.path)) });
    if (!kind) continue;
    const r = scanText(f.path, f.text, kind, options);
    refs.push(...r.refs);
    problems.push(...r.problems);
  }
  return { refs, problems };
}

/** Re-flags refs for a new target without scanning again. */
export function markMatches(refs: DeployRef[], target: ImageReference): DeployRef[] {
  return refs.map((r) => ({ ...r, matches: sameRepository(r.image, target) }));
}
