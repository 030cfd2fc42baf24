// GitHub Container Registry (ghcr.io). The registry has no `_catalog`, so repositories come from
// the GitHub REST API's packages endpoints (the user's own packages and those of the chosen
// organizations) and tags from package versions (`metadata.container.tags`, with dates and the
// digest for free). A classic personal access token with read:packages serves both: as a
// Bearer token for the API, and as the Basic password that ghcr.io/token exchanges for the
// registry's short-lived bearer tokens (the registry client caches those, renews them before
// they expire, and fetches a new one if the registry rejects one). Without a token, public
// images named in the connection are browsed through the registry alone (anonymous pull
// tokens), since the packages API always needs a token. ghcr.io names are lower case.
//
// Test and self-hosted overrides (`registryExplorer.apiEndpoints`): `ghcr` for the REST API
// (`https://HOST/api/v3` for GitHub Enterprise Server), `ghcr-registry` for the registry.

import * as v from 'valibot';
import type { RegistryClient } from '../registry/client';
import type { CredentialSource } from '../registry/credentials';
import { createDispatcher } from '../registry/dispatcher';
import { RegistryError, isRegistryError } from '../registry/errors';
import { nextLink, paginate, type Page as ClientPage } from '../registry/paging';
import { isValidRepository } from '../registry/reference';
import type { Dispatcher } from '../registry/undici';
import { optionalDigestSchema, parseWire, wireObject } from '../registry/wire';
import { displayNameField, type FieldError, type ProviderForm } from './form';
import { keepSecret, parseRepositoryList, str } from './generic';
import { chainedPages, ControlPlane, GuardedRegistryClient, logPath, type ApiResponse } from './controlPlane';
import { countOf, errorMessage, rateLimitedError, serverWords } from './messages';
import { pagesFrom, singlePage } from './pages';
import type { Connection, ConnectionConfig, ConnectionSecrets, FormResult, Page, ProviderContext, RegistryProvider, RepositoryInfo, TagInfo, TestStep } from './provider';

export const GHCR = 'ghcr.io';
export const GITHUB_API = 'https://api.github.com';
const PER_PAGE = 100;
const API_VERSION = '2022-11-28';
/** GitHub logins: letters, digits and single hyphens, not at either end, at most 39. */
const LOGIN = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,38}$/i;
const READ_SCOPES = ['read:packages', 'write:packages', 'delete:packages'];

export function isGhcrHost(host: string): boolean {
  const bare = host.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0]?.toLowerCase() ?? '';
  return bare === GHCR || bare === 'docker.pkg.github.com';
}

/** The organizations a connection lists besides the user's own packages. */
export function ghcrOrganizations(config: ConnectionConfig): string[] {
  const text = typeof config.options?.organizations === 'string' ? config.options.organizations : '';
  return [...new Set(text.split(/[\s,]+/).map((o) => o.trim().toLowerCase()).filter(Boolean))];
}

export const githubForm: ProviderForm = {
  id: 'ghcr',
  title: 'GitHub Container Registry',
  description: 'Container packages on ghcr.io: yours and your organizations’.',
  icon: 'github',
  help:
    'Sign in with your GitHub username and a personal access token (classic): GitHub → Settings → Developer settings → Personal access tokens → Tokens (classic) → Generate new token, with the read:packages scope (add delete:packages to delete tags). ' +
    'Fine-grained tokens cannot read the packages API. Organizations that use SAML single sign-on need the token authorized for them (Configure SSO next to the token). ' +
    'Without a token, list the public images to browse under Repositories.',
  docsUrl: 'https://docs.github.com/en/packages/working-with-a-github-packages-registry/working-with-the-container-registry',
  fields: [
    { id: 'username', label: 'GitHub username', kind: 'text', placeholder: 'Leave empty to browse public images anonymously', help: 'Your GitHub login, as in github.com/LOGIN.' },
    {
      id: 'password',
      label: 'Personal access token (classic)',
      kind: 'password',
      secret: true,
      placeholder: 'ghp_…',
      help: 'Needs the read:packages scope. Stored in VS Code’s secret storage, never in settings.',
    },
    {
      id: 'organizations',
      label: 'Organizations',
      kind: 'list',
      placeholder: 'my-org',
      help: 'Organizations whose container packages to list, one per line; your own packages are always listed.',
    },
    {
      id: 'repositories',
      label: 'Repositories (optional)',
      kind: 'list',
      placeholder: 'owner/image',
      help: 'Specific images to show, one per line, e.g. octo-org/app. Required without a token; with one, they replace the listing.',
    },
    displayNameField('Defaults to GitHub Packages (your login)'),
  ],
};

