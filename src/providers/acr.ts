// Azure Container Registry. The login server (`NAME.azurecr.io`) speaks the Registry API with
// a working `_catalog`, so repositories and tags are listed through the registry itself. Its
// Bearer realm is the login server's `/oauth2/token`, which takes:
//
//   - Basic credentials: the admin user (or a repository-scoped token) and its password, or a
//     service principal's application ID and client secret — the registry client's ordinary
//     token flow;
//   - an ACR refresh token, by OAuth2 POST grant_type=refresh_token. Given a Microsoft Entra
//     (Azure AD) access token, the refresh token comes from `POST /oauth2/exchange`
//     (grant_type=access_token); `az acr login --expose-token` prints one directly.
//
// Lifetimes: access tokens from /oauth2/token are short (the client caches them and fetches
// again after a 401); refresh tokens live about three hours, so one is exchanged again shortly
// before it expires, as long as the Entra token it came from is still valid. When the registry
// or its token endpoint rejects what we hold anyway (an access token expired mid-listing, a
// revoked refresh token), the registry client asks for fresh credentials once: that is a new
// exchange, and the call goes through without the user seeing the failure.
//
// Test and self-hosted overrides (`registryExplorer.apiEndpoints`): `acr` replaces the origin
// of the token exchange (normally the login server itself).

import * as v from 'valibot';
import { RegistryClient } from '../registry/client';
import { staticCredentials, type CredentialSource } from '../registry/credentials';
import { parseEndpoint } from '../registry/endpoint';
import { RegistryError, isRegistryError, parseErrorBody } from '../registry/errors';
import { parseWire, wireObject } from '../registry/wire';
import { ControlPlane, GuardedRegistryClient, apiCode, apiMessage, clientOptions, hideSecrets, reword, scrub } from './controlPlane';
import type { DockerConfigEntry } from './dockerConfig';
import { displayNameField, type FieldError, type FormValues, type ProviderForm } from './form';
import { V2Connection, bool, checkAddress, keepSecret, str } from './generic';
import { jwtClaims } from './jwt';
import { errorMessage } from './messages';

export { jwtClaims };
import type { ConnectionConfig, ConnectionSecrets, FormResult, ProviderContext, RegistryProvider, TestStep } from './provider';

/** The user name Azure pairs with an ACR refresh token (`az acr login --expose-token`). */
export const ACR_TOKEN_USERNAME = '00000000-0000-0000-0000-000000000000';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REGISTRY_NAME = /^[a-z0-9]{5,50}$/;
/** Exchange again when less than a quarter of the refresh token's life, at most 5 minutes, is left. */
const MAX_MARGIN_MS = 5 * 60_000;
/** When a refresh token carries no readable `exp`, assume ACR's three hours. */
const ASSUMED_REFRESH_LIFETIME_MS = 3 * 3600_000;
const GET_TOKEN_COMMAND = 'az account get-access-token --resource https://containerregistry.azure.net --query accessToken -o tsv';

export type AcrAuth = 'admin' | 'servicePrincipal' | 'token';

