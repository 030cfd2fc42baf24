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
