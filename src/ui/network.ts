// The network side (providers, registry client, undici), loaded on first use: the tree paints
// its cached listing, and the commands register, before any of it is needed. In the bundle this
// require is the sibling file dist/network.js (scripts/build.mjs); under plain Node it is the
// module itself.

import type * as Network from '../providers/network';

let loaded: typeof Network | undefined;

export function network(): typeof Network {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('../providers/network') as typeof Network;
  return loaded;
}
