// Find (registryExplorer.find) as activation registers it: the picker and the reveal are in
// findCommand.ts, required on the command's first use; in the bundle that require is the sibling
// file dist/find.js (scripts/build.mjs), so activation does not parse them.

import * as vscode from 'vscode';
import type { CommandContext } from './context';
import type * as FindCommand from './findCommand';

export type FindTarget = FindCommand.FindTarget;

let loaded: typeof FindCommand | undefined;

export function registerFind(ctx: CommandContext): vscode.Disposable {
  return vscode.commands.registerCommand('registryExplorer.find', (target?: FindTarget) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded ??= require('./findCommand') as typeof FindCommand;
    return loaded.find(ctx, target);
  });
}
