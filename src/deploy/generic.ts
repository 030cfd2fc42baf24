// A configured deploy-config file of no known kind: every `image:` key with a string value,
// at any depth.

import { stringRef, type Finder } from './shape';
import { formatPath, walkPairs } from './yamlAst';

export const findGeneric: Finder = (doc, text, emit) => {
  walkPairs(doc.contents, [], (map, pair, key, path) => {
    if (key !== 'image') return true;
    const ref = stringRef(text, pair.value, doc, !!map.flow, path, formatPath(path));
    if (ref) emit(ref);
    return !ref;
  });
};
