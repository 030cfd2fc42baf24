// A diagnostic's words and severity, from the pure diagnostics' code and arguments.

import * as vscode from 'vscode';
import type { ImageDiagnostic } from '../link/deploy';

export const DIAGNOSTIC_SOURCE = 'Registry Explorer';

export function severityOf(d: ImageDiagnostic): vscode.DiagnosticSeverity {
  switch (d.code) {
    case 'tagMoved':
    case 'notFound':
      return vscode.DiagnosticSeverity.Warning;
    case 'notPinned':
      return vscode.DiagnosticSeverity.Hint;
    default:
      return vscode.DiagnosticSeverity.Information;
  }
}

export function messageOf(d: ImageDiagnostic): string {
  const [a = '', b = '', c = ''] = d.args;
  switch (d.code) {
    case 'newerVersion':
      return c === 'major'
        ? vscode.l10n.t('A newer major version is available: {0} (this file uses {1}).', a, b)
        : vscode.l10n.t('A newer version is available: {0} (this file uses {1}).', a, b);
    case 'tagMoved':
      return vscode.l10n.t('The tag {0} now points at {1}, not at the pinned digest: the pin deploys an older image.', a, `${b.slice(0, 19)}…`);
    case 'notFound':
      if (d.detail === 'digest') return vscode.l10n.t('{1} holds no image {0}: it was deleted or garbage-collected, so deploying this reference fails. Pin a digest the registry has.', `${a.slice(0, 19)}…`, b);
      return d.detail === 'repository'
        ? vscode.l10n.t('{1} has no repository {0}: check the name, or push the image first.', a, b)
        : vscode.l10n.t('{1} has no tag {0}: check the tag, or push it first.', a, b);
    case 'notPinned':
      return vscode.l10n.t('{0} is not pinned to a digest: the image it deploys can change under it.', a);
    case 'notConnected':
      return vscode.l10n.t('{0} is not a connected registry: connect it to check these images and complete their tags.', a);
  }
}