export const githubProvider: RegistryProvider = {
  form: githubForm,

  fromForm(values, previous): FormResult {
    const errors: FieldError[] = [];
    const typed = str(values, 'username');
    const username = typed.replace(/^@/, '').toLowerCase();
    if (typed && !LOGIN.test(username)) {
      errors.push({ field: 'username', message: `“${typed}” is not a GitHub login: letters, digits and single hyphens, at most 39 characters. Use the name in github.com/LOGIN, not your email address.` });
    }
    const sameUser = previous && (previous.config.username ?? '') === username;
    const password = keepSecret(values, 'password', sameUser ? previous.secrets : undefined);
    if (password !== undefined && /\s/.test(password)) {
      errors.push({ field: 'password', message: 'The token contains spaces or line breaks. Copy it again from GitHub and paste it whole.' });
    } else if (password?.startsWith('github_pat_')) {
      errors.push({ field: 'password', message: 'This is a fine-grained token, which the GitHub packages API does not accept. Create a personal access token (classic) with the read:packages scope.' });
    }
    if (password && !typed) errors.push({ field: 'username', message: 'Enter the GitHub username that the access token belongs to.' });
    if (typed && !password) errors.push({ field: 'password', message: `Enter a personal access token (classic) with read:packages for ${username}, or clear the username to browse public images anonymously.` });
    const orgText = str(values, 'organizations');
    const organizations = [...new Set(orgText.split(/[\n,]/).map((o) => o.trim().replace(/^https?:\/\/github\.com\//i, '').replace(/\/+$/, '').toLowerCase()).filter(Boolean))];
    const badOrgs = organizations.filter((o) => !LOGIN.test(o));
    if (badOrgs.length) errors.push({ field: 'organizations', message: `Not a GitHub organization: ${badOrgs.slice(0, 3).join(', ')}. Use the name in github.com/ORG, one per line.` });
    if (organizations.length && !typed) errors.push({ field: 'organizations', message: 'Listing an organization’s packages needs a token: sign in, or name the public images under Repositories.' });
    const repoText = str(values, 'repositories')
      .split(/[\n,]/)
      .map((r) => r.trim().replace(/^ghcr\.io\//i, '').toLowerCase())
      .join('\n');
    const repositories = parseRepositoryList(repoText, errors);
    const unowned = (repositories ?? []).filter((r) => !r.includes('/'));
    if (unowned.length) errors.push({ field: 'repositories', message: `Name the owner too: ${unowned[0]} should be OWNER/${unowned[0]}, as in ghcr.io/OWNER/${unowned[0]}.` });
    if (!typed && !repositories?.length && !errors.some((e) => e.field === 'repositories')) {
      errors.push({ field: 'repositories', message: 'Without a token, name the public images to browse, e.g. octo-org/app; or sign in to list your packages.' });
    }
    if (errors.length) return { ok: false, errors };
    const orgs = organizations.filter((o) => o !== username);
    const options = orgs.length ? { organizations: orgs.join(',') } : undefined;
    return {
      ok: true,
      config: {
        provider: 'ghcr',
        name: str(values, 'name') || (username ? `GitHub Packages (${username})` : 'GitHub Packages'),
        url: GHCR,
        ...(username ? { username } : {}),
        ...(repositories ? { repositories } : {}),
        ...(options ? { options } : {}),
      },
      secrets: password ? { password } : {},
    };
  },

  toForm(config) {
    return {
      username: config.username ?? '',
      organizations: ghcrOrganizations(config).join('\n'),
      repositories: (config.repositories ?? []).join('\n'),
      name: config.name,
    };
  },

  connect(config, secrets, ctx) {
    return new GitHubConnection(config, secrets, ctx);
  },

  /** `docker login ghcr.io -u USER` with a PAT: the same token lists packages. */
  fromDockerConfig(entry) {
    if (!isGhcrHost(entry.registry)) return undefined;
    const username = (entry.username ?? '').toLowerCase();
    if (!LOGIN.test(username) || !entry.password) return undefined;
    return { config: { provider: 'ghcr', name: `GitHub Packages (${username})`, url: GHCR, username }, secrets: { password: entry.password } };
  },
};

// The REST API's answers, as schemas (see registry/wire.ts): names and tags must be text, a
// version's name (the image digest) a valid digest; dates we only show may be missing.
const userSchema = wireObject({ login: v.string() });

const packageListSchema = v.array(
  wireObject({
    name: v.string(),
    owner: v.optional(wireObject({ login: v.optional(v.string()), type: v.optional(v.string()) })),
    updated_at: v.nullish(v.string()),
  }),
);

const versionListSchema = v.array(
  wireObject({
    name: optionalDigestSchema,
    created_at: v.nullish(v.string()),
    updated_at: v.nullish(v.string()),
    metadata: v.nullish(wireObject({ container: v.nullish(wireObject({ tags: v.optional(v.array(v.string()), []) })) })),
  }),
);

/** Where a package's versions live in the REST API. */
type Owner = { kind: 'user' } | { kind: 'org'; login: string } | { kind: 'users'; login: string };

type What = { kind: 'user' } | { kind: 'owner'; name: string; org: boolean } | { kind: 'package'; name: string };

function describe(what: What): string {
  return what.kind === 'user' ? 'your account' : what.kind === 'owner' ? `the packages of ${what.name}` : `the versions of ${what.name}`;
}

export class GitHubConnection implements Connection {
  readonly registryHost: string;
  readonly client: RegistryClient;
  readonly api: ControlPlane;
  readonly stats = { apiRequests: 0 };
  private readonly dispatcher: Dispatcher;
  private readonly username?: string;
  private readonly token?: string;
  /** Repository → where its versions are, learned from the package listing. */
  private readonly owners = new Map<string, Owner>();

  constructor(
    readonly config: ConnectionConfig,
    secrets: ConnectionSecrets,
    ctx: ProviderContext,
  ) {
    this.username = config.username || undefined;
    this.token = secrets.password || undefined;
    this.dispatcher = createDispatcher({ proxy: ctx.proxy });
    this.api = new ControlPlane({
      baseUrl: ctx.apiBaseUrls?.ghcr ?? GITHUB_API,
      label: 'the GitHub API',
      dispatcher: this.dispatcher,
      userAgent: ctx.userAgent,
      onResponse: (method, url, status) => {
        this.stats.apiRequests++;
        ctx.log?.(`GitHub API: ${method} ${logPath(url)} → ${status}`);
      },
    });
    const registryUrl = ctx.apiBaseUrls?.['ghcr-registry'] ?? GHCR;
    const credentials: CredentialSource | undefined = this.token
      ? // A PAT does not expire mid-session; the registry's bearer tokens do, and the client renews those.
        async () => ({ kind: 'basic', username: this.username ?? 'token', password: this.token! })
      : undefined;
    // ghcr.io names are lower case: `Octo-Org/App` is `octo-org/app`.
    this.client = new GuardedRegistryClient({ url: registryUrl, proxy: ctx.proxy, userAgent: ctx.userAgent, dispatcher: this.dispatcher, credentials }, { repository: (name) => name.toLowerCase() });
    this.registryHost = registryUrl === GHCR ? GHCR : new URL(/^[a-z]+:\/\//i.test(registryUrl) ? registryUrl : `https://${registryUrl}`).host;
  }

  organizations(): string[] {
    return ghcrOrganizations(this.config);
  }

  async listRepositories(signal?: AbortSignal): Promise<Page<RepositoryInfo>> {
    if (this.config.repositories?.length || !this.token) {
      const names = (this.config.repositories ?? []).map((r) => r.toLowerCase());
      if (!names.length) throw new RegistryError('invalid', 'This GitHub connection has no token and no repositories. Edit it to sign in, or name the public images to browse.');
      return singlePage(names.map((name) => ({ name })));
    }
    const sources: ((sig: () => AbortSignal | undefined) => AsyncGenerator<ClientPage<RepositoryInfo>>)[] = [
      (sig) => this.packagePages(this.api.url('/user/packages', { package_type: 'container', per_page: PER_PAGE }), { kind: 'user' }, sig),
      ...this.organizations().map(
        (org) => (sig: () => AbortSignal | undefined) =>
          this.packagePages(this.api.url(`/orgs/${encodeURIComponent(org)}/packages`, { package_type: 'container', per_page: PER_PAGE }), { kind: 'owner', name: org, org: true }, sig),
      ),
    ];
    return chainedPages(sources, PER_PAGE)(signal);
  }

  async listTags(repository: string, signal?: AbortSignal): Promise<Page<TagInfo>> {
    const repo = repository.toLowerCase();
    if (!isValidRepository(repo) || !repo.includes('/')) {
      throw new RegistryError('invalid', `“${repository}” is not a ghcr.io image name: it is OWNER/NAME in lower case.`);
    }
    // Without a token the packages API is closed; the registry lists public images' tags.
    if (!this.token) return pagesFrom(this.client.tagPages(repo, { signal }), (name: string): TagInfo => ({ name }))();
    return chainedPages([(sig: () => AbortSignal | undefined) => this.versionPages(repo, sig)], PER_PAGE)(signal);
  }

  async test(signal?: AbortSignal): Promise<TestStep[]> {
    const steps: TestStep[] = [];
    if (this.token) {
      try {
        const res = await this.get(this.api.url('/user'), { kind: 'user' }, signal);
        const { login } = parseWire(userSchema, res.json, 'GitHub', 'the details of your account');
        if (this.username && login && login.toLowerCase() !== this.username) {
          steps.push({ label: `Sign in to GitHub as ${this.username}`, ok: false, detail: `The token belongs to ${login}, not ${this.username}. Enter ${login} as the username, or use a token of ${this.username}.` });
          return steps;
        }
        const scopes = res.headers.get('x-oauth-scopes');
        const list = scopes === undefined ? undefined : scopes.split(',').map((s) => s.trim()).filter(Boolean);
        if (list && !list.some((s) => READ_SCOPES.includes(s))) {
          steps.push({
            label: `Signed in to GitHub as ${login || this.username}`,
            ok: false,
            detail: `The token lacks the read:packages scope (it has: ${list.join(', ') || 'no scopes'}). Edit the token on GitHub to add read:packages, or create a new one.`,
          });
          return steps;
        }
        steps.push({ label: `Signed in to GitHub as ${login || this.username}`, ok: true, ...(list ? { detail: `Token scopes: ${list.join(', ')}` } : {}) });
      } catch (e) {
        steps.push({ label: `Sign in to GitHub as ${this.username}`, ok: false, detail: errorMessage(e) });
        return steps;
      }
    } else {
      steps.push({ label: 'Anonymous access', ok: true, detail: 'Public images only, through the registry.' });
    }
    try {
      const ping = await this.client.ping(signal);
      steps.push({ label: `Reached the registry (${new URL(ping.url).host})`, ok: true });
    } catch (e) {
      steps.push({ label: `Reach ${this.registryHost}`, ok: false, detail: errorMessage(e) });
      return steps;
    }
    let first: string | undefined;
    try {
      const page = await this.listRepositories(signal);
      first = page.items[0]?.name;
      const where = this.config.repositories?.length || !this.token ? 'named in the connection' : ['your packages', ...this.organizations()].join(', ');
      steps.push({ label: `Listed ${countOf(page, 'repository', 'repositories')} (${where})`, ok: true });
    } catch (e) {
      steps.push({ label: 'List your container packages', ok: false, detail: errorMessage(e) });
      return steps;
    }
    if (!first) return steps;
    try {
      const tag = (await this.listTags(first, signal)).items[0]?.name;
      if (tag) {
        await this.client.headManifest(first, tag, signal);
        steps.push({ label: `Read the digest of ${first}:${tag} from the registry`, ok: true });
      } else {
        steps.push({ label: `Listed the tags of ${first}: none yet`, ok: true });
      }
    } catch (e) {
      steps.push({ label: `Read ${first}`, ok: false, detail: errorMessage(e) });
    }
    return steps;
  }

  async dispose(): Promise<void> {
    await this.client.close();
    await this.dispatcher.close().catch(() => undefined);
  }

  // ——— GitHub REST API ———

  private packagePages(first: URL, what: What, signal: () => AbortSignal | undefined): AsyncGenerator<ClientPage<RepositoryInfo>> {
    return paginate(first, async (url) => {
      const res = await this.get(url, what, signal());
      const list = parseWire(packageListSchema, res.json, 'GitHub', what.kind === 'user' ? 'the list of your packages' : describe(what));
      const items: RepositoryInfo[] = [];
      for (const p of list) {
        if (!p.name) continue;
        const ownerLogin = p.owner?.login || (what.kind === 'owner' ? what.name : this.username);
        if (!ownerLogin) continue;
        const name = `${ownerLogin.toLowerCase()}/${p.name.toLowerCase()}`;
        const owner: Owner = what.kind === 'user' ? { kind: 'user' } : p.owner?.type === 'User' ? { kind: 'users', login: ownerLogin } : { kind: 'org', login: ownerLogin };
        this.owners.set(name, owner);
        items.push({ name, ...(p.updated_at ? { updated: p.updated_at } : {}) });
      }
      return { items, next: this.next(res, url) };
    });
  }

  private versionPages(repo: string, signal: () => AbortSignal | undefined): AsyncGenerator<ClientPage<TagInfo>> {
    const slash = repo.indexOf('/');
    const ownerName = repo.slice(0, slash);
    const pkg = encodeURIComponent(repo.slice(slash + 1));
    const owner: Owner =
      this.owners.get(repo) ?? (ownerName === this.username ? { kind: 'user' } : this.organizations().includes(ownerName) ? { kind: 'org', login: ownerName } : { kind: 'users', login: ownerName });
    const base = owner.kind === 'user' ? '/user' : owner.kind === 'org' ? `/orgs/${encodeURIComponent(owner.login)}` : `/users/${encodeURIComponent(owner.login)}`;
    const what: What = { kind: 'package', name: repo };
    return paginate(this.api.url(`${base}/packages/container/${pkg}/versions`, { per_page: PER_PAGE }), async (url) => {
      const res = await this.get(url, what, signal());
      const items: TagInfo[] = [];
      for (const version of parseWire(versionListSchema, res.json, 'GitHub', describe(what))) {
        const digest = version.name || undefined;
        const created = version.updated_at || version.created_at || undefined;
        for (const t of version.metadata?.container?.tags ?? []) if (t) items.push({ name: t, ...(digest ? { digest } : {}), ...(created ? { created } : {}) });
      }
      return { items, next: this.next(res, url) };
    });
  }

  private next(res: ApiResponse, url: URL): URL | undefined {
    const link = nextLink(res.headers.getAll('link'), url);
    return link && this.api.follow(link.toString(), url);
  }

  private async get(url: URL, what: What, signal?: AbortSignal): Promise<ApiResponse> {
    let res: ApiResponse;
    try {
      res = await this.api.request('GET', url, {
        headers: { accept: 'application/vnd.github+json', 'x-github-api-version': API_VERSION, ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
        signal,
      });
    } catch (e) {
      if (isRegistryError(e, 'rateLimited')) throw rateLimited(e.resetAt);
      throw e;
    }
    if (res.status >= 200 && res.status < 300) return res;
    throw this.apiError(res, what);
  }

  private apiError(res: ApiResponse, what: What): RegistryError {
    const said = this.serverMessage(res);
    const status = res.status;
    const user = this.username ?? 'this account';
    if (status === 401) {
      return new RegistryError(
        'unauthorized',
        `GitHub rejected the personal access token for “${user}”${said ? ` (${said})` : ''}. It may have expired or been revoked: create a new token (classic) with read:packages and edit the connection.`,
        { status },
      );
    }
    if ((status === 403 || status === 429) && (res.headers.get('x-ratelimit-remaining') === '0' || /rate limit/i.test(said ?? ''))) {
      const reset = Number(res.headers.get('x-ratelimit-reset'));
      return rateLimited(Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : undefined);
    }
    if (status === 403) {
      const accepted = res.headers.get('x-accepted-oauth-scopes');
      const has = res.headers.get('x-oauth-scopes');
      if (accepted && /packages/.test(accepted)) {
        return new RegistryError(
          'forbidden',
          `The token for “${user}” lacks the read:packages scope${has !== undefined ? ` (it has: ${has || 'no scopes'})` : ''}. Edit the token on GitHub to add read:packages, or create a new one.`,
          { status },
        );
      }
      if (res.headers.get('x-github-sso')) {
        return new RegistryError('forbidden', `${describe(what)} needs the token authorized for the organization’s single sign-on: on GitHub, Configure SSO next to the token.`, { status });
      }
      return new RegistryError('forbidden', `GitHub denied access to ${describe(what)}${said ? ` (${said})` : ''}. The token’s scopes or ${user}’s membership do not cover it.`, { status });
    }
    if (status === 404) {
      if (what.kind === 'owner') {
        return new RegistryError('notFound', `GitHub has no organization “${what.name}” that ${user} can see. Check the Organizations list of the connection.`, { status });
      }
      if (what.kind === 'package') {
        return new RegistryError('notFound', `GitHub has no container package ${what.name} that ${user} can see (or it belongs to another owner).`, { status });
      }
    }
    if (status >= 500) return new RegistryError('network', `GitHub had a server error (HTTP ${status}) reading ${describe(what)}. Try again shortly.`, { status });
    return new RegistryError('protocol', `GitHub answered HTTP ${status} reading ${describe(what)}${said ? ` (${said})` : ''}.`, { status });
  }

  /** GitHub's own `message`, short and scrubbed of the token. */
  private serverMessage(res: ApiResponse): string | undefined {
    const m = (res.json as { message?: unknown } | undefined)?.message;
    return typeof m === 'string' ? serverWords(m, [this.token]) : undefined;
  }
}

function rateLimited(resetAt?: Date): RegistryError {
  return rateLimitedError('GitHub', resetAt, { status: 403, later: 'in a few minutes' });
}
