// Quick fixes for the image diagnostics, and actions on the reference under the cursor: update to
// the newer tag, pin / update the pin / unpin, open in the Registries view, connect the registry.
// Edits are the link command's own field-level edits (linkReferences): Helm `tag`, Kustomize
// `newTag`, a string's tag part, and every other byte of the file as it was. Fixes that need a
// digest the registry has not told yet run as a command that asks for it (one HEAD) first.

import * as vscode from 'vscode';
import type { ImageReference } from '../../registry/reference';
import type { CommandContext } from '../commands/context';
import { network } from '../network';
import { shortDigest } from '../tree/format';
import { isStaleReference, linkReferences, refIdentity, type DeployRef, type Fix, type LinkMode } from '../link/deploy';
import { refAt } from '../link/hover';
import type { DocumentRefs } from '../link/scan';
import type { ImageDiagnostics } from './diagnostics';
import type { RegistryFacts } from './facts';
import { DIAGNOSTIC_SOURCE } from './messages';

/** Registered by index.ts (the same string there). */
export const FIX_COMMAND = 'registryExplorer.imageQuickFix';

/** The link's edits for `ref` as one WorkspaceEdit; undefined when the text moved on. */
function linkEdit(doc: vscode.TextDocument, ref: DeployRef, target: ImageReference, mode: LinkMode): vscode.WorkspaceEdit | undefined {
  try {
    const { edits } = linkReferences(doc.getText(), [ref], target, mode);
    const edit = new vscode.WorkspaceEdit();
    for (const e of edits) edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.newText);
    return edit;
  } catch (e) {
    if (isStaleReference(e) || (e instanceof Error && e.name === 'LinkError')) return undefined;
    throw e;
  }
}

const imageOf = (ref: DeployRef, tag: string | undefined, digest?: string): ImageReference => ({
  registry: ref.image!.registry,
  repository: ref.image!.repository,
  ...(tag ? { tag } : {}),
  ...(digest ? { digest } : {}),
});

export class ImageCodeActions implements vscode.CodeActionProvider {
  constructor(
    private readonly facts: RegistryFacts,
    private readonly docs: DocumentRefs,
    private readonly diagnostics: ImageDiagnostics,
  ) {}

  provideCodeActions(doc: vscode.TextDocument, range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const refs = this.docs.get(doc);
    if (!refs.length) return [];
    const out: vscode.CodeAction[] = [];
    const entries = this.diagnostics.entries(doc);
    for (const diag of context.diagnostics) {
      if (diag.source !== DIAGNOSTIC_SOURCE) continue;
      const entry = entries.find((e) => e.code === diag.code && e.range.isEqual(diag.range));
      const ref = entry && refs.find((r) => refIdentity(r) === entry.identity && r.value === entry.value);
      const action = entry?.fix && ref ? this.fixAction(doc, ref, entry.fix) : undefined;
      if (!action) continue;
      action.diagnostics = [diag];
      action.isPreferred = entry!.fix!.kind !== 'pin';
      out.push(action);
    }
    const hit = refAt(refs, doc.offsetAt(range.start));
    const ref = hit?.ref;
    if (ref?.image && !ref.expressions?.length) out.push(...this.refActions(doc, ref, out));
    return out;
  }

