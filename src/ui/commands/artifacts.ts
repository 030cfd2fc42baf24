// The commands on what lies behind a tag (referrer payloads, a chart's values.yaml and README,
// Link Chart, a CNAB bundle) as activation registers them: their code is artifactCommands.ts,
// required on the first call of any of them; in the bundle that require is the sibling file
// dist/artifacts.js (scripts/build.mjs), so activation does not parse it.

import type * as vscode from 'vscode';
import type * as ArtifactCommands from './artifactCommands';
import type { CommandContext } from './context';
import { registerLazily } from './lazyCommands';

/** Every command artifactCommands.ts registers. */
const ARTIFACT_COMMANDS = ['registryExplorer.openReferrer', 'registryExplorer.showChartValues', 'registryExplorer.showChartReadme', 'registryExplorer.linkChart', 'registryExplorer.showBundle'];

export function registerArtifactCommands(ctx: CommandContext): vscode.Disposable {
  return registerLazily(ARTIFACT_COMMANDS, () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require('./artifactCommands') as typeof ArtifactCommands;
    return loaded.registerArtifactCommands(ctx);
  });
}
