// The commands that write to a registry (copy an image to another, add a tag, delete a
// repository) as activation registers them: their code is writeCommands.ts, required on the
// first call of any of them; in the bundle that require is the sibling file dist/writes.js
// (scripts/build.mjs), so activation does not parse it.

import type * as vscode from 'vscode';
import type { CommandContext } from './context';
import { registerLazily } from './lazyCommands';
import type * as WriteCommands from './writeCommands';

/** Every command writeCommands.ts registers. */
const WRITE_COMMANDS = ['registryExplorer.copyImageTo', 'registryExplorer.addTag', 'registryExplorer.deleteRepository'];

export function registerWriteCommands(ctx: CommandContext): vscode.Disposable {
  return registerLazily(WRITE_COMMANDS, () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require('./writeCommands') as typeof WriteCommands;
    return loaded.registerWriteCommands(ctx);
  });
}
