// A live GitLab connection. With an access token: repositories of the chosen groups and
// projects and their tags through the REST API, tag facts one tag at a time (`tagDetails`)
// for the tags on screen. With a deploy token: the repositories the user named, tags through
// the registry. Either way the registry — manifests, digests, deletes — goes through the
// Registry v2 client with the token as the password (GitLab's registry sends clients to its
// JWT token service at GITLAB/jwt/auth, which takes it as Basic).
//
// Test and self-hosted overrides (`registryExplorer.apiEndpoints`): `gitlab` replaces the API
// origin (normally the GitLab address of the form).

import { staticCredentials } from '../../registry/credentials';
import { parseEndpoint } from '../../registry/endpoint';
import { RegistryError, isRegistryError } from '../../registry/errors';
import { GuardedRegistryClient, chainedPages, clientOptions, hideSecrets, isoTime, num, reword } from '../controlPlane';
import { V2Connection } from '../generic';
import { countOf } from '../messages';
import { apiThenRegistrySteps } from '../testSteps';
import type { ConnectionConfig, ConnectionSecrets, Page, ProviderContext, RepositoryInfo, TagInfo, TestStep } from '../provider';
import { GITLAB_PAGE, GitLabApi, type GitLabRepository } from './api';
import { TOKEN_USERNAME, gitlabApiOrigin, gitlabAuth, gitlabGroups, gitlabProjects } from './form';

export class GitLabConnection extends V2Connection {
  readonly api: GitLabApi;
  private readonly deploy: boolean;
  /** Repository path → its ids, as the API listed them (tags and details are asked for by id). */
  private readonly known = new Map<string, GitLabRepository>();
  private readonly resolving = new Map<string, Promise<GitLabRepository>>();

  constructor(config: ConnectionConfig, secrets: ConnectionSecrets, ctx: ProviderContext) {
    const host = parseEndpoint(config.url, config.insecure).url.host;
    const token = secrets.token ?? '';
    const deploy = gitlabAuth(config) === 'deploy';
    const username = config.username || TOKEN_USERNAME;
    const client = new GuardedRegistryClient(
      {
        ...clientOptions(config.url, ctx, 'GitLab registry'),
        insecure: config.insecure,
        caPem: config.caPem,
        credentials: token ? staticCredentials({ kind: 'basic', username, password: token }) : undefined,
      },
      { error: (e) => gitlabRegistryError(e, host, deploy, token) },
    );
    super(config, client);
    this.deploy = deploy;
    this.api = new GitLabApi(
      { baseUrl: ctx.apiBaseUrls?.gitlab ?? gitlabApiOrigin(config), proxy: ctx.proxy, userAgent: ctx.userAgent, log: ctx.log, caPem: config.caPem, insecure: config.insecure },
      token,
    );
  }

  private sources(): { kind: 'group' | 'project'; id: string }[] {
    return [...gitlabGroups(this.config).map((id) => ({ kind: 'group' as const, id })), ...gitlabProjects(this.config).map((id) => ({ kind: 'project' as const, id }))];
  }

  override async listRepositories(signal?: AbortSignal): Promise<Page<RepositoryInfo>> {
    if (this.deploy) {
      if (!this.config.repositories?.length) throw new RegistryError('invalid', 'A deploy token cannot list repositories. Edit the connection and name the repositories to browse.');
      return super.listRepositories(signal);
    }
    const sources = this.sources();
    if (!sources.length) throw new RegistryError('invalid', 'Choose the GitLab groups or projects whose registries to list: edit the connection.');
    // A repository listed by both a group and one of its projects shows once.
    const shown = new Set<string>();
    return chainedPages(
      sources.map(({ kind, id }) => {
        const api = this.api;
        const known = this.known;
        return async function* (sig: () => AbortSignal | undefined) {
          for await (const page of api.repositoryPages(kind, id, sig)) {
            const items: RepositoryInfo[] = [];
            for (const r of page.items) {
              known.set(r.path, r);
              if (shown.has(r.path)) continue;
              shown.add(r.path);
              const updated = isoTime(r.created_at);
              const tagCount = num(r.tags_count);
              items.push({ name: r.path, ...(tagCount !== undefined ? { tagCount } : {}), ...(updated ? { updated } : {}) });
            }
            yield { items, ...(page.next ? { next: page.next } : {}) };
          }
        };
      }),
      GITLAB_PAGE,
    )(signal);
  }

  override async listTags(repository: string, signal?: AbortSignal): Promise<Page<TagInfo>> {
    if (this.deploy) return super.listTags(repository, signal);
    const repo = await this.repository(repository, signal);
    const api = this.api;
    return chainedPages(
      [
        async function* (sig: () => AbortSignal | undefined) {
          for await (const page of api.tagPages(repo, sig)) yield { items: page.items.map((name): TagInfo => ({ name })), ...(page.next ? { next: page.next } : {}) };
        },
      ],
      GITLAB_PAGE,
    )(signal);
  }

