// One palette command per provider ("Registry Explorer: Connect Amazon ECR"), the way
// `porter connect ecr` works on the command line: the wizard opens on that provider's form.
// The ids here must match package.json's `contributes.commands`; a provider this build does
// not know falls back to the provider picker (the wizard ignores an unknown provider).

import * as vscode from 'vscode';

/** Command id → provider id. */
const PROVIDER_COMMANDS: Readonly<Record<string, string>> = {
  'registryExplorer.connectGeneric': 'generic',
  'registryExplorer.connectEcr': 'ecr',
  'registryExplorer.connectGoogle': 'google',
  'registryExplorer.connectDockerHub': 'dockerhub',
  'registryExplorer.connectGitHub': 'ghcr',
  'registryExplorer.connectAzure': 'acr',
  'registryExplorer.connectDigitalOcean': 'digitalocean',
  'registryExplorer.connectQuay': 'quay',
  'registryExplorer.connectHarbor': 'harbor',
  'registryExplorer.connectGitLab': 'gitlab',
  'registryExplorer.connectArtifactory': 'artifactory',
  'registryExplorer.connectNexus': 'nexus',
};

export function registerProviderCommands(): vscode.Disposable[] {
  return Object.entries(PROVIDER_COMMANDS).map(([command, provider]) => vscode.commands.registerCommand(command, () => vscode.commands.executeCommand('registryExplorer.connect', provider)));
}
