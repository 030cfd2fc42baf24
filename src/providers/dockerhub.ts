// Docker Hub: the registry is `registry-1.docker.io` (references say `docker.io`, and a
// one-segment name means `library/NAME`), but it has no usable `_catalog`, so repositories and
// tags come from the Hub API (hub.docker.com), which also gives each tag's push date, size and
// digest for free. The Hub API wants a session JWT from `POST /v2/users/login` (username +
// personal access token); it is short-lived, so it is renewed shortly before it expires and
// once more if the API rejects it. The registry itself authenticates through
// auth.docker.io's Bearer tokens with the same username + token as Basic: that is the
// registry client's ordinary token flow. Anonymous connections browse public namespaces.
//
// Test and self-hosted overrides (`registryExplorer.apiEndpoints`): `dockerhub` for the Hub
// API, `dockerhub-registry` for the registry.

import * as v from 'valibot';
import { createDispatcher } from '../registry/dispatcher';
import type { RegistryClient } from '../registry/client';
import type { CredentialSource } from '../registry/credentials';
import { RegistryError, isRegistryError } from '../registry/errors';
import type { ResponseHeaders } from '../registry/http';
import { paginate, type Page as ClientPage } from '../registry/paging';
import { DOCKER_HUB, DOCKER_HUB_REGISTRY, normalizeRegistryHost } from '../registry/reference';
import type { Dispatcher } from '../registry/undici';
import { optionalDigestSchema, parseWire, wireObject } from '../registry/wire';
import { listedFacts } from '../registry/listedKind';
import { displayNameField, type FieldError, type ProviderForm } from './form';
import { keepSecret, str } from './generic';
import { chainedPages, ControlPlane, GuardedRegistryClient, logPath, observeResponses, type ApiResponse } from './controlPlane';
import { jwtClaims } from './jwt';
import { countOf, errorMessage, rateLimitedError, serverWords } from './messages';
import type { Connection, ConnectionConfig, ConnectionSecrets, FormResult, Page, ProviderContext, RegistryProvider, RepositoryInfo, TagInfo, TestStep } from './provider';

export const DOCKER_HUB_API = 'https://hub.docker.com';
/** Hub API pages hold at most 100 entries. */
const HUB_PAGE_SIZE = 100;
/** Renew the Hub session this long before it expires (less for very short sessions). */
const RENEW_MARGIN_MS = 60_000;
/** When a session JWT says nothing believable about its lifetime, assume this one. */
const ASSUMED_LIFETIME_MS = 5 * 60_000;
/** A session claimed to outlive this (by our clock, without iat) is read with the assumed lifetime. */
const MAX_BELIEVED_LIFETIME_MS = 24 * 3600_000;

const NAMESPACE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** `docker.io`, `index.docker.io`, `registry-1.docker.io`, `registry.hub.docker.com`, with or without scheme/path. */
export function isDockerHubHost(host: string): boolean {
  const bare = host.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0] ?? '';
  return bare !== '' && normalizeRegistryHost(bare) === DOCKER_HUB;
}

/** `nginx` → `library/nginx`; names with a namespace are left as they are. */
export function hubRepository(name: string): string {
  return name.includes('/') ? name : `library/${name}`;
}

/** The namespaces a connection lists: the user's own first, then the chosen ones, without repeats. */
export function hubNamespaces(config: ConnectionConfig): string[] {
  const chosen = typeof config.options?.namespaces === 'string' ? config.options.namespaces.split(/[\s,]+/) : [];
  const all = [config.username?.toLowerCase() ?? '', ...chosen.map((n) => n.trim().toLowerCase())].filter(Boolean);
  return [...new Set(all)];
}

