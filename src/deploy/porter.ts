// porter.yaml `images:` map: `<name>: {repository, tag?, digest?}`. Porter uses the digest when
// one is set, so the same tag/digest rule as Helm applies.

import { nameFor, normalizeTarget, parseLoose, planVersion, sameRepository, withVersion, type FieldValues } from './naming';
import { blockRef, type Finder, type Shape } from './shape';
import { namedMaps, ownPair } from './yamlAst';

export const findPorter: Finder = (doc, text, emit) => {
  for (const [name, entry] of namedMaps(doc.contents, 'images', doc)) {
    if (!ownPair(entry, 'repository')) continue;
    const ref = blockRef(text, entry, doc, 'porter', ['repository', 'tag', 'digest'], ['images', name], `images.${name}`);
    if (ref?.fields.repository) emit(ref);
  }
};

export const porterShape: Shape = {
  order: ['repository', 'tag', 'digest'],
  assemble: (v) => withVersion(v.repository ?? '', v.tag, v.digest),
  plan(v, ref, target, mode) {
    const t = normalizeTarget(target);
    const out: FieldValues = { ...v };
    if (!sameRepository(v.repository ? parseLoose(v.repository) : undefined, t)) out.repository = nameFor(v.repository || undefined, t);
    planVersion(out, (f) => f in ref.fields, t, mode, 'tag', 'digest');
    return out;
  },
};
