// What the tree has loaded for one registry or one repository: the items so far, how many are
// on screen, and the function that fetches the next server page. The screen pages (a setting,
// say 100) are smaller than server pages (up to 1000): one request serves several "Load more"
// clicks, and a click past the end of what is loaded asks the server for the next page.
// Pages come from whatever the provider walks (Link chains, API tokens), so the walk is
// bounded here too: a page limit, an item limit, and a page whose content arrived before ends
// it. The items so far stay, and `truncated` says why there are no more (the tree and Find
// show it). No `vscode` import.

import type { Page } from '../../providers/provider';
import { PageGuard, truncationOf, type PageLimits, type Truncation } from '../../registry/pageGuard';
import { share, type Shared } from '../../registry/shared';

export interface PageStats {
  items: number;
  ms: number;
  /** The first page of a (re)load. */
  first: boolean;
  /** The server has another page. */
  more: boolean;
}

interface Walk<T> {
  items: T[];
  more?: (signal?: AbortSignal) => Promise<Page<T>>;
  truncated?: Truncation;
  guard: PageGuard;
}

function stop<T>(walk: Walk<T>, why: Truncation): void {
  walk.truncated = why;
  walk.more = undefined;
}

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
  private inflight?: Shared<void>;
  private stepping?: Shared<boolean>;
  private generation = 0;
  private index?: { items: T[]; byName: Map<string, T> };
  private guard: PageGuard;

  constructor(
    private readonly first: (signal?: AbortSignal) => Promise<Page<T>>,
    private readonly screenPage: number,
    private readonly limits?: PageLimits,
    /** Told about every server page (the tree logs them). */
    private readonly observe?: (page: PageStats) => void,
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

  /**
   * First page (again, on refresh). Concurrent calls share one request. `atLeast`: keep
   * fetching pages until that many items arrived (a refresh brings back what the user had
   * loaded, a catalog is grouped whole); the items shown until then are the previous ones.
   */
  load(signal?: AbortSignal, atLeast = 0): Promise<void> {
    if (!this.inflight) {
      const gen = ++this.generation;
      this.status = 'loading';
      // Under none of the callers' signals, like a page (next()): Find cancelling must not fail
      // the tree's load. Abandoned by all, it is aborted and the next caller starts afresh.
      const inflight: Shared<void> = share(
        (shared) => this.walkFirst(gen, shared, atLeast),
        () => {
          if (this.inflight === inflight) this.inflight = undefined;
        },
      );
      this.inflight = inflight;
    }
    // A caller that cancels leaves without an error, as ever: `status` says what there is.
    return this.inflight.join(signal).catch(() => undefined);
  }

  private walkFirst(gen: number, signal: AbortSignal, atLeast: number): Promise<void> {
    const walk: Walk<T> = { items: [], guard: new PageGuard(this.limits) };
    return this.fetch(() => this.first(signal), true)
      .then(async (page) => {
        if (gen !== this.generation) return;
        this.take(walk, page);
        while (walk.items.length < atLeast && walk.more && gen === this.generation) {
          // A later page that fails leaves the walk where it is: Load more asks for it again.
          if ((await this.step(walk, signal).catch(() => 'failed' as const)) === 'failed') break;
        }
        if (gen !== this.generation) return;
        this.items = walk.items;
        this.more = walk.more;
        this.truncated = walk.truncated;
        this.guard = walk.guard;
        this.status = 'ready';
        this.stale = false;
        this.error = undefined;
      })
      .catch((e: unknown) => {
        if (gen !== this.generation) return;
        this.status = 'error';
        this.error = e;
      })
      .finally(() => {
        if (gen === this.generation) this.inflight = undefined;
      });
  }

  /** One more screen page, fetching from the server when the loaded items run out. */
  async loadMore(signal?: AbortSignal): Promise<void> {
    const target = this.shown + this.screenPage;
    if (await this.ensure(target, signal)) this.shown = target;
  }

  /** Fetch server pages until `count` items are loaded or the server has no more; false when a refresh intervened. */
  async ensure(count: number, signal?: AbortSignal): Promise<boolean> {
    if (this.inflight) await this.inflight.done;
    while (this.items.length < count && this.more) {
      if (!(await this.next(signal))) return false;
    }
    return true;
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

  /** One more server page; false when there is none or a refresh replaced this walk meanwhile. */
  async fetchMore(signal?: AbortSignal): Promise<boolean> {
    if (this.inflight) await this.inflight.done;
    if (!this.more) return false;
    return this.next(signal);
  }

  /**
   * Fetch and take the next server page; false when a refresh replaced this walk meanwhile.
   * One page at a time: two walkers at once (the tree filling its catalog, Find loading all of
   * it) would otherwise fetch the same page twice. A caller that finds a page on its way waits
   * for it, and that page is its progress. The page is fetched under none of their signals:
   * Find closing must not stop the tree's catalog fill. A waiter that cancels leaves alone; the
   * fetch is aborted only when every waiter has left (then the next caller starts it afresh).
   */
  private next(signal?: AbortSignal): Promise<boolean> {
    if (!this.stepping) {
      const stepping: Shared<boolean> = share(
        (shared) => this.nextPage(shared),
        () => {
          if (this.stepping === stepping) this.stepping = undefined;
        },
      );
      this.stepping = stepping;
      void stepping.done.finally(() => {
        if (this.stepping === stepping) this.stepping = undefined;
      }).catch(() => undefined);
    }
    return this.stepping.join(signal);
  }

  private async nextPage(signal?: AbortSignal): Promise<boolean> {
    const gen = this.generation;
    const walk: Walk<T> = { items: this.items, more: this.more, truncated: this.truncated, guard: this.guard };
    await this.step(walk, signal, () => gen === this.generation);
    if (gen !== this.generation) return false;
    this.items = walk.items;
    this.more = walk.more;
    this.truncated = walk.truncated;
    return true;
  }

  /** Fetch the walk's next page into it; a page the bounds refuse ends the walk, other errors throw. */
  private async step(walk: Walk<T>, signal?: AbortSignal, current: () => boolean = () => true): Promise<void> {
    let page: Page<T>;
    try {
      page = await this.fetch(() => walk.more!(signal), false);
    } catch (e) {
      const why = truncationOf(e);
      if (!why) throw e;
      if (current()) stop(walk, why);
      return;
    }
    if (current()) this.take(walk, page);
  }

  private async fetch(get: () => Promise<Page<T>>, first: boolean): Promise<Page<T>> {
    const started = performance.now();
    const page = await get();
    this.observe?.({ items: page.items.length, ms: performance.now() - started, first, more: !!page.more });
    return page;
  }

  /** Append a server page, unless it breaks the walk's bounds. */
  private take(walk: Walk<T>, page: Page<T>): void {
    // The guard leaves a walk of one page unhashed: it cannot loop.
    const repeated = walk.guard.admit(page.items, !!page.more);
    if (repeated) return stop(walk, repeated);
    const room = walk.guard.itemLimit - walk.items.length;
    const kept = page.items.length > room ? page.items.slice(0, room) : page.items;
    // A new array each time: the tree's caches key on the array's identity.
    walk.items = walk.items.length ? walk.items.concat(kept) : kept;
    if (page.items.length > room) return stop(walk, 'itemLimit');
    walk.more = page.more;
    const why = walk.more && walk.guard.beforeNext();
    if (why) stop(walk, why);
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
