// The link flow without its UI: scan → pick → mode → confirm → edit. The command wires the real
// QuickPicks in as a LinkPicker; tests inject their own choices. Nothing is edited until the user
// has seen every change (before → after, hidden preselections included) and every picked
// reference of every file has its edits; then all files change in one WorkspaceEdit (one undo
// step per file, left unsaved unless `files.autoSave` says otherwise), which `revertLinks`
// takes back whether or not the files are open in an editor.

import * as vscode from 'vscode';
import {
  linkReferences,
  planChange,
  problemsByFile,
  scanText,
  shortDigests,
  isStaleReference,
  refIdentity,
  type DeployProblem,
  type DeployRef,
  type LinkMode,
  type LinkResult,
  type PlannedChange,
  type RewriteOptions,
  type TextEdit,
} from './deploy';
import { repositoryOf } from '../../providers/pullHost';
import { isRegistryError } from '../../registry/errors';
import { formatReference, type ImageReference } from '../../registry/reference';
import type { CommandContext } from '../commands/context';
import { isLinkFlowError, LinkFlowError } from './linkError';
import { groupByFile } from './patterns';
import { fileLine, scanWorkspace, type WorkspaceScan } from './scan';
import { LINK_MODES, linkSettings } from './settings';

/** What the link flow needs of the extension (the ExtensionApi has it too, for tests). */
export type LinkContext = Pick<CommandContext, 'store' | 'tree' | 'log'>;

/** The image to link. `connectionId` is how its digest is resolved; a typed reference may lack it. */
export interface LinkTarget extends ImageReference {
  connectionId?: string;
}

/** A failure that is the user's next step already: shown as it is. */
export { LinkFlowError };

export interface RefChoice {
  ref: DeployRef;
  /** `describeChange(…)`, or the current value when the change cannot be described. */
  label: string;
  /** `k8s/web.yaml:12` */
  description: string;
  /**
   * Kind and label; a warning when an anchor shares the text; for values with variables, which
   * ones and what happens to them.
   */
  detail: string;
  /** Preselected: same registry and repository as the target (defaults of variables included). */
  picked: boolean;
}

/** One file that does not parse: listed, never pickable, counted once however many errors it has. */
export interface ProblemChoice {
  file: string;
  problems: DeployProblem[];
  /** `broken/values.yaml:4: Map keys must be unique` (+ `, and 5 more problems`). */
  text: string;
}

export interface ModeChoice {
  mode: LinkMode;
  /** What the picked references become (the first that changes, and how many more), or why this mode cannot be used. */
  detail: string;
  available: boolean;
}

/** One picked reference as it will be edited. */
export interface ChangeChoice {
  ref: DeployRef;
  change: PlannedChange;
  /** The value after the link, digests shortened; `(unchanged)` when it already says so. */
  label: string;
  /** `k8s/web.yaml:12` */
  description: string;
  /** `was <before>`, and what else the user should know: pin kept or dropped, variables kept or replaced, shared text. */
  detail: string;
}

export interface ConfirmInfo {
  target: string;
  mode: LinkMode;
  /** Every picked reference, in file order, whether or not the picker's filter showed it. */
  changes: ChangeChoice[];
  /** Picked refs pinned by digest that keep their pin although the mode is tag; the user may drop them. */
  pinsKept: number;
}

export interface ConfirmAnswer {
  /** False: the user chose to drop the digest pins and link those refs by tag only. */
  keepPins: boolean;
}

export interface LinkPicker {
  /** The references to change; undefined or empty cancels. */
  references(choices: RefChoice[], problems: ProblemChoice[], info: { target: string; scan: WorkspaceScan }): Promise<DeployRef[] | undefined>;
  /** The mode; `initial` is the setting. Undefined cancels. */
  mode(choices: ModeChoice[], initial: LinkMode): Promise<LinkMode | undefined>;
  /**
   * The last step: every change before → after. Answering is consent to what the rows say,
   * including variables that are replaced. Undefined cancels.
   */
  confirm(info: ConfirmInfo): Promise<ConfirmAnswer | undefined>;
}

export interface LinkedFile {
  uri: vscode.Uri;
  refs: DeployRef[];
  /** The edits, against `before`. */
  edits: TextEdit[];
  before: string;
  after: string;
  /** The document had unsaved changes before the link (an undo must not save it). */
  wasDirty: boolean;
}

