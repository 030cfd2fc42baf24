// Link a Helm chart from an OCI registry into a Chart.yaml: a `dependencies:` entry with
// `repository: oci://HOST/PATH` and `version`. An entry of the same name is updated in place
// (its scalars rewritten in their own style), otherwise one is appended to the block list, or
// the list is started. Every edit is a minimal text edit: comments and layout stay.

import { isMap, isScalar, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { applyEdits } from './rewrite';
import { formatScalar } from './scalar';
import { LinkError, type LinkResult, type TextEdit } from './types';
import { columnOf, fieldAt, ownPair, stringValue, type Doc } from './yamlAst';

export interface ChartDependency {
  /** The chart's name (Chart.yaml `name`): Helm pulls REPOSITORY/NAME. */
  name: string;
  version: string;
  /** `oci://HOST/PATH`, the chart's repository without its name. */
  repository: string;
}

export type ChartLinkAction = 'added' | 'updated' | 'unchanged';

/**
 * The dependency for chart `name` stored at `host/repositoryPath`. Helm appends the chart name
 * to the repository URL, so the registry path must end with it.
 */
export function chartDependencyFor(host: string, repositoryPath: string, name: string, version: string): ChartDependency {
  const i = repositoryPath.lastIndexOf('/');
  const last = repositoryPath.slice(i + 1);
  if (last !== name) {
    throw new LinkError(`Helm looks a dependency up as REPOSITORY/${name}, but this chart is stored as ${repositoryPath} (its last segment is “${last}”, not “${name}”). Push the chart under a repository ending in /${name} to depend on it.`);
  }
  return { name, version, repository: `oci://${host}${i >= 0 ? `/${repositoryPath.slice(0, i)}` : ''}` };
}

function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ ]*/.exec(text.slice(start))![0];
}

function entryLines(dep: ChartDependency, dash: string): string {
  const pad = ' '.repeat(dash.length + 2);
  return `${dash}- name: ${formatScalar(dep.name, 'plain', false)}\n${pad}version: ${formatScalar(dep.version, 'plain', false)}\n${pad}repository: ${formatScalar(dep.repository, 'plain', false)}\n`;
}

/** Edits that set `key` of an existing entry, or add it after the entry's `name`. */
function setField(text: string, doc: Doc, entry: YAMLMap, key: 'version' | 'repository', value: string, edits: TextEdit[]): void {
  const pair = ownPair(entry, key);
  if (pair) {
    const field = fieldAt(text, pair.value, doc, !!entry.flow);
    if (!field) throw new LinkError(`The ${key} of this dependency is not a plain value; edit it by hand.`);
    if (field.value === value) return;
    if (field.style === 'block') throw new LinkError(`The ${key} of this dependency is a block scalar; edit it by hand.`);
    edits.push({ offset: field.offset, length: field.source.length, newText: formatScalar(value, field.style, field.flow) });
    return;
  }
  const name = ownPair(entry, 'name')!;
  const end = (name.value as { range?: [number, number, number] }).range![1];
  const lineEnd = text.indexOf('\n', end);
  const at = lineEnd < 0 ? text.length : lineEnd + 1;
  const column = columnOf(text, (name.key as { range: [number, number] }).range[0]);
  edits.push({ offset: at, length: 0, newText: `${lineEnd < 0 ? '\n' : ''}${' '.repeat(column)}${key}: ${formatScalar(value, 'plain', false)}\n` });
}

/** Chart.yaml `text` with `dep` linked; `action` says what changed. */
export function linkChartDependency(text: string, dep: ChartDependency): LinkResult & { action: ChartLinkAction } {
  const doc = parseDocument(text, { keepSourceTokens: true }) as Doc;
  if (doc.errors.length) throw new LinkError(`This Chart.yaml does not parse as YAML (${doc.errors[0]!.message.split('\n')[0]}); fix it first.`);
  const root = doc.contents;
  if (!isMap(root)) throw new LinkError('This Chart.yaml is not a map of fields (apiVersion, name, version…); is it a Chart.yaml?');
  const edits: TextEdit[] = [];
  const depsPair = ownPair(root, 'dependencies');
  const list = depsPair?.value;
  if (!depsPair || list === null || (isScalar(list) && (list.value === null || list.value === ''))) {
    // No list yet: start one at the end of the file (or after an empty `dependencies:`).
    if (depsPair) {
      const keyRange = (depsPair.key as { range: [number, number, number] }).range;
      const lineEnd = text.indexOf('\n', keyRange[1]);
      const at = lineEnd < 0 ? text.length : lineEnd + 1;
      edits.push({ offset: at, length: 0, newText: `${lineEnd < 0 ? '\n' : ''}${entryLines(dep, '  ')}` });
    } else {
      edits.push({ offset: text.length, length: 0, newText: `${text === '' || text.endsWith('\n') ? '' : '\n'}dependencies:\n${entryLines(dep, '  ')}` });
    }
    return { edits, text: applyEdits(text, edits), action: 'added' };
  }
  if (!isSeq(list)) throw new LinkError('`dependencies` in this Chart.yaml is not a list; fix it first.');
  const seq = list as YAMLSeq;
  const entry = seq.items.find((item): item is YAMLMap => isMap(item) && stringValue(ownPair(item, 'name')?.value) === dep.name);
  if (entry) {
    setField(text, doc, entry, 'version', dep.version, edits);
    setField(text, doc, entry, 'repository', dep.repository, edits);
    return { edits, text: applyEdits(text, edits), action: edits.length ? 'updated' : 'unchanged' };
  }
  if (seq.flow) {
    if (seq.items.length) throw new LinkError('`dependencies` here is a flow list ([…]); write it as a block list (- name: …) to add to it.');
    const [from, end] = seq.range!;
    // `dependencies: []` → `dependencies:` and the block list below it, no trailing space.
    const start = text[from - 1] === ' ' ? from - 1 : from;
    const indent = lineIndent(text, (depsPair.key as { range: [number, number] }).range[0]);
    edits.push({ offset: start, length: end - start, newText: `\n${entryLines(dep, `${indent}  `).replace(/\n$/, '')}` });
    return { edits, text: applyEdits(text, edits), action: 'added' };
  }
  // After the last entry's last line, with the list's own dash indentation.
  const first = seq.items[0] as { range: [number, number, number] };
  const valueEnd = (seq.items.at(-1) as { range: [number, number, number] }).range[1];
  const dash = lineIndent(text, first.range[0]);
  const nl = text[valueEnd - 1] === '\n' ? valueEnd - 1 : text.indexOf('\n', valueEnd);
  const at = nl < 0 ? text.length : nl + 1;
  edits.push({ offset: at, length: 0, newText: `${at === text.length && !text.endsWith('\n') ? '\n' : ''}${entryLines(dep, dash)}` });
  return { edits, text: applyEdits(text, edits), action: 'added' };
}
