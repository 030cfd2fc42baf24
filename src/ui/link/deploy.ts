// The deploy layer, loaded on first use. It carries the YAML parser (about 100 KB of the
// bundle) that only linking, hovers and the pinned-digest check need, so activation does not
// pay for it: these wrappers require it when first called. In the bundle the require below
// resolves to dist/deploy.js (scripts/build.mjs); under plain Node, to the sources.
// Constants and small helpers without YAML are imported directly: classifyFile among them, so
// hovering or opening a YAML file that is not deploy config never loads the bundle.

import type * as Deploy from '../../deploy';

export { classifyFile, DEPLOY_FILE_EXCLUDE_GLOB, DEPLOY_FILE_GLOBS } from '../../deploy/classify';
export { PASSWORD_PLACEHOLDER, refIdentity } from '../../deploy/types';
export { boundLookups, LOOKUPS_PER_FILE } from '../../deploy/bounds';
export type { CompletionSite, DiagnosticCode, DiagnosticSettings, Fix, ImageDiagnostic, NewerVersion, Reach, RepositoryFacts, TagFacts } from '../../deploy';
export type { CreateKind, DeployKind, DeployProblem, DeployRef, FieldLocation, LinkMode, LinkResult, PlannedChange, RewriteOptions, ScanResult, TextEdit } from '../../deploy';

let loaded: typeof Deploy | undefined;
function deploy(): typeof Deploy {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('../../deploy') as typeof Deploy;
  return loaded;
}

export const scanText: typeof Deploy.scanText = (...a) => deploy().scanText(...a);
export const describeChange: typeof Deploy.describeChange = (...a) => deploy().describeChange(...a);
export const planChange: typeof Deploy.planChange = (...a) => deploy().planChange(...a);
export const problemsByFile: typeof Deploy.problemsByFile = (...a) => deploy().problemsByFile(...a);
export const shortDigests: typeof Deploy.shortDigests = (...a) => deploy().shortDigests(...a);
export const linkReferences: typeof Deploy.linkReferences = (...a) => deploy().linkReferences(...a);
export const createDeployConfig: typeof Deploy.createDeployConfig = (...a) => deploy().createDeployConfig(...a);
export const chartDependencyFor: typeof Deploy.chartDependencyFor = (...a) => deploy().chartDependencyFor(...a);
export const linkChartDependency: typeof Deploy.linkChartDependency = (...a) => deploy().linkChartDependency(...a);
export const dnsLabel: typeof Deploy.dnsLabel = (...a) => deploy().dnsLabel(...a);
export const dockerConfigJsonSecret: typeof Deploy.dockerConfigJsonSecret = (...a) => deploy().dockerConfigJsonSecret(...a);
export const kubectlCreateSecretCommand: typeof Deploy.kubectlCreateSecretCommand = (...a) => deploy().kubectlCreateSecretCommand(...a);
export const completionSite: typeof Deploy.completionSite = (...a) => deploy().completionSite(...a);
export const diagnose: typeof Deploy.diagnose = (...a) => deploy().diagnose(...a);
export const headsNeeded: typeof Deploy.headsNeeded = (...a) => deploy().headsNeeded(...a);
export const headLookup: typeof Deploy.headLookup = (...a) => deploy().headLookup(...a);
export const repositoriesNeeded: typeof Deploy.repositoriesNeeded = (...a) => deploy().repositoriesNeeded(...a);
export const newerVersions: typeof Deploy.newerVersions = (...a) => deploy().newerVersions(...a);

/** `instanceof` without loading the module: the class lives in the lazily loaded bundle. */
export function isStaleReference(e: unknown): boolean {
  return e instanceof Error && e.name === 'StaleReferenceError';
}
