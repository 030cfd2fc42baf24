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

import { createPrivateKey } from 'node:crypto';
import type { AuthClient } from 'google-auth-library';
import type { CredentialSource } from '../registry/credentials';
import type { ProxySettings } from '../registry/dispatcher';
import { RegistryError, type RegistryErrorKind } from '../registry/errors';

export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** The registry username that goes with an access token as the password. */
export const ACCESS_TOKEN_USERNAME = 'oauth2accesstoken';

const MAX_KEY_BYTES = 64 * 1024;
const MAX_MARGIN_MS = 5 * 60_000;
/** When the library does not say how long a token lives. */
const ASSUMED_LIFETIME_MS = 55 * 60_000;

export interface ServiceAccountKey {
  type: 'service_account';
  client_email: string;
  private_key: string;
  private_key_id?: string;
  project_id?: string;
}

/**
 * Reads a service-account JSON key. Errors say what is wrong and what to do, never quoting the
 * key: the text may be a private key pasted into the wrong field.
 */
export function parseServiceAccountKey(text: string): { ok: true; key: ServiceAccountKey } | { ok: false; message: string } {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, message: 'Choose the service account’s JSON key file, or paste its contents.' };
  if (Buffer.byteLength(trimmed) > MAX_KEY_BYTES) {
    return { ok: false, message: 'This is far larger than a service-account key (about 2 KB). Choose the .json key file downloaded from the Cloud console.' };
  }
  if (trimmed.startsWith('-----BEGIN')) {
    return { ok: false, message: 'This is a bare PEM key. Use the whole JSON key file (IAM & Admin → Service accounts → Keys → Add key → JSON), which also names the account.' };
  }
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return { ok: false, message: 'This is not JSON. Choose the .json key file downloaded from IAM & Admin → Service accounts → Keys, or paste its whole contents.' };
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    return { ok: false, message: 'This JSON is not a service-account key. Choose the .json key file downloaded from IAM & Admin → Service accounts → Keys.' };
  }
  const o = json as Record<string, unknown>;
  const type = typeof o.type === 'string' ? o.type : undefined;
  if (type === 'authorized_user') {
    return { ok: false, message: 'This is a user credential (type authorized_user, from gcloud auth application-default login), not a service-account key. Choose “Application default credentials” instead.' };
  }
  if (type === 'external_account' || type === 'external_account_authorized_user' || type === 'impersonated_service_account') {
    return {
      ok: false,
      message: `This is a ${type === 'impersonated_service_account' ? 'service-account impersonation' : 'workload identity federation'} configuration (type ${type}), not a key. Set GOOGLE_APPLICATION_CREDENTIALS to its path and choose “Application default credentials”.`,
    };
  }
  if (type !== 'service_account') {
    const shown = type && /^[a-z_]{1,40}$/.test(type) ? `“${type}”` : type === undefined ? 'missing' : 'not recognised';
    return { ok: false, message: `The key’s “type” is ${shown}; a service-account key has "type": "service_account". Choose the .json key file of a service account.` };
  }
  const missing = ['client_email', 'private_key'].filter((f) => typeof o[f] !== 'string' || !(o[f] as string).trim());
  if (missing.length) {
    return { ok: false, message: `The key has no ${missing.join(' and no ')}: the file is incomplete. Download a new JSON key for the service account (IAM & Admin → Service accounts → Keys → Add key).` };
  }
  const email = (o.client_email as string).trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 320) {
    return { ok: false, message: 'The key’s client_email is not an e-mail address. Download a new JSON key for the service account.' };
  }
  try {
    createPrivateKey(o.private_key as string);
  } catch {
    return { ok: false, message: `The private_key of ${email} is damaged (not a readable PEM private key). Download a new JSON key for the service account.` };
  }
  return {
    ok: true,
    key: {
      type: 'service_account',
      client_email: email,
      private_key: o.private_key as string,
      ...(typeof o.private_key_id === 'string' && /^[A-Za-z0-9_-]{1,100}$/.test(o.private_key_id) ? { private_key_id: o.private_key_id } : {}),
      ...(typeof o.project_id === 'string' && o.project_id ? { project_id: o.project_id } : {}),
    },
  };
}

/** `_json_key_base64` passwords are the key file in base64. */
export function keyFromDockerPassword(username: string | undefined, password: string | undefined): string | undefined {
  if (!password || !username) return undefined;
  if (username === '_json_key') return password;
  if (username === '_json_key_base64') {
    try {
      return Buffer.from(password, 'base64').toString('utf8');
    } catch {
      return undefined;
    }
  }
  return undefined;
}

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

const JWT_LIKE = /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;
const PEM_LIKE = /-----BEGIN[^-]*-----[\s\S]*?(-----END[^-]*-----|$)/g;
const GOOGLE_TOKEN_LIKE = /\bya29\.[A-Za-z0-9._-]+/g;