export function isAcrHost(host: string): boolean {
  return /^[a-z0-9]+\.azurecr\.(io|cn|us)$/.test(host.trim().toLowerCase().replace(/^https?:\/\//, '').split('/')[0] ?? '');
}

export const acrForm: ProviderForm = {
  id: 'acr',
  title: 'Azure Container Registry',
  description: 'NAME.azurecr.io with the admin user, a service principal or a Microsoft Entra token.',
  icon: 'azure',
  help:
    'Admin user: in the Azure portal open the registry → Settings → Access keys, turn on Admin user and copy a password (a repository-scoped token from Repository permissions → Tokens works the same way). ' +
    'Service principal: its application (client) ID and a client secret from Microsoft Entra ID → App registrations → Certificates & secrets; give it the AcrPull role on the registry (AcrDelete to delete tags). ' +
    'Microsoft Entra token: paste the output of “' +
    GET_TOKEN_COMMAND +
    '” (or of az acr login --name NAME --expose-token); it is exchanged for a registry refresh token, renewed while the Entra token is valid.',
  docsUrl: 'https://learn.microsoft.com/azure/container-registry/container-registry-authentication',
  fields: [
    {
      id: 'loginServer',
      label: 'Login server',
      kind: 'text',
      required: true,
      placeholder: 'myregistry.azurecr.io',
      help: 'Shown on the registry’s Overview page in the Azure portal. The registry name alone is enough for azurecr.io.',
    },
    {
      id: 'auth',
      label: 'Sign in with',
      kind: 'select',
      default: 'admin',
      options: [
        { value: 'admin', label: 'Admin user or repository-scoped token' },
        { value: 'servicePrincipal', label: 'Service principal' },
        { value: 'token', label: 'Microsoft Entra (Azure AD) token' },
      ],
    },
    { id: 'username', label: 'Username', kind: 'text', showIf: { field: 'auth', equals: 'admin' }, help: 'The admin user is named like the registry; Access keys shows it.' },
    { id: 'password', label: 'Password', kind: 'password', secret: true, showIf: { field: 'auth', equals: 'admin' }, help: 'Access keys → password or password2. Stored in VS Code’s secret storage.' },
    {
      id: 'appId',
      label: 'Application (client) ID',
      kind: 'text',
      placeholder: '12345678-90ab-cdef-1234-567890abcdef',
      showIf: { field: 'auth', equals: 'servicePrincipal' },
      help: 'Microsoft Entra ID → App registrations → your app → Overview. The principal needs AcrPull on the registry.',
    },
    { id: 'clientSecret', label: 'Client secret', kind: 'password', secret: true, showIf: { field: 'auth', equals: 'servicePrincipal' }, help: 'The secret’s Value (not its ID) from Certificates & secrets.' },
    {
      id: 'aadToken',
      label: 'Access token',
      kind: 'password',
      secret: true,
      showIf: { field: 'auth', equals: 'token' },
      help: `Output of ${GET_TOKEN_COMMAND}, or the accessToken of az acr login --name NAME --expose-token.`,
    },
    { id: 'tenant', label: 'Tenant ID (optional)', kind: 'text', showIf: { field: 'auth', equals: 'token' }, help: 'Read from the token when left empty.' },
    { id: 'insecure', label: 'Allow insecure (skip TLS verification, allow plain HTTP)', kind: 'checkbox', default: false },
    displayNameField('Defaults to the login server'),
  ],
};

function expiryOf(claims: Record<string, unknown> | undefined): number | undefined {
  const exp = claims?.exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
}

/** An ACR refresh token (from the exchange or `--expose-token`), as opposed to an Entra access token. */
export function isAcrRefreshToken(token: string): boolean {
  return jwtClaims(token)?.iss === 'Azure Container Registry';
}

function normalizeLoginServer(typed: string): string {
  const t = typed.trim().replace(/\/+$/, '');
  if (REGISTRY_NAME.test(t.toLowerCase())) return `${t.toLowerCase()}.azurecr.io`;
  return /^https?:\/\//i.test(t) ? t.replace(/^(https?:\/\/)([^/]+)/i, (_m, s: string, h: string) => s.toLowerCase() + h.toLowerCase()) : t.toLowerCase();
}

function clock(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** The form → connection logic; `now` for tests of token expiry. */
export function acrFromForm(values: FormValues, previous?: { config: ConnectionConfig; secrets: ConnectionSecrets }, now = Date.now()): FormResult {
  const errors: FieldError[] = [];
  const typed = str(values, 'loginServer');
  const loginServer = normalizeLoginServer(typed);
  const insecure = bool(values, 'insecure');
  if (!typed) errors.push({ field: 'loginServer', message: 'Enter the login server, for example myregistry.azurecr.io (Overview page of the registry in the Azure portal).' });
  else checkAddress(loginServer, insecure, errors, 'loginServer');
  const authValue = str(values, 'auth') || 'admin';
  const auth: AcrAuth = authValue === 'servicePrincipal' || authValue === 'token' ? authValue : 'admin';
  // Stored secrets carry over only to the same way of signing in, as the same identity.
  const prev = previous?.config.provider === 'acr' && previous.config.options?.auth === auth ? previous : undefined;
  let username: string | undefined;
  const secrets: ConnectionSecrets = {};
  const options: Record<string, string | boolean> = { auth };

  if (auth === 'admin') {
    username = str(values, 'username');
    const password = keepSecret(values, 'password', prev && prev.config.username === username ? prev.secrets : undefined);
    if (!username) errors.push({ field: 'username', message: 'Enter the admin user name (Access keys in the Azure portal; it is the registry name) or the token name.' });
    if (!password) errors.push({ field: 'password', message: 'Paste password or password2 from the registry’s Access keys page.' });
    else secrets.password = password;
  } else if (auth === 'servicePrincipal') {
    username = str(values, 'appId').toLowerCase();
    const secret = keepSecret(values, 'clientSecret', prev && prev.config.username === username ? prev.secrets : undefined);
    if (!GUID.test(username)) {
      errors.push({ field: 'appId', message: 'Enter the application (client) ID, a GUID like 12345678-90ab-cdef-1234-567890abcdef, from App registrations → Overview (not the display name or object ID).' });
    }
    if (!secret) errors.push({ field: 'clientSecret', message: 'Paste the client secret’s Value from Certificates & secrets.' });
    else secrets.clientSecret = secret;
  } else {
    const token = keepSecret(values, 'aadToken', prev?.secrets)?.trim();
    const tenant = str(values, 'tenant');
    if (!token) errors.push({ field: 'aadToken', message: `Paste an access token: run ${GET_TOKEN_COMMAND}.` });
    else {
      const claims = jwtClaims(token);
      const exp = expiryOf(claims);
      if (!claims) errors.push({ field: 'aadToken', message: 'This is not an access token (a long text of three dot-separated parts). Copy the whole output of the az command.' });
      else if (exp !== undefined && exp <= now) {
        errors.push({ field: 'aadToken', message: `This token expired at ${clock(exp)}. Get a fresh one with ${GET_TOKEN_COMMAND}.` });
      } else secrets.aadToken = token;
    }
    if (tenant && !GUID.test(tenant) && !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(tenant)) {
      errors.push({ field: 'tenant', message: 'Enter the tenant ID (a GUID) or its domain such as contoso.onmicrosoft.com, or leave it empty.' });
    } else if (tenant) options.tenant = tenant;
  }
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    config: {
      provider: 'acr',
      name: str(values, 'name') || loginServer.replace(/^https?:\/\//, ''),
      url: loginServer,
      ...(username ? { username } : {}),
      ...(insecure ? { insecure } : {}),
      options,
    },
    secrets,
  };
}

export const acrProvider: RegistryProvider = {
  form: acrForm,

  fromForm: (values, previous) => acrFromForm(values, previous),

  toForm(config) {
    const auth = (config.options?.auth as AcrAuth | undefined) ?? 'admin';
    return {
      loginServer: config.url,
      auth,
      username: auth === 'admin' ? (config.username ?? '') : '',
      appId: auth === 'servicePrincipal' ? (config.username ?? '') : '',
      tenant: typeof config.options?.tenant === 'string' ? config.options.tenant : '',
      insecure: !!config.insecure,
      name: config.name,
    };
  },

  fromDockerConfig(entry: DockerConfigEntry): { config: Omit<ConnectionConfig, 'id'>; secrets: ConnectionSecrets } | undefined {
    const host = entry.registry.toLowerCase();
    const refresh = entry.identityToken ?? (entry.username === ACR_TOKEN_USERNAME ? entry.password : undefined);
    if (refresh) {
      return { config: { provider: 'acr', name: host, url: host, options: { auth: 'token' } }, secrets: { aadToken: refresh } };
    }
    if (!entry.username || !entry.password) return undefined;
    const sp = GUID.test(entry.username);
    return {
      config: { provider: 'acr', name: host, url: host, username: sp ? entry.username.toLowerCase() : entry.username, options: { auth: sp ? 'servicePrincipal' : 'admin' } },
      secrets: sp ? { clientSecret: entry.password } : { password: entry.password },
    };
  },

  connect(config, secrets, ctx) {
    return new AcrConnection(config, secrets, ctx);
  },
};

/** What POST /oauth2/exchange answers (see registry/wire.ts). */
const exchangeAnswerSchema = wireObject({ refresh_token: v.pipe(v.string(), v.check((t: string) => t !== '', 'is empty')) });

interface Current {
  token: string;
  expiresAt: number;
  lifetimeMs: number;
}

/**
 * ACR refresh tokens for the registry client, from a Microsoft Entra token by exchange (or
 * given directly). The credentials object is handed to the client once and updated in place.
 */
export class AcrRefreshTokens {
  readonly credentials = { kind: 'refreshToken' as const, refreshToken: '', username: ACR_TOKEN_USERNAME };
  readonly stats = { exchanges: 0 };
  private current?: Current;
  private pending?: Promise<void>;
  private readonly direct: boolean;
  private readonly givenExpiresAt?: number;
  private readonly tenant?: string;
  private readonly now: () => number;

  constructor(
    private readonly given: string,
    private readonly opts: { api: ControlPlane; service: string; tenant?: string; log?: (m: string) => void; now?: () => number },
  ) {
    this.now = opts.now ?? Date.now;
    const claims = jwtClaims(given);
    this.direct = claims?.iss === 'Azure Container Registry';
    this.givenExpiresAt = expiryOf(claims);
    this.tenant = opts.tenant ?? (typeof claims?.tid === 'string' ? claims.tid : undefined);
  }

  /** The Entra token can still be exchanged. */
  get canExchange(): boolean {
    return !this.direct && (this.givenExpiresAt === undefined || this.givenExpiresAt > this.now());
  }

  get expiresAt(): number | undefined {
    return this.current?.expiresAt;
  }

  /**
   * What the registry client calls. `forceRefresh` comes after the registry or its token
   * endpoint rejected what we had: a new exchange then, while the Entra token allows it.
   */
  readonly source: CredentialSource = async ({ forceRefresh, signal }) => {
    await this.ensure(forceRefresh, signal);
    return this.credentials;
  };

  /** A refresh token with more than the margin left; `force` exchanges again whatever its age (when possible). */
  async ensure(force = false, signal?: AbortSignal): Promise<void> {
    const c = this.current;
    const fresh = c && c.expiresAt - this.now() > Math.min(MAX_MARGIN_MS, c.lifetimeMs / 4);
    if (fresh && !force) return;
    if (this.direct) {
      if (!c) {
        const expiresAt = this.givenExpiresAt ?? this.now() + ASSUMED_REFRESH_LIFETIME_MS;
        this.set(this.given, expiresAt, expiresAt - this.now());
        if (expiresAt > this.now()) return;
      }
      if (this.current!.expiresAt > this.now()) return;
      throw new RegistryError(
        'unauthorized',
        `The registry refresh token expired at ${clock(this.current!.expiresAt)}. Run az acr login --name NAME --expose-token (or ${GET_TOKEN_COMMAND}) and paste the new token into the connection.`,
      );
    }
    if (!this.canExchange) {
      // Keep using a refresh token that still has life in it; only then ask the user.
      if (c && c.expiresAt > this.now()) return;
      throw new RegistryError(
        'unauthorized',
        `The Microsoft Entra token expired at ${clock(this.givenExpiresAt!)}, and with it the registry’s refresh token. Get a new one with ${GET_TOKEN_COMMAND} and paste it into the connection.`,
      );
    }
    const reason = !c ? 'first use' : force ? 'the registry rejected the last one' : `the current one expires in ${Math.max(0, Math.round((c.expiresAt - this.now()) / 1000))} s`;
    this.pending ??= this.exchange(reason, signal).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async exchange(reason: string, signal?: AbortSignal): Promise<void> {
    const { api } = this.opts;
    const started = this.now();
    const form: Record<string, string> = { grant_type: 'access_token', service: this.opts.service, access_token: this.given };
    if (this.tenant) form.tenant = this.tenant;
    let res;
    try {
      res = await api.request('POST', api.url('/oauth2/exchange'), { form, signal });
    } catch (e) {
      throw isRegistryError(e) ? reword(e, scrub(e.message, [this.given]) ?? e.message) : e;
    }
    this.stats.exchanges++;
    const said = scrub(apiMessage(res.json), [this.given]);
    const code = apiCode(res.json);
    const detail = said ? ` (${said})` : '';
    const opts = { status: res.status, ...(code ? { code } : {}) };
    if (res.status === 401 || res.status === 403) {
      throw new RegistryError(
        'unauthorized',
        `${this.opts.service} did not accept the Microsoft Entra token${detail}. It may have expired, be for another tenant, or your account may have no role on this registry. Get a new one with ${GET_TOKEN_COMMAND}, check the tenant, then edit the connection.`,
        opts,
      );
    }
    if (res.status === 404 || res.status === 405) {
      throw new RegistryError('protocol', `${this.opts.service} offers no token exchange (POST /oauth2/exchange answered ${res.status}). Is this an Azure Container Registry login server?`, opts);
    }
    if (res.status === 400) throw new RegistryError('invalid', `${this.opts.service} refused the token exchange${detail}. Check the token and the tenant.`, opts);
    if (res.status !== 200) throw new RegistryError(res.status >= 500 ? 'network' : 'protocol', `The token exchange of ${this.opts.service} answered HTTP ${res.status}${detail}.`, opts);
    const token = parseWire(exchangeAnswerSchema, res.json, `The token exchange of ${this.opts.service}`, 'an answer').refresh_token;
    const exp = expiryOf(jwtClaims(token));
    const expiresAt = exp !== undefined && exp > started ? exp : started + ASSUMED_REFRESH_LIFETIME_MS;
    this.set(token, expiresAt, expiresAt - started);
    this.opts.log?.(`ACR: new refresh token for ${this.opts.service} (${reason}); valid ${Math.round((expiresAt - started) / 1000)} s.`);
  }

  private set(token: string, expiresAt: number, lifetimeMs: number): void {
    this.current = { token, expiresAt, lifetimeMs };
    this.credentials.refreshToken = token;
  }
}

export class AcrConnection extends V2Connection {
  readonly tokens?: AcrRefreshTokens;
  private readonly api: ControlPlane;
  /** Left out of anything the login server says that reaches a message. */
  private readonly secretList: (string | undefined)[];

  constructor(config: ConnectionConfig, secrets: ConnectionSecrets, ctx: ProviderContext) {
    const endpoint = parseEndpoint(config.url, config.insecure).url;
    const host = endpoint.host;
    const auth = (config.options?.auth as AcrAuth | undefined) ?? 'admin';
    const api = new ControlPlane({ baseUrl: ctx.apiBaseUrls?.acr ?? endpoint, label: `the token exchange of ${host}`, proxy: ctx.proxy, userAgent: ctx.userAgent, log: ctx.log, insecure: config.insecure });
    const tenant = typeof config.options?.tenant === 'string' ? config.options.tenant : undefined;
    const tokens = auth === 'token' && secrets.aadToken ? new AcrRefreshTokens(secrets.aadToken, { api, service: host, tenant, log: ctx.log }) : undefined;
    const password = auth === 'servicePrincipal' ? secrets.clientSecret : secrets.password;
    const credentials: CredentialSource | undefined = tokens
      ? tokens.source
      : auth !== 'token' && config.username && password
        ? staticCredentials({ kind: 'basic', username: config.username, password })
        : undefined;
    const secretList = [secrets.password, secrets.clientSecret, secrets.aadToken];
    const client: RegistryClient = new GuardedRegistryClient(
      { ...clientOptions(config.url, ctx, 'ACR'), insecure: config.insecure, credentials },
      {
        before: tokens ? (signal) => tokens.ensure(false, signal) : undefined,
        error: (e) => acrError(e, host, auth, config.username, secretList),
      },
    );
    super(config, client);
    this.api = api;
    this.tokens = tokens;
    this.secretList = secretList;
  }

  override async test(signal?: AbortSignal): Promise<TestStep[]> {
    const steps: TestStep[] = [];
    if (this.tokens) {
      try {
        await this.tokens.ensure(false, signal);
        const until = this.tokens.expiresAt;
        steps.push({ label: `Got a registry refresh token from ${this.registryHost}`, ok: true, ...(until ? { detail: `Valid until ${clock(until)}; renewed automatically while the Entra token is valid.` } : {}) });
      } catch (e) {
        steps.push({ label: `Exchange the Microsoft Entra token at ${this.registryHost}`, ok: false, detail: errorMessage(e), field: 'aadToken' });
        return steps;
      }
    }
    // A credentials failure concerns the secret of the chosen way of signing in.
    const auth = (this.config.options?.auth as AcrAuth | undefined) ?? 'admin';
    const field = auth === 'servicePrincipal' ? 'clientSecret' : auth === 'token' ? 'aadToken' : 'password';
    const registry = (await super.test(signal)).map((s) => (!s.ok && /rejected|sign in|denied|expired/i.test(s.detail ?? '') ? { ...s, field } : s));
    return [...steps, ...registry];
  }

  /**
   * ACR's data-plane API on the login server (`DELETE /acr/v1/NAME`), through the registry
   * client: the same sign-in, a token with `repository:NAME:delete`.
   */
  async deleteRepository(repository: string, signal?: AbortSignal): Promise<void> {
    const res = await this.client.exchange({ method: 'DELETE', path: `/acr/v1/${repository}`, signal, maxBodyBytes: 1024 * 1024 });
    if (res.status === 202 || res.status === 200 || res.status === 204) return;
    const { code, message: said } = parseErrorBody(res.body);
    // Bypasses the client's error guard, so the login server's words are cut short and cleaned here.
    const message = scrub(said, [...this.secretList, this.tokens?.credentials.refreshToken]);
    const opts = { status: res.status, ...(code ? { code } : {}) };
    if (res.status === 404) throw new RegistryError('notFound', `${this.registryHost} has no repository ${repository}. It may have been deleted already; refresh the list.`, opts);
    if (res.status === 403) throw new RegistryError('forbidden', `${this.registryHost} does not let these credentials delete ${repository}${message ? ` (${message})` : ''}. Deleting takes the AcrDelete role (or Contributor/Owner).`, opts);
    throw new RegistryError(res.status >= 500 ? 'network' : 'protocol', `${this.registryHost} answered HTTP ${res.status} to deleting ${repository}${message ? ` (${message})` : ''}.`, opts);
  }

  override async dispose(): Promise<void> {
    await Promise.all([super.dispose(), this.api.close()]);
  }
}

/** The registry's failures in Azure's terms; no secret survives. */
function acrError(e: unknown, host: string, auth: AcrAuth, username: string | undefined, secrets: (string | undefined)[]): unknown {
  if (!isRegistryError(e)) return e;
  if (e.kind === 'unauthorized' && /rejected the credentials/.test(e.message)) {
    if (auth === 'admin') {
      return reword(
        e,
        `${host} rejected the user “${username ?? ''}”. In the Azure portal open the registry → Access keys: check that Admin user is enabled and copy a current password (regenerating one invalidates the old). For a repository-scoped token, check that it is enabled and its password current.`,
      );
    }
    if (auth === 'servicePrincipal') {
      return reword(
        e,
        `${host} rejected the service principal ${username ?? ''}. Check the client secret (it may have expired: App registrations → Certificates & secrets) and that the principal has the AcrPull role on the registry.`,
      );
    }
    return reword(e, `${host} rejected the registry refresh token. Get a new Microsoft Entra token with ${GET_TOKEN_COMMAND} and paste it into the connection.`);
  }
  if (e.kind === 'forbidden' && !/AcrPull/.test(e.message)) {
    return reword(e, `${hideSecrets(e.message, secrets) ?? e.message} On Azure, the AcrPull role lets an identity browse; AcrDelete lets it delete.`);
  }
  const clean = hideSecrets(e.message, secrets);
  return clean ? reword(e, clean) : e;
}
