// Searching what a server wrote for secrets. The server may still be running while we look
// (its extension host writes and deletes lock and log files), so a file that vanishes between
// listing and reading is skipped, not an error: it held nothing that outlives the run.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every regular file under a directory. */
export function filesUnder(dir: string): string[] {
  let out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) out = out.concat(filesUnder(p));
    else if (st.isFile() && st.size < 50 * 1024 * 1024) out.push(p);
  }
  return out;
}

/** Each file under the directories with its bytes; one that vanished meanwhile is skipped. */
export function* fileContents(...dirs: string[]): Generator<[string, Buffer]> {
  for (const dir of dirs) {
    for (const f of filesUnder(dir)) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(f);
      } catch {
        continue;
      }
      yield [f, bytes];
    }
  }
}

/** The files under `dir` whose bytes contain `needle`. */
export function filesContaining(dir: string, needle: string): string[] {
  return [...fileContents(dir)].filter(([, bytes]) => bytes.includes(needle)).map(([f]) => f);
}
