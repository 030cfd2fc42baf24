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