export type LinkOutcome =
  | { kind: 'linked'; target: ImageReference; mode: LinkMode; files: LinkedFile[]; scan: WorkspaceScan }
  | { kind: 'cancelled' }
  /** No reference in the workspace: the command offers to create a deploy config. */
  | { kind: 'empty'; scan: WorkspaceScan; target: ImageReference; digest?: string };

export interface LinkOptions {
  /** Show a cancellable notification while scanning and resolving (default true). */
  progress?: boolean;
}

/** `host/repo:tag` (or `@digest`) for messages. */
export function targetText(t: ImageReference): string {
  return formatReference({ registry: t.registry, repository: t.repository, ...(t.tag ? { tag: t.tag } : { digest: t.digest }) });
}

interface Resolved {
  digest?: string;
  error?: unknown;
}

/** The digest of the target: known already, or one HEAD (not a pull on Docker Hub). */
async function resolveDigest(lctx: LinkContext, target: LinkTarget, signal?: AbortSignal): Promise<Resolved> {
  if (target.digest) return { digest: target.digest };
  if (!target.connectionId) {
    return { error: new LinkFlowError(vscode.l10n.t('{0} is not in a connected registry, so its digest is unknown. Connect the registry, or link by tag.', targetText(target))) };
  }
  try {
    const conn = await lctx.tree.connection(target.connectionId);
    // The target names the image as Docker does; the connection may serve it under a shorter name (a pull host with a path).
    const repository = repositoryOf(conn.config, target.registry, target.repository) ?? target.repository;
    return { digest: (await conn.client.headManifest(repository, target.tag ?? 'latest', signal)).digest };
  } catch (e) {
    return { error: e };
  }
}

function digestFailure(lctx: LinkContext, target: LinkTarget, error: unknown): LinkFlowError {
  if (isLinkFlowError(error)) return error;
  return new LinkFlowError(
    vscode.l10n.t(
      'Could not get the digest of {0}: {1}. Nothing was changed. Check the connection (Registry Explorer: Test Connection), or link by tag.',
      targetText(target),
      lctx.log.safe(error),
    ),
  );
}

/** The target as written for `mode`: the tag, the digest, or both. */
export function targetFor(target: ImageReference, digest: string | undefined, mode: LinkMode): ImageReference {
  // `digest` mode keeps the tag in the target: blocks with a tag key keep it in step.
  return {
    registry: target.registry,
    repository: target.repository,
    ...(target.tag ? { tag: target.tag } : {}),
    ...(mode !== 'tag' && digest ? { digest } : {}),
  };
}

/** Pins are kept by default (issue 10, defect 6), which needs the digest even when linking by tag. */
const KEEP_PINS: RewriteOptions = { keepPins: true };

function plan(ref: DeployRef, target: ImageReference, mode: LinkMode, options: RewriteOptions = KEEP_PINS): PlannedChange | undefined {
  try {
    return planChange(ref, target, mode, options);
  } catch {
    return undefined;
  }
}

function changeText(c: PlannedChange): string {
  return c.after === c.before ? vscode.l10n.t('{0} (unchanged)', shortDigests(c.after)) : `${shortDigests(c.before)} → ${shortDigests(c.after)}`;
}

/** What happens to a ref's variables, for its rows: kept (defaults updated), or replaced. */
function expressionNote(ref: DeployRef, c: PlannedChange | undefined): string {
  if (!ref.expressions?.length) return '';
  const kept = ref.expressions.filter((e) => !c?.replaced.includes(e));
  const parts = [
    ...(kept.length ? [`$(symbol-variable) ${vscode.l10n.t('keeps {0} (set at deploy time; only defaults change)', kept.join(', '))}`] : []),
    ...(c?.replaced.length ? [`$(warning) ${vscode.l10n.t('replaces {0} with a fixed value (asks first)', c.replaced.join(', '))}`] : []),
  ];
  return parts.length ? ` · ${parts.join(' · ')}` : '';
}

function sharedNote(ref: DeployRef): string {
  return ref.shared?.length ? ` · $(warning) ${vscode.l10n.t('also changes {0} (the text is shared through a YAML anchor)', ref.shared.join(', '))}` : '';
}

/** The picker's rows: same repository first, then by file and position. */
function refChoices(refs: readonly DeployRef[], target: ImageReference, mode: LinkMode): RefChoice[] {
  const sorted = [...refs].sort((a, b) => Number(b.matches) - Number(a.matches) || a.file.localeCompare(b.file) || a.offset - b.offset);
  return sorted.map((ref) => {
    const c = plan(ref, target, mode);
    return {
      ref,
      // A value with variables is marked where the eye is: it is not a fixed reference.
      label: `${ref.expressions?.length ? '$(symbol-variable) ' : ''}${c ? changeText(c) : ref.value}`,
      description: fileLine(ref.file, ref.line),
      detail: `${ref.kind} · ${ref.label}${expressionNote(ref, c)}${sharedNote(ref)}`,
      picked: ref.matches,
    };
  });
}

