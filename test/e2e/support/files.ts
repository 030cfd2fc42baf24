// Every regular file under a directory (for searching what a server wrote for secrets).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function filesUnder(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) out = out.concat(filesUnder(p));
    else if (st.isFile() && st.size < 50 * 1024 * 1024) out.push(p);
  }
  return out;
}
