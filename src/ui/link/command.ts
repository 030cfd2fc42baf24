// The "Link Image into Deploy Config" command (tree context menu and palette): what runs when
// it is invoked. The entry point of the lazily loaded bundle dist/link.js; index.ts registers
// the command and requires this on its first use.

import * as vscode from 'vscode';
import type { CommandContext } from '../commands/context';
import type { Node } from '../tree/nodes';
import { offerCreate } from './create';
import { describeOutcome, linkImage, revertLinks, targetFor, type LinkContext, type LinkOutcome, type LinkTarget } from './flow';
import { showLinkError as showError } from './linkError';
import { quickPickPicker } from './pickers';
import { offerPullSecret, pullCredentials } from './secret';
import { linkSettings } from './settings';
import { pickTarget, targetFromNode, targetFromText } from './targets';

function isNode(arg: unknown): arg is Node {
  return typeof arg === 'object' && arg !== null && typeof (arg as { kind?: unknown }).kind === 'string' && typeof (arg as { id?: unknown }).id === 'string';
}

/** The message after a link: what changed, and what the user may do next. */
async function afterLink(lctx: LinkContext, target: LinkTarget, o: Extract<LinkOutcome, { kind: 'linked' }>): Promise<void> {
  const autoSave = vscode.workspace.getConfiguration('files').get<string>('autoSave', 'off') !== 'off';
  // Ctrl+Z only reaches a focused editor, and the files a link changes need not be open: the
  // notification's own Undo reverts every file.
  const note = autoSave ? vscode.l10n.t('Undo reverts it in every file.') : vscode.l10n.t('The files are not saved yet; Undo reverts it in every file.');
  const open = vscode.l10n.t('Open');
  const save = vscode.l10n.t('Save');
  const undo = vscode.l10n.t('Undo');
  const secret = vscode.l10n.t('Pull Secret…');
  const cluster = o.files.some((f) => f.refs.some((r) => r.kind === 'kubernetes' || r.kind === 'helm' || r.kind === 'kustomize'));
  const needsSecret = cluster && !!target.connectionId && !!(await pullCredentials(lctx, target.connectionId));
  const buttons = [open, ...(autoSave ? [] : [save]), undo, ...(needsSecret ? [secret] : [])];
  const choice = await vscode.window.showInformationMessage(`${describeOutcome(o)} ${note}`, ...buttons);
  if (choice === undo) {
    await revertLinks(o.files);
    lctx.log.info(`link: undone in ${o.files.length} file(s)`);
    void vscode.window.showInformationMessage(vscode.l10n.t('Undid the link in {0} file(s).', o.files.length));
  } else if (choice === open) {
    for (const [i, f] of o.files.entries()) {
      const doc = await vscode.workspace.openTextDocument(f.uri);
      // The first changed reference, found in the new text by its unchanged start.
      const at = doc.positionAt(f.edits[0]?.offset ?? 0);
      await vscode.window.showTextDocument(doc, { preview: false, preserveFocus: i < o.files.length - 1, selection: new vscode.Range(at, at) });
    }
  } else if (choice === save) {
    for (const f of o.files) await (await vscode.workspace.openTextDocument(f.uri)).save();
  } else if (choice === secret && target.connectionId) {
    await offerPullSecret(lctx, target.connectionId, o.target.registry);
  }
}

export async function runLinkCommand(ctx: CommandContext, arg?: unknown): Promise<void> {
  try {
    if (!vscode.workspace.workspaceFolders?.length) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Open the folder that holds your deploy config first (File › Open Folder), then link the image.'));
      return;
    }
    const target = typeof arg === 'string' ? targetFromText(ctx, arg) : isNode(arg) ? await targetFromNode(ctx, arg) : await pickTarget(ctx);
    if (!target) return;
    const outcome = await linkImage(ctx, target, quickPickPicker());
    if (outcome.kind === 'empty') {
      // Files, not errors: one broken file with six errors is one file left alone.
      const broken = new Set(outcome.scan.problems.map((p) => p.file)).size;
      await offerCreate(targetFor(outcome.target, outcome.digest, linkSettings().mode), { candidates: outcome.scan.candidates, problems: broken });
    } else if (outcome.kind === 'linked') {
      void afterLink(ctx, target, outcome).catch((e: unknown) => showError(ctx, e));
    }
  } catch (e) {
    showError(ctx, e);
  }
}