function problemChoices(problems: readonly DeployProblem[]): ProblemChoice[] {
  return problemsByFile(problems).map(({ file, problems: list }) => {
    const first = `${fileLine(file, list[0].line)}: ${list[0].message}`;
    return { file, problems: list, text: list.length > 1 ? vscode.l10n.t('{0}, and {1} more problem(s)', first, list.length - 1) : first };
  });
}

function modeChoices(picked: readonly DeployRef[], target: ImageReference, resolved: Resolved, lctx: LinkContext): ModeChoice[] {
  return LINK_MODES.map((mode) => {
    if (mode !== 'digest' && !target.tag) return { mode, available: false, detail: vscode.l10n.t('{0} has no tag', targetText(target)) };
    if (mode !== 'tag' && !resolved.digest) return { mode, available: false, detail: vscode.l10n.t('digest unknown: {0}', lctx.log.safe(resolved.error)) };
    const t = linkTarget(target, resolved.digest, mode);
    const changes = picked.map((r) => plan(r, t, mode)).filter((c): c is PlannedChange => !!c);
    const changing = changes.filter((c) => c.after !== c.before);
    const shown = changing[0] ?? changes[0];
    const first = shown ? changeText(shown) : picked[0].value;
    const more = picked.length - 1;
    return { mode, available: true, detail: more > 0 ? vscode.l10n.t('{0}, and {1} more (all listed before anything changes)', first, more) : first };
  });
}

/** The target a link writes: by tag it still carries the digest, for the refs that keep their pin. */
function linkTarget(target: ImageReference, digest: string | undefined, mode: LinkMode): ImageReference {
  const t = targetFor(target, digest, mode);
  return mode === 'tag' && digest ? { ...t, digest } : t;
}

function changeChoices(picked: readonly DeployRef[], target: ImageReference, mode: LinkMode, digestKnown: boolean): ChangeChoice[] {
  const ordered = [...picked].sort((a, b) => a.file.localeCompare(b.file) || a.offset - b.offset);
  return ordered.map((ref) => {
    const change = planChange(ref, target, mode, { ...KEEP_PINS, allowReplace: true });
    const notes = [
      ...(change.pinKept ? [`$(pinned) ${vscode.l10n.t('keeps its digest pin ({0})', change.mode)}`] : []),
      ...(change.pinDropped
        ? [`$(warning) ${digestKnown ? vscode.l10n.t('drops its digest pin (linked by tag)') : vscode.l10n.t('drops its digest pin: the digest is unknown')}`]
        : []),
    ];
    const same = change.after === change.before;
    // One value per line: `before → after` of two long references does not fit a row.
    return {
      ref,
      change,
      label: `${ref.expressions?.length ? '$(symbol-variable) ' : ''}${same ? vscode.l10n.t('{0} (unchanged)', shortDigests(change.after)) : shortDigests(change.after)}`,
      description: fileLine(ref.file, ref.line),
      detail: `${same ? '' : `${vscode.l10n.t('was {0}', shortDigests(change.before))} · `}${ref.kind} · ${ref.label}${notes.length ? ` · ${notes.join(' · ')}` : ''}${expressionNote(ref, change)}${sharedNote(ref)}`,
    };
  });
}

/**
 * Link `target` into the workspace's deploy config. Throws LinkFlowError (the message says what
 * to do next) when nothing could be changed; every thrown error means no file was edited.
 */
