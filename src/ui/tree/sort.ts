// Tag order. `semver` puts the newest release first and keeps non-versions after; `date`
// uses what is known (provider dates or details already fetched) and never fetches to sort.

import type Coerce from 'semver/functions/coerce';
import type Compare from 'semver/functions/compare';
import type Valid from 'semver/functions/valid';
import type { TagInfo } from '../../providers/provider';

export type TagSort = 'name' | 'semver' | 'date';

// Both made on first sort, not at load: the first Intl.Collator pays for ICU's start-up and
// semver builds its table of regular expressions, together about a quarter of the time it
// takes to load the extension, which activation would otherwise pay.
let collatorInstance: Intl.Collator | undefined;
const collator = {
  compare: (a: string, b: string): number => (collatorInstance ??= new Intl.Collator('en', { numeric: true, sensitivity: 'base' })).compare(a, b),
};

let semverFns: { coerce: typeof Coerce; compare: typeof Compare; valid: typeof Valid } | undefined;
function semver(): NonNullable<typeof semverFns> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  semverFns ??= {
    coerce: require('semver/functions/coerce') as typeof Coerce,
    compare: require('semver/functions/compare') as typeof Compare,
    valid: require('semver/functions/valid') as typeof Valid,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return semverFns;
}
const coerce: typeof Coerce = (...a) => semver().coerce(...a);
const compare: typeof Compare = (...a) => semver().compare(...a);
const valid: typeof Valid = (...a) => semver().valid(...a);

function version(tag: string): string | undefined {
  const exact = valid(tag.replace(/^v/, ''), { loose: true });
  if (exact) return exact;
  // Only tags that look like versions: `1.25`, `v2`, `3.19.1-alpine`; not `latest` or a sha.
  if (!/^v?\d+(\.\d+){0,2}([-+][\w.-]+)?$/.test(tag)) return undefined;
  return coerce(tag, { includePrerelease: true })?.version;
}

export function sortTags(tags: readonly TagInfo[], order: TagSort, dateOf: (t: TagInfo) => string | undefined = (t) => t.created): TagInfo[] {
  const copy = [...tags];
  if (order === 'name') return copy.sort((a, b) => collator.compare(a.name, b.name));
  if (order === 'date') {
    return copy.sort((a, b) => {
      const da = dateOf(a);
      const db = dateOf(b);
      if (da && db) return db.localeCompare(da) || collator.compare(a.name, b.name);
      if (da) return -1;
      if (db) return 1;
      return collator.compare(a.name, b.name);
    });
  }
  const versions = new Map(copy.map((t) => [t.name, version(t.name)]));
  return copy.sort((a, b) => {
    const va = versions.get(a.name);
    const vb = versions.get(b.name);
    if (va && vb) return compare(vb, va) || collator.compare(a.name, b.name);
    if (va) return 1;
    if (vb) return -1;
    // `latest` and other moving names first: they are what people reach for.
    return collator.compare(a.name, b.name);
  });
}
