// Small JSON files under globalStorageUri: the last repository listing of each registry
// (shown at once on startup, marked stale until the refresh returns) and tag facts by
// digest (immutable, so safe to keep across restarts). Writes are debounced and never hold
// anything secret: names, digests, sizes, dates.

import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { DigestCache, TagDetails } from './details';
import { ReadAhead } from './readAhead';

const MAX_DIGESTS = 20_000;

// Files on this machine's disk (the extension host's own storage, the usual case) are read and
// written with Node's fs: `workspace.fs` asks the workbench before a read (a round trip to the
// browser in a remote window), and its writes end with an fdatasync that held the extension
// host ~40 ms in a bench step while a 20,000-name catalog was being saved. A cache needs no
// fsync: it is written to a temporary file and renamed over the old one, so a reader sees the
// old file or the new one, and a crash leaves at worst a file that no longer parses, which reads
// as no cache. Other schemes go through `workspace.fs`.
async function readJson<T>(uri: vscode.Uri): Promise<T | undefined> {
  try {
    const bytes = uri.scheme === 'file' ? await readFile(uri.fsPath) : await vscode.workspace.fs.readFile(uri);
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

let writes = 0;

async function writeJson(uri: vscode.Uri, value: unknown): Promise<void> {
  const text = JSON.stringify(value);
  if (uri.scheme !== 'file') {
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(uri, '..'));
    await vscode.workspace.fs.writeFile(uri, Buffer.from(text));
    return;
  }
  const path = uri.fsPath;
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${++writes}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, path);
  } catch (e) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw e;
  }
}

export interface CachedListing {
  names: string[];
  fetchedAt: number;
}

export class ListingCache {
  /**
   * Read while the view shows the registry, so it is there by the click: through `workspace.fs`
   * (a storage that is not a local file) a read asks the workbench first, a round trip to the
   * browser in a remote window (~30 ms), which the first expand waited for (bench/vscode).
   */
  private readonly ahead = new ReadAhead<string, CachedListing | undefined>((id) => readJson<CachedListing>(this.uri(id)));

  constructor(private readonly dir: vscode.Uri) {}

  uri(connectionId: string): vscode.Uri {
    return vscode.Uri.joinPath(this.dir, 'listings', `${encodeURIComponent(connectionId)}.json`);
  }

  /** Start reading a registry's listing now, for the next `read` of it. */
  prefetch(connectionId: string): void {
    this.ahead.start(connectionId);
  }

  read(connectionId: string): Promise<CachedListing | undefined> {
    return this.ahead.take(connectionId);
  }

  /** Drop the reads started ahead (memory cleared as after a restart: the next read is fresh). */
  forgetAhead(): void {
    this.ahead.clear();
  }

  write(connectionId: string, names: string[]): Promise<void> {
    this.ahead.drop(connectionId);
    return writeJson(this.uri(connectionId), { names, fetchedAt: Date.now() } satisfies CachedListing).catch(() => undefined);
  }

  async remove(connectionId: string): Promise<void> {
    this.ahead.drop(connectionId);
    const uri = this.uri(connectionId);
    await (uri.scheme === 'file' ? rm(uri.fsPath, { force: true }) : vscode.workspace.fs.delete(uri)).then(undefined, () => undefined);
  }
}

export class PersistentDigestCache implements DigestCache, vscode.Disposable {
  private readonly map = new Map<string, TagDetails>();
  private timer?: NodeJS.Timeout;
  private readonly uri: vscode.Uri;
  // Read on the first lookup, not at activation: the file holds up to MAX_DIGESTS entries.
  private loading?: Promise<void>;
  private dirty = false;

  constructor(dir: vscode.Uri) {
    this.uri = vscode.Uri.joinPath(dir, 'digests.json');
  }

  private load(): Promise<void> {
    return (this.loading ??= readJson<[string, TagDetails][]>(this.uri).then((entries) => {
      for (const [k, v] of entries ?? []) if (!this.map.has(k)) this.map.set(k, v);
    }));
  }

  async get(digest: string): Promise<TagDetails | undefined> {
    await this.load();
    const v = this.map.get(digest);
    if (v) {
      // Recently used last, so trimming drops the oldest.
      this.map.delete(digest);
      this.map.set(digest, v);
    }
    return v;
  }

  set(digest: string, details: TagDetails): void {
    this.map.set(digest, details);
    while (this.map.size > MAX_DIGESTS) this.map.delete(this.map.keys().next().value!);
    this.dirty = true;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), 2000);
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    // Nothing new: the file already holds it (and a session that never read it must not overwrite it).
    if (!this.dirty) return;
    this.dirty = false;
    await this.load();
    await writeJson(this.uri, [...this.map]).catch(() => undefined);
  }

  dispose(): void {
    void this.flush();
  }
}
