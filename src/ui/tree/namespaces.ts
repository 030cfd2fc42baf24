// Repository names with `/` shown as folders, like a file tree: `team/backend/api` sits in
// `team` → `backend`. A name can be both a repository and a folder (`team` and `team/app`).

export interface Level {
  folders: string[];
  /** Full repository names directly at this level. */
  repositories: string[];
}

/** What sits directly under `prefix` ('' for the top). Input need not be sorted. */
export function levelOf(names: readonly string[], prefix: string): Level {
  const start = prefix ? `${prefix}/` : '';
  const folders = new Set<string>();
  const repositories: string[] = [];
  for (const name of names) {
    if (!name.startsWith(start)) continue;
    const rest = name.slice(start.length);
    const slash = rest.indexOf('/');
    if (slash < 0) repositories.push(name);
    else folders.add(start + rest.slice(0, slash));
  }
  return { folders: [...folders].sort(), repositories: repositories.sort() };
}

/** Count of repositories under a folder, for its description. */
export function countUnder(names: readonly string[], folder: string): number {
  const start = `${folder}/`;
  let n = 0;
  for (const name of names) if (name.startsWith(start)) n++;
  return n;
}

export interface IndexedLevel extends Level {
  /** Repositories anywhere under this prefix (for a folder's description). */
  count: number;
}

/**
 * Every level of a catalog at once, built in one pass, so a 20,000-name catalog costs one walk
 * per new listing rather than one per folder row. `complete(folder)` says whether a folder can
 * still grow while the server has more pages: a catalog that arrives in byte order (the
 * distribution registry's) has finished a folder once a later name has arrived.
 */
export class FolderIndex {
  private readonly levels = new Map<string, { folders: Set<string>; repositories: string[]; count: number }>();
  private readonly ordered: boolean;
  private readonly last: string | undefined;

  constructor(names: readonly string[]) {
    let ordered = true;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      if (i > 0 && names[i - 1]! >= name) ordered = false;
      let prefix = '';
      for (;;) {
        const level = this.level(prefix);
        level.count++;
        const slash = name.indexOf('/', prefix ? prefix.length + 1 : 0);
        if (slash < 0) {
          level.repositories.push(name);
          break;
        }
        const folder = name.slice(0, slash);
        level.folders.add(folder);
        prefix = folder;
      }
    }
    this.ordered = ordered;
    this.last = names.at(-1);
  }

  private level(prefix: string) {
    let l = this.levels.get(prefix);
    if (!l) {
      l = { folders: new Set(), repositories: [], count: 0 };
      this.levels.set(prefix, l);
    }
    return l;
  }

  /** What sits directly under `prefix` ('' for the top), sorted: folders, then repositories. */
  at(prefix: string): IndexedLevel {
    const l = this.levels.get(prefix);
    if (!l) return { folders: [], repositories: [], count: 0 };
    // Sorted on first use and kept: the sets and arrays are this index's own.
    const folders = [...l.folders].sort();
    l.folders = new Set(folders);
    l.repositories.sort();
    return { folders, repositories: l.repositories, count: l.count };
  }

  /** Folder rows first, then repositories: the order a level is paged in. */
  entries(prefix: string): string[] {
    const l = this.at(prefix);
    return [...l.folders, ...l.repositories];
  }

  count(prefix: string): number {
    return this.levels.get(prefix)?.count ?? 0;
  }

  /** With more pages on the server: can this folder still gain repositories? */
  complete(prefix: string): boolean {
    return this.ordered && this.last !== undefined && prefix !== '' && this.last > `${prefix}/\uffff`;
  }
}

/** How many entries each level shows: every folder pages on its own, a screen page at a time. */
export class LevelPaging {
  private readonly shown = new Map<string, number>();

  constructor(readonly page: number) {}

  get(prefix: string): number {
    return this.shown.get(prefix) ?? this.page;
  }

  more(prefix: string): number {
    const n = this.get(prefix) + this.page;
    this.shown.set(prefix, n);
    return n;
  }

  /** Make entry `index` of a level visible (Find → reveal), in whole pages. */
  ensure(prefix: string, index: number): void {
    if (index >= this.get(prefix)) this.shown.set(prefix, Math.ceil((index + 1) / this.page) * this.page);
  }
}
