// A live Google connection. Container Registry is listed through the registry itself: `_catalog`
// answers with every repository the credential can see, across projects, so it is filtered to
// the project. Artifact Registry is listed through its REST API (api.ts), which gives each
// tag's digest, build time and size for free: `packages.list` (the images of a repository),
// `versions.list?view=FULL` (an image's digests with their tags and `metadata.imageSizeBytes`
// / `buildTime`), and `repositories.list` when the connection names a project and location
// but no repository.
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

import { parseEndpoint } from '../../registry/endpoint';
import { RegistryError, isRegistryError } from '../../registry/errors';
import { paginate, type Page as ClientPage } from '../../registry/paging';
import { GuardedRegistryClient, reword } from '../controlPlane';
import { countOf, errorMessage } from '../messages';
import { pagesFrom } from '../pages';
import type { Connection, ConnectionConfig, ConnectionSecrets, Page, ProviderContext, RepositoryInfo, TagInfo, TestStep } from '../provider';
import { AR_PAGE_SIZE, ARTIFACT_REGISTRY_API, ArtifactRegistryApi, arPackageListSchema, arRepositoryListSchema, arRepositorySchema, arVersionListSchema, decodeId, lastSegment } from './api';
import { parseServiceAccountKey, type ServiceAccountKey } from './serviceAccountKey';
import { AR_REPOSITORY_ID, projectPath, targetOf, targetPath, type GoogleTarget } from './target';
import { GoogleAccessTokens, tokenUrlFrom } from './tokens';

export interface GoogleTuning {
  /** Page size for the Artifact Registry API (default 1000) and the GCR catalog. */
  pageSize?: number;
  now?: () => number;
}

/** `connect` with knobs for tests. */
export function connectGoogle(config: ConnectionConfig, secrets: ConnectionSecrets, ctx: ProviderContext, tuning: GoogleTuning = {}): GoogleConnection {
  return new GoogleConnection(config, secrets, ctx, tuning);
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
