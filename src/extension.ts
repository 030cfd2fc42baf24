// Activation builds the services and registers the UI; nothing here talks to a registry or
// loads a provider SDK, so activation stays in the low milliseconds.

import * as vscode from 'vscode';
import { registerFind } from './ui/commands/find';
import { registerImportDockerConfig } from './ui/commands/importDockerConfig';
import { registerLanguage, type LanguageFeatures } from './ui/language';
import { registerLink } from './ui/link';
import { registerProviderCommands } from './ui/commands/connectProvider';
import { registerRegistryCommands } from './ui/commands/registry';
import { registerTagCommands } from './ui/commands/tags';
import { registerWriteCommands } from './ui/commands/writes';
import { registerArtifactCommands } from './ui/commands/artifacts';
import type { CommandContext } from './ui/commands/context';
import { ConnectionManager } from './ui/connections';
import { Log } from './ui/log';
import { MANIFEST_SCHEME, ManifestDocumentProvider } from './ui/manifestDocument';
import { ConnectionStore } from './ui/store';
import { TagDragAndDrop } from './ui/tree/dragAndDrop';
import type { Node } from './ui/tree/nodes';
import { ListingCache, PersistentDigestCache } from './ui/tree/persist';
import { RegistryTreeProvider } from './ui/tree/provider';
import { ConnectionWizardBackend } from './ui/wizardBackend';

/** What activate() returns: for the extension's own integration tests, not a public API. */
export interface ExtensionApi {
  readonly store: ConnectionStore;
  readonly tree: RegistryTreeProvider;
  readonly log: Log;
  readonly wizard: ConnectionWizardBackend;
  /** Live connections (tests test a connection without the command's notification). */
  readonly connections: ConnectionManager;
  readonly view: vscode.TreeView<Node>;
  /** Every globalState entry the extension wrote (tests prove no secret is among them). */
  globalState(): Record<string, unknown>;
  listingCacheUri(connectionId: string): vscode.Uri;
  /** Image completion, diagnostics and quick fixes in deploy files, loaded on first call (tests wait on its diagnostics). */
  language(): LanguageFeatures;
}

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const started = performance.now();
  const log = new Log();
  const store = new ConnectionStore(context);
  const version = String((context.extension.packageJSON as { version?: string }).version ?? '0');
  const connections = new ConnectionManager(store, log, version);
  const digestCache = new PersistentDigestCache(context.globalStorageUri);
  const listingCache = new ListingCache(context.globalStorageUri);
  const tree = new RegistryTreeProvider(store, connections, listingCache, digestCache, log);
  const view = vscode.window.createTreeView<Node>('registryExplorer.registries', { treeDataProvider: tree, showCollapseAll: true, dragAndDropController: new TagDragAndDrop() });
  const syncContext = (): void => void vscode.commands.executeCommand('setContext', 'registryExplorer.hasConnections', store.list().length > 0);
  syncContext();

  const wizard = new ConnectionWizardBackend(store, connections, log, (config) => {
    tree.refresh(config.id);
  });
  const ctx: CommandContext = { extension: context, store, connections, tree, view, log, wizard };
  const language = registerLanguage(ctx);

  context.subscriptions.push(
    log,
    store,
    connections,
    digestCache,
    tree,
    view,
    store.onDidChange(syncContext),
    vscode.workspace.registerTextDocumentContentProvider(MANIFEST_SCHEME, new ManifestDocumentProvider(store, connections)),
    ...registerRegistryCommands(ctx),
    ...registerProviderCommands(),
    ...registerTagCommands(ctx),
    registerArtifactCommands(ctx),
    registerWriteCommands(ctx),
    registerFind(ctx),
    registerImportDockerConfig(ctx),
    registerLink(ctx),
    language.disposable,
  );
  log.info(`Registry Explorer ${version} activated in ${(performance.now() - started).toFixed(1)} ms.`);
  return {
    store,
    tree,
    log,
    wizard,
    connections,
    view,
    language: language.features,
    listingCacheUri: (id) => listingCache.uri(id),
    globalState: () => Object.fromEntries(context.globalState.keys().map((k) => [k, context.globalState.get(k)])),
  };
}

export function deactivate(): void {}
