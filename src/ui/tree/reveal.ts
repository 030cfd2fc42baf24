// Selecting a node in the Registries view, as Find and the copy commands do. Two things go
// wrong in real VS Codes and are handled once, here:
// - A full refresh that lands while VS Code resolves the node's parents (the tree's own redraw,
//   a Refresh the user just ran, a copy refreshing its destination) cancels that resolution:
//   "Cannot resolve tree item" (seen on VS Code 1.139). The tree is fine a moment later, so the
//   reveal is tried again, up to three times.
// - A reveal whose promise never settles (a parent that is never resolved) must not hold up
//   what the caller does next: it is given up after REVEAL_TIMEOUT_MS.

import * as vscode from 'vscode';
import type { Node } from './nodes';

const REVEAL_TIMEOUT_MS = 20_000;
const ATTEMPTS = 3;

export interface RevealContext {
  tree: { revealing<T>(work: () => Promise<T>): Promise<T> };
  view: vscode.TreeView<Node>;
  log: { debug(message: string): void };
}

export async function revealNode(ctx: RevealContext, node: Node, options: { select?: boolean; focus?: boolean; expand?: boolean | number }, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ctx.tree.revealing(() => withTimeout(ctx.view.reveal(node, options), REVEAL_TIMEOUT_MS));
      return;
    } catch (e) {
      if (attempt >= ATTEMPTS || !/Cannot resolve tree item/.test(String(e))) throw e;
      ctx.log.debug(`reveal of ${name} raced a refresh (attempt ${attempt}); again`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

function withTimeout<T>(p: Thenable<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    Promise.resolve(p).finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(vscode.l10n.t('the view did not show it within {0} seconds.', ms / 1000))), ms);
    }),
  ]);
}
