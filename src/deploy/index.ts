// Public API of the deploy layer: find image references in deploy files, link a registry image
// into them with minimal undoable edits, create a starter config, make pull secrets.
// Plain Node: no `vscode` import anywhere under src/deploy.

export { classifyFile, DEPLOY_FILE_EXCLUDE_GLOB, DEPLOY_FILE_GLOBS } from './classify';
export { chartDependencyFor, linkChartDependency, type ChartDependency, type ChartLinkAction } from './chartDependency';
export { createDeployConfig, dnsLabel, type CreateKind, type CreatedFile } from './create';
export { findReferences, markMatches, problemsByFile, scanText, type ScanOptions } from './find';
export { expressionsIn, hasExpressions } from './interpolation';
export { boundLookups, LOOKUPS_PER_FILE } from './bounds';
export {
  checkable,
  DEFAULT_DIAGNOSTIC_SETTINGS,
  diagnose,
  headLookup,
  headsNeeded,
  repositoriesNeeded,
  repositoryKey,
  type DiagnoseInput,
  type DiagnosticCode,
  type DiagnosticSettings,
  type Fix,
  type ImageDiagnostic,
  type Reach,
  type RepositoryFacts,
  type TagFacts,
} from './diagnose';
export { newerVersions, newestVersion, type NewerLevel, type NewerVersion } from './newer';
export { completionSite, type CompletionPart, type CompletionSite } from './positions';
export { dockerConfigJsonSecret, kubectlCreateSecretCommand, type PullSecretOptions } from './pullSecret';
export { applyEdits, describeChange, linkReference, linkReferences, planChange, shortDigests } from './rewrite';
export {
  LinkError,
  refIdentity,
  StaleReferenceError,
  type DeployFile,
  type DeployKind,
  type DeployProblem,
  type DeployRef,
  type FieldLocation,
  type FieldName,
  type LinkMode,
  type LinkResult,
  type PlannedChange,
  type RefShape,
  type RewriteOptions,
  type ScanResult,
  type TextEdit,
  PASSWORD_PLACEHOLDER,
} from './types';
