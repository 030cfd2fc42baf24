// Wording the providers share, so that the same situation reads the same in every provider's
// errors and connection-test steps.

import { RegistryError } from '../registry/errors';

/** What a caught value says, for a test step or a field error. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `12 repositories`, `1 repository`, `100+ repositories` when the listing has more pages. */
export function countOf(page: { items: readonly unknown[]; more?: unknown }, one: string, many: string): string {
  const n = page.items.length;
  return `${n}${page.more ? '+' : ''} ${n === 1 ? one : many}`;
}

/**
 * An API's own words in an error body, fit for a message of ours: one short line, without the
 * secrets given (servers sometimes quote a credential back), and without a closing full stop
 * since our sentence goes on after it.
 */
export function serverWords(text: string | undefined, secrets: (string | undefined)[]): string | undefined {
  if (!text) return undefined;
  let clean = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  for (const secret of secrets) if (secret) clean = clean.split(secret).join('…');
  return clean.replace(/\.$/, '') || undefined;
}

/**
 * An API's request limit, with the time it lifts when the server said (`Retry-After`,
 * `ratelimit-reset`, `x-ratelimit-reset`): `later` is the advice when it did not.
 */
export function rateLimitedError(service: string, resetAt: Date | undefined, opts: { status: number; later: string }): RegistryError {
  const until = resetAt ? ` until ${resetAt.toLocaleTimeString()}` : '';
  return new RegistryError('rateLimited', `${service} is limiting API requests${until}. Try again ${until ? 'then' : opts.later}.`, {
    status: opts.status,
    ...(resetAt ? { resetAt } : {}),
  });
}
