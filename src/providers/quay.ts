// Quay (quay.io or self-hosted Red Hat Quay). Repositories and tags come from the Quay API —
// `GET /api/v1/repository?namespace=NS` (paged by an opaque `next_page`) and
// `GET /api/v1/repository/NS/NAME/tag/?page=&limit=&onlyActiveTags=true` (`has_additional`),
// which give each tag's push time, size and digest for free — with an OAuth access token as
// `Authorization: Bearer`, or anonymously for public repositories. Manifests and digests go
// through the registry (v2) with a robot account (`ns+robot`, Basic) or, without one, the OAuth
// token as `$oauthtoken`. A robot account alone cannot use the API: its connection lists
// through the registry's catalog instead.
//
// Test and self-hosted overrides (`registryExplorer.apiEndpoints`): `quay` replaces the API
// origin (normally the registry's own).

import * as v from 'valibot';
import { staticCredentials } from '../registry/credentials';
import { isValidDigest } from '../registry/digest';
import { parseEndpoint } from '../registry/endpoint';
import { RegistryError, isRegistryError } from '../registry/errors';
import { optionalDigestSchema, parseWire, wireObject } from '../registry/wire';
import { ControlPlane, GuardedRegistryClient, apiCode, apiMessage, clientOptions, cursorPages, hideSecrets, isoTime, num, reword, scrub, type ApiResponse } from './controlPlane';
import type { DockerConfigEntry } from './dockerConfig';
import { displayNameField, type FieldError, type ProviderForm } from './form';
import { V2Connection, bool, checkAddress, checkCaPem, keepSecret, str } from './generic';
import { countOf, errorMessage } from './messages';
import { pagesFrom } from './pages';
import type { ConnectionConfig, ConnectionSecrets, FormResult, Page, ProviderContext, RegistryProvider, RepositoryInfo, TagInfo, TestStep } from './provider';
import { quayScanSummary } from './quaySecurity';
import type { ScanSummary } from './scanSummary';

export const QUAY_IO = 'quay.io';
export const OAUTH_USERNAME = '$oauthtoken';
/** The tag endpoint's largest `limit`. */
const TAG_PAGE = 100;
const NAMESPACE = /^[a-z0-9][a-z0-9_.-]{1,254}$/;
const CREDENTIAL_FAILURE = /rejected|sign in|denied|requires/i;
const ROBOT = /^[a-z0-9][a-z0-9_.-]*\+[a-z][a-z0-9_]{0,254}$/;

