// Opening the Connect Registry wizard as activation has it: the panel, its controller and the
// page's HTML are in panel.ts, required on the first open; in the bundle that require is the
// sibling file dist/wizard.js (scripts/build.mjs), so activation does not parse them.

import type * as vscode from 'vscode';
import type { WizardBackend } from './backend';
import type * as Panel from './panel';

let loaded: typeof Panel | undefined;

export function openWizard(context: vscode.ExtensionContext, backend: WizardBackend, opts?: Panel.WizardOptions): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('./panel') as typeof Panel;
  loaded.ConnectWizard.open(context, backend, opts);
}
