// Compose files: `services.<name>.image`, following `<<: *defaults` merges from `x-` blocks the
// way Compose does.

import { stringRef, type Finder } from './shape';
import { lookup, namedMaps } from './yamlAst';

export const findCompose: Finder = (doc, text, emit) => {
  for (const [name, service] of namedMaps(doc.contents, 'services', doc)) {
    if (name === '<<') continue;
    const image = lookup(service, 'image', doc);
    if (!image) continue;
    const ref = stringRef(text, image.raw, doc, !!service.flow, ['services', name, 'image'], `service ${name}`);
    if (ref) emit(ref);
  }
};
