// Kubernetes manifests: every document whose kind has a pod spec. Rather than listing kinds,
// look where pod specs live, so Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
// ReplicationController, Job, CronJob, PodTemplate and CRDs shaped like them (Argo Rollout,
// Knative Service…) all work. `kind: List` items are searched too.

import { isMap, isSeq, type YAMLMap } from 'yaml';
import { stringRef, type Finder, type FoundRef } from './shape';
import type { YamlPath } from './types';
import { getMap, lookup, resolve, stringValue, type Doc } from './yamlAst';

/** Where a pod spec sits: Pod; workloads and PodTemplate; CronJob. */
const POD_SPEC_PATHS = [['spec'], ['spec', 'template', 'spec'], ['template', 'spec'], ['spec', 'jobTemplate', 'spec', 'template', 'spec']];

const CONTAINER_LISTS: Record<string, string> = { containers: '', initContainers: ' (init)', ephemeralContainers: ' (ephemeral)' };

function findInObject(obj: YAMLMap, base: YamlPath, doc: Doc, text: string, emit: (r: FoundRef) => void, depth: number): void {
  const kind = stringValue(lookup(obj, 'kind', doc)?.node);
  if (!kind) return;
  if (kind === 'List' && depth === 0) {
    const items = lookup(obj, 'items', doc)?.node;
    if (isSeq(items)) items.items.forEach((item, i) => {
      const m = resolve(item, doc);
      if (isMap(m)) findInObject(m, [...base, 'items', i], doc, text, emit, depth + 1);
    });
    return;
  }
  const meta = getMap(obj, ['metadata'], doc);
  const name = meta && stringValue(lookup(meta, 'name', doc)?.node);
  const owner = name ? `${kind}/${name}` : kind;
  for (const specPath of POD_SPEC_PATHS) {
    const spec = getMap(obj, specPath, doc);
    if (!spec) continue;
    for (const [list, suffix] of Object.entries(CONTAINER_LISTS)) {
      const seq = lookup(spec, list, doc)?.node;
      if (!isSeq(seq)) continue;
      seq.items.forEach((item, i) => {
        const container = resolve(item, doc);
        if (!isMap(container)) return;
        const image = lookup(container, 'image', doc);
        if (!image) return;
        const cname = stringValue(lookup(container, 'name', doc)?.node) ?? `#${i}`;
        const path = [...base, ...specPath, list, i, 'image'];
        const ref = stringRef(text, image.raw, doc, !!container.flow, path, `${owner} › ${cname}${suffix}`);
        if (ref) emit(ref);
      });
    }
  }
}

export const findKubernetes: Finder = (doc, text, emit) => {
  if (isMap(doc.contents)) findInObject(doc.contents, [], doc, text, emit, 0);
};
