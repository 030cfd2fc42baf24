// Bearer tokens cached per realm + service + scope set until shortly before they expire.
// Concurrent requests that need the same token share one fetch (single flight): expanding a
// 5,000-tag repository must cost one token, not one per request. The fetch runs detached
// from any one caller (shared.ts), and the cache is bounded: a registry that names a new
// realm or scope in every response must not grow it without end, so the least recently used
// token goes first.

import { share, type Shared } from './shared';

export interface IssuedToken {
  token: string;
  /** Epoch ms when the server says it stops being valid. */
  expiresAt: number;
  /** How long it was issued for, in ms. */
  lifetimeMs: number;
}

/** Tokens kept per registry connection: far more scopes than a person browses at once. */
export const MAX_CACHED_TOKENS = 256;

export function tokenKey(realm: string, service: string | undefined, scopes: string[]): string {
  return `${realm}\n${service ?? ''}\n${[...scopes].sort().join(' ')}`;
}

export class TokenCache {
  /** In least-recently-used order (a Map keeps insertion order; a use re-inserts). */
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly inflight = new Map<string, Shared<IssuedToken>>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly capacity = MAX_CACHED_TOKENS,
  ) {}

  /**
   * A cached token that is still comfortably valid, or one fresh fetch shared by all callers.
   * `fetch` gets the shared fetch's own signal; `signal` cancels this caller only.
   */
  async get(key: string, fetch: (signal: AbortSignal) => Promise<IssuedToken>, signal?: AbortSignal): Promise<string> {
    const cached = this.peek(key);
    if (cached !== undefined) return cached;
    let pending = this.inflight.get(key);
    if (!pending) {
      const forget = (): void => {
        if (this.inflight.get(key) === created) this.inflight.delete(key);
      };
      const created = share(fetch, forget);
      created.done.then((t) => this.remember(key, t), () => undefined).finally(forget);
      this.inflight.set(key, created);
      pending = created;
    }
    return (await pending.join(signal)).token;
  }

  peek(key: string): string | undefined {
    const cached = this.tokens.get(key);
    if (!cached || !this.fresh(cached)) return undefined;
    this.tokens.delete(key);
    this.tokens.set(key, cached);
    return cached.token;
  }

  invalidate(key: string, token?: string): void {
    if (token === undefined || this.tokens.get(key)?.token === token) this.tokens.delete(key);
  }

  get size(): number {
    return this.tokens.size;
  }

  private remember(key: string, t: IssuedToken): void {
    this.tokens.delete(key);
    this.tokens.set(key, t);
    for (const oldest of this.tokens.keys()) {
      if (this.tokens.size <= this.capacity) break;
      this.tokens.delete(oldest);
    }
  }

  /** Refresh a little early (10% of the lifetime, at most 30 s) so a token never expires in flight. */
  private fresh(t: IssuedToken): boolean {
    return t.expiresAt - this.now() > Math.min(30_000, t.lifetimeMs * 0.1);
  }
}
