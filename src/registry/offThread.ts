// Huge listing pages are read off the extension host's thread. The reference registry ignores
// `n` and sends every tag of a repository as one page: 100,000 tags are ~1.7 MB of JSON, whose
// parse held the host 30-60 ms in one go (more on a busy machine, with the garbage collector's
// pause on top), and a blocked extension host freezes every extension in the window.
//
// A page past OFF_THREAD_BYTES goes to a worker thread (nameListWorker.ts), kept while pages
// keep coming and ended after IDLE_MS; the host then only splits one string. Smaller pages (a
// catalog page of 1,000 names is ~30 KB) are read in place: the round trip would cost more than
// the parse. When the worker cannot start or dies, the page is read in place: slower, not lost.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { readNameList, type NameListField, type NameListRead } from './nameList';

export const OFF_THREAD_BYTES = 256 * 1024;
const IDLE_MS = 10_000;
/** After this many workers that would not start or died, pages are read in place for good. */
const MAX_FAILURES = 3;

type Answer = { id: number; problem: 'json' | 'object' | 'list' } | { id: number; joined: string; count: number } | { id: number; names: string[] };

let readByWorker = 0;

/** The names of one listing page (or what is wrong with it), read off the host's thread when it is big. */
export async function readNameListPage(body: Buffer, field: NameListField): Promise<NameListRead> {
  if (body.length >= OFF_THREAD_BYTES) {
    const read = await listWorker.read(body, field);
    if (read) {
      readByWorker++;
      return read;
    }
  }
  return readNameList(body.toString('utf8'), field);
}

/** Whether a listing worker is running now (tests). */
export function listWorkerRunning(): boolean {
  return listWorker.running;
}

/** How many pages a worker has read in this process (tests in the extension host: the worker runs there too). */
export function pagesReadOffThread(): number {
  return readByWorker;
}

/**
 * The worker's file: beside this module in the bundle (dist/network.js, dist/nameListWorker.js);
 * from the sources (tests under tsx, whose loader a worker thread does not get), the built one.
 */
function workerFile(): string | undefined {
  return [join(__dirname, 'nameListWorker.js'), join(__dirname, '..', '..', 'dist', 'nameListWorker.js')].find((f) => existsSync(f));
}

class ListWorker {
  private worker?: Worker;
  private failures = 0;
  private nextId = 1;
  private readonly pending = new Map<number, (read: NameListRead | undefined) => void>();
  private idle?: NodeJS.Timeout;

  get running(): boolean {
    return !!this.worker;
  }

  /** The page read by the worker; undefined when there is no worker to read it. */
  read(body: Buffer, field: NameListField): Promise<NameListRead | undefined> {
    const worker = this.start();
    if (!worker) return Promise.resolve(undefined);
    if (this.idle) clearTimeout(this.idle);
    this.idle = undefined;
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      worker.postMessage({ id, body, field });
    });
  }

  private start(): Worker | undefined {
    if (this.worker) return this.worker;
    const file = this.failures < MAX_FAILURES ? workerFile() : undefined;
    if (!file) return undefined;
    let worker: Worker;
    try {
      // A bounded heap: the body is already bounded by the HTTP layer, its parse is bounded here.
      worker = new Worker(file, { name: 'Registry Explorer listing reader', resourceLimits: { maxOldGenerationSizeMb: 256 }, stdout: true, stderr: true });
    } catch {
      this.failures++;
      return undefined;
    }
    // Never what keeps a process (a test run, a closing extension host) alive.
    worker.unref();
    worker.on('message', (a: Answer) => this.answer(a));
    worker.on('error', () => this.lost(worker, true));
    worker.on('exit', () => this.lost(worker, false));
    this.worker = worker;
    return worker;
  }

  private answer(a: Answer): void {
    const resolve = this.pending.get(a.id);
    if (!resolve) return;
    this.pending.delete(a.id);
    if ('problem' in a) resolve({ problem: a.problem });
    else if ('names' in a) resolve({ names: a.names });
    else resolve({ names: a.count === 0 ? [] : a.joined.split('\n') });
    if (!this.pending.size) this.idle = setTimeout(() => void this.stop(), IDLE_MS).unref();
  }

  private lost(worker: Worker, failed: boolean): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    if (failed) this.failures++;
    if (this.idle) clearTimeout(this.idle);
    this.idle = undefined;
    // Whatever was waiting is read in place by its caller.
    for (const resolve of this.pending.values()) resolve(undefined);
    this.pending.clear();
  }

  private async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker || this.pending.size) return;
    this.worker = undefined;
    this.idle = undefined;
    await worker.terminate();
  }
}

const listWorker = new ListWorker();
