// Copy Image To…: a tag (or one platform of it) to any connected registry, repository and tag,
// straight between the registries (src/registry/copy.ts). The same flow serves the tag's
// context menu, the palette and a drop of a tag onto a registry or repository row.

import * as vscode from 'vscode';
import { revealNode } from '../tree/reveal';
import type { ConnectionConfig } from '../../providers/provider';
import type { CopyProgress, CopyResult } from '../../registry/copy';
import { tagNameProblem } from '../../registry/tagName';
import { network } from '../network';
import type { Node, PlatformNode, TagNode } from '../tree/nodes';
import { formatSize } from '../tree/format';
import { registryHost } from '../tree/provider';
import type { CommandContext } from './context';

type Source = TagNode | PlatformNode;

/** Where a copy goes; a drop gives the registry and maybe the repository up front. */
export interface CopyDestination {
  connectionId: string;
  repository?: string;
}

/** The distribution spec's repository name grammar. */
const REPOSITORY_NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const NAME_RULE = (): string => vscode.l10n.t('lower-case letters and digits, with “.”, “_” or “-” between them and “/” between path parts');

/** Given by a caller that has decided already (a test, another extension): nothing is asked. */
export interface CopyRequest {
  tag?: string;
  referrers?: boolean;
}

/** Progress reports at most this often: a 300 MB copy makes thousands of byte callbacks. */
const REPORT_EVERY_MS = 200;

export function registerCopyCommands(ctx: CommandContext): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('registryExplorer.copyImageTo', async (n?: Node, target?: Node | CopyDestination, request?: CopyRequest) => {
      const source = sourceNode(ctx, n);
      if (!source) return undefined;
      return copyFlow(ctx, source, destinationOf(target), request);
    }),
  ];
}

function sourceNode(ctx: CommandContext, n: Node | undefined): Source | undefined {
  const node = n ?? ctx.view.selection[0];
  if (node?.kind === 'tag' || node?.kind === 'platform') return node;
  void vscode.window.showInformationMessage(vscode.l10n.t('Select a tag in the Registries view first.'));
  return undefined;
}

function destinationOf(target: Node | CopyDestination | undefined): CopyDestination | undefined {
  if (!target) return undefined;
  if (!('kind' in target)) return target;
  switch (target.kind) {
    case 'registry':
      return { connectionId: target.connectionId };
    case 'folder':
      return { connectionId: target.connectionId };
    case 'repository':
      return { connectionId: target.connectionId, repository: target.name };
    case 'tag':
    case 'platform':
      return { connectionId: target.connectionId, repository: target.repository };
    default:
      return undefined;
  }
}

