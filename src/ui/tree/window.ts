// What part of a repository's tags the tree shows, and the sorted order it shows them in.
// A repository can hold 100,000 tags: revealing one near the end must not put every tag before
// it on screen (each row on screen asks the registry for its details), and a "Load more" click
// must not sort 100,000 tags again. No `vscode` import: unit-tested under plain Node.

import { positionSteps, runSliced, Superseded } from './slices';

/** The rows [start, end) of an ordered list that are on screen, grown one screen page at a time. */
export class ScreenWindow {
  start = 0;
  end: number;

  constructor(readonly page: number) {
    this.end = page;
  }

  /** The window inside a list of `total` items. */
  clamp(total: number): { start: number; end: number } {
    const end = Math.min(this.end, total);
    return { start: Math.min(this.start, end), end };
  }

  /** One more screen page below; returns the rows newly on screen. */
  later(): { start: number; end: number } {
    const from = this.end;
    this.end += this.page;
    return { start: from, end: this.end };
  }

  /** One more screen page above (the "N earlier tags — Show" row); returns the rows newly on screen. */
  earlier(): { start: number; end: number } {
    const to = this.start;
    this.start = Math.max(0, this.start - this.page);
    return { start: this.start, end: to };
  }

  /**
   * Put row `index` on screen. A row just past either edge extends the window by whole pages
   * (what the user loaded stays); one further away moves the window to a page around it, so
   * the rows between are neither shown nor fetched.
   */
  focus(index: number): void {
    if (index < 0) return;
    if (index >= this.start && index < this.end) return;
    if (index >= this.end && index < this.end + this.page) {
      this.end += this.page;
      return;
    }
    if (index < this.start && index >= this.start - this.page) {
      this.start = Math.max(0, this.start - this.page);
      return;
    }
    this.start = Math.max(0, index - Math.floor(this.page / 2));
    this.end = this.start + this.page;
  }

  reset(): void {
    this.start = 0;
    this.end = this.page;
  }
}

/**
 * A listing's items in sorted order, sorted again only when the items (a new array: listings
 * replace theirs, never change them in place), the order or the dates it sorts by change. A
 * sort of 100,000 tags runs a slice at a time (slices.ts); meanwhile the last finished order
 * still answers `last`, `indexOf` and `byName`, and a newer request stops an older sort.
 */
export class SortedCache<T extends { name: string }> {
  /** How many sorts finished (tests count them). */
  sorts = 0;
  private done?: Sorted<T>;
  private pending?: Job<T>;

  /**
   * The order of `items` for `order` at dates `version`: the finished one when it is current,
   * else the sort under way for the same inputs, else a new sort (which makes an older one stale).
   */
  get(items: readonly T[], order: string, version: number, sort: (items: readonly T[], stale: () => boolean) => Promise<T[]>): Promise<readonly T[]> {
    if (this.done && same(this.done, items, order, version)) return Promise.resolve(this.done.sorted);
    if (this.pending && same(this.pending, items, order, version)) return this.pending.promise;
    const job: Job<T> = { items, order, version, promise: Promise.resolve([]) };
    this.pending = job;
    const stale = () => this.pending !== job;
    job.promise = (async () => {
      try {
        const sorted = await sort(items, stale);
        // Find → reveal asks for a tag's position; the index is built here, in slices too.
        const positions = await runSliced(positionSteps(sorted), { stale });
        this.done = { items, order, version, sorted, positions };
        this.sorts++;
        return sorted;
      } catch (e) {
        // Overtaken by a newer sort: its result is this caller's answer too.
        if (!(e instanceof Superseded)) throw e;
        return this.pending ? this.pending.promise : (this.done?.sorted ?? []);
      } finally {
        if (this.pending === job) this.pending = undefined;
      }
    })();
    return job.promise;
  }

  /** Whether `get` with these inputs would answer at once. */
  current(items: readonly T[], order: string, version: number): boolean {
    return !!this.done && same(this.done, items, order, version);
  }

  /** The last finished order, whatever it was sorted for; undefined before the first. */
  last(): readonly T[] | undefined {
    return this.done?.sorted;
  }

  /** Position of a name in the last finished order, -1 when absent. */
  indexOf(name: string): number {
    return this.done?.positions.get(name) ?? -1;
  }

  /** The item of that name in the last finished order (the tree's rows look theirs up). */
  byName(name: string): T | undefined {
    const i = this.indexOf(name);
    return i < 0 ? undefined : this.done!.sorted[i];
  }
}

interface Inputs<T> {
  items: readonly T[];
  order: string;
  version: number;
}

interface Sorted<T> extends Inputs<T> {
  sorted: T[];
  positions: Map<string, number>;
}

interface Job<T> extends Inputs<T> {
  promise: Promise<readonly T[]>;
}

function same<T>(a: Inputs<T>, items: readonly T[], order: string, version: number): boolean {
  return a.items === items && a.order === order && a.version === version;
}
