// Pure helpers of the link flow (no `vscode` import): exclude globs for `workspace.findFiles`,
// "newer" tags for the hover, grouping by file.

/**
 * Expands `{a,b}` alternatives, nested ones too: `**\/{a,b{c,d}}/**` → 3 patterns. An unbalanced
 * brace is kept literally. At most `limit` results (a pathological pattern cannot blow up).
 */
export function expandBraces(pattern: string, limit = 256): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  let depth = 0;
  let close = -1;
  const commas: number[] = [];
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      if (--depth === 0) {
        close = i;
        break;
      }
    } else if (c === ',' && depth === 1) commas.push(i);
  }
  if (close < 0) return [pattern];
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  const bounds = [open, ...commas, close];
  const out: string[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const alt = pattern.slice(bounds[k] + 1, bounds[k + 1]);
    for (const e of expandBraces(head + alt + tail, limit - out.length)) {
      out.push(e);
      if (out.length >= limit) return out;
    }
  }
  return out;
}

/**
 * One exclude glob for `findFiles` from several: VS Code's glob matcher and ripgrep take one
 * level of `{…,…}` but not nested alternatives, so every pattern is expanded first and the
 * result joined as a single flat `{p1,p2,…}`. Patterns that still hold `,{}` are dropped.
 */
export function combineExcludes(globs: readonly string[]): string | undefined {
  const flat = [...new Set(globs.flatMap((g) => expandBraces(g.trim())).filter((g) => g && !/[,{}]/.test(g)))];
  if (flat.length === 0) return undefined;
  return flat.length === 1 ? flat[0] : `{${flat.join(',')}}`;
}

/** The `search.exclude` patterns that are plainly on (`"**\/x": true`); `when` clauses are skipped. */
export function enabledPatterns(setting: Record<string, unknown> | undefined): string[] {
  return Object.entries(setting ?? {})
    .filter(([, v]) => v === true)
    .map(([k]) => k);
}

interface VersionKey {
  /** The tag with every number replaced by `#`: `1.25.3-debian-11-r1` → `#.#.#-debian-#-r#`. */
  shape: string;
  nums: number[];
}

function versionKey(tag: string): VersionKey | undefined {
  if (!/^v?\d/.test(tag) || tag.length > 128) return undefined;
  // A digest-like or date-like run of hex is not a version.
  if (/[0-9a-f]{12,}/.test(tag)) return undefined;
  const nums = (tag.match(/\d+/g) ?? []).map(Number);
  if (nums.some((n) => !Number.isSafeInteger(n))) return undefined;
  return { shape: tag.replace(/\d+/g, '#'), nums };
}

function compareNums(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/**
 * Tags that are newer versions of `current` in the same form, newest first: for `3.19` that is
 * `3.20` but not `3.20-rc1` or `4`; for `1.25.3-debian-11-r1` it is `1.25.4-debian-11-r0`.
 * Empty when `current` is not a version (`latest`, `main`).
 */
export function newerTags(current: string, tags: readonly string[], max = 5): string[] {
  const cur = versionKey(current);
  if (!cur) return [];
  return tags
    .map((t) => ({ t, k: versionKey(t) }))
    .filter((x): x is { t: string; k: VersionKey } => !!x.k && x.k.shape === cur.shape && compareNums(x.k.nums, cur.nums) > 0)
    .sort((a, b) => compareNums(b.k.nums, a.k.nums))
    .slice(0, max)
    .map((x) => x.t);
}

/** Items grouped by the file they belong to, files in first-seen order. */
export function groupByFile<T>(items: readonly T[], fileOf: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const i of items) {
    const file = fileOf(i);
    const group = out.get(file);
    if (group) group.push(i);
    else out.set(file, [i]);
  }
  return out;
}
