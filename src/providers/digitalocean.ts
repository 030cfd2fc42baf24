// DigitalOcean Container Registry. Images live at `registry.digitalocean.com/REGISTRY/REPO`;
// the registry has no catalog for us, so repositories and tags come from the DigitalOcean API
// (`/v2/registry/REGISTRY/repositoriesV2`, `/v2/registry/REGISTRY/repositories/REPO/tags`),
// which also gives each tag's push time, compressed size and digest for free. One API token
// does everything: `Authorization: Bearer TOKEN` on the API, and the same token as both
// username and password on the registry (what `doctl registry login` writes). Since the token
// is the registry username too, every registry message that would name "the user" is
// reworded here so it never shows the token.
//
// Test and self-hosted overrides (`registryExplorer.apiEndpoints`): `digitalocean` for the API,
// `digitalocean-registry` for the registry.

import * as v from 'valibot';
import { RegistryError, isRegistryError } from '../registry/errors';
import { staticCredentials } from '../registry/credentials';
import { parseEndpoint } from '../registry/endpoint';
import { optionalDigestSchema, parseWire, wireObject } from '../registry/wire';
import { ControlPlane, GuardedRegistryClient, apiCode, apiMessage, clientOptions, cursorPages, hideSecrets, isoTime, num, reword, scrub, type ApiResponse } from './controlPlane';
import type { DockerConfigEntry } from './dockerConfig';
import { displayNameField, type FieldError, type ProviderForm } from './form';
import { keepSecret, str } from './generic';
import { countOf, errorMessage } from './messages';
import type { Connection, ConnectionConfig, ConnectionSecrets, FormResult, Page, ProviderContext, RegistryProvider, RepositoryInfo, TagInfo, TestStep } from './provider';

