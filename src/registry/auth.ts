// The auth layer. The handshake, and why each step is there:
//
//  1. Probe. The first request of a connection goes out anonymously and is itself the probe
//     (concurrent callers wait for it): a 401 carries the challenge(s), anything else means no
//     auth. That is the `GET /v2/` ping of other clients without its extra round trip; an
//     explicit `ping()` remains for Test Connection. Remembering the answer means later
//     requests are sent authenticated from the start instead of paying a 401 each.
//  2. Scope. Every request's scope follows from its method and path (`repository:NAME:pull`,
//     `registry:catalog:*`), so the right token can be attached up front.
//  3. Token. For Bearer, one token per realm + service + scope set, cached until shortly
//     before expiry, one fetch shared by concurrent requests. For Basic, the credentials go on
//     every request — never over plain HTTP to a non-loopback host unless the user said so.
//  4. Retry once on 401. The registry may want more than we guessed (`insufficient_scope`
//     names the scope it wants), a new realm, or the token may have been revoked: drop the
//     cached token, ask the provider for fresh credentials, fetch again, resend once. A token
//     service that refuses the credentials (a cloud access token that just expired) gets the
//     same single retry with fresh credentials. Requests rejected together share that
//     refresh (refreshable.ts): sixteen 401s for one expired token cost one refresh and one
//     token fetch, and a refresh that fails fails each of them once.
//  5. Give up with a typed error: unauthorized (no or wrong credentials) or forbidden
//     (credentials fine, permission missing).
//
// Only the registry speaks for the registry: a 401/403 from a host a request was redirected
// to (a blob CDN) never reaches the steps above, so its challenge cannot move the realm and
// the user is not told that the password is wrong. Shared work (the ping, the provider's
// credentials, a token fetch) runs detached from any one caller's cancellation (shared.ts).

import { challengeScopes, parseChallenges, pickChallenge, type Challenge } from './challenge';
import { basicHeader, type CredentialSource, type Credentials } from './credentials';
import { apiUrl } from './endpoint';
import { RegistryError, isRegistryError, parseErrorBody } from './errors';
import { withHeader, type HttpRequest, type HttpResponse, type RoundTripper } from './http';
import { refusedElsewhere } from './redirect';
import { mergeScopes, scopesFor } from './scope';
import { Refreshable, type Held } from './refreshable';
import { abortable, share, type Shared } from './shared';
import { tokenKey, type TokenCache } from './tokenCache';
import { fetchToken } from './tokenService';

export interface AuthOptions {
  registry: URL;
  /** Where the registry serves its API on that origin (`/repository/NAME`); absent at the root. */
  basePath?: string;
  credentials?: CredentialSource;
  /** Carries token-service requests (retry + redirect + base, no auth). */
  tokenTransport: RoundTripper;
  tokenCache: TokenCache;
  allowHttp: (url: URL) => boolean;
  onTokenFetch?: (scopes: string[]) => void;
  onRefreshToken?: (token: string) => void;
}

type Mode = { kind: 'none' } | { kind: 'basic' } | { kind: 'bearer'; realm: string; service?: string };

/** A request with its Authorization, and the cached token it carries (for Bearer). */
interface Authorized {
  req: HttpRequest;
  key?: string;
  token?: string;
}

export class Authenticator {
  private mode?: Mode;
  private pinging?: Shared<Mode>;
  /** Settles when the request that is probing the registry has its answer (step 1). */
  private probing?: Promise<void>;
  private readonly creds?: Refreshable<Credentials | undefined>;

  constructor(private readonly opts: AuthOptions) {
    const source = opts.credentials;
    if (source) this.creds = new Refreshable((forceRefresh, signal) => source({ forceRefresh, signal }));
  }

  /** How the registry authenticates, learned from `GET /v2/` (step 1). */
  async ping(next: RoundTripper, signal?: AbortSignal): Promise<Mode> {
    if (this.mode) return this.mode;
    if (!this.pinging) {
      const forget = (): void => {
        if (this.pinging === created) this.pinging = undefined;
      };
      const created = share((shared) => this.askRegistry(next, shared), forget);
      created.done.then((m) => (this.mode ??= m), forget);
      this.pinging = created;
    }
    return this.pinging.join(signal);
  }

