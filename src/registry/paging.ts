// Paged listings (`_catalog`, `tags/list`) as async iterators of pages, following the `Link`
// header the way the spec says and the strong clients do: the link is opaque (we never build
// `last=` ourselves), relative links resolve against the request, links to another origin are
// refused, the end is "no Link" (not "a short page": the reference registry sends a full last
// page without a Link, and other registries send short pages with one).
//
// A server decides how many pages there are, so it could decide "forever": one that hands out
// a fresh Link on every page, alternates two pages, or sends empty pages with a Link would
// otherwise be followed until memory runs out. Every walk is bounded (pages, items) and every
// page of a walk of more than one is fingerprinted by content, so a page seen before ends the
// walk whatever its URL says.
// A walk cut short ends with a RegistryError whose `code` names why (see `truncationOf`):
// whoever keeps the items (the tree's Listing, `collect*` in the client) keeps what arrived
// and tells the user the listing is incomplete.

import LinkHeader from 'http-link-header';
import { RegistryError } from './errors';
import { PAGE_LIMITS, PageGuard, truncationError, truncationOf, type PageLimits, type Truncation } from './pageGuard';

export { PAGE_LIMITS, PageGuard, truncationError, truncationOf, type PageLimits, type Truncation } from './pageGuard';

export interface Page<T> {
  items: T[];
  /** Resume point: the URL of the next page, when there is one. */
  next?: URL;
}

/**
 * The next page's URL from `Link` headers, resolved against the request `base`. With a
 * `basePath` (a registry served under a path: `/repository/NAME`), the link must stay under it;
 * a link to `/v2/…` at the origin's root is the same API as the docker client sees it, and is
 * read under the base path: Artifactory writes its links that way, without the repository key
 * (RTFACT-18971), and Nexus as absolute URLs of the connector's root. Anything else on the
 * origin is another API or another repository, and is refused like another server.
 */
export function nextLink(linkHeaders: string[], base: URL, basePath?: string): URL | undefined {
  for (const value of linkHeaders) {
    let parsed: LinkHeader;
    try {
      // Harbor joins its links with " , "; http-link-header then reads the next link as a
      // parameter of the previous one. White space before a comma means nothing in the grammar.
      parsed = LinkHeader.parse(value.replace(/\s+,/g, ','));
    } catch {
      continue;
    }
    const ref = parsed.rel('next')[0];
    if (!ref) continue;
    const url = new URL(ref.uri, base);
    if (url.origin !== base.origin) {
      throw new RegistryError('protocol', `${base.host} sent a next-page link to another server (${url.host}); refused.`);
    }
    return basePath ? underBase(url, base, basePath) : url;
  }
  return undefined;
}

function underBase(url: URL, base: URL, basePath: string): URL {
  // An encoded dot segment passes the prefix test here and is resolved by the server later.
  const dots = /%2e/i.test(url.pathname);
  if (!dots && url.pathname.startsWith(`${basePath}/v2/`)) return url;
  if (!dots && url.pathname.startsWith('/v2/')) {
    const anchored = new URL(url);
    anchored.pathname = `${basePath}${url.pathname}`;
    return anchored;
  }
  const shown = url.pathname.length > 120 ? `${url.pathname.slice(0, 120)}…` : url.pathname;
  throw new RegistryError('protocol', `${base.host} sent a next-page link outside ${basePath}/v2/ (${shown}); refused.`);
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
    const repeated = guard.admit(page.items, !!page.next);
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
