// Compose files: `services.<name>.image`, following `<<: *defaults` merges from `x-` blocks the
// way Compose does.

import { isMap } from 'yaml';
import { stringRef, type Finder } from './shape';
import { getMap, keyOf, lookup, resolve } from './yamlAst';

export const findCompose: Finder = (doc, text, emit) => {
  const services = getMap(doc.contents, ['services'], doc);
  if (!services) return;
  for (const pair of services.items) {
    const name = keyOf(pair);
    const service = resolve(pair.value, doc);
    if (name === undefined || name === '<<' || !isMap(service)) continue;
    const image = lookup(service, 'image', doc);
    if (!image) continue;
    const ref = stringRef(text, image.raw, doc, !!service.flow, ['services', name, 'image'], `service ${name}`);
    if (ref) emit(ref);
  }
};