  private async askRegistry(next: RoundTripper, signal: AbortSignal): Promise<Mode> {
    const url = apiUrl(this.opts.registry, this.opts.basePath, '/v2/');
    const res = await this.fromRegistry(next)({ method: 'GET', url, headers: {}, signal, maxBodyBytes: 64 * 1024 });
    if (res.status === 401) return this.modeFrom(res) ?? { kind: 'basic' as const };
    if (res.status >= 200 && res.status < 300) return { kind: 'none' as const };
    if (res.status === 404) {
      throw new RegistryError('protocol', `${this.opts.registry.host} does not serve the Registry API (GET ${url.pathname} answered 404). Check the URL.`, { status: 404, code: parseErrorBody(res.body).code });
    }
    const { code, message } = parseErrorBody(res.body);
    const said = message ? ` (${message.slice(0, 200)})` : '';
    throw new RegistryError(res.status >= 500 ? 'network' : 'protocol', `${this.opts.registry.host} answered GET ${url.pathname} with HTTP ${res.status}${said}.`, { status: res.status, code });
  }

  get authMode(): Mode['kind'] | undefined {
    return this.mode?.kind;
  }

  transport(raw: RoundTripper): RoundTripper {
    const next = this.fromRegistry(raw);
    return async (req) => {
      // A streamed upload cannot be the probe: it would be read by an anonymous try.
      if (!this.mode && req.upload) await this.ping(raw, req.signal);
      while (!this.mode) {
        if (this.probing) {
          await abortable(this.probing, req.signal);
          continue;
        }
        return this.probe(next, req);
      }
      const mode = this.mode;
      if (mode.kind === 'none') {
        const stale = this.creds?.generation ?? 0;
        const res = await next(req);
        if (res.status !== 401) return res;
        // The registry started asking (or only asks for some paths): learn and retry once.
        this.mode = this.modeFrom(res) ?? { kind: 'basic' };
        return this.retryOnce(next, req, this.mode, scopesFor(req, this.opts.basePath), stale, res);
      }
      return this.sendAuthorized(next, req, mode, scopesFor(req, this.opts.basePath));
    };
  }

  private async sendAuthorized(next: RoundTripper, req: HttpRequest, mode: Mode, scopes: string[]): Promise<HttpResponse> {
    const held = await this.credentials(req.signal);
    let first: Authorized;
    try {
      first = await this.authorize(req, mode, scopes, held.value);
    } catch (e) {
      // The token service refused credentials the provider had cached (an expired cloud access
      // token): the same fresh-credentials retry as a registry 401 gets (step 4).
      if (!(isRegistryError(e, 'unauthorized') && this.opts.credentials)) throw e;
      return this.retryOnce(next, req, mode, scopes, held.generation);
    }
    const res = await this.send(next, first);
    return res.status === 401 ? this.retryOnce(next, req, mode, scopes, held.generation, res) : res;
  }

  /** Sends `req` anonymously as the connection's probe; a failure lets the next caller probe. */
  private async probe(next: RoundTripper, req: HttpRequest): Promise<HttpResponse> {
    let settle!: () => void;
    this.probing = new Promise<void>((resolve) => (settle = resolve));
    try {
      const res = await next(req);
      if (res.status !== 401) {
        this.mode = { kind: 'none' };
        return res;
      }
      const challenge = pickChallenge(parseChallenges(res.headers.getAll('www-authenticate')));
      const mode = (challenge && this.modeFromChallenge(challenge)) ?? { kind: 'basic' as const };
      this.mode = mode;
      settle();
      const scopes = challenge?.scheme === 'bearer' ? mergeScopes(scopesFor(req, this.opts.basePath), challengeScopes(challenge)) : scopesFor(req, this.opts.basePath);
      return await this.sendAuthorized(next, req, mode, scopes);
    } finally {
      this.probing = undefined;
      settle();
    }
  }

  /**
   * Step 4: fresh credentials, a fresh token, one more try. A registry 401 (`rejected`) may name
   * another realm or more scope; without one (the token service refused) mode and scopes stay.
   * `stale` is the generation of the credentials that were rejected.
   */
  private async retryOnce(next: RoundTripper, req: HttpRequest, mode: Mode, scopes: string[], stale: number, rejected?: HttpResponse): Promise<HttpResponse> {
    // A streamed upload has been read by the first try: resending would send nothing.
    if (rejected && req.upload) throw this.rejection(rejected, req, (await this.credentials(req.signal)).value);
    if (rejected) {
      const challenge = pickChallenge(parseChallenges(rejected.headers.getAll('www-authenticate')));
      mode = (challenge && this.modeFromChallenge(challenge)) ?? this.mode ?? { kind: 'basic' };
      this.mode = mode;
      if (challenge?.scheme === 'bearer') scopes = mergeScopes(scopes, challengeScopes(challenge));
    }
    const fresh = await this.credentials(req.signal, stale);
    const res = await this.send(next, await this.authorize(req, mode, scopes, fresh.value));
    if (res.status !== 401) return res;
    throw this.rejection(res, req, fresh.value);
  }

