// Google Container Registry and Artifact Registry: one provider (`google`) whose form chooses
// between them, because they share everything that matters to a user — the sign-in (a
// service-account JSON key or the application default credentials), the credential the
// registries take (Basic `oauth2accesstoken` + a Google access token, see googleAuth.ts) and
// the IAM roles — and differ only in where images live and how they are listed:
//
//  - Container Registry: `gcr.io`, `us.gcr.io`, `eu.gcr.io`, `asia.gcr.io`; images are
//    `HOST/PROJECT/IMAGE`. Listed through the registry itself: `_catalog` answers with every
//    repository the credential can see, across projects, so it is filtered to the project.
//  - Artifact Registry: `LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE`. Listed through the
//    Artifact Registry REST API, which gives each tag's digest, build time and size for free:
//    `packages.list` (the images of a repository), `versions.list?view=FULL` (an image's
//    digests with their tags and `metadata.imageSizeBytes` / `buildTime`), and
//    `repositories.list` when the connection names a project and location but no repository.
//
// Access tokens live an hour. GoogleAccessTokens renews the token before it runs out; every
// call this provider makes (its own API calls and, through the guarded registry client, every
// registry call the tree makes on the connection's client) first asks it for a token with
// time left, so a registry token fetched mid-listing never carries an expired one. A token
// the registry or the API still refuses (revoked) is replaced once and the call retried: by
// the registry client's auth layer (credentials with `forceRefresh`), and by the API's `get`.
//
// Overrides (`registryExplorer.apiEndpoints`, for tests and private endpoints):
// `google-token` (the OAuth2 token endpoint), `artifactregistry` (the REST API),
// `google-registry` (the registry itself, for GCR and Artifact Registry alike).

import * as v from 'valibot';
import { isValidDigest } from '../registry/digest';
import { parseEndpoint } from '../registry/endpoint';
import { RegistryError, isRegistryError, type RegistryErrorKind } from '../registry/errors';
import { paginate, type Page as ClientPage } from '../registry/paging';
import { parseWire, wireObject } from '../registry/wire';
import { displayNameField, type FieldError, type ProviderForm } from './form';
import { ControlPlane, GuardedRegistryClient, reword, type ApiResponse } from './controlPlane';
import { keepSecret, str } from './generic';
import { GoogleAccessTokens, keyFromDockerPassword, parseServiceAccountKey, tokenUrlFrom, type ServiceAccountKey } from './googleAuth';
import { capitalize, countOf, errorMessage } from './messages';
import { pagesFrom } from './pages';
import type { Connection, ConnectionConfig, ConnectionSecrets, FormResult, Page, ProviderContext, RegistryProvider, RepositoryInfo, TagInfo, TestStep } from './provider';

export const ARTIFACT_REGISTRY_API = 'https://artifactregistry.googleapis.com';
export const GCR_HOSTS = ['gcr.io', 'us.gcr.io', 'eu.gcr.io', 'asia.gcr.io'] as const;
/** Artifact Registry pages hold at most 1,000 entries. */
const AR_PAGE_SIZE = 1000;

