// Retries for the failures that are worth waiting out: 429 (honouring Retry-After, in
// seconds or as an HTTP date), 5xx that usually mean "busy", and connections that broke
// before any answer. Backoff is exponential with a cap and full jitter, and a wait longer
// than the cap is not slept through: the caller gets a rateLimited error with the reset time,
// so the UI can say "Rate limited until 14:05" instead of hanging.

import { RegistryError } from './errors';
import type { HttpResponse, RoundTripper } from './http';

export interface RetryOptions {
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** For tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

const RETRY_STATUS = new Set([500, 502, 503, 504]);

export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Rate-limit reset time from headers, when the server says (Docker Hub sends `ratelimit-reset`). */
function resetTime(res: HttpResponse, now: number): Date | undefined {
  const after = parseRetryAfter(res.headers.get('retry-after'), now);
  if (after !== undefined) return new Date(now + after);
  const reset = Number(res.headers.get('ratelimit-reset') ?? res.headers.get('x-ratelimit-reset'));
  if (Number.isFinite(reset) && reset > 0) return new Date(reset > 1e9 ? reset * 1000 : now + reset * 1000);
  return undefined;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new RegistryError('cancelled', 'The request was cancelled.'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new RegistryError('cancelled', 'The request was cancelled.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function retryTransport(next: RoundTripper, opts: RetryOptions = {}): RoundTripper {
  const maxRetries = opts.maxRetries ?? 3;
  const base = opts.baseDelayMs ?? 250;
  const cap = opts.maxDelayMs ?? 10_000;
  const sleep = opts.sleep ?? defaultSleep;
  const now = opts.now ?? Date.now;
  const idempotent = (m: string): boolean => m === 'GET' || m === 'HEAD' || m === 'PUT' || m === 'DELETE';

  return async (req) => {
    for (let attempt = 0; ; attempt++) {
      const backoff = Math.min(cap, base * 2 ** attempt);
      let res: HttpResponse;
      try {
        res = await next(req);
      } catch (e) {
        const transient = e instanceof RegistryError && e.kind === 'network' && idempotent(req.method);
        if (!transient || attempt >= maxRetries) throw e;
        await sleep(Math.random() * backoff, req.signal);
        continue;
      }
      if (res.status === 429) {
        const reset = resetTime(res, now());
        const wait = reset ? reset.getTime() - now() : backoff;
        if (attempt >= maxRetries || wait > cap) {
          throw new RegistryError(
            'rateLimited',
            `${req.url.host} is rate limiting requests${reset ? ` until ${reset.toLocaleTimeString()}` : ''}. Try again later${reset ? '' : ' in a minute'}.`,
            { status: 429, ...(reset ? { resetAt: reset } : {}) },
          );
        }
        await sleep(Math.max(wait, 0), req.signal);
        continue;
      }
      if (RETRY_STATUS.has(res.status) && idempotent(req.method) && attempt < maxRetries) {
        const hinted = parseRetryAfter(res.headers.get('retry-after'), now());
        await sleep(hinted !== undefined ? Math.min(hinted, cap) : Math.random() * backoff, req.signal);
        continue;
      }
      return res;
    }
  };
}
