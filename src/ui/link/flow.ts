// The link flow without its UI: scan → pick → resolve → edit. The command wires the real
// QuickPicks in as a LinkPicker; tests inject their own choices. Nothing is edited until every
// picked reference of every file has its edits, and then all files change in one WorkspaceEdit
// (one undo step per file, left unsaved unless `files.autoSave` says otherwise).

import * as vscode from 'vscode';
import {
  describeChange,
  linkReferences,
  scanText,
  isStaleReference,
  refIdentity,
  type DeployProblem,
  type DeployRef,
  type LinkMode,
  type LinkResult,
  type TextEdit,
} from './deploy';
import { isRegistryError } from '../../registry/errors';
import { formatReference, type ImageReference } from '../../registry/reference';
import type { CommandContext } from '../commands/context';
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
export class LinkFlowError extends Error {
  override readonly name = 'LinkFlowError';
}

export interface RefChoice {
  ref: DeployRef;
  /** `describeChange(…)`, or the current value when the change cannot be described. */
  label: string;
  /** `k8s/web.yaml:12` */
  description: string;
  /** Kind and label, and a warning when an anchor shares the text. */
  detail: string;
  /** Preselected: same registry and repository as the target. */
  picked: boolean;
}

export interface ProblemChoice {
  problem: DeployProblem;
  /** `values.yaml:3: Map keys must be unique`. */
  text: string;
}

export interface ModeChoice {
  mode: LinkMode;
  /** What the first picked reference becomes, or why this mode cannot be used. */
  detail: string;
  available: boolean;
}

export interface LinkPicker {
  /** The references to change; undefined or empty cancels. */
  references(choices: RefChoice[], problems: ProblemChoice[], info: { target: string; scan: WorkspaceScan }): Promise<DeployRef[] | undefined>;
  /** The mode; `initial` is the setting. Undefined cancels. */
  mode(choices: ModeChoice[], initial: LinkMode): Promise<LinkMode | undefined>;
}

export interface LinkedFile {
  uri: vscode.Uri;
  refs: DeployRef[];
  /** The edits, against `before`. */
  edits: TextEdit[];
  before: string;
  after: string;
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
    return { digest: (await conn.client.headManifest(target.repository, target.tag ?? 'latest', signal)).digest };
  } catch (e) {
    return { error: e };
  }
}

function digestFailure(lctx: LinkContext, target: LinkTarget, error: unknown): LinkFlowError {
  if (error instanceof LinkFlowError) return error;
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

function describe(ref: DeployRef, target: ImageReference, mode: LinkMode): string | undefined {
  try {
    return describeChange(ref, target, mode);
  } catch {
    return undefined;
  }
}

/** The picker's rows: same repository first, then by file and position. */
function refChoices(refs: readonly DeployRef[], target: ImageReference, mode: LinkMode): RefChoice[] {
  const sorted = [...refs].sort((a, b) => Number(b.matches) - Number(a.matches) || a.file.localeCompare(b.file) || a.offset - b.offset);
  return sorted.map((ref) => {
    const shared = ref.shared?.length
      ? ` · $(warning) ${vscode.l10n.t('also changes {0} (the text is shared through a YAML anchor)', ref.shared.join(', '))}`
      : '';
    return {
      ref,
      label: describe(ref, target, mode) ?? ref.value,
      description: fileLine(ref.file, ref.line),
      detail: `${ref.kind} · ${ref.label}${shared}`,
      picked: ref.matches,
    };
  });
}

function problemChoices(problems: readonly DeployProblem[]): ProblemChoice[] {
  return problems.map((problem) => ({ problem, text: `${fileLine(problem.file, problem.line)}: ${problem.message}` }));
}

function modeChoices(first: DeployRef, target: ImageReference, resolved: Resolved, lctx: LinkContext): ModeChoice[] {
  return LINK_MODES.map((mode) => {
    if (mode !== 'digest' && !target.tag) return { mode, available: false, detail: vscode.l10n.t('{0} has no tag', targetText(target)) };
    if (mode !== 'tag' && !resolved.digest) return { mode, available: false, detail: vscode.l10n.t('digest unknown: {0}', lctx.log.safe(resolved.error)) };
    const t = targetFor(target, resolved.digest, mode);
    return { mode, available: true, detail: describe(first, t, mode) ?? first.value };
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

  const choices = modeChoices(picked[0], target, resolved, lctx);
  const mode = await picker.mode(choices, settings.mode);
  if (!mode) return { kind: 'cancelled' };
  if (mode !== 'tag' && !resolved.digest) throw digestFailure(lctx, target, resolved.error);
  if (mode !== 'digest' && !target.tag) throw new LinkFlowError(vscode.l10n.t('{0} has no tag to link by. Link it by digest.', targetText(target)));

  const final = targetFor(target, resolved.digest, mode);
  const files = await applyLinks(picked, final, mode);
  lctx.log.info(`Linked ${formatReference(final)} (${mode}) into ${picked.length} reference(s) in ${files.length} file(s).`);
  return { kind: 'linked', target: final, mode, files, scan };
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
  if (e instanceof LinkFlowError) return e;
  const why = e instanceof Error ? e.message : String(e);
  return new LinkFlowError(vscode.l10n.t('Cannot link into {0}: {1} Nothing was changed.', vscode.workspace.asRelativePath(vscode.Uri.parse(file)), why.endsWith('.') ? why : `${why}.`));
}

/**
 * Edits every picked ref as one WorkspaceEdit. Each file's text is read from its (possibly
 * unsaved) document; refs that moved since the scan are found again once. Any failure → no edit.
 */
export async function applyLinks(picked: readonly DeployRef[], target: ImageReference, mode: LinkMode): Promise<LinkedFile[]> {
  const edit = new vscode.WorkspaceEdit();
  const prepared: { doc: vscode.TextDocument; version: number; file: LinkedFile }[] = [];
  for (const [file, refs] of groupByFile(picked, (r) => r.file)) {
    const uri = vscode.Uri.parse(file);
    const doc = await vscode.workspace.openTextDocument(uri);
    const text = doc.getText();
    let used: DeployRef[] = refs;
    let result: LinkResult;
    try {
      result = linkReferences(text, refs, target, mode);
    } catch (e) {
      if (!isStaleReference(e)) throw wrap(e, file);
      used = rescan(file, text, refs);
      try {
        result = linkReferences(text, used, target, mode);
      } catch (e2) {
        throw wrap(e2, file);
      }
    }
    for (const e of result.edits) {
      edit.replace(uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.newText);
    }
    prepared.push({ doc, version: doc.version, file: { uri, refs: used, edits: result.edits, before: text, after: result.text } });
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
