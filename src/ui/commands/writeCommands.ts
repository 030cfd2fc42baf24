// The real registrations behind writes.ts: the entry point of dist/writes.js.

import type * as vscode from 'vscode';
import type { CommandContext } from './context';
import { registerCopyCommands } from './copy';
import { registerDeleteRepositoryCommand } from './deleteRepository';
import { registerRetagCommand } from './retag';

export function registerWriteCommands(ctx: CommandContext): vscode.Disposable[] {
  return [...registerCopyCommands(ctx), registerRetagCommand(ctx), registerDeleteRepositoryCommand(ctx)];
}