export const dockerHubForm: ProviderForm = {
  id: 'dockerhub',
  title: 'Docker Hub',
  description: 'Your repositories and your organizations’ on hub.docker.com, or any public namespace.',
  icon: 'package',
  help:
    'Sign in with your Docker ID and a personal access token: on Docker Hub open Account settings → Personal access tokens → Generate new token. ' +
    'Read-only access is enough to browse (Public Repo Read-only if you only browse public images); deleting tags needs Read, Write, Delete. ' +
    'A token is better than your password: it can be revoked on its own, and with two-factor authentication on, the password does not work here at all. ' +
    'Leave both empty to browse public namespaces anonymously (Docker Hub then limits pulls per IP address).',
  docsUrl: 'https://docs.docker.com/security/for-developers/access-tokens/',
  fields: [
    {
      id: 'username',
      label: 'Docker ID',
      kind: 'text',
      placeholder: 'Leave empty for anonymous access',
      help: 'Your Docker Hub username (shown at the top right of hub.docker.com), not your email address.',
    },
    {
      id: 'password',
      label: 'Personal access token',
      kind: 'password',
      secret: true,
      placeholder: 'dckr_pat_…',
      help: 'Account settings → Personal access tokens on Docker Hub. Stored in VS Code’s secret storage, never in settings.',
    },
    {
      id: 'namespaces',
      label: 'Namespaces',
      kind: 'list',
      placeholder: 'my-org\nlibrary',
      help: 'Organizations or users whose repositories to list, one per line; your own namespace is always included when you sign in. Use library for the Docker Official Images.',
    },
    displayNameField('Defaults to Docker Hub (your Docker ID)'),
  ],
};

export const dockerHubProvider: RegistryProvider = {
  form: dockerHubForm,

  fromForm(values, previous): FormResult {
    const errors: FieldError[] = [];
    const typed = str(values, 'username');
    let username = typed.toLowerCase();
    if (typed.includes('@')) {
      errors.push({ field: 'username', message: 'Use your Docker ID (the username shown on hub.docker.com), not your email address.' });
      username = '';
    } else if (typed && !/^[a-z0-9][a-z0-9_.-]*$/.test(username)) {
      errors.push({ field: 'username', message: `“${typed}” is not a Docker ID: it has only letters, digits, - and _. Copy it from the top right of hub.docker.com.` });
      username = '';
    }
    // A stored token belongs to the user it was saved with: a renamed connection keeps it, a new user does not.
    const sameUser = previous && (previous.config.username ?? '') === username;
    const password = keepSecret(values, 'password', sameUser ? previous.secrets : undefined);
    if (password !== undefined && /\s/.test(password)) {
      errors.push({ field: 'password', message: 'The token contains spaces or line breaks. Copy it again from Docker Hub and paste it whole.' });
    }
    if (password && !typed) errors.push({ field: 'username', message: 'Enter the Docker ID that the access token belongs to.' });
    if (username && !password) {
      errors.push({ field: 'password', message: `Enter a personal access token for ${username}, or clear the Docker ID to browse public repositories anonymously.` });
    }
    const namespaces = parseNamespaces(str(values, 'namespaces'), errors);
    if (!typed && !namespaces.length && !errors.some((e) => e.field === 'namespaces')) {
      errors.push({ field: 'namespaces', message: 'Without a Docker ID, name at least one namespace to browse, for example library for the Docker Official Images.' });
    }
    if (errors.length) return { ok: false, errors };
    const extra = namespaces.filter((n) => n !== username);
    return {
      ok: true,
      config: {
        provider: 'dockerhub',
        name: str(values, 'name') || (username ? `Docker Hub (${username})` : 'Docker Hub'),
        url: DOCKER_HUB,
        ...(username ? { username } : {}),
        ...(extra.length ? { options: { namespaces: extra.join(',') } } : {}),
      },
      secrets: password ? { password } : {},
    };
  },

  toForm(config) {
    return {
      username: config.username ?? '',
      namespaces: hubNamespaces({ ...config, username: undefined }).join('\n'),
      name: config.name,
    };
  },

  connect(config, secrets, ctx) {
    return new DockerHubConnection(config, secrets, ctx);
  },

  fromDockerConfig(entry) {
    if (!isDockerHubHost(entry.registry)) return undefined;
    const typed = entry.username && entry.username !== '<token>' ? entry.username.toLowerCase() : '';
    const username = /^[a-z0-9][a-z0-9_.-]*$/.test(typed) ? typed : '';
    const secrets: ConnectionSecrets = {};
    if (username && entry.password) secrets.password = entry.password;
    else if (entry.identityToken) secrets.identityToken = entry.identityToken;
    return {
      config: {
        provider: 'dockerhub',
        name: username ? `Docker Hub (${username})` : 'Docker Hub',
        url: DOCKER_HUB,
        ...(username ? { username } : { options: { namespaces: 'library' } }),
      },
      secrets,
    };
  },
};