/** Keeps a library message readable while making sure no assertion, key or token survives in it. */
export function scrub(text: string): string {
  return text.replace(PEM_LIKE, '[key]').replace(JWT_LIKE, '[jwt]').replace(GOOGLE_TOKEN_LIKE, '[token]').slice(0, 300);
}

/** Errors from the token exchange, by what the user should do about them. */
export function describeGoogleError(e: unknown, account: string, keyId?: string): RegistryError {
  if (e instanceof RegistryError) return e;
  const err = (e ?? {}) as { message?: unknown; code?: unknown; status?: unknown; response?: { status?: unknown; data?: unknown } };
  const status = typeof err.response?.status === 'number' ? err.response.status : typeof err.status === 'number' ? err.status : undefined;
  const data = err.response?.data && typeof err.response.data === 'object' ? (err.response.data as Record<string, unknown>) : undefined;
  const code = typeof data?.error === 'string' ? data.error : undefined;
  const description = typeof data?.error_description === 'string' ? scrub(data.error_description) : undefined;
  const said = code ? ` (${code}${description ? `: ${description}` : ''})` : '';
  const make = (kind: RegistryErrorKind, message: string) => new RegistryError(kind, message, { ...(status !== undefined ? { status } : {}), code: code ?? 'GOOGLE_AUTH' });
  const key = keyId ? ` ${keyId.slice(0, 8)}…` : '';

  if (code === 'invalid_grant') {
    if (/signature/i.test(description ?? '')) {
      return make(
        'unauthorized',
        `Google rejected the key${key} of ${account}${said}. The key was deleted or disabled, or the file is not a key of this account. Create a new JSON key (IAM & Admin → Service accounts → Keys) and edit the connection.`,
      );
    }
    if (/account not found|not found|deleted|disabled/i.test(description ?? '')) {
      return make('unauthorized', `Google does not know ${account}${said}: the account was deleted or disabled. Use a key of an existing service account.`);
    }
    if (/iat|exp|time|short-lived/i.test(description ?? '')) {
      return make('unauthorized', `Google refused the sign-in of ${account} because this computer’s clock is off${said}. Correct the system time, then retry.`);
    }
    return make('unauthorized', `Google rejected the credentials of ${account}${said}. Check the key or sign in again, then reconnect.`);
  }
  if (code === 'invalid_client' || code === 'unauthorized_client' || code === 'access_denied' || code === 'invalid_scope') {
    return make('unauthorized', `Google refused an access token to ${account}${said}. Check that the account is enabled and allowed to use Google Cloud APIs, then reconnect.`);
  }
  if (status === 403) return make('forbidden', `Google refused an access token to ${account}${said}.`);
  if (status === 429) return make('rateLimited', `Google’s token service is rate-limiting ${account}${said}. Wait a minute, then retry.`);
  if (status !== undefined && status >= 500) return make('network', `Google’s token service had a server error (HTTP ${status}). Try again shortly.`);
  if (status !== undefined) return make('unauthorized', `Google’s token service answered HTTP ${status} for ${account}${said}.`);

  const message = typeof err.message === 'string' ? err.message : String(e);
  if (/Could not load the default credentials/i.test(message)) {
    return new RegistryError(
      'invalid',
      'No application default credentials were found. Run “gcloud auth application-default login”, or set GOOGLE_APPLICATION_CREDENTIALS to a key file before starting VS Code, or use a service-account key in this connection.',
      { code: 'GOOGLE_NO_ADC' },
    );
  }
  if (/GOOGLE_APPLICATION_CREDENTIALS/.test(message)) {
    return new RegistryError('invalid', `The file named by GOOGLE_APPLICATION_CREDENTIALS could not be used: ${scrub(message.replace(/^.*?environment variable:\s*/, ''))}. Fix the variable, or use a service-account key in this connection.`, {
      code: 'GOOGLE_ADC_FILE',
    });
  }
  const net = typeof err.code === 'string' ? err.code : (e as { cause?: { code?: unknown } })?.cause?.code;
  if (typeof net === 'string' && /^(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|UND_ERR_\w+)$/.test(net)) {
    return new RegistryError('network', `Could not reach Google’s token service (${net}). Check the network and proxy settings.`, { code: net });
  }
  if (/fetch failed|network|socket|timeout|aborted/i.test(message)) {
    return new RegistryError('network', `Could not reach Google’s token service (${scrub(message)}). Check the network and proxy settings.`, { code: 'GOOGLE_NETWORK' });
  }
  return new RegistryError('unauthorized', `Could not get a Google access token for ${account}: ${scrub(message)}`, { code: 'GOOGLE_AUTH' });
}
