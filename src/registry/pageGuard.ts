// The bounds of a listing walk, apart from the Link-following in paging.ts: the tree's Listing
// (loaded at activation) guards provider pages with it too, and must not pull in the HTTP side.

import { createHash } from 'node:crypto';
import { RegistryError, isRegistryError } from './errors';

/** Why a listing stopped before the server said it was done. */
export type Truncation = 'pageLimit' | 'itemLimit' | 'repeatedPage' | 'emptyPages' | 'linkedBack';

export interface PageLimits {
  maxPages?: number;
  maxItems?: number;
  /** Consecutive empty pages that still carry a next link. */
  maxEmptyRun?: number;
}

/**
 * Far beyond any real listing at the page sizes we ask for (1,000 pages of 1,000 is a million
 * names; 100,000 names is a few MB), far below what hurts.
 */
export const PAGE_LIMITS: Required<PageLimits> = { maxPages: 1000, maxItems: 100_000, maxEmptyRun: 3 };

const CODES: Record<Truncation, string> = {
  pageLimit: 'LISTING_PAGE_LIMIT',
  itemLimit: 'LISTING_ITEM_LIMIT',
  repeatedPage: 'LISTING_REPEATED_PAGE',
  emptyPages: 'LISTING_EMPTY_PAGES',
  linkedBack: 'LISTING_LINKED_BACK',
};

/** The reason a listing error stands for, when it is a truncation rather than a failure. */
export function truncationOf(e: unknown): Truncation | undefined {
  if (!isRegistryError(e, 'protocol') || !e.code) return undefined;
  return (Object.keys(CODES) as Truncation[]).find((t) => CODES[t] === e.code);
}

export function truncationError(host: string, why: Truncation, limits: PageLimits = {}): RegistryError {
  const l = { ...PAGE_LIMITS, ...limits };
  const text: Record<Truncation, string> = {
    pageLimit: `${host} kept sending pages; stopped after ${l.maxPages}.`,
    itemLimit: `${host} listed more than ${l.maxItems} names; stopped there.`,
    repeatedPage: `${host} sent the same page twice; stopped listing to avoid a loop.`,
    emptyPages: `${host} kept sending empty pages; stopped listing after ${l.maxEmptyRun} in a row.`,
    linkedBack: `${host} linked back to a page it had already sent; stopped listing to avoid a loop.`,
  };
  return new RegistryError('protocol', text[why], { code: CODES[why] });
}

/**
 * The bounds of one walk over pages, wherever the pages come from (a Link chain here, a
 * provider's own API tokens in the tree). `admit` each page as it arrives; ask `beforeNext`
 * before fetching another.
 */
export class PageGuard {
  private readonly limits: Required<PageLimits>;
  private pages = 0;
  private items = 0;
  private emptyRun = 0;
  /** Fingerprints, not pages: a thousand pages cost a thousand short strings. */
  private readonly seen = new Set<string>();

  constructor(limits: PageLimits = {}) {
    this.limits = { ...PAGE_LIMITS, ...limits };
  }

  get itemLimit(): number {
    return this.limits.maxItems;
  }

  /**
   * `repeatedPage` when this page's content arrived before (any earlier page, not just the last).
   * `more`: the server has a next page. A first page without one is the whole walk and cannot
   * repeat anything, so it is not fingerprinted: the reference registry sends 100,000 tags as
   * one page, and hashing them held the extension host ~50–90 ms for nothing.
   */
  admit(items: readonly unknown[], more = true): Truncation | undefined {
    this.pages++;
    if (!items.length) {
      this.emptyRun++;
      return undefined;
    }
    this.emptyRun = 0;
    if (this.pages === 1 && !more) {
      this.items += items.length;
      return undefined;
    }
    const print = fingerprint(items);
    if (this.seen.has(print)) return 'repeatedPage';
    this.seen.add(print);
    this.items += items.length;
    return undefined;
  }

  /** Whether another page may be fetched. */
  beforeNext(): Truncation | undefined {
    if (this.emptyRun >= this.limits.maxEmptyRun) return 'emptyPages';
    if (this.pages >= this.limits.maxPages) return 'pageLimit';
    if (this.items >= this.limits.maxItems) return 'itemLimit';
    return undefined;
  }
}

function fingerprint(items: readonly unknown[]): string {
  const h = createHash('sha256');
  for (const item of items) {
    const text = typeof item === 'string' ? item : (JSON.stringify(item) ?? '');
    // Length-prefixed, so no two different pages ever hash the same text.
    h.update(`${text.length}:`).update(text);
  }
  return h.digest('base64');
}
