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

let preload: ReturnType<typeof setTimeout> | undefined;

/**
 * Loads the network side in the background once the view shows a registry, so the first expand
 * does not wait for it (its load was most of click → first request: bench/vscode). Never during
 * activation (the view asks for its rows after activate()), and after a pause, so the rows and
 * the cached listing paint first.
 */
export function preloadNetwork(delayMs = 250): void {
  if (loaded || preload) return;
  preload = setTimeout(() => {
    try {
      network();
    } catch {
      /* the first real use reports it */
    }
  }, delayMs);
  preload.unref?.();
}

