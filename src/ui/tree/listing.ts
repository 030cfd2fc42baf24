// What the tree has loaded for one registry or one repository: the items so far, how many are
// on screen, and the function that fetches the next server page. The screen pages (a setting,
// say 100) are smaller than server pages (up to 1000): one request serves several "Load more"
// clicks, and a click past the end of what is loaded asks the server for the next page.
// No `vscode` import.

import type { Page } from '../../providers/provider';

export type ListingStatus = 'idle' | 'loading' | 'ready' | 'error';

export class Listing<T> {
  items: T[] = [];
  shown: number;
  status: ListingStatus = 'idle';
  error?: unknown;
  /** Items came from the on-disk cache and a refresh has not returned yet. */
  stale = false;
  cachedAt?: number;
  private more?: (signal?: AbortSignal) => Promise<Page<T>>;
  private inflight?: Promise<void>;
  private generation = 0;
  private index?: { items: T[]; byName: Map<string, T> };

  constructor(
    private readonly first: (signal?: AbortSignal) => Promise<Page<T>>,
    private readonly screenPage: number,
  ) {
    this.shown = screenPage;
  }

  get hasMoreOnServer(): boolean {
    return !!this.more;
  }

  get hasMore(): boolean {
    return this.shown < this.items.length || !!this.more;
  }

  /** The loaded item of that name: the tree looks one up per row, so not a scan each time. */
  byName(this: Listing<T & { name: string }>, name: string): T | undefined {
    // `items` is replaced, never changed in place, so its identity says when to re-index.
    if (this.index?.items !== this.items) this.index = { items: this.items, byName: new Map(this.items.map((i) => [i.name, i])) };
    return this.index.byName.get(name);
  }

  visible(): T[] {
    return this.items.slice(0, this.shown);
  }

  /** Show cached items at once, marked stale until `load` returns. */
  seed(items: T[], cachedAt: number): void {
    if (this.status !== 'idle') return;
    this.items = items;
    this.stale = true;
    this.cachedAt = cachedAt;
  }

  /** First page (again, on refresh). Concurrent calls share one request. */
  load(signal?: AbortSignal): Promise<void> {
    if (this.inflight) return this.inflight;
    const gen = ++this.generation;
    this.status = 'loading';
    this.inflight = this.first(signal)
      .then(
        (page) => {
          if (gen !== this.generation) return;
          this.items = page.items;
          this.more = page.more;
          this.status = 'ready';
          this.stale = false;
          this.error = undefined;
        },
        (e: unknown) => {
          if (gen !== this.generation) return;
          this.status = 'error';
          this.error = e;
        },
      )
      .finally(() => {
        if (gen === this.generation) this.inflight = undefined;
      });
    return this.inflight;
  }

  /** One more screen page, fetching from the server when the loaded items run out. */
  async loadMore(signal?: AbortSignal): Promise<void> {
    if (this.inflight) await this.inflight;
    const target = this.shown + this.screenPage;
    while (this.items.length < target && this.more) {
      const gen = this.generation;
      const page = await this.more(signal);
      if (gen !== this.generation) return;
      this.items = this.items.concat(page.items);
      this.more = page.more;
    }
    this.shown = target;
  }

  /** Load every page (Find's "search the server"): bounded by the caller's signal. */
  async loadAll(signal?: AbortSignal, onPage?: () => void): Promise<void> {
    if (this.status !== 'ready') await this.load(signal);
    while (this.more && !signal?.aborted) {
      const gen = this.generation;
      const page = await this.more(signal);
      if (gen !== this.generation) return;
      this.items = this.items.concat(page.items);
      this.more = page.more;
      onPage?.();
    }
  }

  /** Make sure item `index` is on screen (Find → reveal). */
  showIndex(index: number): void {
    if (index >= this.shown) this.shown = Math.ceil((index + 1) / this.screenPage) * this.screenPage;
  }

  reset(): void {
    this.generation++;
    this.inflight = undefined;
    this.more = undefined;
    this.status = 'idle';
    this.error = undefined;
    this.shown = this.screenPage;
  }
}
