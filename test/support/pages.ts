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

/** The error `p` rejects with, after checking that no secret is in anything it carries. */
export async function failureWithout(p: Promise<unknown>, secrets: () => readonly string[]): Promise<Error> {
  try {
    await p;
  } catch (e) {
    const text = errorText(e);
    for (const s of secrets()) if (s && text.includes(s)) throw new Error('a secret reached the error');
    return e as Error;
  }
  throw new Error('expected a failure');
}