export const DIGITALOCEAN_API = 'https://api.digitalocean.com';
export const DIGITALOCEAN_REGISTRY = 'registry.digitalocean.com';
/** repositoriesV2 and tags accept up to 200 per page. */
const PAGE_SIZE = 200;
/** Lower-case letters, digits and dashes, at most 63 characters (the control panel's rule). */
const REGISTRY_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function isDigitalOceanHost(host: string): boolean {
  return host.trim().toLowerCase().replace(/^https?:\/\//, '').split('/')[0] === DIGITALOCEAN_REGISTRY;
}

export const digitalOceanForm: ProviderForm = {
  id: 'digitalocean',
  title: 'DigitalOcean Container Registry',
  description: 'Your registry at registry.digitalocean.com, listed through the DigitalOcean API.',
  icon: 'cloud',
  help:
    'Use a DigitalOcean API token: in the control panel open API → Tokens → Generate New Token. ' +
    'With custom scopes, registry:read is enough to browse (add registry:delete to delete tags); a Full Access token also works. ' +
    'The same token signs in to the registry as both username and password, like doctl registry login. It is kept in VS Code’s secret storage.',
  docsUrl: 'https://docs.digitalocean.com/products/container-registry/how-to/use-registry-docker-kubernetes/',
  fields: [
    {
      id: 'token',
      label: 'API token',
      kind: 'password',
      required: true,
      secret: true,
      placeholder: 'dop_v1_…',
      help: 'API → Tokens in the DigitalOcean control panel. Needs the registry:read scope; shown only once when generated.',
    },
    {
      id: 'registry',
      label: 'Registry name',
      kind: 'text',
      placeholder: 'Leave empty to use your account’s registry',
      help: 'The name after registry.digitalocean.com/ in your image references, shown on the Container Registry page.',
    },
    displayNameField('Defaults to DigitalOcean (registry name)'),
  ],
};

export const digitalOceanProvider: RegistryProvider = {
  form: digitalOceanForm,

  fromForm(values, previous): FormResult {
    const errors: FieldError[] = [];
    const typed = str(values, 'registry');
    const registry = typed
      .toLowerCase()
      .replace(/^https?:\/\//, '')
      .replace(new RegExp(`^${DIGITALOCEAN_REGISTRY.replace(/\./g, '\\.')}/?`), '')
      .replace(/\/.*$/, '');
    if (typed && !REGISTRY_NAME.test(registry)) {
      errors.push({ field: 'registry', message: `“${typed}” is not a registry name: it has lower-case letters, digits and dashes only (the part after registry.digitalocean.com/). Leave it empty to use your account’s registry.` });
    }
    const token = keepSecret(values, 'token', previous?.config.provider === 'digitalocean' ? previous.secrets : undefined)?.trim();
    if (!token) errors.push({ field: 'token', message: 'Paste a DigitalOcean API token (API → Tokens → Generate New Token, with the registry:read scope).' });
    else if (/\s/.test(token)) errors.push({ field: 'token', message: 'The token contains spaces or line breaks. Copy it again from the control panel and paste it whole.' });
    else if (token.length < 32) errors.push({ field: 'token', message: 'This is too short to be a DigitalOcean API token (they look like dop_v1_ followed by 64 characters). Copy it again.' });
    if (errors.length) return { ok: false, errors };
    return {
      ok: true,
      config: {
        provider: 'digitalocean',
        name: str(values, 'name') || (registry ? `DigitalOcean (${registry})` : 'DigitalOcean Container Registry'),
        url: DIGITALOCEAN_REGISTRY,
        ...(registry ? { options: { registry } } : {}),
      },
      secrets: { token: token! },
    };
  },

  toForm(config) {
    return { registry: typeof config.options?.registry === 'string' ? config.options.registry : '', name: config.name };
  },

  /** `doctl registry login` writes the API token as both username and password. */
  fromDockerConfig(entry: DockerConfigEntry): { config: Omit<ConnectionConfig, 'id'>; secrets: ConnectionSecrets } | undefined {
    const token = entry.password ?? entry.identityToken;
    if (!token || (entry.username && entry.username !== token)) return undefined;
    return { config: { provider: 'digitalocean', name: 'DigitalOcean Container Registry', url: DIGITALOCEAN_REGISTRY }, secrets: { token } };
  },

  connect(config, secrets, ctx) {
    return new DigitalOceanConnection(config, secrets, ctx);
  },
};

// The DigitalOcean API's answers, as schemas (see registry/wire.ts). Times, sizes and counts
// are facts we only show: read leniently (isoTime, num), so an odd one is left out.
const nonEmptyText = v.pipe(v.string(), v.check((t: string) => t !== '', 'is empty'));
const linksSchema = v.nullish(wireObject({ pages: v.nullish(wireObject({ next: v.nullish(v.string()) })) }));
const accountRegistrySchema = wireObject({ registry: wireObject({ name: nonEmptyText }) });
const repositoryListSchema = wireObject({
  repositories: v.array(wireObject({ name: v.string(), tag_count: v.optional(v.unknown()), latest_manifest: v.nullish(wireObject({ updated_at: v.optional(v.unknown()) })) })),
  links: linksSchema,
});
const tagListSchema = wireObject({
  tags: v.array(
    wireObject({
      tag: v.string(),
      manifest_digest: optionalDigestSchema,
      updated_at: v.optional(v.unknown()),
      compressed_size_bytes: v.optional(v.unknown()),
      size_bytes: v.optional(v.unknown()),
    }),
  ),
  links: linksSchema,
});

type What = { kind: 'account' } | { kind: 'registry'; registry: string } | { kind: 'repository'; registry: string; repository: string };

export class DigitalOceanConnection implements Connection {
  readonly client: GuardedRegistryClient;
  readonly registryHost: string;
  readonly api: ControlPlane;
  private readonly token?: string;
  private registryName?: Promise<string>;

  constructor(
    readonly config: ConnectionConfig,
    secrets: ConnectionSecrets,
    private readonly ctx: ProviderContext,
  ) {
    this.token = secrets.token || undefined;
    const registryUrl = ctx.apiBaseUrls?.['digitalocean-registry'] ?? config.url ?? DIGITALOCEAN_REGISTRY;
    this.registryHost = parseEndpoint(registryUrl).url.host;
    const given = typeof config.options?.registry === 'string' && config.options.registry ? config.options.registry : undefined;
    if (given) this.registryName = Promise.resolve(given);
    this.api = new ControlPlane({ baseUrl: ctx.apiBaseUrls?.digitalocean ?? DIGITALOCEAN_API, label: 'the DigitalOcean API', proxy: ctx.proxy, userAgent: ctx.userAgent, log: ctx.log });
    const token = this.token;
    this.client = new GuardedRegistryClient(
      {
        ...clientOptions(registryUrl, ctx, 'DigitalOcean registry'),
        credentials: token ? staticCredentials({ kind: 'basic', username: token, password: token }) : undefined,
      },
      { error: (e) => this.registryError(e) },
    );
  }

  /** The registry's name: from the connection, or the account's registry through the API. */
  registry(signal?: AbortSignal): Promise<string> {
    this.registryName ??= (async () => {
      const res = await this.get('/v2/registry', {}, { kind: 'account' }, signal);
      const { name } = parseWire(accountRegistrySchema, res.json, 'The DigitalOcean API', 'the account’s registry').registry;
      this.ctx.log?.(`DigitalOcean: the account's registry is ${name}`);
      return name;
    })().catch((e: unknown) => {
      this.registryName = undefined;
      throw e;
    });
    return this.registryName;
  }

  async listRepositories(signal?: AbortSignal): Promise<Page<RepositoryInfo>> {
    const registry = await this.registry(signal);
    return cursorPages<RepositoryInfo, { page?: string; token?: string }>(async (cursor, s) => {
      const res = await this.get(`/v2/registry/${encodeURIComponent(registry)}/repositoriesV2`, { per_page: PAGE_SIZE, page: cursor?.page, page_token: cursor?.token }, { kind: 'registry', registry }, s ?? signal);
      const body = parseWire(repositoryListSchema, res.json, 'The DigitalOcean API', `the repositories of ${registry}`);
      const items: RepositoryInfo[] = [];
      for (const r of body.repositories) {
        const name = r.name;
        if (!name) continue;
        const updated = isoTime(r.latest_manifest?.updated_at);
        const tagCount = num(r.tag_count);
        items.push({ name: `${registry}/${name}`, ...(tagCount !== undefined ? { tagCount } : {}), ...(updated ? { updated } : {}) });
      }
      const next = nextPage(body);
      return { items, ...(next ? { next: { page: next.page, token: next.page_token } } : {}) };
    }, `The DigitalOcean API (repositories of ${registry})`)(signal);
  }

  async listTags(repository: string, signal?: AbortSignal): Promise<Page<TagInfo>> {
    const registry = await this.registry(signal);
    if (!repository.startsWith(`${registry}/`) || repository.length === registry.length + 1) {
      throw new RegistryError('invalid', `“${repository}” is not in the DigitalOcean registry ${registry}: names here start with ${registry}/.`);
    }
    const repo = repository.slice(registry.length + 1);
    const what: What = { kind: 'repository', registry, repository: repo };
    return cursorPages<TagInfo, number>(async (page, s) => {
      const res = await this.get(`/v2/registry/${encodeURIComponent(registry)}/repositories/${encodeURIComponent(repo)}/tags`, { per_page: PAGE_SIZE, page: page ?? 1 }, what, s ?? signal);
      const body = parseWire(tagListSchema, res.json, 'The DigitalOcean API', `the tags of ${repository}`);
      const items: TagInfo[] = [];
      for (const t of body.tags) {
        const name = t.tag;
        if (!name) continue;
        const digest = t.manifest_digest || undefined;
        const created = isoTime(t.updated_at);
        const size = num(t.compressed_size_bytes) ?? num(t.size_bytes);
        items.push({ name, ...(digest ? { digest } : {}), ...(created ? { created } : {}), ...(size !== undefined ? { size } : {}) });
      }
      return { items, ...(nextPage(body) ? { next: (page ?? 1) + 1 } : {}) };
    }, `The DigitalOcean API (tags of ${repository})`)(signal);
  }

  async test(signal?: AbortSignal): Promise<TestStep[]> {
    const steps: TestStep[] = [];
    let registry: string | undefined;
    let first: string | undefined;
    try {
      registry = await this.registry(signal);
      const page = await this.listRepositories(signal);
      first = page.items[0]?.name;
      steps.push({ label: `Signed in to the DigitalOcean API: registry ${registry}, ${countOf(page, 'repository', 'repositories')}`, ok: true });
    } catch (e) {
      const field = isRegistryError(e, 'notFound') && registry ? 'registry' : isRegistryError(e, 'unauthorized') || isRegistryError(e, 'forbidden') ? 'token' : undefined;
      steps.push({ label: registry ? `List the repositories of ${registry}` : 'Sign in to the DigitalOcean API', ok: false, detail: errorMessage(e), ...(field ? { field } : {}) });
      return steps;
    }
    try {
      if (first) {
        const tags = await this.client.listTags(first, { signal });
        steps.push({ label: `Signed in to ${this.registryHost} and read ${first} (${tags.length} tag${tags.length === 1 ? '' : 's'})`, ok: true });
      } else {
        const ping = await this.client.ping(signal);
        steps.push({ label: `Reached ${new URL(ping.url).host}`, ok: true, detail: 'The registry has no repositories yet.' });
      }
    } catch (e) {
      const field = isRegistryError(e, 'unauthorized') || isRegistryError(e, 'forbidden') ? 'token' : undefined;
      steps.push({ label: `Sign in to ${this.registryHost}`, ok: false, detail: errorMessage(e), ...(field ? { field } : {}) });
    }
    return steps;
  }

  async dispose(): Promise<void> {
    await Promise.all([this.client.close(), this.api.close()]);
  }

  // ——— API ———

  private async get(path: string, query: Record<string, string | number | undefined>, what: What, signal?: AbortSignal): Promise<ApiResponse> {
    if (!this.token) throw new RegistryError('unauthorized', 'No DigitalOcean API token is stored for this connection. Edit it and paste a token with the registry:read scope.');
    let res: ApiResponse;
    try {
      res = await this.api.request('GET', this.api.url(path, query), { headers: { authorization: `Bearer ${this.token}` }, signal });
    } catch (e) {
      throw isRegistryError(e) ? reword(e, scrub(e.message, [this.token]) ?? e.message) : e;
    }
    if (res.status >= 200 && res.status < 300) return res;
    throw this.apiError(res, what);
  }

  private apiError(res: ApiResponse, what: What): RegistryError {
    const code = apiCode(res.json);
    const said = scrub(apiMessage(res.json), [this.token]);
    const detail = said || code ? ` (${[code, said].filter(Boolean).join(': ')})` : '';
    const opts = { status: res.status, ...(code ? { code } : {}) };
    if (res.status === 401) {
      return new RegistryError('unauthorized', `DigitalOcean rejected the API token${detail}. It may be mistyped, revoked or expired: generate a new one under API → Tokens and edit the connection.`, opts);
    }
    if (res.status === 403) {
      const doing = what.kind === 'account' ? 'read the registry' : what.kind === 'registry' ? `list the repositories of ${what.registry}` : `list the tags of ${what.registry}/${what.repository}`;
      return new RegistryError('forbidden', `The API token may not ${doing}${detail}. Give it the registry:read scope (or use a Full Access token), then edit the connection.`, opts);
    }
    if (res.status === 404) {
      if (what.kind === 'account') return new RegistryError('notFound', 'This DigitalOcean account has no container registry. Create one on the Container Registry page of the control panel.', opts);
      if (what.kind === 'registry') {
        return new RegistryError('notFound', `DigitalOcean has no registry named ${what.registry} in this token’s account. Check the registry name on the Container Registry page, or leave it empty.`, opts);
      }
      return new RegistryError('notFound', `Repository ${what.repository} was not found in the DigitalOcean registry ${what.registry}.`, opts);
    }
    if (res.status === 429) return new RegistryError('rateLimited', `The DigitalOcean API is rate limiting requests${detail}. Try again in a minute.`, opts);
    if (res.status >= 500) return new RegistryError('network', `The DigitalOcean API had a server error (HTTP ${res.status})${detail}. Try again shortly.`, opts);
    return new RegistryError('protocol', `The DigitalOcean API answered HTTP ${res.status}${detail}.`, opts);
  }

  /** The token is the registry username, so the client's “user …” wording is replaced. */
  private registryError(e: unknown): unknown {
    if (!isRegistryError(e)) return e;
    const token = this.token;
    if (e.kind === 'unauthorized' && token) {
      return reword(e, `${this.registryHost} rejected the DigitalOcean API token. Check that it is still valid and has the registry:read scope, then edit the connection.`);
    }
    if (e.kind === 'forbidden') {
      return reword(e, `${hideSecrets(e.message, [token]) ?? e.message} A custom-scoped token needs registry:read to browse and registry:delete to delete.`);
    }
    const clean = hideSecrets(e.message, [token]);
    return clean ? reword(e, clean) : e;
  }
}

/** `links.pages.next` → its `page` and `page_token`, which we send to our own base URL. */
function nextPage(body: { links?: v.InferOutput<typeof linksSchema> }): { page?: string; page_token?: string } | undefined {
  const next = body.links?.pages?.next;
  if (!next) return undefined;
  try {
    const u = new URL(next, DIGITALOCEAN_API);
    const page = u.searchParams.get('page') ?? undefined;
    const token = u.searchParams.get('page_token') ?? undefined;
    return page || token ? { ...(page ? { page } : {}), ...(token ? { page_token: token } : {}) } : undefined;
  } catch {
    return undefined;
  }
}
