// The language features' settings (package.json `registryExplorer.imageCompletion`,
// `registryExplorer.diagnostics.*`, `registryExplorer.dockerHubAnonymous`).

import * as vscode from 'vscode';
import type { DiagnosticSettings } from '../link/deploy';

export interface LanguageSettings {
  completion: boolean;
  diagnostics: DiagnosticSettings;
  /** HEAD public Docker Hub images anonymously when Docker Hub is not connected. */
  hubAnonymous: boolean;
}

export function languageSettings(scope?: vscode.ConfigurationScope): LanguageSettings {
  const c = vscode.workspace.getConfiguration('registryExplorer', scope);
  const on = (key: string, fallback: boolean) => c.get<boolean>(key, fallback) === true;
  return {
    completion: on('imageCompletion', true),
    diagnostics: {
      newerVersion: on('diagnostics.newerVersion', true),
      newerMajor: on('diagnostics.newerMajor', false),
      tagMoved: on('diagnostics.tagMoved', true),
      notFound: on('diagnostics.notFound', true),
      notPinned: on('diagnostics.notPinned', false),
      notConnected: on('diagnostics.notConnected', true),
    },
    // Restricted Mode: a workspace cannot turn requests to Docker Hub on (restrictedConfigurations).
    hubAnonymous: on('dockerHubAnonymous', false),
  };
}

export const SETTINGS_SECTIONS = ['registryExplorer.imageCompletion', 'registryExplorer.diagnostics', 'registryExplorer.dockerHubAnonymous'];
