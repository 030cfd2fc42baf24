// Helm values files: `image:` blocks at any depth (`{registry?, repository, tag?, digest?}`),
// and plain `image: "repo:tag"` strings. Bitnami-style charts let `global.imageRegistry`
// override every block's `registry`, so the deployed value uses it when set.

import { isMap, isScalar, type YAMLMap } from 'yaml';
import { normalizeRegistryHost, type ImageReference } from '../registry/reference';
import {
  nameFor,
  normalizeTarget,
  parseLoose,
  planVersion,
  repositoryPathFor,
  sameRepository,
  withVersion,
  type FieldValues,
} from './naming';
import { blockRef, stringRef, type Finder, type Shape } from './shape';
import { LinkError } from './types';
import { formatPath, getMap, lookup, ownPair, resolve, stringValue, walkPairs } from './yamlAst';

/** `image`, and camelCase `…Image` keys (`sidecarImage`, `initImage`) that charts also use. */
function isImageKey(key: string): boolean {
  return key === 'image' || /[a-z0-9]Image$/.test(key);
}

/** A map that describes an image: `repository` plus, unless under an image key, tag or digest. */
function isImageBlock(map: YAMLMap, key: string): boolean {
  const repo = ownPair(map, 'repository');
  if (!repo || !isScalar(repo.value) || typeof repo.value.value !== 'string') return false;
  return isImageKey(key) || !!ownPair(map, 'tag') || !!ownPair(map, 'digest');
}

export const findHelm: Finder = (doc, text, emit) => {
  const global = getMap(doc.contents, ['global'], doc);
  const globalRegistry = global && stringValue(lookup(global, 'imageRegistry', doc)?.node);
  walkPairs(doc.contents, [], (map, pair, key, path) => {
    const value = resolve(pair.value, doc);
    if (isMap(value) && isImageBlock(value, key)) {
      const ref = blockRef(text, value, doc, 'helm', ['registry', 'repository', 'tag', 'digest'], path, formatPath(path));
      // `global.imageRegistry` only applies to charts that split out `registry`.
      if (ref) emit(ref.fields.registry && globalRegistry ? { ...ref, globalRegistry } : ref);
      return false;
    }
    if (isImageKey(key)) {
      const ref = stringRef(text, pair.value, doc, !!map.flow, path, formatPath(path));
      if (ref) emit(ref);
    }
    return true;
  });
};

export const helmShape: Shape = {
  order: ['registry', 'repository', 'tag', 'digest'],
  assemble(v, ref) {
    const registry = ref.globalRegistry || v.registry;
    return withVersion(registry ? `${registry}/${v.repository ?? ''}` : v.repository ?? '', v.tag, v.digest);
  },
  plan(v, ref, target: ImageReference, mode) {
    const t = normalizeTarget(target);
    const out: FieldValues = { ...v };
    if (!sameRepository(parseLoose(helmShape.assemble(v, ref)), t)) {
      if (ref.globalRegistry) {
        // Never edit global.imageRegistry: every image in the chart shares it.
        if (normalizeRegistryHost(ref.globalRegistry) !== t.registry) {
          throw new LinkError(
            `${ref.file}: global.imageRegistry is ${ref.globalRegistry}, so ${formatPath(ref.path)} cannot point at ${t.registry}.`,
          );
        }
        out.repository = repositoryPathFor(v.repository, t);
      } else if (ref.fields.registry) {
        if (!v.registry || normalizeRegistryHost(v.registry) !== t.registry) out.registry = t.registry;
        out.repository = repositoryPathFor(v.repository, t);
      } else {
        out.repository = nameFor(v.repository || undefined, t);
      }
    }
    planVersion(out, (f) => f in ref.fields, t, mode, 'tag', 'digest');
    return out;
  },
};
