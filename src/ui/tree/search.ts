// Find's matching, done by us rather than by the QuickPick: VS Code filters and sorts every
// item it is given on every keystroke, which took ~0.7 s per key with 100,000 tags loaded. Here
// the candidates are scanned once per keystroke and only the best few hundred are handed over.
// No `vscode` import: unit-tested under plain Node.

/** How well a name matches, lower is better; undefined: no match. */
export function matchScore(name: string, query: string): number | undefined {
  if (!query) return 4;
  const n = name.toLowerCase();
  const q = query.toLowerCase();
  if (n === q) return 0;
  if (n.startsWith(q)) return 1;
  const at = n.indexOf(q);
  if (at > 0) return isBoundary(n, at) ? 2 : 3;
  return isSubsequence(n, q) ? 5 : undefined;
}

function isBoundary(name: string, at: number): boolean {
  const before = name[at - 1]!;
  return before === '/' || before === ':' || before === '-' || before === '_' || before === '.';
}

function isSubsequence(name: string, query: string): boolean {
  let i = 0;
  for (let j = 0; j < name.length && i < query.length; j++) if (name[j] === query[i]) i++;
  return i === query.length;
}

export interface Ranked<T> {
  items: T[];
  /** Matches beyond the limit (ask for more to see them). */
  more: number;
}

/**
 * The best `limit` matches of `query` among `candidates`, best first; equally good ones keep
 * the order they came in (the tree's order). `text` gives the name a candidate is matched by.
 */
export function rank<T>(candidates: Iterable<T>, text: (c: T) => string, query: string, limit: number): Ranked<T> {
  const buckets: T[][] = [[], [], [], [], [], []];
  let total = 0;
  for (const c of candidates) {
    const s = matchScore(text(c), query);
    if (s === undefined) continue;
    total++;
    // Nothing worse than a full set of better matches can be shown: skip keeping it.
    let better = 0;
    for (let b = 0; b < s; b++) better += buckets[b]!.length;
    if (better >= limit) continue;
    const bucket = buckets[s]!;
    if (bucket.length < limit) bucket.push(c);
  }
  const items: T[] = [];
  for (const b of buckets) {
    for (const c of b) {
      if (items.length >= limit) break;
      items.push(c);
    }
  }
  return { items, more: total - items.length };
}

/** `repo:tag` → the repository and tag parts; without a colon, the whole text names either. */
export function splitQuery(value: string): { repository: string; tag?: string } {
  const v = value.trim();
  const i = v.lastIndexOf(':');
  // `host:5000/team/app`: a colon followed by a path is a port, not a tag.
  if (i <= 0 || v.slice(i + 1).includes('/')) return { repository: v };
  return { repository: v.slice(0, i), tag: v.slice(i + 1) };
}
