// Paged listings (`_catalog`, `tags/list`) as async iterators of pages, following the `Link`
// header the way the spec says and the strong clients do: the link is opaque (we never build
// `last=` ourselves), relative links resolve against the request, links to another origin are
// refused, the end is "no Link" (not "a short page": the reference registry sends a full last
// page without a Link, and other registries send short pages with one).
//
// A server decides how many pages there are, so it could decide "forever": one that hands out
// a fresh Link on every page, alternates two pages, or sends empty pages with a Link would
// otherwise be followed until memory runs out. Every walk is bounded (pages, items) and every
// page is fingerprinted by content, so a page seen before ends the walk whatever its URL says.
// A walk cut short ends with a RegistryError whose `code` names why (see `truncationOf`):
// whoever keeps the items (the tree's Listing, `collect*` in the client) keeps what arrived
// and tells the user the listing is incomplete.

import { createHash } from 'node:crypto';
import LinkHeader from 'http-link-header';
import { RegistryError, isRegistryError } from './errors';

export interface Page<T> {
  items: T[];
  /** Resume point: the URL of the next page, when there is one. */
  next?: URL;
}

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

  /** `repeatedPage` when this page's content arrived before (any earlier page, not just the last). */
  admit(items: readonly unknown[]): Truncation | undefined {
    this.pages++;
    if (!items.length) {
      this.emptyRun++;
      return undefined;
    }
    this.emptyRun = 0;
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

export function nextLink(linkHeaders: string[], base: URL): URL | undefined {
  for (const value of linkHeaders) {
    let parsed: LinkHeader;
    try {
      parsed = LinkHeader.parse(value);
    } catch {
      continue;
    }
    const ref = parsed.rel('next')[0];
    if (!ref) continue;
    const url = new URL(ref.uri, base);
    if (url.origin !== base.origin) {
      throw new RegistryError('protocol', `${base.host} sent a next-page link to another server (${url.host}); refused.`);
    }
    return url;
  }
  return undefined;
}

/**
 * Walk pages from `first` until there is no next link. `fetchPage` does one request.
 * A page whose content was sent before is not yielded; a page that may not be followed (a
 * limit, a link back) is yielded with its `next`, and asking for that next page throws the
 * truncation error. Yielding the link keeps a lazy consumer (the tree's "Load more") from
 * mistaking a cut-short listing for a complete one.
 */
export async function* paginate<T>(first: URL, fetchPage: (url: URL) => Promise<Page<T>>, limits?: PageLimits): AsyncGenerator<Page<T>> {
  const guard = new PageGuard(limits);
  const seenUrls = new Set<string>();
  let url: URL | undefined = first;
  while (url) {
    seenUrls.add(url.toString());
    const page = await fetchPage(url);
    const repeated = guard.admit(page.items);
    if (repeated) throw truncationError(first.host, repeated, limits);
    const stop = page.next && (seenUrls.has(page.next.toString()) ? 'linkedBack' : guard.beforeNext());
    yield page;
    if (stop) throw truncationError(first.host, stop, limits);
    url = page.next;
  }
}

export interface Collected<T> {
  items: T[];
  truncated?: Truncation;
}

/** Every page's items, up to the item limit; a truncation ends it with what arrived. */
export async function collectPages<T>(pages: AsyncIterable<Page<T>>, maxItems = PAGE_LIMITS.maxItems): Promise<Collected<T>> {
  const items: T[] = [];
  try {
    for await (const p of pages) {
      for (const item of p.items) {
        if (items.length >= maxItems) return { items, truncated: 'itemLimit' };
        items.push(item);
      }
    }
  } catch (e) {
    const truncated = truncationOf(e);
    if (!truncated) throw e;
    return { items, truncated };
  }
  return { items };
}
