// Adapters from the registry client's page iterators to the provider `Page` shape, where
// "load more" is a function the tree keeps and calls when the user asks.

import type { Page as ClientPage } from '../registry/paging';
import type { Page } from './provider';

/**
 * The iterator is kept alive between pages so the server's `Link` stays opaque to us; a
 * `more` called twice (double-click on "Load more") gets the same page, not two.
 */
export function pagesFrom<T, U>(iterator: AsyncGenerator<ClientPage<T>>, map: (item: T) => U): () => Promise<Page<U>> {
  const step = async (): Promise<Page<U>> => {
    const r = await iterator.next();
    if (r.done) return { items: [] };
    const items = r.value.items.map(map);
    if (!r.value.next) {
      await iterator.return(undefined);
      return { items };
    }
    let pending: Promise<Page<U>> | undefined;
    return { items, more: () => (pending ??= step()) };
  };
  return step;
}

export function singlePage<T>(items: T[]): Page<T> {
  return { items };
}
