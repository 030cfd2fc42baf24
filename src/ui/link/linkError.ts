// The link feature's own error (a message for the user as it is) and how a failure is shown.
// Its own module so that the CodeLens (loaded at activation) throws and shows it without loading
// the link flow; the flow's bundle (dist/link.js) holds a copy of the class, so it is recognised
// by name, not instanceof.

import * as vscode from 'vscode';
import type { LinkContext } from './flow';

export class LinkFlowError extends Error {
  override readonly name = 'LinkFlowError';
}

export function isLinkFlowError(e: unknown): e is LinkFlowError {
  return e instanceof Error && e.name === 'LinkFlowError';
}

export function showLinkError(lctx: LinkContext, e: unknown): void {
  if (isLinkFlowError(e)) {
    lctx.log.warn(`link: ${e.message}`);
    void vscode.window.showErrorMessage(e.message);
    return;
  }
  lctx.log.error(`link: ${lctx.log.safe(e)}`);
  void vscode.window.showErrorMessage(vscode.l10n.t('Link Image into Deploy Config failed: {0}. Nothing was changed; see the Registry Explorer output for details.', lctx.log.safe(e)));
}