export function isQuayHost(host: string): boolean {
  return host.trim().toLowerCase().replace(/^https?:\/\//, '').split('/')[0] === QUAY_IO;
}

export const quayForm: ProviderForm = {
  id: 'quay',
  title: 'Quay',
  description: 'quay.io or a self-hosted Red Hat Quay: repositories and tags through the Quay API.',
  icon: 'archive',
  help:
    'To browse with dates and sizes, use an OAuth access token: in your organization open Applications → Create New Application → Generate Token, and grant “View all visible repositories” (repo:read). ' +
    'A robot account (Account or organization settings → Robot Accounts; name like org+robot) is used for the registry itself, for manifests and digests; with only a robot account, repositories come from the registry catalog. ' +
    'Without credentials you can browse the public repositories of the namespaces you list.',
  docsUrl: 'https://docs.quay.io/api/',
  fields: [
    { id: 'url', label: 'Quay address', kind: 'text', required: true, default: QUAY_IO, placeholder: 'quay.io or quay.example.com', help: 'quay.io, or the host of your own Quay.' },
    {
      id: 'namespaces',
      label: 'Namespaces',
      kind: 'list',
      placeholder: 'my-org\nmy-user',
      help: 'Organizations or users whose repositories to list, one per line (the part after quay.io/). Needed unless you browse with a robot account only.',
    },
    { id: 'oauthToken', label: 'OAuth access token', kind: 'password', secret: true, help: 'Organization → Applications → your application → Generate Token, with “View all visible repositories”.' },
    { id: 'robotUsername', label: 'Robot account', kind: 'text', placeholder: 'my-org+ci_reader', help: 'The robot’s full name, namespace+name. Give it Read permission on the repositories.' },
    { id: 'robotToken', label: 'Robot token', kind: 'password', secret: true, help: 'Robot Accounts → the robot → Robot Token. Stored in VS Code’s secret storage.' },
    { id: 'insecure', label: 'Allow insecure (skip TLS verification, allow plain HTTP)', kind: 'checkbox', default: false },
    { id: 'caPem', label: 'Custom CA certificate', kind: 'file', help: 'For a self-hosted Quay with a private CA: its PEM certificate.', fileFilters: { 'PEM certificate': ['pem', 'crt', 'cer'] } },
    displayNameField('Defaults to the address'),
  ],
};

export function quayNamespaces(config: ConnectionConfig): string[] {
  const v = config.options?.namespaces;
  return typeof v === 'string' && v ? v.split(',') : [];
}

export const quayProvider: RegistryProvider = {
  form: quayForm,

  fromForm(values, previous): FormResult {
    const errors: FieldError[] = [];
    const url = (str(values, 'url') || QUAY_IO).replace(/\/+$/, '');
    const insecure = bool(values, 'insecure');
    checkAddress(url, insecure, errors);
    const namespaces = str(values, 'namespaces')
      .split(/[\n,]/)
      .map((s) => s.trim().replace(/^(https?:\/\/)?[^/]*quay[^/]*\/(organization\/|user\/)?/i, '').replace(/\/+$/, '').toLowerCase())
      .filter(Boolean);
    const bad = namespaces.filter((n) => !NAMESPACE.test(n));
    if (bad.length) errors.push({ field: 'namespaces', message: `Not a Quay namespace: ${bad.slice(0, 3).join(', ')}. Use the organization or user name as in quay.io/NAME, one per line.` });
    const prev = previous?.config.provider === 'quay' ? previous : undefined;
    const oauthToken = keepSecret(values, 'oauthToken', prev?.secrets)?.trim();
    const robotUsername = str(values, 'robotUsername');
    const robotToken = keepSecret(values, 'robotToken', prev && prev.config.username === robotUsername ? prev.secrets : undefined)?.trim();
    if (robotUsername && !ROBOT.test(robotUsername)) {
      errors.push({ field: 'robotUsername', message: `“${robotUsername}” is not a robot account name: it reads namespace+name, for example my-org+ci_reader (copy it from Robot Accounts).` });
    }
    if (robotUsername && !robotToken) errors.push({ field: 'robotToken', message: `Paste the token of ${robotUsername} (Robot Accounts → the robot → Robot Token).` });
    if (robotToken && !robotUsername) errors.push({ field: 'robotUsername', message: 'Enter the robot account the token belongs to, namespace+name.' });
    for (const [field, v] of [['oauthToken', oauthToken], ['robotToken', robotToken]] as const) {
      if (v && /\s/.test(v)) errors.push({ field, message: 'The token contains spaces or line breaks. Copy it again and paste it whole.' });
    }
    const robotOnly = !!robotUsername && !oauthToken;
    if (!robotOnly && !namespaces.length && !bad.length) {
      errors.push({ field: 'namespaces', message: 'Name at least one organization or user to list (the part after quay.io/), or sign in with a robot account to list the registry catalog.' });
    }
    const caPem = checkCaPem(str(values, 'caPem'), errors);
    if (errors.length) return { ok: false, errors };
    const secrets: ConnectionSecrets = {};
    if (oauthToken) secrets.oauthToken = oauthToken;
    if (robotToken) secrets.robotToken = robotToken;
    return {
      ok: true,
      config: {
        provider: 'quay',
        name: str(values, 'name') || url.replace(/^https?:\/\//, ''),
        url,
        ...(robotUsername ? { username: robotUsername } : {}),
        ...(insecure ? { insecure } : {}),
        ...(caPem ? { caPem } : {}),
        ...(namespaces.length ? { options: { namespaces: [...new Set(namespaces)].join(',') } } : {}),
      },
      secrets,
    };
  },

  toForm(config) {
    return {
      url: config.url,
      namespaces: quayNamespaces(config).join('\n'),
      robotUsername: config.username ?? '',
      insecure: !!config.insecure,
      caPem: config.caPem ?? '',
      name: config.name,
    };
  },

  fromDockerConfig(entry: DockerConfigEntry): { config: Omit<ConnectionConfig, 'id'>; secrets: ConnectionSecrets } | undefined {
    if (!entry.username || !entry.password) return undefined;
    const host = entry.registry.toLowerCase();
    if (entry.username === OAUTH_USERNAME) return undefined; // the API needs namespaces we cannot know
    if (!ROBOT.test(entry.username)) return undefined;
    return { config: { provider: 'quay', name: host, url: host, username: entry.username }, secrets: { robotToken: entry.password } };
  },

  connect(config, secrets, ctx) {
    return new QuayConnection(config, secrets, ctx);
  },
};

// The Quay API's answers, as schemas (see registry/wire.ts). Times and sizes are facts we only
// show: read leniently (isoTime, num), so an odd one is left out rather than failing the list.
const repositoryListSchema = wireObject({
  repositories: v.array(wireObject({ name: v.string(), namespace: v.nullish(v.string()), last_modified: v.optional(v.unknown()) })),
  next_page: v.nullish(v.string()),
});
const tagListSchema = wireObject({
  tags: v.array(wireObject({ name: v.string(), manifest_digest: optionalDigestSchema, start_ts: v.optional(v.unknown()), last_modified: v.optional(v.unknown()), size: v.optional(v.unknown()) })),
  has_additional: v.nullish(v.boolean()),
});

type What = { kind: 'namespace'; name: string } | { kind: 'repository'; name: string } | { kind: 'delete'; name: string } | { kind: 'security'; name: string };

export class QuayConnection extends V2Connection {
  readonly api: ControlPlane;
  private readonly oauthToken?: string;
  private readonly secretList: (string | undefined)[];

  constructor(config: ConnectionConfig, secrets: ConnectionSecrets, ctx: ProviderContext) {
    const endpoint = parseEndpoint(config.url, config.insecure).url;
    const robot = config.username && secrets.robotToken ? { username: config.username, password: secrets.robotToken } : undefined;
    const oauth = secrets.oauthToken || undefined;
    const secretList = [secrets.oauthToken, secrets.robotToken];
    const client = new GuardedRegistryClient(
      {
        ...clientOptions(config.url, ctx, 'Quay registry'),
        insecure: config.insecure,
        caPem: config.caPem,
        credentials: robot ? staticCredentials({ kind: 'basic', ...robot }) : oauth ? staticCredentials({ kind: 'basic', username: OAUTH_USERNAME, password: oauth }) : undefined,
      },
      { error: (e) => quayRegistryError(e, endpoint.host, robot?.username, secretList) },
    );
    super(config, client);
    this.oauthToken = oauth;
    this.secretList = secretList;
    this.api = new ControlPlane({ baseUrl: ctx.apiBaseUrls?.quay ?? endpoint, label: 'the Quay API', proxy: ctx.proxy, userAgent: ctx.userAgent, log: ctx.log, caPem: config.caPem, insecure: config.insecure });
  }

  /** With only a robot account, the API is closed to us: the registry catalog it is. */
  get listsThroughRegistry(): boolean {
    return !this.oauthToken && !!this.config.username;
  }

  override async listRepositories(signal?: AbortSignal): Promise<Page<RepositoryInfo>> {
    const namespaces = quayNamespaces(this.config);
    if (this.listsThroughRegistry) {
      // The catalog holds what the robot may read; listed namespaces narrow it.
      const page = await pagesFrom(this.client.catalogPages({ signal }), (name: string) => ({ name }))();
      return namespaces.length ? narrow(page, (r) => namespaces.includes(r.name.split('/')[0]!)) : page;
    }
    return cursorPages<RepositoryInfo, { ns: number; next?: string }>(async (cursor, s) => {
      const at = cursor ?? { ns: 0 };
      const ns = namespaces[at.ns]!;
      const res = await this.get('/api/v1/repository', { namespace: ns, last_modified: 'true', next_page: at.next }, { kind: 'namespace', name: ns }, s ?? signal);
      const body = parseWire(repositoryListSchema, res.json, 'The Quay API', `the repositories of ${ns}`);
      const items: RepositoryInfo[] = [];
      for (const r of body.repositories) {
        if (!r.name) continue;
        const updated = isoTime(r.last_modified);
        items.push({ name: `${r.namespace || ns}/${r.name}`, ...(updated ? { updated } : {}) });
      }
      const token = body.next_page || undefined;
      const next = token ? { ns: at.ns, next: token } : at.ns + 1 < namespaces.length ? { ns: at.ns + 1 } : undefined;
      return { items, ...(next ? { next } : {}) };
    }, 'The Quay API (repositories)')(signal);
  }

  override async listTags(repository: string, signal?: AbortSignal): Promise<Page<TagInfo>> {
    if (this.listsThroughRegistry) return super.listTags(repository, signal);
    const slash = repository.indexOf('/');
    if (slash <= 0 || slash === repository.length - 1) throw new RegistryError('invalid', `“${repository}” is not a Quay repository: names are namespace/name.`);
    const path = `/api/v1/repository/${repository.split('/').map(encodeURIComponent).join('/')}/tag/`;
    const what: What = { kind: 'repository', name: repository };
    return cursorPages<TagInfo, number>(async (page, s) => {
      const n = page ?? 1;
      const res = await this.get(path, { page: n, limit: TAG_PAGE, onlyActiveTags: 'true' }, what, s ?? signal);
      const body = parseWire(tagListSchema, res.json, 'The Quay API', `the tags of ${repository}`);
      const items: TagInfo[] = [];
      for (const t of body.tags) {
        const name = t.name;
        if (!name) continue;
        const digest = t.manifest_digest || undefined;
        const created = isoTime(num(t.start_ts)) ?? isoTime(t.last_modified);
        const size = num(t.size);
        items.push({ name, ...(digest ? { digest } : {}), ...(created ? { created } : {}), ...(size !== undefined ? { size } : {}) });
      }
      return { items, ...(body.has_additional === true ? { next: n + 1 } : {}) };
    }, `The Quay API (tags of ${repository})`)(signal);
  }

  override async test(signal?: AbortSignal): Promise<TestStep[]> {
    // Robot only: the registry's own steps; a credentials failure concerns the robot token.
    if (this.listsThroughRegistry) return (await super.test(signal)).map((s) => (!s.ok && CREDENTIAL_FAILURE.test(s.detail ?? '') ? { ...s, field: 'robotToken' } : s));
    const steps: TestStep[] = [];
    let first: string | undefined;
    try {
      const page = await this.listRepositories(signal);
      first = page.items[0]?.name;
      steps.push({
        label: `${this.oauthToken ? 'Signed in to the Quay API' : 'Reached the Quay API anonymously'}: ${countOf(page, 'repository', 'repositories')} in ${quayNamespaces(this.config).join(', ')}`,
        ok: true,
      });
    } catch (e) {
      const field = isRegistryError(e, 'notFound') ? 'namespaces' : isRegistryError(e, 'unauthorized') || isRegistryError(e, 'forbidden') ? 'oauthToken' : undefined;
      steps.push({ label: 'List repositories through the Quay API', ok: false, detail: errorMessage(e), ...(field ? { field } : {}) });
      return steps;
    }
    if (!first) return steps;
    try {
      const tag = (await this.listTags(first, signal)).items[0]?.name;
      if (tag) {
        await this.client.headManifest(first, tag, signal);
        steps.push({ label: `Read the digest of ${first}:${tag} from the registry${this.config.username ? ` as ${this.config.username}` : ''}`, ok: true });
      }
    } catch (e) {
      const field = isRegistryError(e, 'unauthorized') || isRegistryError(e, 'forbidden') ? (this.config.username ? 'robotToken' : 'oauthToken') : undefined;
      steps.push({ label: `Read ${first} from the registry`, ok: false, detail: errorMessage(e), ...(field ? { field } : {}) });
    }
    return steps;
  }

  override async dispose(): Promise<void> {
    await Promise.all([super.dispose(), this.api.close()]);
  }

  /**
   * Quay's vulnerability scan of one image. A Quay without a scanner (or an image it does not
   * know) answers 404: that is "not scanned", not an error. Robot accounts have no API access.
   */
  async scanSummary(repository: string, digest: string, signal?: AbortSignal): Promise<ScanSummary> {
    if (!isValidDigest(digest)) throw new RegistryError('invalid', 'A scan is looked up by digest (algorithm:hex).');
    if (this.listsThroughRegistry) return { state: 'notScanned', scanner: 'Quay (Clair)', detail: 'Scan results need the Quay API: add an OAuth access token to the connection.' };
    const [ns, ...rest] = repository.split('/');
    const path = `/api/v1/repository/${encodeURIComponent(ns!)}/${encodeURIComponent(rest.join('/'))}/manifest/${digest}/security`;
    try {
      const res = await this.get(path, { vulnerabilities: 'true' }, { kind: 'security', name: `${repository}@${digest}` }, signal);
      return quayScanSummary(res.json, `${repository}@${digest.slice(0, 19)}…`);
    } catch (e) {
      if (isRegistryError(e, 'notFound')) return { state: 'notScanned', scanner: 'Quay (Clair)', detail: 'Quay has no scan of this image (no security scanner, or the image is not indexed yet).' };
      throw e;
    }
  }

  /** Through the Quay API (`DELETE /api/v1/repository/NS/NAME`), which needs a token with repo:admin. */
  async deleteRepository(repository: string, signal?: AbortSignal): Promise<void> {
    if (!this.oauthToken) {
      throw new RegistryError('unauthorized', `Deleting ${repository} needs the Quay API: add an OAuth access token with “Administer repositories” (repo:admin) to the connection. A robot account cannot delete repositories.`);
    }
    const [ns, ...rest] = repository.split('/');
    await this.get(`/api/v1/repository/${encodeURIComponent(ns!)}/${encodeURIComponent(rest.join('/'))}`, {}, { kind: 'delete', name: repository }, signal, 'DELETE');
  }

  private async get(path: string, query: Record<string, string | number | undefined>, what: What, signal?: AbortSignal, method: 'GET' | 'DELETE' = 'GET'): Promise<ApiResponse> {
    let res: ApiResponse;
    try {
      res = await this.api.request(method, this.api.url(path, query), { headers: this.oauthToken ? { authorization: `Bearer ${this.oauthToken}` } : {}, signal });
    } catch (e) {
      const clean = isRegistryError(e) ? hideSecrets(e.message, this.secretList) : undefined;
      throw isRegistryError(e) && clean ? reword(e, clean) : e;
    }
    if (res.status >= 200 && res.status < 300) return res;
    const code = apiCode(res.json);
    const said = scrub(apiMessage(res.json), this.secretList);
    const detail = said && said !== code ? ` (${code ? `${code}: ` : ''}${said})` : code ? ` (${code})` : '';
    const opts = { status: res.status, ...(code ? { code } : {}) };
    const target = what.kind === 'namespace' ? `the repositories of ${what.name}` : what.kind === 'delete' ? `the repository ${what.name}` : what.kind === 'security' ? `the scan of ${what.name}` : `the tags of ${what.name}`;
    const verb = what.kind === 'delete' ? 'delete' : what.kind === 'security' ? 'read' : 'list';
    if (res.status === 401) {
      if (!this.oauthToken) throw new RegistryError('unauthorized', `The Quay API requires a sign-in to ${verb} ${target}. Add an OAuth access token to the connection.`, opts);
      throw new RegistryError(
        'unauthorized',
        `Quay rejected the OAuth access token${detail}. It may be mistyped or revoked: generate a new one (Organization → Applications → your application → Generate Token) and edit the connection.`,
        opts,
      );
    }
    if (res.status === 403) {
      throw new RegistryError(
        'forbidden',
        what.kind === 'delete'
          ? `The Quay API refused to delete ${target}${detail}. Generate the token with “Administer repositories” (repo:admin), by an admin of the repository.`
          : `The Quay API refused to list ${target}${detail}. ${this.oauthToken ? 'Generate the token with “View all visible repositories” (repo:read), by a user who can read this namespace.' : 'Private repositories need an OAuth access token.'}`,
        opts,
      );
    }
    if (res.status === 404) {
      throw new RegistryError('notFound', what.kind === 'namespace' ? `Quay has no namespace ${what.name} visible to this connection. Check the spelling (quay.io/${what.name}).` : `Repository ${what.name} was not found on Quay.`, opts);
    }
    if (res.status === 429) throw new RegistryError('rateLimited', `The Quay API is rate limiting requests${detail}. Try again in a minute.`, opts);
    const doing = `${verb === 'delete' ? 'deleting' : verb === 'read' ? 'reading' : 'listing'} ${target}`;
    if (res.status >= 500) throw new RegistryError('network', `The Quay API had a server error (HTTP ${res.status}) ${doing}${detail}. Try again shortly.`, opts);
    throw new RegistryError('protocol', `The Quay API answered HTTP ${res.status} ${doing}${detail}.`, opts);
  }
}

function quayRegistryError(e: unknown, host: string, robot: string | undefined, secrets: (string | undefined)[]): unknown {
  if (!isRegistryError(e)) return e;
  if (e.kind === 'unauthorized' && /rejected the credentials/.test(e.message)) {
    return reword(
      e,
      robot
        ? `${host} rejected the robot account ${robot}. Check its token (Robot Accounts → ${robot} → Robot Token; regenerating it invalidates the old one), then edit the connection.`
        : `${host} rejected the OAuth access token for the registry. Check that it is still valid, then edit the connection.`,
    );
  }
  if (e.kind === 'forbidden' && robot) return reword(e, `${hideSecrets(e.message, secrets) ?? e.message} Give ${robot} Read permission on the repository.`);
  const clean = hideSecrets(e.message, secrets);
  return clean ? reword(e, clean) : e;
}

function narrow<T>(page: Page<T>, keep: (item: T) => boolean): Page<T> {
  const more = page.more;
  return { items: page.items.filter(keep), ...(more ? { more: async (signal?: AbortSignal) => narrow(await more(signal), keep) } : {}) };
}
