// Tag order. `semver` puts the newest release first and keeps non-versions after; `date`
// uses what is known (provider dates or details already fetched) and never fetches to sort.

import coerce from 'semver/functions/coerce';
import compare from 'semver/functions/compare';
import valid from 'semver/functions/valid';
import type { TagInfo } from '../../providers/provider';

export type TagSort = 'name' | 'semver' | 'date';

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

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