  /**
   * Sends an authorized request; a 401 drops the token it carried from the cache (only that
   * token: a fresh one that a concurrent retry already fetched stays).
   */
  private async send(next: RoundTripper, authorized: Authorized): Promise<HttpResponse> {
    const res = await next(authorized.req);
    if (res.status === 401 && authorized.key && authorized.token) this.opts.tokenCache.invalidate(authorized.key, authorized.token);
    return res;
  }

  private async authorize(req: HttpRequest, mode: Mode, scopes: string[], creds: Credentials | undefined): Promise<Authorized> {
    if (mode.kind === 'basic') {
      if (creds?.kind !== 'basic' && creds?.kind !== 'bearer') return { req };
      if (req.url.protocol === 'http:' && !this.opts.allowHttp(req.url)) {
        throw new RegistryError('insecure', `Refusing to send credentials over plain HTTP to ${req.url.host}. Use https://, or mark the registry insecure if you trust this network.`);
      }
      return { req: withHeader(req, 'authorization', creds.kind === 'basic' ? basicHeader(creds.username, creds.password) : `Bearer ${creds.token}`) };
    }
    if (mode.kind !== 'bearer') return { req };
    const key = tokenKey(mode.realm, mode.service, scopes);
    const token = await this.opts.tokenCache.get(
      key,
      (shared) => {
        this.opts.onTokenFetch?.(scopes);
        return fetchToken(this.opts.tokenTransport, {
          registry: this.opts.registry,
          realm: mode.realm,
          service: mode.service,
          scopes,
          credentials: creds,
          allowHttp: this.opts.allowHttp,
          signal: shared,
          onRefreshToken: this.opts.onRefreshToken,
        });
      },
      req.signal,
    );
    return { req: withHeader(req, 'authorization', `Bearer ${token}`), key, token };
  }

  /**
   * Credentials from the provider, shared between concurrent callers; with `stale` (the
   * generation that was rejected), newer ones: a refresh since then, or a new one (step 4).
   */
  private credentials(signal?: AbortSignal, stale?: number): Promise<Held<Credentials | undefined>> {
    if (!this.creds) return Promise.resolve({ value: undefined, generation: 0 });
    return stale === undefined ? this.creds.get(signal) : this.creds.refresh(stale, signal);
  }

  /** Responses from the registry itself; a refusal from a host it redirected to fails here. */
  private fromRegistry(next: RoundTripper): RoundTripper {
    return async (req) => {
      const res = await next(req);
      const elsewhere = refusedElsewhere(res, this.opts.registry, this.opts.registry.host);
      if (elsewhere) throw elsewhere;
      return res;
    };
  }

  private modeFrom(res: HttpResponse): Mode | undefined {
    const c = pickChallenge(parseChallenges(res.headers.getAll('www-authenticate')));
    return c && this.modeFromChallenge(c);
  }

  private modeFromChallenge(c: Challenge): Mode | undefined {
    if (c.scheme === 'bearer' && c.params.realm) {
      return { kind: 'bearer', realm: new URL(c.params.realm, this.opts.registry).toString(), service: c.params.service };
    }
    // `Basic realm="Artifactory Realm"`: a non-URL realm is just a label.
    if (c.scheme === 'basic') return { kind: 'basic' };
    return undefined;
  }

  private rejection(res: HttpResponse, req: HttpRequest, creds: Credentials | undefined): RegistryError {
    const host = req.url.host;
    const challenge = pickChallenge(parseChallenges(res.headers.getAll('www-authenticate')));
    const { code } = parseErrorBody(res.body);
    if (challenge?.params.error === 'insufficient_scope' && creds) {
      const what = challenge.params.scope ?? scopesFor(req, this.opts.basePath).join(', ');
      return new RegistryError('forbidden', `${host} denied access (${what}) for these credentials. Ask for the permission, or reconnect with an account that has it.`, { status: 401, code });
    }
    if (!creds) {
      return new RegistryError('unauthorized', `${host} requires you to sign in. Add a username and password or token to the connection.`, { status: 401, code });
    }
    const user = creds.kind === 'basic' ? ` for user “${creds.username}”` : '';
    return new RegistryError('unauthorized', `${host} rejected the credentials${user}. Check the username and password or token, then reconnect.`, { status: 401, code });
  }
}
