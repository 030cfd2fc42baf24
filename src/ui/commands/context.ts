// What every command needs, built once in activate().

import type * as vscode from 'vscode';
import type { ConnectionManager } from '../connections';
import type { Log } from '../log';
import type { ConnectionStore } from '../store';
import type { RegistryTreeProvider } from '../tree/provider';
import type { Node } from '../tree/nodes';
import type { WizardBackend } from '../wizard/backend';

export interface CommandContext {
  extension: vscode.ExtensionContext;
  store: ConnectionStore;
  connections: ConnectionManager;
  tree: RegistryTreeProvider;
  view: vscode.TreeView<Node>;
  log: Log;
  wizard: WizardBackend;
}