  private fixAction(doc: vscode.TextDocument, ref: DeployRef, fix: Fix): vscode.CodeAction | undefined {
    const image = ref.image!;
    const command = (title: string): vscode.CodeAction => {
      const a = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
      a.command = { title, command: FIX_COMMAND, arguments: [doc.uri, refIdentity(ref), fix] };
      return a;
    };
    switch (fix.kind) {
      case 'update': {
        const title = vscode.l10n.t('Update to {0}', fix.tag);
        // A pinned reference stays pinned: the new tag's digest is asked for first.
        if (image.digest) return command(title);
        const edit = linkEdit(doc, ref, imageOf(ref, fix.tag), 'tag');
        return edit && Object.assign(new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix), { edit });
      }
      case 'updatePin': {
        const edit = linkEdit(doc, ref, imageOf(ref, image.tag, fix.digest), 'tag@digest');
        const title = vscode.l10n.t('Update the pinned digest to {0}', shortDigest(fix.digest));
        return edit && Object.assign(new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix), { edit });
      }
      case 'pin':
        return command(vscode.l10n.t('Pin {0} to its digest', image.tag ?? 'latest'));
      case 'connect':
        return command(vscode.l10n.t('Connect {0}…', fix.registry));
    }
  }

  private refActions(doc: vscode.TextDocument, ref: DeployRef, offered: readonly vscode.CodeAction[]): vscode.CodeAction[] {
    const image = ref.image!;
    const hit = this.facts.image(image.registry, image.repository);
    if (!hit) return [];
    const out: vscode.CodeAction[] = [];
    const titles = new Set(offered.map((a) => a.title));
    const add = (a: vscode.CodeAction | undefined) => a && !titles.has(a.title) && out.push(a);
    if (image.tag && !image.digest) add(this.fixAction(doc, ref, { kind: 'pin' }));
    if (image.tag && image.digest) {
      const edit = linkEdit(doc, ref, imageOf(ref, image.tag), 'tag');
      add(edit && Object.assign(new vscode.CodeAction(vscode.l10n.t('Unpin (keep the tag {0})', image.tag), vscode.CodeActionKind.RefactorRewrite), { edit }));
    }
    // Named as the tree names it: the repository inside the connection (a pull host's path off).
    const reveal = new vscode.CodeAction(vscode.l10n.t('Open {0} in the Registries view', image.tag ? `${hit.repository}:${image.tag}` : hit.repository), vscode.CodeActionKind.Empty);
    reveal.command = { title: reveal.title, command: 'registryExplorer.find', arguments: [{ connectionId: hit.config.id, repository: hit.repository, ...(image.tag ? { tag: image.tag } : {}) }] };
    add(reveal);
    return out;
  }
}

/** FIX_COMMAND: the fixes that ask the registry first (pin, update a pinned reference) or open the wizard. */
export async function runFix(ctx: CommandContext, facts: RegistryFacts, docs: DocumentRefs, uri: vscode.Uri, identity: string, fix: Fix): Promise<void> {
  if (fix.kind === 'connect') {
    const provider = network().providerForRegistryHost(fix.registry);
    await vscode.commands.executeCommand('registryExplorer.connect', provider, { url: fix.registry, name: fix.registry });
    return;
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  const ref = docs.get(doc).find((r) => refIdentity(r) === identity);
  const image = ref?.image;
  const hit = image && facts.image(image.registry, image.repository);
  if (!ref || !image || !hit) {
    void vscode.window.showWarningMessage(vscode.l10n.t('That image reference is no longer in {0}. Nothing was changed.', vscode.workspace.asRelativePath(uri)));
    return;
  }
  const tag = fix.kind === 'update' ? fix.tag : fix.kind === 'pin' ? (image.tag ?? 'latest') : image.tag!;
  try {
    const digest =
      fix.kind === 'updatePin'
        ? fix.digest
        : await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Asking {0} for the digest of {1}…', hit.config.name, `${hit.repository}:${tag}`) }, () =>
            facts.digestOf(hit.config, hit.repository, tag),
          );
    const edit = linkEdit(doc, ref, imageOf(ref, tag, digest), 'tag@digest');
    if (!edit || !(await vscode.workspace.applyEdit(edit))) {
      void vscode.window.showWarningMessage(vscode.l10n.t('{0} changed meanwhile. Nothing was changed; try the fix again.', vscode.workspace.asRelativePath(uri)));
    }
  } catch (e) {
    ctx.log.warn(`quick fix: ${ctx.log.safe(e)}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('Could not get the digest of {0} from {1}: {2}. Nothing was changed.', `${hit.repository}:${tag}`, hit.config.name, ctx.log.safe(e)));
  }
}
