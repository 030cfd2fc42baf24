// What the user is told when a listing stopped before the server's end (see Listing.truncated):
// the tree, Find and Delete Tag say it in the same words.

import * as vscode from 'vscode';
import type { Truncation } from '../../registry/paging';
import type { Listing } from './listing';
import { MessageNode } from './nodes';

/** One sentence: how many arrived, why the rest did not, and that what is shown is partial. */
export function truncationNote(why: Truncation, count: number): string {
  switch (why) {
    case 'pageLimit':
      return vscode.l10n.t('Listing stopped after {0} items: the registry kept sending more pages than one listing follows. The list is incomplete.', count);
    case 'itemLimit':
      return vscode.l10n.t('Listing stopped at {0} items, the most one listing keeps. The list is incomplete.', count);
    case 'repeatedPage':
    case 'linkedBack':
      return vscode.l10n.t('Listing stopped after {0} items: the registry sent a page it had already sent (a paging loop). The list may be incomplete.', count);
    case 'emptyPages':
      return vscode.l10n.t('Listing stopped after {0} items: the registry kept sending empty pages. The list may be incomplete.', count);
  }
}

/** The row under a cut-short listing, in place of a "Load more" that would fetch nothing. */
export function truncatedRow(connectionId: string, repository: string | undefined, listing: Listing<unknown>): MessageNode | undefined {
  if (!listing.truncated) return undefined;
  const detail = truncationNote(listing.truncated, listing.items.length);
  return new MessageNode(connectionId, repository, vscode.l10n.t('Listing incomplete'), detail, 'warning', 'none');
}
