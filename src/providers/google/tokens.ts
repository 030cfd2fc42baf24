// Google access tokens for Container Registry and Artifact Registry.
//
// The registries take Basic `oauth2accesstoken:<access token>` at their token service. The access
// token comes from google-auth-library (loaded on first use only): a JWT-bearer grant signed
// with a service-account key, or whatever the application default credentials are (the
// GOOGLE_APPLICATION_CREDENTIALS file, `gcloud auth application-default login`, the metadata
// server on Google Cloud, workload identity federation).
//
// Lifetimes: Google's tokens live an hour. This source keeps the current one and fetches a new
// one when less than a quarter of its life (at most five minutes) is left, so a user browsing
// never meets an expired token. The registry client remembers the credentials object it was
// given and only asks again after a 401, so the object is updated in place: its `password` is
// always the current token. A `forceRefresh` (the registry rejected what it had) fetches anew
// whatever the age.
//
// What google-auth-library 10.x honours, measured: the JWT grant is POSTed to the constant
// https://oauth2.googleapis.com/token (the key file's `token_uri` is not used, and `aud` is that
// constant too), through the client's gaxios `transporter`. So the token-endpoint override
// (`apiBaseUrls['google-token']`) is a request interceptor on that transporter, and the proxy
// is set in the transporter's defaults.

import type { AuthClient } from 'google-auth-library';
import type { CredentialSource } from '../../registry/credentials';
import type { ProxySettings } from '../../registry/dispatcher';
import { RegistryError } from '../../registry/errors';
import { describeGoogleError } from './errors';
import type { ServiceAccountKey } from './serviceAccountKey';

export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** The registry username that goes with an access token as the password. */
export const ACCESS_TOKEN_USERNAME = 'oauth2accesstoken';

const MAX_MARGIN_MS = 5 * 60_000;
/** When the library does not say how long a token lives. */
const ASSUMED_LIFETIME_MS = 55 * 60_000;

export interface GoogleTokenOptions {
  /** The service-account key; absent means application default credentials. */
  key?: ServiceAccountKey;
  /** Replaces https://oauth2.googleapis.com/token (tests, private endpoints). */
  tokenUrl?: string;
  proxy?: ProxySettings;
  log?: (message: string) => void;
  now?: () => number;
}

interface Current {
  token: string;
  expiresAt: number;
  lifetimeMs: number;
}

/** Registry credentials backed by Google access tokens, refreshed before they expire. */
export class GoogleAccessTokens {
  /** Handed to the registry client once and updated in place. */
  readonly credentials = { kind: 'basic' as const, username: ACCESS_TOKEN_USERNAME, password: '' };
  readonly stats = { fetches: 0 };
  private current?: Current;
  private pending?: Promise<string>;
  private adcAccount?: string;
  private readonly now: () => number;

  constructor(private readonly opts: GoogleTokenOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Who the tokens are for, as messages name it: the service account, or the ADC in use. */
  get account(): string {
    if (this.opts.key) return `service account ${this.opts.key.client_email}`;
    return this.adcAccount ?? 'the application default credentials';
  }

  /** The expiry of the token in use, for the connection test. */
  get expiresAt(): number | undefined {
    return this.current?.expiresAt;
  }

  /** What the registry client calls: fresh credentials when asked, the current ones otherwise. */
  readonly source: CredentialSource = async ({ forceRefresh }) => {
    await this.token(forceRefresh);
    return this.credentials;
  };

  /** A token with more than the refresh margin left; `force` replaces it whatever its age. */
  async token(force = false): Promise<string> {
    const c = this.current;
    if (!force && c && c.expiresAt - this.now() > Math.min(MAX_MARGIN_MS, c.lifetimeMs / 4)) return c.token;
    if (this.pending && !force) return this.pending;
    const reason = !c ? 'first use' : force ? 'the registry rejected the last one' : `the current one expires in ${Math.max(0, Math.round((c.expiresAt - this.now()) / 1000))} s`;
    const pending = this.fetch(reason).finally(() => {
      if (this.pending === pending) this.pending = undefined;
    });
    this.pending = pending;
    return pending;
  }

  private async fetch(reason: string): Promise<string> {
    const started = this.now();
    let client: AuthClient;
    let token: string | null | undefined;
    try {
      client = await this.newClient();
      token = (await client.getAccessToken()).token;
    } catch (e) {
      throw describeGoogleError(e, this.account, this.opts.key?.private_key_id);
    }
    this.stats.fetches++;
    if (!token) throw new RegistryError('unauthorized', `Google returned no access token for ${this.account}. Try again, or reconnect.`);
    const expiry = client.credentials?.expiry_date;
    this.set(token, typeof expiry === 'number' && expiry > started ? expiry - started : undefined, started);
    this.opts.log?.(`Google: new access token for ${this.account} (${reason}); valid ${Math.round(this.current!.lifetimeMs / 1000)} s.`);
    return token;
  }

  private set(token: string, lifetimeMs: number | undefined, started: number): void {
    const life = lifetimeMs ?? ASSUMED_LIFETIME_MS;
    this.current = { token, expiresAt: started + life, lifetimeMs: life };
    this.credentials.password = token;
  }

  /**
   * A new client for every fetch: the library's own token cache would otherwise hand back the
   * token we are replacing, and a fresh client also picks up a re-run `gcloud auth
   * application-default login` or a rotated key file.
   */
  private async newClient(): Promise<AuthClient> {
    const lib = await import('google-auth-library');
    let client: AuthClient;
    if (this.opts.key) {
      client = new lib.JWT({ email: this.opts.key.client_email, key: this.opts.key.private_key, keyId: this.opts.key.private_key_id, scopes: [CLOUD_PLATFORM_SCOPE] });
    } else {
      const auth = new lib.GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] });
      client = await auth.getClient();
      const email = (client as { email?: unknown }).email;
      this.adcAccount =
        typeof email === 'string' && email
          ? `service account ${email} (application default credentials)`
          : process.env.GOOGLE_APPLICATION_CREDENTIALS
            ? `the application default credentials in ${process.env.GOOGLE_APPLICATION_CREDENTIALS}`
            : 'the application default credentials';
    }
    this.configure(client);
    return client;
  }

  private configure(client: AuthClient): void {
    const transporter = client.transporter;
    if (this.opts.proxy?.url) {
      transporter.defaults.proxy = this.opts.proxy.url;
      if (this.opts.proxy.noProxy) transporter.defaults.noProxy = this.opts.proxy.noProxy.split(',').map((s) => s.trim()).filter(Boolean);
    }
    transporter.defaults.timeout ??= 30_000;
    const override = this.opts.tokenUrl;
    if (override) {
      transporter.interceptors.request.add({
        resolved: async (req) => {
          if (req.url.href === GOOGLE_TOKEN_URL) req.url = new URL(override);
          return req;
        },
      });
    }
  }
}

/** The token endpoint a base URL from `apiBaseUrls['google-token']` stands for. */
export function tokenUrlFrom(base: string | undefined): string | undefined {
  if (!base) return undefined;
  const u = new URL(base);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/token';
  return u.toString();
}
