// "Link Image into Deploy Config" as activation registers it: the command (tree context menu
// and palette), the image hover and the pinned-digest CodeLens. What the command runs is in
// command.ts (the flow itself in flow.ts, callable without UI), required on the command's first
// use; in the bundle that require is the sibling file dist/link.js (scripts/build.mjs), so
// activation does not parse it.

import * as vscode from 'vscode';
import type { CommandContext } from '../commands/context';
import type * as LinkCommand from './command';
import { ImageHoverProvider } from './hover';
import { showLinkError } from './linkError';
import { PinnedDigestLens, UPDATE_PIN_COMMAND, updatePinnedDigest } from './pins';
import { configuredPatterns, DocumentRefs } from './scan';

const LINK_COMMAND = 'registryExplorer.linkImage';

let loaded: typeof LinkCommand | undefined;

/** Where the hover and CodeLens apply: YAML, plus the configured deploy-config paths. */
function selector(): vscode.DocumentSelector {
  return [{ language: 'yaml' }, { pattern: '**/*.{yaml,yml}' }, ...configuredPatterns().map((pattern) => ({ pattern }))];
}

export function registerLink(ctx: CommandContext): vscode.Disposable {
  const docs = new DocumentRefs();
  const hover = new ImageHoverProvider(ctx, docs);
  const lens = new PinnedDigestLens(ctx, docs);
  let providers: vscode.Disposable[] = [];
  const registerProviders = () => {
    for (const d of providers) d.dispose();
    const sel = selector();
    providers = [vscode.languages.registerHoverProvider(sel, hover), vscode.languages.registerCodeLensProvider(sel, lens)];
  };
  registerProviders();
  const subscriptions: vscode.Disposable[] = [
    lens,
    vscode.commands.registerCommand(LINK_COMMAND, (arg?: unknown) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded ??= require('./command') as typeof LinkCommand;
      return loaded.runLinkCommand(ctx, arg);
    }),
    vscode.commands.registerCommand(UPDATE_PIN_COMMAND, (uri: vscode.Uri, identity: string, digest: string) =>
      updatePinnedDigest(docs, uri, identity, digest).then(() => lens.refresh(), (e: unknown) => showLinkError(ctx, e)),
    ),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('registryExplorer.deployConfigPaths')) registerProviders();
      if (e.affectsConfiguration('registryExplorer.pinnedDigestCheck') || e.affectsConfiguration('registryExplorer.deployConfigPaths')) lens.refresh();
    }),
    vscode.workspace.onDidCloseTextDocument((d) => docs.forget(d.uri)),
    ctx.store.onDidChange(() => lens.refresh()),
  ];
  return new vscode.Disposable(() => {
    for (const d of [...providers, ...subscriptions]) d.dispose();
  });
}