  /** One tag's digest, date and size from the API (GitLab's listing leaves them out). */
  async tagDetails(repository: string, tag: string, signal?: AbortSignal): Promise<TagInfo> {
    if (this.deploy) {
      const d = await this.client.imageDetails(repository, tag, { signal });
      const created = isoTime(d.created);
      return { name: tag, digest: d.digest, ...(created ? { created } : {}), ...(d.size !== undefined ? { size: d.size } : {}) };
    }
    const repo = await this.repository(repository, signal);
    const d = await this.api.tagDetail(repo, tag, signal);
    const created = isoTime(d.created_at);
    const size = num(d.total_size);
    return { name: d.name, ...(d.digest ? { digest: d.digest } : {}), ...(created ? { created } : {}), ...(size !== undefined ? { size } : {}) };
  }

  /** Through the GitLab API; a deploy token cannot use it. */
  async deleteRepository(repository: string, signal?: AbortSignal): Promise<void> {
    if (this.deploy) {
      throw new RegistryError('forbidden', `A deploy token cannot delete ${repository}: GitLab deletes repositories through its API. Connect with an access token that has the api scope.`);
    }
    await this.api.deleteRepository(await this.repository(repository, signal), signal);
    this.known.delete(repository);
  }

  /**
   * The ids of a repository by its path. Usually known from the listing; otherwise (a tree
   * restored from its cache, Find) the project is found by trying the path's prefixes, longest
   * first: `group/project` is a project's root image, `group/project/api` one of its images.
   */
  private repository(path: string, signal?: AbortSignal): Promise<GitLabRepository> {
    const hit = this.known.get(path);
    if (hit) return Promise.resolve(hit);
    let pending = this.resolving.get(path);
    if (!pending) {
      pending = this.resolve(path, signal).finally(() => this.resolving.delete(path));
      this.resolving.set(path, pending);
    }
    return pending;
  }

  private async resolve(path: string, signal?: AbortSignal): Promise<GitLabRepository> {
    const segments = path.split('/');
    for (let n = segments.length; n >= 2; n--) {
      const project = segments.slice(0, n).join('/');
      try {
        for await (const page of this.api.repositoryPages('project', project, () => signal)) {
          for (const r of page.items) this.known.set(r.path, r);
          const found = this.known.get(path);
          if (found) return found;
        }
      } catch (e) {
        if (isRegistryError(e, 'notFound')) continue;
        throw e;
      }
      // The project exists and has no such repository: a shorter prefix is another project, not this one's image.
      break;
    }
    throw new RegistryError('notFound', `GitLab has no registry repository ${path} that this token can see. It may have been deleted; refresh the list.`);
  }

  override async test(signal?: AbortSignal): Promise<TestStep[]> {
    if (this.deploy) {
      return (await super.test(signal)).map((s) => (!s.ok && /rejected|denied|sign in/i.test(s.detail ?? '') ? { ...s, field: 'token' } : s));
    }
    const tokenField = (e: unknown) => (isRegistryError(e, 'unauthorized') || isRegistryError(e, 'forbidden') ? 'token' : undefined);
    return apiThenRegistrySteps(
      this,
      {
        listed: (page) => `Listed ${countOf(page, 'repository', 'repositories')} through the GitLab API (${this.sources().map((s) => s.id).join(', ')})`,
        listFailed: 'List registry repositories through the GitLab API',
        listField: (e) => tokenField(e) ?? (isRegistryError(e, 'notFound') ? (gitlabGroups(this.config).length ? 'groups' : 'projects') : undefined),
        registryField: tokenField,
      },
      signal,
    );
  }

  override async dispose(): Promise<void> {
    await Promise.all([super.dispose(), this.api.close()]);
  }
}

function gitlabRegistryError(e: unknown, host: string, deploy: boolean, token: string): unknown {
  if (!isRegistryError(e)) return e;
  if (e.kind === 'unauthorized' && /rejected the credentials/.test(e.message)) {
    return reword(
      e,
      deploy
        ? `${host} rejected the deploy token. Check its user name and token, that it has the read_registry scope and has not expired (Settings → Repository → Deploy tokens), then edit the connection.`
        : `${host} rejected the access token. It needs the read_registry scope (write_registry to delete) and must not have expired: create one under User Settings → Access tokens and edit the connection.`,
    );
  }
  if (e.kind === 'forbidden') {
    const base = hideSecrets(e.message, [token]) ?? e.message;
    return reword(e, `${base} The token needs read_registry (write_registry to delete), and its user the Reporter role (Developer to delete) in the project.`);
  }
  const clean = hideSecrets(e.message, [token]);
  return clean ? reword(e, clean) : e;
}
