// How much one check of one deploy file may ask of the registries.

/**
 * The most listings, and the most HEADs, one check of one file asks for. A deploy file comes
 * from the workspace, which may be a cloned repository nobody vetted: a file naming thousands
 * of images must not make thousands of requests, with the user's credentials, to their
 * registries. References past the bound are not checked (no diagnostic claims anything about
 * them), in the order they are written.
 */
export const LOOKUPS_PER_FILE = 32;

/** The references that ask for one of the first `max` distinct lookups, and how many lookups were left out. */
export function boundLookups<T>(items: readonly T[], lookup: (item: T) => string, max = LOOKUPS_PER_FILE): { kept: T[]; left: number } {
  const keys = new Set<string>();
  const left = new Set<string>();
  const kept = items.filter((item) => {
    const k = lookup(item);
    if (keys.has(k)) return true;
    if (keys.size < max) {
      keys.add(k);
      return true;
    }
    left.add(k);
    return false;
  });
  return { kept, left: left.size };
}