const GAR_HOST = /^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)-docker\.pkg\.dev$/;
/** Project IDs: 6–30 of lower-case letters, digits, hyphens; older ones may be domain-scoped (`example.com:proj`). */
const PROJECT_ID = /^(?:[a-z0-9][a-z0-9.-]*\.[a-z]{2,}:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const AR_REPOSITORY_ID = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export type GoogleRegistryKind = 'gar' | 'gcr';

/** Where a connection's images live. */
export interface GoogleTarget {
  kind: GoogleRegistryKind;
  /** `gcr.io`, `us-central1-docker.pkg.dev`. */
  host: string;
  /** As the APIs spell it: `my-project`, `example.com:my-project`. */
  project: string;
  /** Artifact Registry only. */
  location?: string;
  /** Artifact Registry only; absent means every Docker repository of the project in that location. */
  repository?: string;
}

/** The project as image paths spell it: `example.com:proj` → `example.com/proj`. */
export function projectPath(project: string): string {
  return project.replace(':', '/');
}

/** `HOST/PROJECT[/REPOSITORY]`: what the tree and messages call the connection's registry. */
export function targetPath(t: GoogleTarget): string {
  return [t.host, projectPath(t.project), ...(t.repository ? [t.repository] : [])].join('/');
}

/** `gcr.io`, `eu.gcr.io`, `us-central1-docker.pkg.dev`… (Docker config import). */
export function isGoogleRegistryHost(host: string): boolean {
  const bare = host.trim().toLowerCase().replace(/^https?:\/\//, '').split('/')[0] ?? '';
  return bare === 'gcr.io' || bare.endsWith('.gcr.io') || GAR_HOST.test(bare);
}

/**
 * Reads `LOCATION-docker.pkg.dev/PROJECT[/REPOSITORY]` (with or without https://, and with
 * an image path after the repository, which is dropped): what the console's copy button gives.
 */
export function parseArtifactRegistryPath(text: string): { ok: true; target: GoogleTarget } | { ok: false; message: string } {
  const input = text.trim().replace(/^https?:\/\//i, '').replace(/\/+$/, '');
  if (!input) return { ok: false, message: 'Enter the repository path, for example us-central1-docker.pkg.dev/my-project/my-repo (the console’s copy button gives it).' };
  const parts = input.split('/');
  const host = parts[0]!.toLowerCase();
  const m = GAR_HOST.exec(host);
  if (!m) {
    if (host === 'gcr.io' || host.endsWith('.gcr.io')) return { ok: false, message: `${host} is Container Registry: choose “Container Registry” above, or use the Artifact Registry path (LOCATION-docker.pkg.dev/PROJECT/REPOSITORY).` };
    if (host.endsWith('.pkg.dev')) return { ok: false, message: `${host} is not a Docker repository host: Docker repositories are at LOCATION-docker.pkg.dev (Maven, npm and Python ones cannot be browsed here).` };
    return { ok: false, message: `The path must start with LOCATION-docker.pkg.dev, for example us-central1-docker.pkg.dev/my-project/my-repo; “${host.slice(0, 60)}” is not such a host.` };
  }
  let rest = parts.slice(1);
  // A domain-scoped project appears as two segments: example.com/my-project.
  if (rest.length >= 2 && rest[0]!.includes('.')) rest = [`${rest[0]}:${rest[1]}`, ...rest.slice(2)];
  const [project, repository] = rest;
  if (!project) return { ok: false, message: `Add the project ID after the host: ${host}/PROJECT/REPOSITORY.` };
  if (!PROJECT_ID.test(project)) return { ok: false, message: `“${project.slice(0, 60)}” is not a project ID: IDs are 6 to 30 lower-case letters, digits and hyphens, starting with a letter (the ID, not the project’s display name).` };
  if (repository !== undefined && !AR_REPOSITORY_ID.test(repository)) {
    return { ok: false, message: `“${repository.slice(0, 70)}” is not a repository ID: lower-case letters, digits and hyphens, starting with a letter.` };
  }
  return { ok: true, target: { kind: 'gar', host, location: m[1]!, project, ...(repository ? { repository } : {}) } };
}

/** The target a stored connection describes. */
export function targetOf(config: ConnectionConfig): GoogleTarget {
  const o = config.options ?? {};
  const kind: GoogleRegistryKind = o.registry === 'gcr' ? 'gcr' : 'gar';
  const project = typeof o.project === 'string' ? o.project : '';
  if (kind === 'gcr') return { kind, host: config.url, project };
  return {
    kind,
    host: config.url,
    project,
    location: typeof o.location === 'string' ? o.location : (GAR_HOST.exec(config.url)?.[1] ?? ''),
    ...(typeof o.repository === 'string' && o.repository ? { repository: o.repository } : {}),
  };
}

export const googleForm: ProviderForm = {
  id: 'google',
  title: 'Google Artifact Registry / Container Registry',
  description: 'Docker repositories in Artifact Registry (REGION-docker.pkg.dev) or Container Registry (gcr.io), with a service-account key or your gcloud credentials.',
  icon: 'cloud',
  help:
    'Sign in with a service-account JSON key, or with the application default credentials (what “gcloud auth application-default login” or GOOGLE_APPLICATION_CREDENTIALS set up). ' +
    'The account needs the Artifact Registry Reader role (roles/artifactregistry.reader) on the repository or project; for Container Registry, Storage Object Viewer on the project’s artifacts bucket (or Artifact Registry Reader where gcr.io is served by Artifact Registry). ' +
    'Deleting tags needs Artifact Registry Repository Administrator. Access tokens are fetched and renewed automatically; the key never leaves VS Code’s secret storage.',
  docsUrl: 'https://cloud.google.com/artifact-registry/docs/docker/authentication',
  fields: [
    {
      id: 'registry',
      label: 'Registry',
      kind: 'select',
      required: true,
      default: 'gar',
      options: [
        { value: 'gar', label: 'Artifact Registry (LOCATION-docker.pkg.dev)' },
        { value: 'gcr', label: 'Container Registry (gcr.io)' },
      ],
      help: 'Container Registry is deprecated: choose it for images named gcr.io/PROJECT/…, also where Artifact Registry now serves gcr.io; choose Artifact Registry for LOCATION-docker.pkg.dev/… images.',
    },
    {
      id: 'garPath',
      label: 'Repository path',
      kind: 'text',
      placeholder: 'us-central1-docker.pkg.dev/my-project/my-repo',
      help: 'LOCATION-docker.pkg.dev/PROJECT/REPOSITORY, as the copy button on the repository’s page in the Cloud console gives it. Leave off the repository to browse every Docker repository of the project in that location.',
      showIf: { field: 'registry', equals: 'gar' },
    },
    {
      id: 'gcrHost',
      label: 'Container Registry host',
      kind: 'select',
      default: 'gcr.io',
      options: GCR_HOSTS.map((h) => ({ value: h, label: h })),
      help: 'The host in your image names: gcr.io (US), us.gcr.io, eu.gcr.io or asia.gcr.io.',
      showIf: { field: 'registry', equals: 'gcr' },
    },
    {
      id: 'project',
      label: 'Project ID',
      kind: 'text',
      placeholder: 'my-project',
      help: 'The project ID as in gcr.io/PROJECT/image (not the display name or number). Leave empty to use the project of the service-account key.',
      showIf: { field: 'registry', equals: 'gcr' },
    },
    {
      id: 'auth',
      label: 'Sign in with',
      kind: 'select',
      required: true,
      default: 'key',
      options: [
        { value: 'key', label: 'Service-account JSON key' },
        { value: 'adc', label: 'Application default credentials (gcloud)' },
      ],
      help: 'Application default credentials are read when VS Code starts: GOOGLE_APPLICATION_CREDENTIALS, then “gcloud auth application-default login”, then the metadata server on Google Cloud.',
    },
    {
      id: 'keyJson',
      label: 'Service-account JSON key',
      kind: 'file',
      secret: true,
      placeholder: '{ "type": "service_account", "client_email": … }',
      fileFilters: { 'JSON key': ['json'] },
      help: 'Choose the key file or paste its contents. Create one in the Cloud console: IAM & Admin → Service accounts → the account → Keys → Add key → Create new key → JSON. Stored in VS Code’s secret storage.',
      showIf: { field: 'auth', equals: 'key' },
    },
    displayNameField('Defaults to the registry path'),
  ],
};

export const googleProvider: RegistryProvider = {
  form: googleForm,

  fromForm(values, previous): FormResult {
    const errors: FieldError[] = [];
    const kind: GoogleRegistryKind = str(values, 'registry') === 'gcr' ? 'gcr' : 'gar';
    const auth = str(values, 'auth') === 'adc' ? 'adc' : 'key';
    if (!['', 'gar', 'gcr'].includes(str(values, 'registry'))) errors.push({ field: 'registry', message: 'Choose Artifact Registry or Container Registry.' });

    // The key first: its project can stand in for an empty project field.
    let key: ServiceAccountKey | undefined;
    let keyJson: string | undefined;
    if (auth === 'key') {
      const given = typeof values.keyJson === 'string' ? values.keyJson.trim() : '';
      // An edit that leaves the key blank keeps the stored one, unless it switched from ADC.
      keyJson = given || (previous?.config.options?.auth !== 'adc' ? keepSecret(values, 'keyJson', previous?.secrets) : undefined);
      const parsed = parseServiceAccountKey(keyJson ?? '');
      if (parsed.ok) key = parsed.key;
      else errors.push({ field: 'keyJson', message: parsed.message });
    }

    let target: GoogleTarget | undefined;
    if (kind === 'gar') {
      const parsed = parseArtifactRegistryPath(str(values, 'garPath'));
      if (parsed.ok) target = parsed.target;
      else errors.push({ field: 'garPath', message: parsed.message });
    } else {
      const host = str(values, 'gcrHost') || 'gcr.io';
      if (!(GCR_HOSTS as readonly string[]).includes(host)) errors.push({ field: 'gcrHost', message: `Choose one of ${GCR_HOSTS.join(', ')}.` });
      const project = str(values, 'project') || key?.project_id || '';
      if (!project) {
        errors.push({ field: 'project', message: auth === 'key' && key ? 'The key names no project: enter the project ID, as in gcr.io/PROJECT/image.' : 'Enter the project ID, as in gcr.io/PROJECT/image.' });
      } else if (!PROJECT_ID.test(project)) {
        errors.push({ field: 'project', message: `“${project.slice(0, 60)}” is not a project ID: IDs are 6 to 30 lower-case letters, digits and hyphens, starting with a letter (the ID, not the display name).` });
      } else {
        target = { kind, host, project };
      }
    }
    if (errors.length || !target) return { ok: false, errors };
    return {
      ok: true,
      config: {
        provider: 'google',
        name: str(values, 'name') || targetPath(target),
        url: target.host,
        options: {
          registry: kind,
          project: target.project,
          ...(target.location ? { location: target.location } : {}),
          ...(target.repository ? { repository: target.repository } : {}),
          auth,
          // The account is public metadata; showing it tells the user which key is in use.
          ...(key ? { account: key.client_email } : {}),
        },
      },
      secrets: keyJson && auth === 'key' ? { keyJson } : {},
    };
  },

  // `docker login -u _json_key` keeps the key itself; `gcloud auth configure-docker` leaves a
  // credential helper, which means application default credentials. Container Registry takes
  // its project from the key; where the entry does not say enough (an Artifact Registry host
  // names no project), the import falls back to Generic v2 with the entry's credentials.
  fromDockerConfig(entry) {
    const keyJson = keyFromDockerPassword(entry.username, entry.password);
    const adc = !keyJson && entry.helper !== undefined && /gcloud|gcr/.test(entry.helper);
    if (!keyJson && !adc) return undefined;
    if (!(GCR_HOSTS as readonly string[]).includes(entry.registry)) return undefined;
    const result = this.fromForm({ registry: 'gcr', gcrHost: entry.registry, auth: adc ? 'adc' : 'key', keyJson: keyJson ?? '', project: '' });
    return result.ok ? { config: result.config, secrets: result.secrets } : undefined;
  },

  toForm(config) {
    const t = targetOf(config);
    return {
      registry: t.kind,
      garPath: t.kind === 'gar' ? targetPath(t) : '',
      gcrHost: t.kind === 'gcr' ? t.host : 'gcr.io',
      project: t.kind === 'gcr' ? t.project : '',
      auth: config.options?.auth === 'adc' ? 'adc' : 'key',
      keyJson: '',
      name: config.name,
    };
  },

  connect(config, secrets, ctx) {
    return connectGoogle(config, secrets, ctx);
  },
};

export interface GoogleTuning {
  /** Page size for the Artifact Registry API (default 1000) and the GCR catalog. */
  pageSize?: number;
  now?: () => number;
}

/** `connect` with knobs for tests. */
export function connectGoogle(config: ConnectionConfig, secrets: ConnectionSecrets, ctx: ProviderContext, tuning: GoogleTuning = {}): GoogleConnection {
  return new GoogleConnection(config, secrets, ctx, tuning);
}

// The Artifact Registry API's answers, as schemas (see registry/wire.ts). Names are required;
// times and sizes are facts we only show, read leniently.
const nextPageTokenSchema = v.nullish(v.string());
const arRepositorySchema = wireObject({ name: v.string(), format: v.nullish(v.string()) });
const arRepositoryListSchema = wireObject({
  repositories: v.optional(v.array(arRepositorySchema), []),
  nextPageToken: nextPageTokenSchema,
});
const arPackageListSchema = wireObject({
  packages: v.optional(v.array(wireObject({ name: v.string(), updateTime: v.optional(v.unknown()) })), []),
  nextPageToken: nextPageTokenSchema,
});
const arVersionListSchema = wireObject({
  versions: v.optional(
    v.array(
      wireObject({
        // `projects/…/versions/sha256:…`: the last segment is the image digest.
        name: v.pipe(v.string(), v.check((n: string) => isValidDigest(lastSegment(n)), 'does not end in a digest (algorithm:hex)')),
        createTime: v.optional(v.unknown()),
        relatedTags: v.optional(v.array(wireObject({ name: v.string() })), []),
        metadata: v.nullish(wireObject({ imageSizeBytes: v.optional(v.unknown()), buildTime: v.optional(v.unknown()) })),
      }),
    ),
    [],
  ),
  nextPageToken: nextPageTokenSchema,
});

function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/** A percent-encoded resource id, decoded; undefined when it is not valid percent-encoding. */
function decodeId(id: string): string | undefined {
  try {
    return decodeURIComponent(id);
  } catch {
    return undefined;
  }
}

/** The Artifact Registry REST API: JSON GETs with a bearer access token. */
class ArtifactRegistryApi {
  private readonly plane: ControlPlane;

  constructor(
    baseUrl: string,
    ctx: ProviderContext,
    private readonly tokens: GoogleAccessTokens,
    onResponse: (url: URL, status: number) => void,
  ) {
    this.plane = new ControlPlane({ baseUrl, label: 'the Artifact Registry API', proxy: ctx.proxy, userAgent: ctx.userAgent, onResponse: (_method, url, status) => onResponse(url, status) });
  }

  get base(): URL {
    return this.plane.base;
  }

  url(path: string, query: Record<string, string | number | undefined> = {}): URL {
    return this.plane.url(path, query);
  }

  /** One GET; a 401 gets one fresh token and one retry (the token may have been revoked). */
  async get<S extends v.GenericSchema>(url: URL, what: string, schema: S, signal?: AbortSignal): Promise<v.InferOutput<S>> {
    let res = await this.send(url, await this.tokens.token(), signal);
    if (res.status === 401) res = await this.send(url, await this.tokens.token(true), signal);
    if (res.status !== 200) throw this.error(res, what);
    return parseWire(schema, res.json, 'The Artifact Registry API', `an answer about ${what}`);
  }

  private send(url: URL, token: string, signal?: AbortSignal): Promise<ApiResponse> {
    return this.plane.request('GET', url, { headers: { authorization: `Bearer ${token}` }, signal });
  }

  close(): Promise<void> {
    return this.plane.close();
  }

  /** Google's `{"error":{code,message,status,details}}` in plain words. */
  private error(res: ApiResponse, what: string): RegistryError {
    const body = res.json as { error?: { status?: unknown; message?: unknown; details?: { reason?: unknown }[] } } | null | undefined;
    const status = typeof body?.error?.status === 'string' ? body.error.status : '';
    const message = typeof body?.error?.message === 'string' ? body.error.message : '';
    const details = Array.isArray(body?.error?.details) ? body.error.details : [];
    const r = details.find((d) => typeof d?.reason === 'string')?.reason;
    const reason = typeof r === 'string' ? r : '';
    const said = status ? ` (${status}${reason && reason !== status ? `, ${reason}` : ''})` : '';
    const make = (kind: RegistryErrorKind, text: string) => new RegistryError(kind, text, { status: res.status, code: reason || status || `HTTP_${res.status}` });
    const account = this.tokens.account;
    if (res.status === 401) return make('unauthorized', `Google refused the access token of ${account}${said}. Reconnect; if it keeps happening, check the key or sign in again.`);
    if (res.status === 403 && (reason === 'SERVICE_DISABLED' || /has not been used in project|is disabled/i.test(message))) {
      return make('forbidden', `The Artifact Registry API is not enabled in this project${said}. Enable artifactregistry.googleapis.com in the Cloud console (APIs & Services), wait a minute, then retry.`);
    }
    if (res.status === 403) {
      const permission = /Permission '([a-z.]+)'/.exec(message)?.[1];
      return make(
        'forbidden',
        `${capitalize(account)} may not read ${what}${said}${permission ? `: it lacks ${permission}` : ''}. Grant it the Artifact Registry Reader role (roles/artifactregistry.reader) on the repository or project; if the name is mistyped, Google answers the same way.`,
      );
    }
    if (res.status === 404) return make('notFound', `${capitalize(what)} was not found${said}. Check the location, project and repository in the connection.`);
    if (res.status === 400) return make('protocol', `The Artifact Registry API refused the request for ${what}${said}${message ? `: ${message.slice(0, 200)}` : ''}.`);
    if (res.status === 429) return make('rateLimited', `The Artifact Registry API is rate-limiting ${account}${said}. Wait a minute, then retry.`);
    if (res.status >= 500) return make('network', `The Artifact Registry API had a server error (HTTP ${res.status}) reading ${what}. Try again shortly.`);
    return make('protocol', `The Artifact Registry API answered HTTP ${res.status} reading ${what}${said}.`);
  }
}

export class GoogleConnection implements Connection {
  readonly client: GuardedRegistryClient;
  readonly registryHost: string;
  readonly target: GoogleTarget;
  readonly tokens: GoogleAccessTokens;
  readonly stats = { apiRequests: 0 };
  private readonly api: ArtifactRegistryApi;
  private readonly pageSize: number;
  /** Why the stored key cannot be used, when it cannot. */
  private readonly brokenKey?: string;

  constructor(
    readonly config: ConnectionConfig,
    secrets: ConnectionSecrets,
    ctx: ProviderContext,
    tuning: GoogleTuning = {},
  ) {
    this.target = targetOf(config);
    this.pageSize = Math.min(AR_PAGE_SIZE, Math.max(1, tuning.pageSize ?? AR_PAGE_SIZE));
    let key: ServiceAccountKey | undefined;
    if (config.options?.auth !== 'adc') {
      const parsed = parseServiceAccountKey(secrets.keyJson ?? '');
      // Stored keys were checked when saved; a broken one still gets a message, at first use.
      key = parsed.ok ? parsed.key : undefined;
      if (!parsed.ok) this.brokenKey = parsed.message;
    }
    this.tokens = new GoogleAccessTokens({
      ...(key ? { key } : {}),
      tokenUrl: tokenUrlFrom(ctx.apiBaseUrls?.['google-token']),
      proxy: ctx.proxy,
      log: ctx.log,
      ...(tuning.now ? { now: tuning.now } : {}),
    });
    const registryUrl = ctx.apiBaseUrls?.['google-registry'] ?? this.target.host;
    this.registryHost = parseEndpoint(registryUrl).url.host;
    const userAgent = ctx.userAgent ?? 'registry-explorer/0.1';
    const source = this.tokens.source;
    this.client = new GuardedRegistryClient(
      {
        url: registryUrl,
        proxy: ctx.proxy,
        userAgent,
        credentials: async (req) => {
          this.checkKey();
          return source(req);
        },
        ...(tuning.pageSize ? { pageSize: tuning.pageSize } : {}),
      },
      // The client itself asks for credentials again only after a 401, and a registry token
      // service that sees an expired Google token answers 401 outright: renew ahead instead.
      { before: () => this.tokens.token(), error: (e) => this.registryError(e) },
    );
    this.api = new ArtifactRegistryApi(ctx.apiBaseUrls?.artifactregistry ?? ARTIFACT_REGISTRY_API, ctx, this.tokens, (url, status) => {
      this.stats.apiRequests++;
      // Path only: page tokens stay out of the log.
      ctx.log?.(`Artifact Registry API: GET ${url.pathname} → ${status}`);
    });
  }

  /** The registry's remaining refusals in Google's terms. */
  private registryError(e: unknown): unknown {
    if (!isRegistryError(e)) return e;
    const account = this.tokens.account;
    if (e.kind === 'unauthorized') {
      return reword(
        e,
        `${this.registryHost} refused the access token of ${account}. Check that the key is still valid and the account may read this registry (Artifact Registry Reader), then reconnect.`,
      );
    }
    if (e.kind === 'forbidden' && !/Artifact Registry Reader/.test(e.message)) {
      return reword(e, `${e.message} Grant ${account} the Artifact Registry Reader role (roles/artifactregistry.reader) on the repository or project.`);
    }
    return e;
  }

  private checkKey(): void {
    if (this.brokenKey) throw new RegistryError('invalid', `The stored service-account key cannot be used: ${this.brokenKey} Edit the connection.`);
  }

  /** What the tree calls the repositories: full registry paths (`PROJECT/REPO/IMAGE`), so references work as they are. */
  async listRepositories(signal?: AbortSignal): Promise<Page<RepositoryInfo>> {
    this.checkKey();
    if (this.target.kind === 'gcr') return pagesFrom(this.gcrCatalog(signal), (name: string) => ({ name }))();
    return pagesFrom(this.garImages(signal), (r: RepositoryInfo) => r)();
  }

  async listTags(repository: string, signal?: AbortSignal): Promise<Page<TagInfo>> {
    this.checkKey();
    const where = this.arRepositoryOf(repository);
    if (!where) return pagesFrom(this.client.tagPages(repository, { signal }), (name: string) => ({ name }))();
    return pagesFrom(this.garTags(where.repository, where.image, signal), (t: TagInfo) => t)();
  }

  async test(signal?: AbortSignal): Promise<TestStep[]> {
    const steps: TestStep[] = [];
    try {
      this.checkKey();
      await this.tokens.token();
      const left = this.tokens.expiresAt !== undefined ? Math.round((this.tokens.expiresAt - Date.now()) / 60_000) : undefined;
      steps.push({ label: `Signed in to Google as ${this.tokens.account}`, ok: true, ...(left !== undefined && left < 10_000 ? { detail: `Access token valid for ${left} min; renewed automatically.` } : {}) });
    } catch (e) {
      steps.push({ label: 'Get a Google access token', ok: false, detail: errorMessage(e) });
      return steps;
    }
    const t = this.target;
    if (t.kind === 'gar' && t.repository) {
      const what = `repository ${t.repository} in ${t.project} (${t.location})`;
      try {
        const repo = await this.api.get(this.api.url(`/v1/${this.repoResource(t.repository)}`), what, arRepositorySchema, signal);
        const format = repo.format || 'DOCKER';
        if (format !== 'DOCKER') {
          steps.push({ label: `Found ${what}`, ok: false, detail: `It holds ${format} packages, not Docker images. Choose a Docker-format repository.` });
          return steps;
        }
        steps.push({ label: `Found ${what}`, ok: true, detail: 'Docker format' });
      } catch (e) {
        steps.push({ label: `Find ${what}`, ok: false, detail: errorMessage(e) });
        return steps;
      }
    }
    try {
      await this.client.ping(signal);
      steps.push({ label: `Reached ${this.registryHost}`, ok: true });
    } catch (e) {
      steps.push({ label: `Reach ${this.registryHost}`, ok: false, detail: errorMessage(e) });
      return steps;
    }
    let first: string | undefined;
    try {
      const page = await this.listRepositories(signal);
      first = page.items[0]?.name;
      steps.push({ label: `Listed ${countOf(page, 'image', 'images')} in ${targetPath(t)}`, ok: true });
    } catch (e) {
      steps.push({ label: `List the images in ${targetPath(t)}`, ok: false, detail: errorMessage(e) });
      return steps;
    }
    if (!first) return steps;
    try {
      const tag = (await this.listTags(first, signal)).items[0]?.name;
      if (tag) {
        // Proves the registry takes the token (the listing above may have come from the API).
        await this.client.headManifest(first, tag, signal);
        steps.push({ label: `Read ${first}:${tag} from the registry`, ok: true });
      }
    } catch (e) {
      steps.push({ label: `Read ${first} from the registry`, ok: false, detail: errorMessage(e) });
    }
    return steps;
  }

  async dispose(): Promise<void> {
    await Promise.all([this.client.close(), this.api.close()]);
  }

  // ——— Container Registry ———

  /**
   * The catalog filtered to the project. The catalog is in lexical order (the distribution
   * spec's paging relies on it), so the walk starts just before the project's names (`last`)
   * and stops at the first name past them, instead of reading every project the credential
   * sees. Pages the filter leaves empty are skipped, not shown.
   */
  private async *gcrCatalog(signal?: AbortSignal): AsyncGenerator<ClientPage<string>> {
    const project = projectPath(this.target.project);
    const prefix = `${project}/`;
    for await (const page of this.client.catalogPages({ signal, last: project })) {
      const items = page.items.filter((n) => n.startsWith(prefix));
      const past = page.items.some((n) => n > prefix && !n.startsWith(prefix));
      if (past || !page.next) {
        yield { items };
        return;
      }
      if (items.length) yield page.items.length === items.length ? page : { items, next: page.next };
    }
  }

  // ——— Artifact Registry ———

  private repoResource(repository: string): string {
    return `projects/${this.target.project}/locations/${this.target.location}/repositories/${repository}`;
  }

  /** `PROJECT/REPO/IMAGE` → the Artifact Registry repository and image, when it is one of this connection's. */
  private arRepositoryOf(name: string): { repository: string; image: string } | undefined {
    if (this.target.kind !== 'gar') return undefined;
    const prefix = `${projectPath(this.target.project)}/`;
    if (!name.startsWith(prefix)) return undefined;
    const rest = name.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash <= 0 || slash === rest.length - 1) return undefined;
    const repository = rest.slice(0, slash);
    if (this.target.repository && repository !== this.target.repository) return undefined;
    return { repository, image: rest.slice(slash + 1) };
  }

  /** The images of the repository, or of every Docker repository in the location. */
  private async *garImages(signal?: AbortSignal): AsyncGenerator<ClientPage<RepositoryInfo>> {
    if (this.target.repository) {
      yield* this.packagePages(this.target.repository, false, signal);
      return;
    }
    const parent = `projects/${this.target.project}/locations/${this.target.location}`;
    const what = `the repositories of ${this.target.project} in ${this.target.location}`;
    const repoPages = paginate(this.api.url(`/v1/${parent}/repositories`, { pageSize: this.pageSize }), async (url) => {
      const body = await this.api.get(url, what, arRepositoryListSchema, signal);
      const items = body.repositories
        .filter((r) => !r.format || r.format === 'DOCKER')
        .map((r) => lastSegment(r.name))
        .filter((id) => AR_REPOSITORY_ID.test(id));
      return { items, ...this.nextPage(url, body) };
    });
    for await (const repos of repoPages) {
      for (let i = 0; i < repos.items.length; i++) {
        const last = i === repos.items.length - 1 && !repos.next;
        yield* this.packagePages(repos.items[i]!, !last, signal);
      }
    }
  }

  /** packages.list of one repository; `moreAfter` marks its last page as not the end of the listing. */
  private async *packagePages(repository: string, moreAfter: boolean, signal?: AbortSignal): AsyncGenerator<ClientPage<RepositoryInfo>> {
    const prefix = `${projectPath(this.target.project)}/${repository}/`;
    const what = `repository ${repository} in ${this.target.project} (${this.target.location})`;
    const pages = paginate(this.api.url(`/v1/${this.repoResource(repository)}/packages`, { pageSize: this.pageSize }), async (url) => {
      const body = await this.api.get(url, what, arPackageListSchema, signal);
      const items = body.packages.flatMap((p): RepositoryInfo[] => {
        const image = decodeId(lastSegment(p.name));
        if (!image) return [];
        return [{ name: prefix + image, ...(typeof p.updateTime === 'string' ? { updated: p.updateTime } : {}) }];
      });
      return { items, ...this.nextPage(url, body) };
    });
    for await (const page of pages) {
      // `next` only says "more follows" to pagesFrom; the next repository's pages come from here.
      const next = page.next ?? (moreAfter ? this.api.base : undefined);
      if (page.items.length || !next) yield { items: page.items, ...(next ? { next } : {}) };
    }
  }

  /** versions.list?view=FULL: each tagged digest with its tags, build time and size. */
  private async *garTags(repository: string, image: string, signal?: AbortSignal): AsyncGenerator<ClientPage<TagInfo>> {
    const what = `image ${image} in repository ${repository}`;
    const pages = paginate(
      this.api.url(`/v1/${this.repoResource(repository)}/packages/${encodeURIComponent(image)}/versions`, { view: 'FULL', pageSize: this.pageSize }),
      async (url) => {
        const body = await this.api.get(url, what, arVersionListSchema, signal);
        const items = body.versions.flatMap((version): TagInfo[] => {
          const digest = lastSegment(version.name);
          // int64 fields come as strings in Google's JSON.
          const size = Number(version.metadata?.imageSizeBytes);
          // The build time is what a registry-only provider shows (the config's `created`);
          // the upload time stands in when the image has none.
          const buildTime = version.metadata?.buildTime;
          const created = typeof buildTime === 'string' ? buildTime : typeof version.createTime === 'string' ? version.createTime : undefined;
          return version.relatedTags.flatMap((t): TagInfo[] => {
            const tag = decodeId(lastSegment(t.name));
            if (!tag) return [];
            return [{ name: tag, digest, ...(created ? { created } : {}), ...(Number.isFinite(size) && size > 0 ? { size } : {}) }];
          });
        });
        return { items, ...this.nextPage(url, body) };
      },
    );
    for await (const page of pages) {
      // Pages of untagged digests only are skipped rather than shown empty.
      if (page.items.length || !page.next) yield page;
    }
  }

  private nextPage(url: URL, body: { nextPageToken?: string | null }): { next?: URL } {
    const token = body.nextPageToken || undefined;
    if (!token) return {};
    const next = new URL(url);
    next.searchParams.set('pageToken', token);
    return { next };
  }
}
