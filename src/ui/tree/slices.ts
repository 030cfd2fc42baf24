// Work over 100,000 items without freezing the extension host. A hung extension host freezes
// every extension in the window, and VS Code reports it unresponsive, so long loops here are
// written as generators that `yield` every so often: `runSliced` runs one for a few
// milliseconds at a time and lets the event loop (tree requests, other extensions) in between;
// `runSync` runs the same generator to the end at once, for small inputs and plain callers.
// No `vscode` import: unit-tested under plain Node.

/** A long loop that yields (nothing) wherever it may be paused; its return value is the result. */
export type Steps<R> = Generator<void, R, void>;

/** How long one slice may run before the event loop gets a turn. */
export const SLICE_MS = 12;

export function runSync<R>(steps: Steps<R>): R {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

export class Superseded extends Error {
  constructor() {
    super('superseded by newer work');
    this.name = 'Superseded';
  }
}

/**
 * Runs `steps` in slices of about `sliceMs`, each on an event-loop turn of its own (by
 * setImmediate: pending I/O and timers go first). The first slice too: the work is usually asked
 * for at the end of other work (a 100,000-tag page that just arrived and was filtered), which it
 * would extend. `stale()` is asked before each slice: when it says the result is no longer
 * wanted, the work stops with `Superseded`.
 */
export async function runSliced<R>(steps: Steps<R>, opts: { sliceMs?: number; stale?: () => boolean } = {}): Promise<R> {
  const sliceMs = opts.sliceMs ?? SLICE_MS;
  for (;;) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (opts.stale?.()) {
      steps.return(undefined as never);
      throw new Superseded();
    }
    const until = performance.now() + sliceMs;
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      if (performance.now() >= until) break;
    }
  }
}

/** Items sorted between two pauses; merging yields every this many items as well. */
const RUN = 2048;

/**
 * A stable sort of `items` in place, with pauses: runs of RUN items are sorted with
 * Array#sort (stable), then merged bottom-up (left first on ties, so still stable). The result
 * is exactly what `items.sort(compare)` gives.
 */
export function* sortSteps<T>(items: T[], compare: (a: T, b: T) => number): Steps<void> {
  const n = items.length;
  if (n <= RUN) {
    items.sort(compare);
    return;
  }
  for (let lo = 0; lo < n; lo += RUN) {
    const run = items.slice(lo, Math.min(n, lo + RUN)).sort(compare);
    for (let i = 0; i < run.length; i++) items[lo + i] = run[i]!;
    yield;
  }
  let src = items;
  let dst: T[] = new Array<T>(n);
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(n, lo + width);
      const hi = Math.min(n, lo + 2 * width);
      let i = lo;
      let j = mid;
      let o = lo;
      while (o < hi) {
        const end = Math.min(hi, o + RUN);
        while (o < end) dst[o++] = i < mid && (j >= hi || compare(src[i]!, src[j]!) <= 0) ? src[i++]! : src[j++]!;
        yield;
      }
    }
    [src, dst] = [dst, src];
  }
  if (src !== items) {
    for (let i = 0; i < n; i++) {
      items[i] = src[i]!;
      if ((i & (RUN * 4 - 1)) === 0) yield;
    }
  }
}

/** Name → position of every item, built with pauses. */
export function* positionSteps<T extends { name: string }>(items: readonly T[]): Steps<Map<string, number>> {
  const positions = new Map<string, number>();
  for (let i = 0; i < items.length; i++) {
    positions.set(items[i]!.name, i);
    if ((i & (RUN * 4 - 1)) === RUN * 4 - 1) yield;
  }
  return positions;
}
