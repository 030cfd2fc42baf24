// Add Tag…: the same image under another tag of its repository. The manifest is read and put
// again under the new name; no blob moves.

import * as vscode from 'vscode';
import { tagNameProblem } from '../../registry/tagName';
import { network } from '../network';
import type { Node } from '../tree/nodes';
import { askTag, revealTag } from './copy';
import type { CommandContext } from './context';

export function registerRetagCommand(ctx: CommandContext): vscode.Disposable {
  // `newTag` from a caller that has decided already (a test, another extension): nothing is asked.
  return vscode.commands.registerCommand('registryExplorer.addTag', async (n?: Node, newTag?: string) => {
    const node = n ?? ctx.view.selection[0];
    if (node?.kind !== 'tag' && node?.kind !== 'platform') {
      void vscode.window.showInformationMessage(vscode.l10n.t('Select a tag in the Registries view first.'));
      return;
    }
    const config = ctx.store.get(node.connectionId);
    if (!config) return;
    const reference = node.kind === 'platform' ? node.image.digest : node.tag;
    const tag = newTag ?? (await askTag('', vscode.l10n.t('New tag for {0}:{1}', node.repository, node.tag)));
    if (!tag) return;
    const problem = tagNameProblem(tag);
    if (problem) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Add Tag: {0}', problem));
      return;
    }
    try {
      const existing = ctx.tree.tags(config, node.repository).byName(tag);
      if (existing && tag !== node.tag && newTag === undefined) {
        const move = vscode.l10n.t('Move Tag');
        const answer = await vscode.window.showWarningMessage(vscode.l10n.t('{0} already has a tag “{1}”. Point it at this image instead?', node.repository, tag), { modal: true }, move);
        if (answer !== move) return;
      }
      const digest = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Tagging {0} as {1}…', `${node.repository}:${node.tag}`, tag), cancellable: true }, async (_p, token) => {
        const ac = new AbortController();
        token.onCancellationRequested(() => ac.abort());
        const conn = await ctx.tree.connection(node.connectionId);
        return network().retag(conn.client, node.repository, reference, tag, ac.signal);
      });
      ctx.log.info(`Tagged ${config.name} ${node.repository}@${digest} as ${tag}.`);
      await revealTag(ctx, node.connectionId, node.repository, tag);
    } catch (e) {
      ctx.log.error(`Add tag ${tag} to ${node.repository}: ${ctx.log.safe(e)}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Add Tag failed: {0}', ctx.log.safe(e)));
    }
  });
}