export async function linkImage(lctx: LinkContext, target: LinkTarget, picker: LinkPicker, options: LinkOptions = {}): Promise<LinkOutcome> {
  const settings = linkSettings();
  const work = async (progress?: vscode.Progress<{ message?: string; increment?: number }>, token?: vscode.CancellationToken) => {
    const ac = new AbortController();
    const sub = token?.onCancellationRequested(() => ac.abort());
    try {
      let last = 0;
      const [resolved, scan] = await Promise.all([
        resolveDigest(lctx, target, ac.signal),
        scanWorkspace({
          target,
          ...(token ? { token } : {}),
          onProgress: (done, total) => {
            const pct = (done / Math.max(1, total)) * 100;
            if (progress && (pct - last >= 5 || done === total)) {
              progress.report({ increment: pct - last, message: vscode.l10n.t('{0} of {1} files', done, total) });
              last = pct;
            }
          },
        }),
      ]);
      if (token?.isCancellationRequested) throw new vscode.CancellationError();
      return { resolved, scan };
    } finally {
      sub?.dispose();
    }
  };
  let found: Awaited<ReturnType<typeof work>>;
  try {
    found =
      options.progress === false
        ? await work()
        : await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Finding image references for {0}…', targetText(target)), cancellable: true },
            (p, t) => work(p, t),
          );
  } catch (e) {
    if (e instanceof vscode.CancellationError) return { kind: 'cancelled' };
    throw e;
  }
  const { resolved, scan } = found;
  if (isRegistryError(resolved.error, 'notFound')) {
    throw new LinkFlowError(vscode.l10n.t('{0} was not found in the registry. Nothing was changed. Refresh the Registries view and pick a tag that exists.', targetText(target)));
  }
  if (resolved.error) lctx.log.warn(`link: digest of ${targetText(target)}: ${lctx.log.safe(resolved.error)}`);
  lctx.log.debug(`link: ${scan.candidates} candidate file(s), ${scan.files.size} deploy file(s), ${scan.refs.length} reference(s), ${scan.problems.length} problem(s)`);
  if (scan.skipped.length) lctx.log.info(`link: not read (over 1 MiB or unreadable): ${scan.skipped.join(', ')}`);
  if (scan.truncated) lctx.log.warn('link: the workspace has more YAML files than one scan reads; add registryExplorer.deployConfigPaths or exclude folders (search.exclude) to focus it.');
  if (!scan.refs.length) return { kind: 'empty', scan, target, ...(resolved.digest ? { digest: resolved.digest } : {}) };

  // Rows describe the change in the default mode, or by tag while the digest is unknown.
  const rowMode: LinkMode = resolved.digest || settings.mode === 'tag' ? settings.mode : 'tag';
  const picked = await picker.references(refChoices(scan.refs, targetFor(target, resolved.digest, rowMode), rowMode), problemChoices(scan.problems), {
    target: targetText(target),
    scan,
  });
  if (!picked?.length) return { kind: 'cancelled' };

  const choices = modeChoices(picked, target, resolved, lctx);
  const mode = await picker.mode(choices, settings.mode);
  if (!mode) return { kind: 'cancelled' };
  if (mode !== 'tag' && !resolved.digest) throw digestFailure(lctx, target, resolved.error);
  if (mode !== 'digest' && !target.tag) throw new LinkFlowError(vscode.l10n.t('{0} has no tag to link by. Link it by digest.', targetText(target)));

  const final = linkTarget(target, resolved.digest, mode);
  const changes = changeChoices(picked, final, mode, !!resolved.digest);
  const answer = await picker.confirm({ target: targetText(target), mode, changes, pinsKept: changes.filter((c) => c.change.pinKept).length });
  if (!answer) return { kind: 'cancelled' };
  // Confirming was consent to the rows, replaced variables included.
  const files = await applyLinks(picked, final, mode, { keepPins: answer.keepPins, allowReplace: true });
  const written = targetFor(target, resolved.digest, mode);
  lctx.log.info(`Linked ${formatReference(written)} (${mode}) into ${picked.length} reference(s) in ${files.length} file(s).`);
  return { kind: 'linked', target: written, mode, files, scan };
}

/** Finds `refs` again in the current text (same file, kind, document and YAML path). */
function rescan(file: string, text: string, refs: readonly DeployRef[]): DeployRef[] {
  const fresh = scanText(file, text, refs[0].kind);
  if (fresh.problems.length) {
    const p = fresh.problems[0];
    throw new LinkFlowError(vscode.l10n.t('{0} no longer parses ({1}). Nothing was changed; fix it and run the command again.', fileLine(file, p.line), p.message));
  }
  const byId = new Map(fresh.refs.map((r) => [refIdentity(r), r]));
  return refs.map((r) => {
    const now = byId.get(refIdentity(r));
    if (!now) throw new LinkFlowError(vscode.l10n.t('{0} ({1}) is no longer there. Nothing was changed; run the command again.', fileLine(file, r.line), r.label));
    return now;
  });
}

function wrap(e: unknown, file: string): Error {
  if (isLinkFlowError(e)) return e;
  const why = e instanceof Error ? e.message : String(e);
  return new LinkFlowError(vscode.l10n.t('Cannot link into {0}: {1} Nothing was changed.', vscode.workspace.asRelativePath(vscode.Uri.parse(file)), why.endsWith('.') ? why : `${why}.`));
}

