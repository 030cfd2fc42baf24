// `registryExplorer.pinnedDigestCheck` (off by default): a CodeLens over every `tag@digest` pin
// whose tag now points at another image, with a one-click update of the digest. One HEAD per
// pin (not a pull on Docker Hub), cached for a few minutes, a few at a time.

import * as vscode from 'vscode';
import pLimit from 'p-limit';
import { linkReferences, refIdentity, type DeployRef } from './deploy';
import type { Connection } from '../../providers/provider';
import { isIndexMediaType } from '../../registry/mediaTypes';
import { shortDigest } from '../tree/format';
import type { LinkContext } from './flow';
import { LinkFlowError } from './linkError';
import type { DocumentRefs } from './scan';
import { linkSettings } from './settings';
import { connectionForImage } from './targets';

const HEAD_TTL_MS = 3 * 60_000;
export const UPDATE_PIN_COMMAND = 'registryExplorer.updatePinnedDigest';

export interface PinStatus {
  /** Where the tag points now. */
  current: string;
  /** The tag points elsewhere, and the pin is not one of its platform images either. */
  moved: boolean;
}

/** Whether `repository:tag` still points at `pinned` (an index's platform digest counts as "still"). */
export async function pinStatus(conn: Connection, repository: string, tag: string, pinned: string, signal?: AbortSignal): Promise<PinStatus> {
  const head = await conn.client.headManifest(repository, tag, signal);
  if (head.digest === pinned) return { current: head.digest, moved: false };
  if (isIndexMediaType(head.mediaType)) {
    const index = await conn.client.imageDetails(repository, head.digest, { signal, configs: false });
    if (index.platforms?.some((p) => p.digest === pinned)) return { current: head.digest, moved: false };
  }
  return { current: head.digest, moved: true };
}

export class PinnedDigestLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly status = new Map<string, { at: number; value: Promise<PinStatus> }>();
  private readonly limit = pLimit(4);

  constructor(
    private readonly lctx: LinkContext,
    private readonly docs: DocumentRefs,
  ) {}

  refresh(): void {
    this.status.clear();
    this.changed.fire();
  }

  async provideCodeLenses(doc: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (!linkSettings(doc.uri).pinnedDigestCheck) return [];
    const pinned = this.docs.get(doc).filter((r) => r.image?.tag && r.image.digest);
    if (!pinned.length) return [];
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort());
    try {
      const lenses = await Promise.all(pinned.map((ref) => this.lensFor(doc, ref, ac.signal).catch(() => undefined)));
      return lenses.filter((l): l is vscode.CodeLens => !!l);
    } finally {
      sub.dispose();
    }
  }

  private async lensFor(doc: vscode.TextDocument, ref: DeployRef, signal: AbortSignal): Promise<vscode.CodeLens | undefined> {
    const image = ref.image!;
    const served = connectionForImage(this.lctx, image.registry, image.repository);
    if (!served) return undefined;
    const { config, repository } = served;
    const key = [config.id, repository, image.tag, image.digest].join('\n');
    let hit = this.status.get(key);
    if (!hit || Date.now() - hit.at > HEAD_TTL_MS) {
      const value = this.limit(async () => pinStatus(await this.lctx.tree.connection(config.id), repository, image.tag!, image.digest!, signal));
      hit = { at: Date.now(), value };
      this.status.set(key, hit);
      value.catch(() => this.status.delete(key));
    }
    const s = await hit.value;
    if (!s.moved) return undefined;
    const at = doc.positionAt(ref.offset);
    return new vscode.CodeLens(new vscode.Range(at, at), {
      title: `$(warning) ${vscode.l10n.t('{0} now points at {1} (pinned {2}): update the pin', image.tag!, shortDigest(s.current), shortDigest(image.digest))}`,
      tooltip: vscode.l10n.t('Rewrite this reference as {0}@{1}', image.tag!, s.current),
      command: UPDATE_PIN_COMMAND,
      arguments: [doc.uri, refIdentity(ref), s.current],
    });
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/**
 * The CodeLens command: relink one pinned reference to the tag's current digest (one undo step).
 * The lens's own scan of this version is reused, so the link's check is the only parse.
 */
export async function updatePinnedDigest(docs: DocumentRefs, uri: vscode.Uri, identity: string, digest: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const ref = docs.get(doc).find((r) => refIdentity(r) === identity);
  if (!ref?.image?.tag) throw new LinkFlowError(vscode.l10n.t('That reference is no longer in {0}. Nothing was changed.', vscode.workspace.asRelativePath(uri)));
  const { edits } = linkReferences(doc.getText(), [ref], { registry: ref.image.registry, repository: ref.image.repository, tag: ref.image.tag, digest }, 'tag@digest');
  const edit = new vscode.WorkspaceEdit();
  for (const e of edits) edit.replace(uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.newText);
  if (!(await vscode.workspace.applyEdit(edit))) {
    throw new LinkFlowError(vscode.l10n.t('VS Code did not apply the edit. Nothing was changed; try again.'));
  }
}
