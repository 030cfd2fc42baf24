// Which finder reads a file. File names decide for Compose, Helm values, Kustomize and porter;
// Kubernetes manifests can be named anything, so their content decides.

import type { DeployKind } from './types';

/**
 * What the UI should scan (`workspace.findFiles` include patterns). Kubernetes manifests have
 * no naming convention, so every YAML file is a candidate and `classifyFile` filters.
 */
export const DEPLOY_FILE_GLOBS: readonly string[] = ['**/*.yaml', '**/*.yml'];

/** What the UI should not scan (`findFiles` exclude). */
export const DEPLOY_FILE_EXCLUDE_GLOB = '**/{node_modules,.git,.terraform,vendor,dist,out,.venv}/**';

const NAMED: [RegExp, DeployKind][] = [
  [/^kustomization\.ya?ml$/i, 'kustomize'],
  [/^porter\.ya?ml$/i, 'porter'],
  [/^(docker-)?compose([.-][\w.-]*)?\.ya?ml$/i, 'compose'],
  [/^values([.-][\w.-]*)?\.ya?ml$/i, 'helm'],
];

/** `apiVersion:` and `kind:` at the top level of some document. */
const KUBERNETES = /^apiVersion\s*:/m;
const KUBERNETES_KIND = /^kind\s*:/m;
/** Go templates (`{{ .Values.x }}`): chart templates are not YAML until rendered. */
const TEMPLATE = /\{\{[\s\S]*?\}\}/;

function basename(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/**
 * The kind of deploy file, or undefined when it is not one. `configured` marks the deploy-config
 * path from the settings: when no other kind fits, it is scanned generically (`image:` keys).
 */
export function classifyFile(path: string, text: string, options: { configured?: boolean } = {}): DeployKind | undefined {
  const name = basename(path);
  for (const [pattern, kind] of NAMED) if (pattern.test(name)) return kind;
  if (KUBERNETES.test(text) && KUBERNETES_KIND.test(text) && !TEMPLATE.test(text)) return 'kubernetes';
  return options.configured ? 'generic' : undefined;
}