async function copyFlow(ctx: CommandContext, source: Source, preset: CopyDestination | undefined, request?: CopyRequest): Promise<CopyResult | undefined> {
  const { store, tree, log } = ctx;
  const from = store.get(source.connectionId);
  if (!from) return undefined;
  const sourceRef = source.kind === 'platform' ? source.image.digest : source.tag;
  const sourceLabel = `${source.repository}${source.kind === 'platform' ? `@${source.image.digest.slice(0, 19)}…` : `:${source.tag}`}`;

  const to = preset ? store.get(preset.connectionId) : await pickRegistry(ctx, sourceLabel);
  if (!to) return undefined;
  const repository = preset?.repository ?? (await pickRepository(ctx, to, source.repository));
  if (!repository) return undefined;
  // A drop keeps the tag's name (the confirmation shows it); the menu asks.
  const tag = request ? (request.tag ?? source.tag) : preset && source.kind === 'tag' ? source.tag : await askTag(source.tag);
  if (!tag) return undefined;
  const target = `${registryHost(to)}/${repository}:${tag}`;

  const plain = vscode.l10n.t('Copy');
  const withReferrers = vscode.l10n.t('Copy with Signatures and SBOMs');
  if (request && tagNameProblem(tag)) throw new Error(tagNameProblem(tag));
  const answer = request
    ? request.referrers
      ? withReferrers
      : plain
    : await vscode.window.showInformationMessage(
        vscode.l10n.t('Copy {0} from {1} to {2}?', sourceLabel, from.name, target),
        { modal: true, detail: await hubWarning(ctx, from, source.repository, sourceRef) },
        plain,
        withReferrers,
      );
  if (answer !== plain && answer !== withReferrers) return undefined;

  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Copying {0} to {1}', sourceLabel, target), cancellable: true },
      async (progress, token) => {
        const ac = new AbortController();
        token.onCancellationRequested(() => ac.abort());
        const [src, dst] = await Promise.all([tree.connection(from.id), tree.connection(to.id)]);
        progress.report({ message: vscode.l10n.t('reading the manifests…') });
        const net = network();
        const plan = await net.planCopy({ client: src.client, repository: source.repository, reference: sourceRef }, { referrers: answer === withReferrers, signal: ac.signal });
        let last = 0;
        let shown = 0;
        const onProgress = (p: CopyProgress): void => {
          const now = Date.now();
          if (p.phase === 'blobs' && now - last < REPORT_EVERY_MS) return;
          last = now;
          const pct = p.bytesTotal ? (100 * p.bytesDone) / p.bytesTotal : p.blobsTotal ? (100 * p.blobsDone) / p.blobsTotal : 0;
          progress.report({ increment: Math.max(0, pct - shown), message: progressText(p) });
          shown = Math.max(shown, pct);
        };
        return net.executeCopy(plan, { client: src.client, repository: source.repository, reference: sourceRef }, { client: dst.client, repository, tag }, { signal: ac.signal, onProgress });
      },
    );
    log.info(
      `Copied ${from.name} ${sourceLabel} to ${target} (${result.digest}): ${result.blobsCopied} blobs copied (${result.bytesMoved} bytes), ${result.blobsMounted} mounted, ${result.blobsSkipped} already there; tags ${result.tags.join(', ')}.`,
    );
    tree.refresh(to.id);
    // Said first: the message must not wait on the view (a reveal can be slow or race a refresh).
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Copied to {0}: {1} blobs copied ({2}), {3} mounted, {4} already there.', target, result.blobsCopied, formatSize(result.bytesMoved), result.blobsMounted, result.blobsSkipped),
    );
    await revealTag(ctx, to.id, repository, tag);
    return result;
  } catch (e) {
    const text = log.safe(e);
    log.error(`Copy ${sourceLabel} to ${target}: ${text}`);
    // What was copied stays (blobs, untagged manifests); the tree shows the destination as it is.
    tree.refresh(to.id, repository);
    void vscode.window.showErrorMessage(vscode.l10n.t('Copy Image To failed: {0}', text));
    return undefined;
  }
}

/** "linux/amd64 12.0 MB of 40.0 MB · 5 of 14 blobs", the part that is moving now first. */
export function progressText(p: CopyProgress): string {
  if (p.phase === 'manifests') return vscode.l10n.t('writing the manifests…');
  if (p.phase === 'tag' || p.phase === 'done') return vscode.l10n.t('writing the tag…');
  const moving = p.parts.find((x) => x.bytesDone > 0 && x.bytesDone < x.bytesTotal) ?? p.parts.find((x) => x.blobsDone < x.blobsTotal);
  // The platform that is moving, when there are several to tell apart.
  const part = moving && p.parts.length > 1 ? `${moving.part} ${formatSize(moving.bytesDone)}/${formatSize(moving.bytesTotal)} · ` : '';
  return vscode.l10n.t('{0}{1} of {2} · {3} of {4} blobs', part, formatSize(p.bytesDone), formatSize(p.bytesTotal), p.blobsDone, p.blobsTotal);
}

async function pickRegistry(ctx: CommandContext, sourceLabel: string): Promise<ConnectionConfig | undefined> {
  const all = ctx.store.list();
  const picked = await vscode.window.showQuickPick(
    all.map((c) => ({ label: c.name, description: registryHost(c), config: c })),
    { title: vscode.l10n.t('Copy {0} to…', sourceLabel), placeHolder: vscode.l10n.t('Pick the registry to copy to') },
  );
  return picked?.config;
}