/**
 * Edits every picked ref as one WorkspaceEdit. Each file's text is read from its (possibly
 * unsaved) document; refs that moved since the scan are found again once. Any failure → no edit.
 */
export async function applyLinks(picked: readonly DeployRef[], target: ImageReference, mode: LinkMode, options: RewriteOptions = {}): Promise<LinkedFile[]> {
  const edit = new vscode.WorkspaceEdit();
  const prepared: { doc: vscode.TextDocument; version: number; file: LinkedFile }[] = [];
  for (const [file, refs] of groupByFile(picked, (r) => r.file)) {
    const uri = vscode.Uri.parse(file);
    const doc = await vscode.workspace.openTextDocument(uri);
    const text = doc.getText();
    let used: DeployRef[] = refs;
    let result: LinkResult;
    try {
      result = linkReferences(text, refs, target, mode, options);
    } catch (e) {
      if (!isStaleReference(e)) throw wrap(e, file);
      used = rescan(file, text, refs);
      try {
        result = linkReferences(text, used, target, mode, options);
      } catch (e2) {
        throw wrap(e2, file);
      }
    }
    for (const e of result.edits) {
      edit.replace(uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.newText);
    }
    prepared.push({ doc, version: doc.version, file: { uri, refs: used, edits: result.edits, before: text, after: result.text, wasDirty: doc.isDirty } });
  }
  // Opening the later documents awaited: an earlier one may have been typed into meanwhile.
  const moved = prepared.find((p) => p.doc.version !== p.version);
  if (moved) throw new LinkFlowError(vscode.l10n.t('{0} changed while linking. Nothing was changed; run the command again.', vscode.workspace.asRelativePath(moved.doc.uri)));
  if (edit.size > 0) {
    // Not `isRefactoring`: that makes VS Code save every file of a multi-file edit at once
    // (`files.refactoring.autoSave`). The files stay dirty; `files.autoSave` handles them as usual.
    const ok = await vscode.workspace.applyEdit(edit);
    if (!ok) throw new LinkFlowError(vscode.l10n.t('VS Code did not apply the edit (a file may be read-only or changed on disk). Nothing was changed; run the command again.'));
  }
  return prepared.map((p) => p.file);
}

/**
 * Takes a link back in every file it changed, open in an editor or not (Ctrl+Z only reaches the
 * focused editor, and files the link opened in the background have none). All or nothing: when
 * a file changed since the link, nothing is reverted. A file that was saved before the link is
 * saved again, so the disk holds its bytes from before even when auto save wrote the link.
 */
export async function revertLinks(files: readonly LinkedFile[]): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  const docs: { doc: vscode.TextDocument; file: LinkedFile }[] = [];
  for (const file of files) {
    const doc = await vscode.workspace.openTextDocument(file.uri);
    if (doc.getText() !== file.after) {
      throw new LinkFlowError(vscode.l10n.t('{0} changed after the link, so it was not undone (no file was). Use Undo (Ctrl+Z) in its editor.', vscode.workspace.asRelativePath(file.uri)));
    }
    docs.push({ doc, file });
    edit.replace(file.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), file.before);
  }
  if (edit.size > 0 && !(await vscode.workspace.applyEdit(edit))) {
    throw new LinkFlowError(vscode.l10n.t('VS Code did not apply the undo. Nothing was reverted; use Undo (Ctrl+Z) in each file.'));
  }
  for (const { doc, file } of docs) if (!file.wasDirty && doc.isDirty) await doc.save();
}

/** `sha256:0123456789ab…` */
function shortPin(digest: string | undefined): string {
  if (!digest) return '';
  const i = digest.indexOf(':');
  return digest.length > i + 13 ? `${digest.slice(0, i + 13)}…` : digest;
}

export function describeOutcome(o: Extract<LinkOutcome, { kind: 'linked' }>): string {
  const refs = o.files.reduce((n, f) => n + f.refs.length, 0);
  const name = `${o.target.registry}/${o.target.repository}`;
  const what = o.mode === 'tag' ? `${name}:${o.target.tag}` : o.mode === 'digest' ? `${name}@${shortPin(o.target.digest)}` : `${name}:${o.target.tag}@${shortPin(o.target.digest)}`;
  return refs === 1
    ? vscode.l10n.t('Linked {0} into {1}.', what, fileLine(o.files[0].uri.toString(), o.files[0].refs[0].line))
    : vscode.l10n.t('Linked {0} into {1} references in {2} file(s).', what, refs, o.files.length);
}
