// Deploy files know your registries: image completion, diagnostics and quick fixes in the files
// the link command understands. Registering costs nothing at activation: the providers here are
// shims, and the features (features.ts, bundled as dist/language.js) load on the first deploy
// file opened or the first completion in one; the deploy layer under them (the YAML parser,
// the position and semver rules) loads from dist/deploy.js, as for the link command.

import * as vscode from 'vscode';
import type { CommandContext } from '../commands/context';
import { classifyFile, type Fix } from '../link/deploy';
import { configuredPatterns, isConfigured } from '../link/scan';
import type * as Features from './features';
import { SETTINGS_SECTIONS } from './settings';

/** Also the quick fixes' command id (actions.ts uses the same string). */
const FIX_COMMAND = 'registryExplorer.imageQuickFix';
const TRIGGER_CHARACTERS = [':', '/', '@', ' ', '"', "'"];

export type LanguageFeatures = Features.LanguageFeatures;

function selector(): vscode.DocumentSelector {
  return [{ language: 'yaml' }, { language: 'dockercompose' }, { pattern: '**/*.{yaml,yml}' }, ...configuredPatterns().map((pattern) => ({ pattern }))];
}

/** A deploy file the link command would scan: decided without the deploy layer (classify.ts is small). */
function isDeployFile(doc: vscode.TextDocument): boolean {
  if (doc.isClosed || doc.uri.scheme === 'output') return false;
  const configured = isConfigured(doc);
  if (!configured && vscode.languages.match(selector(), doc) === 0) return false;
  return !!classifyFile(doc.uri.path, doc.getText(), { configured });
}

export function registerLanguage(ctx: CommandContext): { features: () => LanguageFeatures; disposable: vscode.Disposable } {
  let loaded: LanguageFeatures | undefined;
  const features = (): LanguageFeatures => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded ??= (require('./features') as typeof Features).createLanguageFeatures(ctx, isDeployFile);
    return loaded;
  };
  const schedule = (doc: vscode.TextDocument, now = false) => {
    if (isDeployFile(doc)) features().diagnostics.schedule(doc, now);
    else loaded?.diagnostics.forget(doc.uri);
  };
  const completion: vscode.CompletionItemProvider = {
    provideCompletionItems: (doc, pos, token) => (isDeployFile(doc) ? features().completion.provideCompletionItems(doc, pos, token) : undefined),
  };
  const actions: vscode.CodeActionProvider = {
    provideCodeActions: (doc, range, context) => (loaded && isDeployFile(doc) ? loaded.actions.provideCodeActions(doc, range, context) : undefined),
  };
  let providers: vscode.Disposable[] = [];
  const registerProviders = () => {
    for (const d of providers) d.dispose();
    const sel = selector();
    providers = [
      vscode.languages.registerCompletionItemProvider(sel, completion, ...TRIGGER_CHARACTERS),
      vscode.languages.registerCodeActionsProvider(sel, actions, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, vscode.CodeActionKind.RefactorRewrite] }),
    ];
  };
  registerProviders();
  /** Every open deploy file checked again now; the HEADs of what changed (everything, by default) asked again. */
  const recheck = (changed: { connectionId?: string; repository?: string } = {}) => {
    if (!loaded) return;
    loaded.facts.clear(changed.connectionId, changed.repository);
    for (const doc of vscode.workspace.textDocuments) schedule(doc, true);
  };
  const subscriptions: vscode.Disposable[] = [
    vscode.commands.registerCommand(FIX_COMMAND, (uri: vscode.Uri, identity: string, fix: Fix) => features().fix(uri, identity, fix)),
    vscode.workspace.onDidOpenTextDocument((d) => schedule(d)),
    vscode.workspace.onDidChangeTextDocument((e) => e.contentChanges.length && schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => {
      loaded?.diagnostics.forget(d.uri);
      loaded?.docs.forget(d.uri);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('registryExplorer.deployConfigPaths')) registerProviders();
      if (e.affectsConfiguration('registryExplorer.deployConfigPaths') || SETTINGS_SECTIONS.some((s) => e.affectsConfiguration(s))) recheck();
    }),
    ctx.store.onDidChange(() => recheck()),
    // A Refresh in the Registries view reloads the listings these files are checked against
    // (they are shared): a version pushed meanwhile is named without waiting for an edit. Only
    // what was refreshed is asked again; the other files' checks come from what is known.
    ctx.tree.onDidRefresh(recheck),
  ];
  // Documents already open when the extension activated (the one that activated it among them),
  // once activation is over.
  const initial = setTimeout(() => {
    for (const d of vscode.workspace.textDocuments) schedule(d);
  }, 0);
  return {
    features,
    disposable: new vscode.Disposable(() => {
      clearTimeout(initial);
      for (const d of [...providers, ...subscriptions]) d.dispose();
      loaded?.dispose();
    }),
  };
}
