// Shared by the host suites (not a suite itself: index.ts loads only *.suite.ts).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';

/** The extension's API, activating it if it is not yet. */
export async function api(): Promise<ExtensionApi> {
  const ext = vscode.extensions.getExtension<ExtensionApi>('registry-explorer.registry-explorer');
  assert.ok(ext);
  return ext.activate();
}

/** Polls `fn` until it returns something other than undefined or false. */
export async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
