// Paged listings (`_catalog`, `tags/list`) as async iterators of pages, following the `Link`
// header the way the spec says and the strong clients do: the link is opaque (we never build
// `last=` ourselves), relative links resolve against the request, links to another origin are
// refused, the end is "no Link" (not "a short page": the reference registry sends a full last
// page without a Link, and other registries send short pages with one), and a server that
// repeats a page is stopped rather than followed forever.

import LinkHeader from 'http-link-header';
import { RegistryError } from './errors';

export interface Page<T> {
  items: T[];
  /** Resume point: the URL of the next page, when there is one. */
  next?: URL;
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
 * A page URL seen before, or a page identical to the previous one, ends the walk with an error.
 */
export async function* paginate<T>(first: URL, fetchPage: (url: URL) => Promise<Page<T>>, maxPages = 100_000): AsyncGenerator<Page<T>> {
  const seen = new Set<string>();
  let url: URL | undefined = first;
  let previous: T[] = [];
  for (let n = 0; url; n++) {
    if (n >= maxPages) throw new RegistryError('protocol', `${first.host} returned more than ${maxPages} pages; stopped.`);
    seen.add(url.toString());
    const page = await fetchPage(url);
    if (page.items.length && samePage(page.items, previous)) {
      throw new RegistryError('protocol', `${first.host} returned the same page twice; stopped listing to avoid a loop.`);
    }
    previous = page.items;
    if (page.next && seen.has(page.next.toString())) {
      yield { items: page.items };
      throw new RegistryError('protocol', `${first.host} linked back to a page it had already sent; stopped listing to avoid a loop.`);
    }
    yield page;
    url = page.next;
  }
}

/**
 * Equal as JSON, item by item: a different page usually differs in its first item, so this
 * costs one comparison where serializing whole pages cost a copy of every page.
 */
function samePage<T>(a: T[], b: T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i] && JSON.stringify(a[i]) !== JSON.stringify(b[i])) return false;
  }
  return true;
}