function parseNamespaces(text: string, errors: FieldError[]): string[] {
  const names = text
    .split(/[\n,]/)
    .map((s) => s.trim().replace(/^https?:\/\/hub\.docker\.com\/(?:u|orgs|r)\//i, '').replace(/\/+$/, '').toLowerCase())
    .filter(Boolean);
  const bad = names.filter((n) => !NAMESPACE.test(n));
  if (bad.length) {
    errors.push({
      field: 'namespaces',
      message: `Not a Docker Hub namespace: ${bad.slice(0, 3).join(', ')}. Use the name as it appears in hub.docker.com/u/NAME: lower-case letters, digits, - and _, one per line.`,
    });
  }
  return [...new Set(names.filter((n) => NAMESPACE.test(n)))];
}

/** What Docker Hub's registry says about the pull limit (`ratelimit-remaining: 76;w=21600`). */
export interface RateLimit {
  remaining: number;
  limit?: number;
  /** Seconds. */
  windowSeconds?: number;
  observedAt: Date;
}

export function parseRateLimit(headers: ResponseHeaders | undefined, now = new Date()): RateLimit | undefined {
  const remaining = headers?.get('ratelimit-remaining');
  if (!remaining) return undefined;
  const parse = (v: string | undefined): { n?: number; w?: number } => {
    const m = /^\s*(\d+)(?:\s*;\s*w\s*=\s*(\d+))?/i.exec(v ?? '');
    return m ? { n: Number(m[1]), ...(m[2] ? { w: Number(m[2]) } : {}) } : {};
  };
  const r = parse(remaining);
  if (r.n === undefined) return undefined;
  const l = parse(headers?.get('ratelimit-limit'));
  const window = r.w ?? l.w;
  return { remaining: r.n, ...(l.n !== undefined ? { limit: l.n } : {}), ...(window !== undefined ? { windowSeconds: window } : {}), observedAt: now };
}

export function describeRateLimit(r: RateLimit): string {
  const window = r.windowSeconds ? ` per ${r.windowSeconds % 3600 === 0 ? `${r.windowSeconds / 3600} h` : `${Math.round(r.windowSeconds / 60)} min`}` : '';
  return r.limit !== undefined ? `${r.remaining} of ${r.limit} pulls left${window}` : `${r.remaining} pulls left${window}`;
}

interface HubSessionToken {
  token: string;
  expiresAt: number;
  renewAt: number;
}

type What = { kind: 'namespace'; name: string } | { kind: 'repository'; name: string } | { kind: 'delete'; name: string } | { kind: 'login' };

function describe(what: What): string {
  return what.kind === 'namespace' ? `the repositories of ${what.name}` : what.kind === 'repository' ? `the tags of ${what.name}` : what.kind === 'delete' ? `the repository ${what.name}` : 'the sign-in';
}

/** What the failed request was doing, for “had a server error (HTTP 503) …”. */
function doing(what: What): string {
  return what.kind === 'delete' ? `deleting ${what.name}` : `reading ${describe(what)}`;
}

// The Hub API's answers, as schemas (see registry/wire.ts). A list's envelope and each item's
// name are required; dates and sizes are facts we show, so an odd one is left out, not fatal.
const hubLoginSchema = wireObject({ token: v.pipe(v.string(), v.check((t: string) => t !== '', 'is empty')) });

const hubRepositorySchema = wireObject({
  name: v.string(),
  namespace: v.nullish(v.string()),
  last_updated: v.nullish(v.string()),
});

const hubTagSchema = wireObject({
  name: v.string(),
  digest: optionalDigestSchema,
  full_size: v.nullish(v.number()),
  last_updated: v.nullish(v.string()),
  tag_last_pushed: v.nullish(v.string()),
  content_type: v.nullish(v.string()),
});

function hubListSchema<S extends v.GenericSchema>(item: S) {
  return wireObject({ next: v.nullish(v.string()), results: v.optional(v.array(item), []) });
}

const hubRepositoryListSchema = hubListSchema(hubRepositorySchema);
const hubTagListSchema = hubListSchema(hubTagSchema);

/** How long a Hub session lasts, read on the issuer's clock (exp − iat), since ours may be hours off. */
export function sessionLifetimeMs(claims: Record<string, unknown> | undefined, startedAt: number): number {
  const exp = typeof claims?.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp * 1000 : undefined;
  const iat = typeof claims?.iat === 'number' && Number.isFinite(claims.iat) ? claims.iat * 1000 : undefined;
  if (exp !== undefined && iat !== undefined && exp > iat) return exp - iat;
  // Without iat, exp against our clock is the best there is, when it is believable.
  if (exp !== undefined && exp - startedAt > 0 && exp - startedAt <= MAX_BELIEVED_LIFETIME_MS) return exp - startedAt;
  return ASSUMED_LIFETIME_MS;
}

export class DockerHubConnection implements Connection {
  readonly registryHost = DOCKER_HUB;
  readonly client: RegistryClient;
  readonly api: ControlPlane;
  /** Counts for tests and diagnostics. */
  readonly stats = { logins: 0, apiRequests: 0 };
  private readonly dispatcher: Dispatcher;
  private readonly username?: string;
  private readonly password?: string;
  private session?: HubSessionToken;
  private signingIn?: Promise<HubSessionToken>;
  private limit?: RateLimit;
  private readonly now: () => number;

  constructor(
    readonly config: ConnectionConfig,
    secrets: ConnectionSecrets,
    private readonly ctx: ProviderContext,
    opts: { now?: () => number } = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.username = config.username || undefined;
    this.password = secrets.password || undefined;
    this.dispatcher = createDispatcher({ proxy: ctx.proxy });
    const registryUrl = ctx.apiBaseUrls?.['dockerhub-registry'] ?? DOCKER_HUB_REGISTRY;
    // Docker Hub's registry reports the pull limit on manifest responses; the registry client
    // does not hand headers out, so they are read where they arrive.
    const observed = observeResponses(this.dispatcher, (r) => {
      if (/\/manifests\/[^/]+$/.test(r.url.pathname)) this.observeRateLimit(r.headers);
    });
    this.api = new ControlPlane({
      baseUrl: ctx.apiBaseUrls?.dockerhub ?? DOCKER_HUB_API,
      label: 'the Docker Hub API',
      dispatcher: this.dispatcher,
      userAgent: ctx.userAgent,
      onResponse: (method, url, status) => {
        this.stats.apiRequests++;
        ctx.log?.(`Docker Hub API: ${method} ${logPath(url)} → ${status}`);
      },
    });
    const credentials: CredentialSource | undefined =
      this.username && this.password
        ? async () => ({ kind: 'basic', username: this.username!, password: this.password! })
        : secrets.identityToken
          ? async () => ({ kind: 'refreshToken', refreshToken: secrets.identityToken!, ...(this.username ? { username: this.username } : {}) })
          : undefined;
    // `nginx` means `library/nginx` everywhere.
    this.client = new GuardedRegistryClient({ url: registryUrl, proxy: ctx.proxy, userAgent: ctx.userAgent, dispatcher: observed, credentials }, { repository: hubRepository });
  }

  /** The pull limit as Docker Hub's registry last reported it (`ratelimit-remaining`), if it did. */
  get rateLimit(): RateLimit | undefined {
    return this.limit;
  }

  /** Feed the headers of a registry response; keeps the last reported pull limit. */
  observeRateLimit(headers: ResponseHeaders | undefined): void {
    const r = parseRateLimit(headers, new Date(this.now()));
    if (!r) return;
    const before = this.limit?.remaining;
    this.limit = r;
    if (before !== r.remaining) this.ctx.log?.(`Docker Hub pull limit: ${describeRateLimit(r)}`);
  }

  namespaces(): string[] {
    return hubNamespaces(this.config);
  }

  async listRepositories(signal?: AbortSignal): Promise<Page<RepositoryInfo>> {
    const namespaces = this.namespaces();
    if (!namespaces.length) {
      throw new RegistryError('invalid', 'This Docker Hub connection has no namespace to list. Edit it to sign in, or add the namespaces to browse (library for the Docker Official Images).');
    }
    return chainedPages(
      namespaces.map((ns) => (sig: () => AbortSignal | undefined) => this.repositoryPages(ns, sig)),
      HUB_PAGE_SIZE,
    )(signal);
  }

  async listTags(repository: string, signal?: AbortSignal): Promise<Page<TagInfo>> {
    const full = hubRepository(repository);
    const parts = full.split('/');
    if (parts.length !== 2 || !parts.every((p) => NAMESPACE.test(p))) {
      throw new RegistryError('invalid', `“${repository}” is not a Docker Hub repository: Docker Hub names are namespace/name in lower case.`);
    }
    return chainedPages([(sig: () => AbortSignal | undefined) => this.tagPages(parts[0]!, parts[1]!, sig)], HUB_PAGE_SIZE)(signal);
  }

  async test(signal?: AbortSignal): Promise<TestStep[]> {
    const steps: TestStep[] = [];
    if (this.username && this.password) {
      try {
        await this.sessionToken(signal);
        steps.push({ label: `Signed in to Docker Hub as ${this.username}`, ok: true });
      } catch (e) {
        steps.push({ label: `Sign in to Docker Hub as ${this.username}`, ok: false, detail: errorMessage(e) });
        return steps;
      }
    } else {
      steps.push({ label: 'Anonymous access', ok: true, detail: 'Public repositories only; Docker Hub limits anonymous pulls per IP address.' });
    }
    try {
      const ping = await this.client.ping(signal);
      steps.push({ label: `Reached the registry (${new URL(ping.url).host})`, ok: true });
    } catch (e) {
      steps.push({ label: 'Reach the Docker Hub registry', ok: false, detail: errorMessage(e) });
      return steps;
    }
    let first: string | undefined;
    try {
      const page = await this.listRepositories(signal);
      first = page.items[0]?.name;
      steps.push({ label: `Listed ${countOf(page, 'repository', 'repositories')} in ${this.namespaces().join(', ')}`, ok: true });
    } catch (e) {
      steps.push({ label: `List the repositories of ${this.namespaces().join(', ') || 'your namespaces'}`, ok: false, detail: errorMessage(e) });
      return steps;
    }
    if (!first) return steps;
    try {
      const tag = (await this.listTags(first, signal)).items[0]?.name;
      if (tag) {
        // HEAD: a digest without counting as a pull.
        await this.client.headManifest(first, tag, signal);
        const limit = this.rateLimit;
        steps.push({ label: `Read the digest of ${first}:${tag} from the registry`, ok: true, ...(limit ? { detail: `Pull limit: ${describeRateLimit(limit)}` } : {}) });
      }
    } catch (e) {
      steps.push({ label: `Read ${first} from the registry`, ok: false, detail: errorMessage(e) });
    }
    return steps;
  }

  async dispose(): Promise<void> {
    await this.client.close();
    await this.dispatcher.close().catch(() => undefined);
  }

  // ——— Hub API ———

  private repositoryPages(ns: string, signal: () => AbortSignal | undefined): AsyncGenerator<ClientPage<RepositoryInfo>> {
    const what: What = { kind: 'namespace', name: ns };
    return paginate(this.api.url(`/v2/repositories/${encodeURIComponent(ns)}/`, { page_size: HUB_PAGE_SIZE }), async (url) => {
      const res = await this.get(url, what, signal());
      const body = parseWire(hubRepositoryListSchema, res.json, 'Docker Hub', describe(what));
      const items = body.results
        .filter((r) => r.name !== '')
        .map((r) => ({ name: `${(r.namespace || ns).toLowerCase()}/${r.name.toLowerCase()}`, ...(r.last_updated ? { updated: r.last_updated } : {}) }));
      return { items, next: body.next ? this.api.follow(body.next, url) : undefined };
    });
  }

  private tagPages(ns: string, name: string, signal: () => AbortSignal | undefined): AsyncGenerator<ClientPage<TagInfo>> {
    const what: What = { kind: 'repository', name: `${ns}/${name}` };
    const first = this.api.url(`/v2/repositories/${encodeURIComponent(ns)}/${encodeURIComponent(name)}/tags`, { page_size: HUB_PAGE_SIZE, ordering: 'last_updated' });
    return paginate(first, async (url) => {
      const res = await this.get(url, what, signal());
      const body = parseWire(hubTagListSchema, res.json, 'Docker Hub', describe(what));
      const items = body.results
        .filter((t) => t.name !== '')
        .map((t): TagInfo => {
          const created = t.last_updated || t.tag_last_pushed || undefined;
          const artifact = listedFacts({ type: t.content_type });
          return {
            name: t.name,
            ...(artifact ? { artifact } : {}),
            ...(t.digest ? { digest: t.digest } : {}),
            ...(created ? { created } : {}),
            ...(typeof t.full_size === 'number' && t.full_size > 0 ? { size: t.full_size } : {}),
          };
        });
      return { items, next: body.next ? this.api.follow(body.next, url) : undefined };
    });
  }

  /**
   * Through the Hub API (`DELETE /v2/repositories/NS/NAME/`): the Registry API cannot delete a
   * repository. Only a signed-in owner or organization member may.
   */
  async deleteRepository(repository: string, signal?: AbortSignal): Promise<void> {
    if (!(this.username && this.password)) {
      throw new RegistryError('unauthorized', `Deleting ${repository} on Docker Hub needs a sign-in: add your Docker ID and a personal access token with delete permission to the connection.`);
    }
    const [ns, name] = hubRepository(repository).split('/') as [string, string];
    await this.get(this.api.url(`/v2/repositories/${encodeURIComponent(ns)}/${encodeURIComponent(name)}/`), { kind: 'delete', name: `${ns}/${name}` }, signal, 'DELETE');
  }

  /** A Hub API call with the session JWT; a rejected session is renewed once, without the caller noticing. */
  private async get(url: URL, what: What, signal?: AbortSignal, method: 'GET' | 'DELETE' = 'GET'): Promise<ApiResponse> {
    const signedIn = !!(this.username && this.password);
    const token = signedIn ? (await this.sessionToken(signal)).token : undefined;
    let res = await this.send(url, token, signal, method);
    if (res.status === 401 && token) {
      if (this.session?.token === token) this.session = undefined;
      this.ctx.log?.('Docker Hub rejected the session token; signing in again.');
      const fresh = await this.sessionToken(signal);
      res = await this.send(url, fresh.token, signal, method);
    }
    if (res.status >= 200 && res.status < 300) return res;
    throw this.apiError(res, what, signedIn);
  }

  private async send(url: URL, token: string | undefined, signal?: AbortSignal, method: 'GET' | 'DELETE' = 'GET'): Promise<ApiResponse> {
    try {
      return await this.api.request(method, url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal });
    } catch (e) {
      throw this.rewrapRateLimit(e);
    }
  }

  /** The Hub session JWT: one sign-in shared by concurrent callers, renewed before it expires. */
  private sessionToken(signal?: AbortSignal): Promise<HubSessionToken> {
    const s = this.session;
    if (s && this.now() < s.renewAt) return Promise.resolve(s);
    this.signingIn ??= this.login(signal).then(
      (fresh) => {
        this.session = fresh;
        this.signingIn = undefined;
        return fresh;
      },
      (e: unknown) => {
        this.signingIn = undefined;
        throw e;
      },
    );
    return this.signingIn;
  }

  private async login(signal?: AbortSignal): Promise<HubSessionToken> {
    const username = this.username!;
    const started = this.now();
    let res: ApiResponse;
    try {
      res = await this.api.request('POST', this.api.url('/v2/users/login'), { json: { username, password: this.password }, signal });
    } catch (e) {
      throw this.rewrapRateLimit(e);
    }
    this.stats.logins++;
    if (res.status === 200) {
      const { token } = parseWire(hubLoginSchema, res.json, 'Docker Hub', 'a sign-in answer');
      // Measured from when we asked, on our clock: a clock hours off must not make every call sign in again.
      const lifetime = sessionLifetimeMs(jwtClaims(token), started);
      const expiresAt = started + lifetime;
      const renewAt = expiresAt - Math.min(RENEW_MARGIN_MS, lifetime / 4);
      this.ctx.log?.(`Docker Hub: signed in as ${username}; the session is valid for ${Math.round(lifetime / 1000)} s.`);
      return { token, expiresAt, renewAt };
    }
    const body = (res.json ?? {}) as { login_2fa_token?: unknown };
    if (res.status === 401 && body.login_2fa_token !== undefined) {
      throw new RegistryError(
        'unauthorized',
        `Docker Hub asks ${username} for a two-factor code, so an account password cannot be used here. Create a personal access token (Account settings → Personal access tokens) and enter it instead.`,
        { status: 401 },
      );
    }
    throw this.apiError(res, { kind: 'login' }, true);
  }

  private rewrapRateLimit(e: unknown): unknown {
    return isRegistryError(e, 'rateLimited') ? hubRateLimited(e.resetAt) : e;
  }

  private apiError(res: ApiResponse, what: What, signedIn: boolean): RegistryError {
    const said = this.serverMessage(res);
    const detail = said ? ` (${said})` : '';
    const status = res.status;
    if (what.kind === 'login') {
      if (status === 401 || status === 403) {
        return new RegistryError(
          'unauthorized',
          `Docker Hub rejected the Docker ID or access token for “${this.username}”${detail}. Check both; a token may have expired or been revoked. Edit the connection to enter a new one.`,
          { status },
        );
      }
      if (status === 400) return new RegistryError('invalid', `Docker Hub refused the sign-in request${detail}. Check the Docker ID and access token.`, { status });
    }
    if (status === 401) {
      return signedIn
        ? new RegistryError('unauthorized', `Docker Hub did not accept the sign-in of “${this.username}” for ${describe(what)}${detail}. Reconnect, or create a new access token.`, { status })
        : new RegistryError('unauthorized', `Docker Hub requires signing in to read ${describe(what)}. Add your Docker ID and a personal access token to the connection.`, { status });
    }
    if (status === 403) {
      return new RegistryError(
        'forbidden',
        `Docker Hub denied access to ${describe(what)}${detail}. The access token’s permissions, or ${this.username ?? 'the anonymous user'}’s membership, do not cover it.`,
        { status },
      );
    }
    if (status === 404) {
      return what.kind === 'namespace'
        ? new RegistryError('notFound', `Docker Hub has no namespace “${what.name}” that ${signedIn ? `${this.username} can see` : 'is public'}. Check the Namespaces list of the connection.`, { status })
        : new RegistryError('notFound', `Repository ${what.kind === 'repository' || what.kind === 'delete' ? what.name : ''} was not found on Docker Hub${signedIn ? '' : ' (or it is private: sign in to see it)'}.`, { status });
    }
    if (status === 429) return hubRateLimited();
    if (status >= 500) return new RegistryError('network', `Docker Hub had a server error (HTTP ${status}) ${doing(what)}. Try again shortly.`, { status });
    return new RegistryError('protocol', `Docker Hub answered HTTP ${status} ${doing(what)}${detail}.`, { status });
  }

  /** Docker Hub's own words (`detail` or `message`), short, and scrubbed of anything secret. */
  private serverMessage(res: ApiResponse): string | undefined {
    const body = res.json as { detail?: unknown; message?: unknown } | undefined;
    const text = typeof body?.detail === 'string' ? body.detail : typeof body?.message === 'string' ? body.message : undefined;
    return serverWords(text, [this.password, this.session?.token]);
  }
}

function hubRateLimited(resetAt?: Date): RegistryError {
  return rateLimitedError('Docker Hub', resetAt, { status: 429, later: 'in a minute' });
}
