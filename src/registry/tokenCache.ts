// Bearer tokens cached per realm + service + scope set until shortly before they expire.
// Concurrent requests that need the same token share one fetch (single flight): expanding a
// 5,000-tag repository must cost one token, not one per request.

export interface IssuedToken {
  token: string;
  /** Epoch ms when the server says it stops being valid. */
  expiresAt: number;
  /** How long it was issued for, in ms. */
  lifetimeMs: number;
}

export function tokenKey(realm: string, service: string | undefined, scopes: string[]): string {
  return `${realm}\n${service ?? ''}\n${[...scopes].sort().join(' ')}`;
}

export class TokenCache {
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly inflight = new Map<string, Promise<IssuedToken>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A cached token that is still comfortably valid, or one fresh fetch shared by all callers. */
  async get(key: string, fetch: () => Promise<IssuedToken>): Promise<string> {
    const cached = this.tokens.get(key);
    if (cached && this.fresh(cached)) return cached.token;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = fetch().finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
      pending.then((t) => this.tokens.set(key, t), () => undefined);
    }
    return (await pending).token;
  }

  peek(key: string): string | undefined {
    const cached = this.tokens.get(key);
    return cached && this.fresh(cached) ? cached.token : undefined;
  }

  invalidate(key: string, token?: string): void {
    if (token === undefined || this.tokens.get(key)?.token === token) this.tokens.delete(key);
  }

  /** Refresh a little early (10% of the lifetime, at most 30 s) so a token never expires in flight. */
  private fresh(t: IssuedToken): boolean {
    return t.expiresAt - this.now() > Math.min(30_000, t.lifetimeMs * 0.1);
  }
}
