// Drag a tag onto a registry, folder or repository row: Copy Image To… with that destination.
// The controller only carries the nodes; the copy command does the asking and the work.

import * as vscode from 'vscode';
import type { Node } from './nodes';

/** VS Code's mime type for nodes of this tree view (`application/vnd.code.tree.` + the view id, lower case). */
export const TREE_MIME = 'application/vnd.code.tree.registryexplorer.registries';

export class TagDragAndDrop implements vscode.TreeDragAndDropController<Node> {
  readonly dragMimeTypes = [TREE_MIME];
  readonly dropMimeTypes = [TREE_MIME];

  handleDrag(source: readonly Node[], data: vscode.DataTransfer): void {
    const tags = source.filter((n) => n.kind === 'tag' || n.kind === 'platform');
    if (tags.length) data.set(TREE_MIME, new vscode.DataTransferItem(tags));
  }

  async handleDrop(target: Node | undefined, data: vscode.DataTransfer): Promise<void> {
    const item = data.get(TREE_MIME);
    if (!target || !item) return;
    if (!['registry', 'folder', 'repository', 'tag'].includes(target.kind)) return;
    const dragged = item.value as readonly Node[] | undefined;
    const first = dragged?.find((n) => n.kind === 'tag' || n.kind === 'platform');
    // A tag dropped onto its own repository would copy onto itself.
    if (!first || ('repository' in target && target.repository === first.repository && target.connectionId === first.connectionId)) return;
    if (target.kind === 'repository' && target.name === first.repository && target.connectionId === first.connectionId) return;
    await vscode.commands.executeCommand('registryExplorer.copyImageTo', first, target);
  }
}
