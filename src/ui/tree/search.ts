// Find's matching, done by us rather than by the QuickPick: VS Code filters and sorts every
// item it is given on every keystroke, which took ~0.7 s per key with 100,000 tags loaded. Here
// the candidates are scanned once per keystroke and only the best few hundred are handed over.
// No `vscode` import: unit-tested under plain Node.

/** How well a name matches, lower is better; undefined: no match. */
export function matchScore(name: string, query: string, fuzzy = true): number | undefined {
  return score(name.toLowerCase(), query.toLowerCase(), fuzzy);
}

function score(n: string, q: string, fuzzy: boolean): number | undefined {
  if (!q) return 4;
  if (n === q) return 0;
  if (n.startsWith(q)) return 1;
  const at = n.indexOf(q);
  if (at > 0) return isBoundary(n, at) ? 2 : 3;
  return fuzzy && isSubsequence(n, q) ? 5 : undefined;
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
  /** Matches beyond the limit (ask for more to see them); scattered matches are not counted once enough closer ones were found. */
  more: number;
}

/** A list to search and the name each of its items is matched by. */
export interface RankSource<T> {
  items: readonly T[];
  text(item: T): string;
}

export interface Hit<T> {
  /** Index of the source in the list given. */
  source: number;
  item: T;
}

/**
 * The best `limit` matches of `query` among several lists, best first; equally good ones keep
 * the order they came in (list by list, each in its order: the tree's). Nothing is made per
 * item looked at, only per match kept: Find runs this on every keystroke over 100,000 tags.
 */
export function rankSources<T>(sources: readonly RankSource<T>[], query: string, limit: number): Ranked<Hit<T>> {
  const q = query.toLowerCase();
  const buckets: Hit<T>[][] = [[], [], [], [], [], []];
  let total = 0;
  let substrings = 0;
  for (let source = 0; source < sources.length; source++) {
    const { items, text } = sources[source]!;
    for (const item of items) {
      // Scattered matches only while the substring matches leave room for them (the scan for
      // them is the costly part, and they would not be shown).
      const s = score(text(item).toLowerCase(), q, substrings < limit);
      if (s === undefined) continue;
      total++;
      if (s < 5) substrings++;
      const bucket = buckets[s]!;
      if (bucket.length < limit) bucket.push({ source, item });
    }
  }
  const items: Hit<T>[] = [];
  for (const b of buckets) {
    for (const c of b) {
      if (items.length >= limit) break;
      items.push(c);
    }
  }
  return { items, more: total - items.length };
}

/** `rankSources` over one list of candidates. */
export function rank<T>(candidates: Iterable<T>, text: (c: T) => string, query: string, limit: number): Ranked<T> {
  const items = Array.isArray(candidates) ? (candidates as readonly T[]) : [...candidates];
  const r = rankSources([{ items, text }], query, limit);
  return { items: r.items.map((h) => h.item), more: r.more };
}

/** `repo:tag` → the repository and tag parts; without a colon, the whole text names either. */
export function splitQuery(value: string): { repository: string; tag?: string } {
  const v = value.trim();
  const i = v.lastIndexOf(':');
  // `host:5000/team/app`: a colon followed by a path is a port, not a tag.
  if (i <= 0 || v.slice(i + 1).includes('/')) return { repository: v };
  return { repository: v.slice(0, i), tag: v.slice(i + 1) };
}
