// Delete Repository: through the provider's API where it has one (the confirmation names the
// tag count); elsewhere the Registry API can only delete images, so the offer is to delete
// every tag's image, digest by digest.

import * as vscode from 'vscode';
import pLimit from 'p-limit';
import type { Node, RepositoryNode } from '../tree/nodes';
import { truncationNote } from '../tree/truncated';
import type { CommandContext } from './context';

export function registerDeleteRepositoryCommand(ctx: CommandContext): vscode.Disposable {
  return vscode.commands.registerCommand('registryExplorer.deleteRepository', async (n?: Node) => {
    const node = n ?? ctx.view.selection[0];
    if (node?.kind !== 'repository') {
      void vscode.window.showInformationMessage(vscode.l10n.t('Select a repository in the Registries view first.'));
      return;
    }
    try {
      await deleteRepository(ctx, node);
    } catch (e) {
      ctx.log.error(`Delete repository ${node.name}: ${ctx.log.safe(e)}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Delete Repository failed: {0}', ctx.log.safe(e)));
    }
  });
}

async function deleteRepository(ctx: CommandContext, node: RepositoryNode): Promise<void> {
  const { store, tree, log } = ctx;
  const config = store.get(node.connectionId);
  if (!config) return;
  const listing = tree.tags(config, node.name);
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Counting the tags of {0}…', node.name), cancellable: true }, async (_p, token) => {
    const ac = new AbortController();
    token.onCancellationRequested(() => ac.abort());
    await listing.loadAll(ac.signal);
  });
  const tags = listing.items.map((t) => t.name);
  const note = listing.truncated ? `\n\n${truncationNote(listing.truncated, tags.length)}` : '';
  const conn = await tree.connection(node.connectionId);

  if (conn.deleteRepository) {
    const del = vscode.l10n.t('Delete Repository');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t('Delete the repository {0} and its {1} tag(s) from {2}?', node.name, tags.length, config.name),
      { modal: true, detail: vscode.l10n.t('Every image in it goes, whatever its tag. This cannot be undone.') + note },
      del,
    );
    if (answer !== del) return;
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Deleting {0}…', node.name) }, () => conn.deleteRepository!(node.name));
    log.info(`Deleted repository ${node.name} (${tags.length} tags) from ${config.name}.`);
    tree.refresh(node.connectionId);
    return;
  }

  const delAll = vscode.l10n.t('Delete All {0} Tags', tags.length);
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('{0} has no way to delete a repository. Delete all {1} tag(s) of {2} instead?', config.name, tags.length, node.name),
    { modal: true, detail: vscode.l10n.t('Each tag’s image is deleted by digest; the empty repository may stay listed until the registry cleans up. This cannot be undone.') + note },
    delAll,
  );
  if (answer !== delAll) return;
  const deleted = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Deleting the tags of {0}…', node.name), cancellable: true },
    async (progress, token) => {
      const ac = new AbortController();
      token.onCancellationRequested(() => ac.abort());
      const limit = pLimit(8);
      const digests = new Set(
        await Promise.all(
          tags.map((t) => limit(async () => listing.byName(t)?.digest ?? (await conn.client.headManifest(node.name, t, ac.signal)).digest)),
        ),
      );
      let done = 0;
      for (const digest of digests) {
        if (ac.signal.aborted) break;
        await conn.client.deleteManifest(node.name, digest, ac.signal);
        progress.report({ increment: 100 / digests.size, message: `${++done}/${digests.size}` });
      }
      return done;
    },
  );
  log.info(`Deleted ${deleted} image(s), every tag of ${node.name}, from ${config.name}.`);
  tree.refresh(node.connectionId);
}
