// The registry password: Basic `AWS:<password>` from GetAuthorizationToken, which lasts 12
// hours. It is renewed before it expires: every registry call first makes sure the password
// has time left, so a listing that runs across the 12-hour mark never fails; a password the
// registry still refuses is replaced once and the call retried (see renewAfterRefusal).

import type { CredentialSource } from '../../registry/credentials';
import type { AuthorizationData } from './api';

/** Renew the registry password this long before it expires (or a quarter of its life, if shorter). */
const MAX_MARGIN_MS = 15 * 60_000;
/** A forced renewal right after another one is not repeated (concurrent rejections). */
const RECENT_MS = 2_000;

/**
 * The registry's Basic credentials from GetAuthorizationToken. The credentials object is
 * handed to the registry client once and updated in place, so a renewal reaches requests that
 * are already authenticated with it.
 */
export class EcrAuthTokens {
  readonly credentials = { kind: 'basic' as const, username: 'AWS', password: '' };
  readonly stats = { fetches: 0 };
  /** Bumped on every renewal; a retry renews only if nobody did since its call started. */
  generation = 0;
  private current?: { expiresAt: number; lifetimeMs: number; fetchedAt: number; proxyEndpoint?: string };
  private pending?: Promise<void>;
  /** The generation a refusal-triggered renewal produced. */
  private refusedGeneration?: number;
  private readonly now: () => number;

  constructor(
    private readonly fetch: (signal?: AbortSignal) => Promise<AuthorizationData>,
    private readonly opts: { log?: (m: string) => void; now?: () => number } = {},
  ) {
    this.now = opts.now ?? Date.now;
  }

  get expiresAt(): number | undefined {
    return this.current?.expiresAt;
  }

  /** The registry address GetAuthorizationToken named (the caller's own registry). */
  get proxyEndpoint(): string | undefined {
    return this.current?.proxyEndpoint;
  }

  /** What the registry client calls; `forceRefresh` after the registry rejected the password. */
  readonly source: CredentialSource = async ({ forceRefresh, signal }) => {
    await this.ensure(forceRefresh, signal);
    return this.credentials;
  };

  /**
   * After the registry refused the password it was given (generation `seen`): whether to
   * retry, with a new password if nobody renewed it since. A refused password that was itself
   * fresh from such a renewal means the refusal is not about expiry (a missing permission), so
   * that one is not renewed again: a denied user costs one extra GetAuthorizationToken per
   * password, not one per call.
   */
  async renewAfterRefusal(seen: number, signal?: AbortSignal): Promise<boolean> {
    if (seen === this.refusedGeneration) return false;
    if (this.pending) {
      await this.pending;
      return true;
    }
    if (seen !== this.generation) return true;
    await this.ensure(true, signal, seen);
    this.refusedGeneration = this.generation;
    return true;
  }

  /**
   * A password with more than the margin left. `force` renews whatever its age, unless
   * `seenGeneration` shows another caller already renewed it (or it was renewed just now).
   */
  async ensure(force = false, signal?: AbortSignal, seenGeneration?: number): Promise<void> {
    if (this.pending) return this.pending;
    const c = this.current;
    const now = this.now();
    const fresh = c && c.expiresAt - now > Math.min(MAX_MARGIN_MS, c.lifetimeMs / 4);
    if (fresh && !force) return;
    if (force && c && (seenGeneration !== undefined ? seenGeneration !== this.generation : now - c.fetchedAt < RECENT_MS)) return;
    const reason = !c ? 'first use' : force ? 'the registry refused the last one' : `the last one expires in ${Math.max(0, Math.round((c.expiresAt - now) / 1000))} s`;
    this.pending = this.renew(reason, signal).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async renew(reason: string, signal?: AbortSignal): Promise<void> {
    const started = this.now();
    const data = await this.fetch(signal);
    this.stats.fetches++;
    this.generation++;
    this.credentials.username = data.username;
    this.credentials.password = data.password;
    const lifetimeMs = Math.max(0, data.expiresAt - started);
    this.current = { expiresAt: data.expiresAt, lifetimeMs, fetchedAt: this.now(), ...(data.proxyEndpoint ? { proxyEndpoint: data.proxyEndpoint } : {}) };
    this.opts.log?.(`ECR: new registry password (${reason}); valid ${Math.round(lifetimeMs / 1000)} s.`);
  }
}