/** A repository of the destination, or a new name (the registry creates it on the first push). */
async function pickRepository(ctx: CommandContext, to: ConnectionConfig, suggested: string): Promise<string | undefined> {
  const listing = ctx.tree.repositories(to);
  const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { name: string }>();
  qp.title = vscode.l10n.t('Repository in {0}', to.name);
  qp.placeholder = vscode.l10n.t('Pick a repository, or type a new name');
  qp.value = suggested;
  const existing = (): (vscode.QuickPickItem & { name: string })[] => listing.items.map((r) => ({ label: r.name, name: r.name }));
  const update = (): void => {
    const value = qp.value.trim();
    const known = existing();
    const fresh =
      value && !known.some((k) => k.name === value)
        ? [{ label: value, description: REPOSITORY_NAME.test(value) ? vscode.l10n.t('new repository') : vscode.l10n.t('not a repository name: {0}', NAME_RULE()), name: value, alwaysShow: true }]
        : [];
    qp.items = [...fresh, ...known];
  };
  update();
  qp.busy = listing.status !== 'ready';
  if (listing.status !== 'ready') {
    void listing
      .load()
      .then(update, () => undefined)
      .finally(() => (qp.busy = false));
  }
  qp.onDidChangeValue(update);
  return new Promise((resolve) => {
    qp.onDidAccept(() => {
      const name = (qp.selectedItems[0]?.name ?? qp.value).trim();
      if (!REPOSITORY_NAME.test(name)) return; // the row says why; the picker stays open

      resolve(name);
      qp.hide();
    });
    qp.onDidHide(() => {
      resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}

export function askTag(value: string, title = vscode.l10n.t('Tag to write')): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title,
    value,
    prompt: vscode.l10n.t('The tag is written last, once everything it needs is in place.'),
    validateInput: (v) => tagNameProblem(v.trim()),
  }).then((v) => v?.trim());
}

/** Docker Hub counts every manifest GET as a pull: say so, with what is left (a HEAD costs none). */
async function hubWarning(ctx: CommandContext, from: ConnectionConfig, repository: string, reference: string): Promise<string | undefined> {
  if (from.provider !== 'dockerhub') return undefined;
  try {
    const conn = await ctx.tree.connection(from.id);
    const limit = await network().pullLimit(conn.client, repository, reference);
    if (!limit) return vscode.l10n.t('Copies from Docker Hub count against its pull limit (one pull per manifest read).');
    const hours = limit.windowSeconds ? Math.round(limit.windowSeconds / 3600) : undefined;
    return limit.limit !== undefined && hours
      ? vscode.l10n.t('Copies from Docker Hub count against its pull limit (one pull per manifest read): {0} of {1} pulls left in this {2}-hour window.', limit.remaining, limit.limit, hours)
      : vscode.l10n.t('Copies from Docker Hub count against its pull limit (one pull per manifest read): {0} pulls left.', limit.remaining);
  } catch (e) {
    ctx.log.warn(`Docker Hub pull limit: ${ctx.log.safe(e)}`);
    return vscode.l10n.t('Copies from Docker Hub count against its pull limit (one pull per manifest read).');
  }
}

/** After a copy or a new tag: the repository reloaded and the tag shown and selected. */
export async function revealTag(ctx: CommandContext, connectionId: string, repository: string, tag: string): Promise<void> {
  try {
    ctx.tree.refresh(connectionId, repository);
    const node = await ctx.tree.locate(connectionId, repository, tag);
    if (node) {
      ctx.tree.redraw();
      await revealNode(ctx, node, { select: true, focus: false, expand: false }, `${repository}:${tag}`);
    }
  } catch (e) {
    ctx.log.warn(`Reveal ${repository}:${tag}: ${ctx.log.safe(e)}`);
  }
}
