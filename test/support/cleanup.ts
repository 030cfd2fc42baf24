// Last-resort cleanup: test files (and the benchmark) that crash, time out or forget stop()
// must not leak registry processes or temp dirs. Handlers run synchronously on 'exit', which
// the test runner also reaches on SIGTERM/SIGINT (it calls process.exit). For plain scripts a
// signal would bypass 'exit', so we hook the signals too, but only re-raise when nobody else
// listens, to leave other code's signal handling alone.
import { rmSync } from 'node:fs';

const handlers = new Set<() => void>();
let installed = false;

function runAll(): void {
  for (const h of [...handlers]) {
    try {
      h();
    } catch {
      // best effort: one failing cleanup must not stop the others
    }
  }
  handlers.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      runAll();
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    });
  }
}

/** Registers a synchronous cleanup; returns a function that unregisters it. */
export function onExit(fn: () => void): () => void {
  install();
  handlers.add(fn);
  return () => handlers.delete(fn);
}

export function removeDirSync(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
