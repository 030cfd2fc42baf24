// The language features themselves, built on the first deploy file opened or the first
// completion asked for in one: dist/language.js (scripts/build.mjs), so activation loads none of
// this. index.ts registers the providers and listeners that lead here.

import * as vscode from 'vscode';
import type { CommandContext } from '../commands/context';
import type { Fix } from '../link/deploy';
import { DocumentRefs } from '../link/scan';
import { ImageCodeActions, runFix } from './actions';
import { ImageCompletionProvider } from './completion';
import { ImageDiagnostics } from './diagnostics';
import { RegistryFacts } from './facts';
import { languageSettings } from './settings';

export interface LanguageFeatures {
  readonly facts: RegistryFacts;
  readonly diagnostics: ImageDiagnostics;
  readonly completion: ImageCompletionProvider;
  readonly actions: ImageCodeActions;
  readonly docs: DocumentRefs;
  fix(uri: vscode.Uri, identity: string, fix: Fix): Promise<void>;
  dispose(): void;
}

export function createLanguageFeatures(ctx: CommandContext, applies: (doc: vscode.TextDocument) => boolean): LanguageFeatures {
  const docs = new DocumentRefs();
  const facts = new RegistryFacts(ctx, () => languageSettings().hubAnonymous);
  const diagnostics = new ImageDiagnostics(facts, docs, applies, ctx.log);
  return {
    facts,
    diagnostics,
    docs,
    completion: new ImageCompletionProvider(ctx, facts),
    actions: new ImageCodeActions(facts, docs, diagnostics),
    fix: (uri, identity, fix) => runFix(ctx, facts, docs, uri, identity, fix),
    dispose: () => diagnostics.dispose(),
  };
}
