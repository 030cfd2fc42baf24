// What the tree has loaded for one registry or one repository: the items so far, how many are
// on screen, and the function that fetches the next server page. The screen pages (a setting,
// say 100) are smaller than server pages (up to 1000): one request serves several "Load more"
// clicks, and a click past the end of what is loaded asks the server for the next page.
// Pages come from whatever the provider walks (Link chains, API tokens), so the walk is
// bounded here too: a page limit, an item limit, and a page whose content arrived before ends
// it. The items so far stay, and `truncated` says why there are no more (the tree and Find
// show it). No `vscode` import.

import type { Page } from '../../providers/provider';
import { PageGuard, truncationOf, type PageLimits, type Truncation } from '../../registry/paging';

export type ListingStatus = 'idle' | 'loading' | 'ready' | 'error';

export class Listing<T> {
  items: T[] = [];
  shown: number;
  status: ListingStatus = 'idle';
  error?: unknown;
  /** Items came from the on-disk cache and a refresh has not returned yet. */
  stale = false;
  cachedAt?: number;
  /** Set when the listing stopped before the server's end: what arrived is all there is. */
  truncated?: Truncation;
  private more?: (signal?: AbortSignal) => Promise<Page<T>>;
  private inflight?: Promise<void>;
  private generation = 0;
  private index?: { items: T[]; byName: Map<string, T> };
  private guard: PageGuard;

  constructor(
    private readonly first: (signal?: AbortSignal) => Promise<Page<T>>,
    private readonly screenPage: number,
    private readonly limits?: PageLimits,
  ) {
    this.shown = screenPage;
    this.guard = new PageGuard(limits);
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
          this.guard = new PageGuard(this.limits);
          this.truncated = undefined;
          this.items = [];
          this.take(page);
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
      if (!(await this.next(signal))) return;
    }
    this.shown = target;
  }

  /**
   * Load every page (Find's "search the server", Delete Tag's "which tags share this digest"):
   * bounded by the caller's signal and the page and item limits. Check `truncated` after: a
   * caller that needs the whole list must say it may be incomplete.
   */
  async loadAll(signal?: AbortSignal, onPage?: () => void): Promise<void> {
    if (this.status !== 'ready') await this.load(signal);
    while (this.more && !signal?.aborted) {
      if (!(await this.next(signal))) return;
      onPage?.();
    }
  }

  /** Fetch and take the next server page; false when a refresh replaced this walk meanwhile. */
  private async next(signal?: AbortSignal): Promise<boolean> {
    const gen = this.generation;
    let page: Page<T>;
    try {
      page = await this.more!(signal);
    } catch (e) {
      const why = truncationOf(e);
      if (!why) throw e;
      if (gen === this.generation) this.stop(why);
      return gen === this.generation;
    }
    if (gen !== this.generation) return false;
    this.take(page);
    return true;
  }

  /** Append a server page, unless it breaks the walk's bounds. */
  private take(page: Page<T>): void {
    const repeated = this.guard.admit(page.items);
    if (repeated) return this.stop(repeated);
    const room = this.guard.itemLimit - this.items.length;
    const kept = page.items.length > room ? page.items.slice(0, room) : page.items;
    this.items = this.items.length ? this.items.concat(kept) : kept;
    if (page.items.length > room) return this.stop('itemLimit');
    this.more = page.more;
    const stop = this.more && this.guard.beforeNext();
    if (stop) this.stop(stop);
  }

  private stop(why: Truncation): void {
    this.truncated = why;
    this.more = undefined;
  }

  /** Make sure item `index` is on screen (Find → reveal). */
  showIndex(index: number): void {
    if (index >= this.shown) this.shown = Math.ceil((index + 1) / this.screenPage) * this.screenPage;
  }

  reset(): void {
    this.generation++;
    this.inflight = undefined;
    this.more = undefined;
    this.truncated = undefined;
    this.status = 'idle';
    this.error = undefined;
    this.shown = this.screenPage;
  }
}
