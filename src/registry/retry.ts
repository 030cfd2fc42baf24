// Retries for the failures that are worth waiting out: 429 (honouring Retry-After, in
// seconds or as an HTTP date), 5xx that usually mean "busy", and connections that broke
// before any answer. Backoff is exponential with a cap and full jitter, and a wait longer
// than the cap is not slept through: the caller gets a rateLimited error with the reset time,
// so the UI can say "Rate limited until 14:05" instead of hanging. A Retry-After we cannot read
// (garbage, a date past the year 275760, more seconds than a Date holds) counts as "longer than
// the cap": reported, never turned into an immediate retry.

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

/** A reset further away than this is "later", not a time worth showing. */
const MAX_SHOWN_RESET_MS = 7 * 24 * 3600_000;

/** Milliseconds to wait, or undefined when the value is not a delay or date we can use. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  // An HTTP date starts with the day's name (all three RFC 9110 forms); Date.parse alone would
  // also take "-5" or "2" as years.
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : /^[A-Za-z]{3}/.test(trimmed) ? Date.parse(trimmed) - now : NaN;
  return Number.isFinite(ms) ? Math.max(0, ms) : undefined;
}

/** A Date for `ms` from now when that is a sensible thing to show, else undefined. */
function resetAfter(ms: number, now: number): Date | undefined {
  return ms <= MAX_SHOWN_RESET_MS ? new Date(now + ms) : undefined;
}

/**
 * How long the server asks us to wait: ms, `Infinity` for a Retry-After we cannot read or
 * use, undefined when it does not say. Docker Hub sends `ratelimit-reset` (epoch seconds).
 */
function askedWait(res: HttpResponse, now: number): number | undefined {
  const header = res.headers.get('retry-after');
  if (header !== undefined && header.trim() !== '') return parseRetryAfter(header, now) ?? Infinity;
  const reset = Number(res.headers.get('ratelimit-reset') ?? res.headers.get('x-ratelimit-reset'));
  if (!Number.isFinite(reset) || reset <= 0) return undefined;
  return Math.max(0, reset > 1e9 ? reset * 1000 - now : reset * 1000);
}

function rateLimited(host: string, reset: Date | undefined): RegistryError {
  const when = reset && (reset.getTime() - Date.now() < 24 * 3600_000 ? reset.toLocaleTimeString() : reset.toLocaleString());
  return new RegistryError(
    'rateLimited',
    reset ? `${host} is rate limiting requests until ${when}. Try again then.` : `${host} is rate limiting requests and did not say until when. Try again later.`,
    { status: 429, ...(reset ? { resetAt: reset } : {}) },
  );
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
    // A streamed upload cannot be sent twice: its one answer is the answer.
    if (req.upload) return next(req);
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
        const t = now();
        const asked = askedWait(res, t);
        const wait = asked ?? backoff;
        if (attempt >= maxRetries || wait > cap) throw rateLimited(req.url.host, asked === undefined ? undefined : resetAfter(asked, t));
        await sleep(wait, req.signal);
        continue;
      }
      if (RETRY_STATUS.has(res.status) && idempotent(req.method) && attempt < maxRetries) {
        const header = res.headers.get('retry-after');
        const hinted = header ? (parseRetryAfter(header, now()) ?? Infinity) : undefined;
        // "Busy for hours" (or unreadable) is the answer, not something to wait out here.
        if (hinted !== undefined && hinted > cap) return res;
        await sleep(hinted ?? Math.random() * backoff, req.signal);
        continue;
      }
      return res;
    }
  };
}
