// Helpers for provider tests: walk a provider's pages to the end, and everything an error
// carries as text (for "no secret in it" checks).
import type { Page } from '../../src/providers/provider';

/** Every item of a paged listing, and how many pages it took. */
export async function allPages<T>(page: Page<T>): Promise<{ items: T[]; pages: number }> {
  const items = [...page.items];
  let pages = 1;
  while (page.more) {
    page = await page.more();
    items.push(...page.items);
    pages++;
  }
  return { items, pages };
}

/** An error's message, stack and own fields, as one string. */
export const errorText = (e: unknown): string => `${String(e)} ${(e as Error).stack ?? ''} ${JSON.stringify(e)}`;
