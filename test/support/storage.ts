// Populating the scale scenario's registry (20,000 repositories, a 100,000-tag repository) in
// seconds instead of minutes. Pushing it all over HTTP would take 10+ minutes on this machine
// (REGISTRY-NOTES: ~16 s for 2,000 repositories + 5,000 tags); instead the real registry is
// pushed one repository made by a cross-repository mount and two tags of the big repository,
// and the files it wrote for them are replicated under the other names. distribution's
// filesystem driver keeps no index besides these files (no blob-descriptor cache configured),
// so a replicated repository or tag is indistinguishable from a pushed one: the catalog walks
// the repositories folder, tags/list reads the tag folders, a manifest GET follows the tag's
// link file to the same blob. The bench then lists everything over HTTP and checks the counts.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under `dir`, as [path relative to dir, content]. */
export function snapshot(dir: string): [string, Buffer][] {
  const out: [string, Buffer][] = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(dir, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(join(dir, r)).isDirectory()) walk(r);
      else out.push([r, readFileSync(join(dir, r))]);
    }
  };
  walk('');
  return out;
}

/** Writes the snapshot's files under `dir` (folders created as needed, once each). */
export function replicate(files: [string, Buffer][], dir: string, made: Set<string>): void {
  for (const [rel, data] of files) {
    const file = join(dir, rel);
    const parent = file.slice(0, file.lastIndexOf('/'));
    if (!made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    writeFileSync(file, data);
  }
}

export function repositoriesDir(dataDir: string): string {
  return join(dataDir, 'docker', 'registry', 'v2', 'repositories');
}

/** Replicates repository `template` under every name of `names`, and tag `templateTag` of `repo` under every tag of `tags`. */
export function replicateStorage(dataDir: string, opts: { template: string; names: string[]; repo: string; templateTag: string; tags: string[] }): { files: number } {
  const repos = repositoriesDir(dataDir);
  const made = new Set<string>();
  const repoFiles = snapshot(join(repos, opts.template));
  for (const name of opts.names) replicate(repoFiles, join(repos, name), made);
  const tagsDir = join(repos, opts.repo, '_manifests', 'tags');
  const tagFiles = snapshot(join(tagsDir, opts.templateTag));
  for (const tag of opts.tags) replicate(tagFiles, join(tagsDir, tag), made);
  return { files: repoFiles.length * opts.names.length + tagFiles.length * opts.tags.length };
}
