// Commands on tags: copy reference / digest / pull command, inspect manifest, delete.

import * as vscode from 'vscode';
import pLimit from 'p-limit';
import { manifestUri } from '../manifestDocument';
import { registryHost } from '../tree/provider';
import type { Node, PlatformNode, TagNode } from '../tree/nodes';
import { truncationNote } from '../tree/truncated';
import type { CommandContext } from './context';

/** HEAD requests Delete Tag spends finding the tags that share a digest. */
const MAX_DIGEST_CHECKS = 2000;

type ImageNode = TagNode | PlatformNode;

function isImageNode(node: Node | undefined): node is ImageNode {
  return node?.kind === 'tag' || node?.kind === 'platform';
}

export function registerTagCommands(ctx: CommandContext): vscode.Disposable[] {
  const { store, tree, log } = ctx;

  const hostOf = (node: ImageNode): string => {
    const config = store.get(node.connectionId);
    return config ? registryHost(config) : '';
  };

  /** The digest of a tag: known from the tree, or one HEAD request. */
  const digestOf = async (node: ImageNode): Promise<string> => {
    if (node.kind === 'platform') return node.image.digest;
    const known = tree.tagDetails(node)?.digest;
    if (known) return known;
    const conn = await tree.connection(node.connectionId);
    return (await conn.client.headManifest(node.repository, node.tag)).digest;
  };

  const reference = async (node: ImageNode): Promise<string> => {
    const base = `${hostOf(node)}/${node.repository}`;
    return node.kind === 'platform' ? `${base}@${node.image.digest}` : `${base}:${node.tag}`;
  };

  const requireNode = (node: Node | undefined): ImageNode | undefined => {
    if (isImageNode(node)) return node;
    const selected = ctx.view.selection[0];
    if (isImageNode(selected)) return selected;
    void vscode.window.showInformationMessage(vscode.l10n.t('Select a tag in the Registries view first.'));
    return undefined;
  };

  const copy = async (text: string, what: string): Promise<void> => {
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}: {1}', what, text), 4000);
  };

  const failed = (what: string) => (e: unknown) => {
    log.error(`${what}: ${log.safe(e)}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('{0} failed: {1}', what, log.safe(e)));
  };

  return [
    vscode.commands.registerCommand('registryExplorer.copyReference', async (n?: Node) => {
      const node = requireNode(n);
      if (node) await copy(await reference(node), vscode.l10n.t('image reference'));
    }),
    vscode.commands.registerCommand('registryExplorer.copyDigest', async (n?: Node) => {
      const node = requireNode(n);
      if (node) await digestOf(node).then((d) => copy(d, vscode.l10n.t('digest')), failed(vscode.l10n.t('Copy digest')));
    }),
    vscode.commands.registerCommand('registryExplorer.copyPullCommand', async (n?: Node) => {
      const node = requireNode(n);
      if (node) await copy(`docker pull ${await reference(node)}`, vscode.l10n.t('pull command'));
    }),
    vscode.commands.registerCommand('registryExplorer.inspectManifest', async (n?: Node) => {
      const node = requireNode(n);
      if (!node) return;
      const ref = node.kind === 'platform' ? node.image.digest : node.tag;
      const uri = manifestUri(node.connectionId, hostOf(node), node.repository, ref);
      try {
        const doc = await vscode.workspace.openTextDocument(uri);
        await vscode.languages.setTextDocumentLanguage(doc, 'json');
        await vscode.window.showTextDocument(doc, { preview: true });
      } catch (e) {
        failed(vscode.l10n.t('Inspect manifest'))(e);
      }
    }),
    vscode.commands.registerCommand('registryExplorer.deleteTag', async (n?: Node) => {
      const node = requireNode(n);
      if (!node || node.kind !== 'tag') return;
      const config = store.get(node.connectionId);
      if (!config) return;
      try {
        // Deleting removes the manifest, so every tag on the same digest goes too: find them all.
        const shared = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Checking which tags share {0}:{1}…', node.repository, node.tag), cancellable: true },
          async (progress, token) => {
            const ac = new AbortController();
            token.onCancellationRequested(() => ac.abort());
            const conn = await tree.connection(node.connectionId);
            const digest = (await conn.client.headManifest(node.repository, node.tag, ac.signal)).digest;
            const listing = tree.tags(config, node.repository);
            await listing.loadAll(ac.signal);
            // Digests known from the tree or the listing cost nothing; the rest need a HEAD each,
            // so a huge repository is checked only up to a bound, and the dialog says so.
            const known = (t: string): string | undefined => (t === node.tag ? digest : (tree.details.get(config.id, node.repository, t)?.digest ?? listing.byName(t)?.digest));
            const all = listing.items.map((t) => t.name);
            const unknown = all.filter((t) => !known(t));
            const toCheck = unknown.slice(0, MAX_DIGEST_CHECKS);
            const limit = pLimit(8);
            let done = 0;
            const headed = new Map(
              await Promise.all(
                toCheck.map((t) =>
                  limit(async () => {
                    const d = (await conn.client.headManifest(node.repository, t, ac.signal)).digest;
                    progress.report({ increment: 100 / toCheck.length, message: `${++done}/${toCheck.length}` });
                    return [t, d] as const;
                  }),
                ),
              ),
            );
            const sharing = all.filter((t) => (known(t) ?? headed.get(t)) === digest);
            const unchecked = unknown.length - toCheck.length;
            return { digest, sharing, unchecked, truncated: listing.truncated ? truncationNote(listing.truncated, listing.items.length) : undefined };
          },
        );
        const del = vscode.l10n.t('Delete');
        const others = shared.sharing.filter((t) => t !== node.tag);
        const caveats = [
          shared.truncated,
          shared.unchecked ? vscode.l10n.t('{0} more tags were not checked; any of them may point at the same image and would go too.', shared.unchecked) : undefined,
        ].filter((c): c is string => !!c);
        const detail = [
          others.length
            ? vscode.l10n.t('The registry deletes images by digest. These tags point at the same image and will be deleted too: {0}. This cannot be undone.', others.join(', '))
            : vscode.l10n.t('Digest {0}. This cannot be undone.', shared.digest),
          ...caveats,
        ].join('\n\n');
        const answer = await vscode.window.showWarningMessage(
          vscode.l10n.t('Delete {0}:{1}{2}?', node.repository, node.tag, others.length ? vscode.l10n.t(' and {0} more tag(s)', others.length) : ''),
          { modal: true, detail },
          del,
        );
        if (answer !== del) return;
        const conn = await tree.connection(node.connectionId);
        await conn.client.deleteManifest(node.repository, shared.digest);
        log.info(`Deleted ${node.repository}@${shared.digest} (tags: ${shared.sharing.join(', ')}) from ${config.name}.`);
        tree.refresh(node.connectionId, node.repository);
      } catch (e) {
        failed(vscode.l10n.t('Delete tag'))(e);
      }
    }),
  ];
}
