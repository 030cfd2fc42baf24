// kustomization.yaml `images:` entries. `name` is the image name in the base manifests that the
// entry matches, so a link never changes it: a new repository goes into `newName`.

import { isMap, isSeq } from 'yaml';
import { nameFor, normalizeTarget, parseLoose, planVersion, sameRepository, withVersion, type FieldValues } from './naming';
import { blockRef, type Finder, type Shape } from './shape';
import { lookup, resolve, stringValue } from './yamlAst';

export const findKustomize: Finder = (doc, text, emit) => {
  if (!isMap(doc.contents)) return;
  const images = lookup(doc.contents, 'images', doc)?.node;
  if (!isSeq(images)) return;
  images.items.forEach((item, i) => {
    const entry = resolve(item, doc);
    if (!isMap(entry)) return;
    const name = stringValue(lookup(entry, 'name', doc)?.node);
    if (!name) return;
    const ref = blockRef(text, entry, doc, 'kustomize', ['name', 'newName', 'newTag', 'digest'], ['images', i], `images: ${name}`);
    if (ref) emit(ref);
  });
};

export const kustomizeShape: Shape = {
  order: ['name', 'newName', 'newTag', 'digest'],
  assemble: (v) => withVersion(v.newName || v.name || '', v.newTag, v.digest),
  plan(v, ref, target, mode) {
    const t = normalizeTarget(target);
    const out: FieldValues = { ...v };
    const current = v.newName || v.name;
    if (!sameRepository(current ? parseLoose(current) : undefined, t)) out.newName = nameFor(current, t);
    planVersion(out, (f) => f in ref.fields, t, mode, 'newTag', 'digest');
    return out;
  },
};
