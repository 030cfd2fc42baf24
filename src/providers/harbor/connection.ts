// A live Harbor connection: listing through the Harbor API (so it works where `_catalog` is
// closed, which is everywhere but for system administrators), and the registry itself —
// manifests, digests, deletes — through the Registry v2 client with the same credentials
// (Harbor's token service at /service/token takes them as Basic).
//
// Test and self-hosted overrides (`registryExplorer.apiEndpoints`): `harbor` replaces the API
// origin (normally the registry's own).

import { staticCredentials } from '../../registry/credentials';
import { parseEndpoint } from '../../registry/endpoint';
import { RegistryError, isRegistryError } from '../../registry/errors';
import { listedFacts } from '../../registry/listedKind';
import { GuardedRegistryClient, chainedPages, clientOptions, hideSecrets, isoTime, num, reword } from '../controlPlane';
import { V2Connection } from '../generic';
import { countOf } from '../messages';
import { apiThenRegistrySteps } from '../testSteps';
import type { ConnectionConfig, ConnectionSecrets, Page, ProviderContext, RepositoryInfo, TagInfo, TestStep } from '../provider';
import type { Referrer } from '../../registry/referrers';
import { accessoryReferrers } from './accessories';
import { HARBOR_PAGE, HarborApi, accessorySummary, scanSummary, type HarborArtifact } from './api';
import { harborProjects, isRobot, robotProject } from './form';

const INDEX_TYPES = /index|manifest\.list/;

export class HarborConnection extends V2Connection {
  readonly api: HarborApi;
  private readonly username: string;
  /** The projects the last listing walked, for Test connection's words. */
  private listedProjects: string[] = [];
  /** `repository@digest` → its accessories as referrers, from the listing. */
  private readonly accessories = new Map<string, Referrer[]>();

  constructor(config: ConnectionConfig, secrets: ConnectionSecrets, ctx: ProviderContext) {
    const endpoint = parseEndpoint(config.url, config.insecure).url;
    const username = config.username ?? '';
    const password = secrets.password ?? '';
    const client = new GuardedRegistryClient(
      {
        ...clientOptions(config.url, ctx, 'Harbor registry'),
        insecure: config.insecure,
        caPem: config.caPem,
        credentials: username && password ? staticCredentials({ kind: 'basic', username, password }) : undefined,
      },
      { error: (e) => harborRegistryError(e, endpoint.host, username, password) },
    );
    super(config, client);
    this.username = username;
    this.api = new HarborApi(
      { baseUrl: ctx.apiBaseUrls?.harbor ?? endpoint.origin, proxy: ctx.proxy, userAgent: ctx.userAgent, log: ctx.log, caPem: config.caPem, insecure: config.insecure },
      username,
      password,
    );
  }

  /** The projects the user named, a project robot's own, or undefined for every visible project. */
  private chosenProjects(): string[] | undefined {
    const named = harborProjects(this.config);
    if (named.length) return named;
    const own = robotProject(this.username);
    return own ? [own] : undefined;
  }

  private async projects(signal?: AbortSignal): Promise<string[]> {
    const chosen = this.chosenProjects();
    if (chosen) return chosen;
    const names: string[] = [];
    for await (const page of this.api.projectPages(() => signal)) names.push(...page.items);
    return [...new Set(names)];
  }

  override async listRepositories(signal?: AbortSignal): Promise<Page<RepositoryInfo>> {
    const projects = await this.projects(signal);
    this.listedProjects = projects;
    const sources = projects.map((project) => async function* (this: HarborConnection, sig: () => AbortSignal | undefined) {
      for await (const page of this.api.repositoryPages(project, sig)) {
        const items: RepositoryInfo[] = [];
        for (const r of page.items) {
          // Harbor answers with full names (`project/app`); an odd one is left out, never guessed at.
          if (!r.name.startsWith(`${project}/`)) continue;
          const updated = isoTime(r.update_time);
          items.push({ name: r.name, ...(updated ? { updated } : {}) });
        }
        yield { items, ...(page.next ? { next: page.next } : {}) };
      }
    }.bind(this));
    return chainedPages(sources, HARBOR_PAGE)(signal);
  }

  override async listTags(repository: string, signal?: AbortSignal): Promise<Page<TagInfo>> {
    const slash = repository.indexOf('/');
    if (slash <= 0 || slash === repository.length - 1) throw new RegistryError('invalid', `“${repository}” is not a Harbor repository: names are project/name.`);
    const api = this.api;
    const accessories = this.accessories;
    const source = async function* (sig: () => AbortSignal | undefined) {
      for await (const page of api.artifactPages(repository, sig)) {
        for (const a of page.items) if (a.digest) accessories.set(`${repository}@${a.digest}`, accessoryReferrers(a.accessories));
        yield { items: page.items.flatMap(tagsOf), ...(page.next ? { next: page.next } : {}) };
      }
    };
    return chainedPages([source], HARBOR_PAGE)(signal);
  }

  override test(signal?: AbortSignal): Promise<TestStep[]> {
    const who = isRobot(this.username) ? `the robot account ${this.username}` : this.username;
    return apiThenRegistrySteps(
      this,
      {
        listed: (page) => {
          const projects = this.listedProjects;
          const where = this.chosenProjects() ? projects.join(', ') : `${projects.length} ${projects.length === 1 ? 'project' : 'projects'}`;
          return `Signed in to Harbor as ${who}: ${countOf(page, 'repository', 'repositories')} in ${where}`;
        },
        listFailed: 'List repositories through the Harbor API',
        listField: (e) => (isRegistryError(e, 'unauthorized') ? 'password' : isRegistryError(e, 'forbidden') || isRegistryError(e, 'notFound') ? (harborProjects(this.config).length ? 'projects' : 'username') : undefined),
        registryField: (e) => (isRegistryError(e, 'unauthorized') ? 'password' : undefined),
      },
      signal,
    );
  }

  /** Harbor's accessories of an image, as its listing gave them: no request; undefined for an image not listed yet. */
  async referrers(repository: string, digest: string): Promise<Referrer[] | undefined> {
    return this.accessories.get(`${repository}@${digest}`);
  }

  /** Through the Harbor API: the Registry API cannot delete a repository. */
  deleteRepository(repository: string, signal?: AbortSignal): Promise<void> {
    const slash = repository.indexOf('/');
    if (slash <= 0 || slash === repository.length - 1) throw new RegistryError('invalid', `“${repository}” is not a Harbor repository: names are project/name.`);
    return this.api.deleteRepository(repository, signal);
  }

  override async dispose(): Promise<void> {
    await Promise.all([super.dispose(), this.api.close()]);
  }
}

/** One row per tag of the artifact; an untagged artifact has no row (the tree lists tags). */
export function tagsOf(a: HarborArtifact): TagInfo[] {
  const digest = a.digest || undefined;
  const index = INDEX_TYPES.test(a.manifest_media_type ?? a.media_type ?? '');
  // An index's size in Harbor is the sum of its platforms, not what one pull downloads: the
  // tree reads the largest platform from the registry instead.
  const size = index ? undefined : num(a.size);
  const type = a.type && a.type.toUpperCase() !== 'IMAGE' ? a.type.toUpperCase() === 'CHART' ? 'Helm chart' : a.type.toUpperCase() : undefined;
  const artifact = listedFacts({ type: a.type, artifactMediaType: a.media_type });
  // A kind the tree names (its word and icon) is not said twice.
  const note = [artifact ? undefined : type, scanSummary(a.scan_overview), accessorySummary(a.accessories)].filter(Boolean).join(' · ') || undefined;
  return (a.tags ?? []).map((t) => {
    const created = isoTime(t.push_time) ?? isoTime(a.push_time);
    return { name: t.name, ...(digest ? { digest } : {}), ...(created ? { created } : {}), ...(size !== undefined ? { size } : {}), ...(note ? { note } : {}), ...(artifact ? { artifact } : {}) };
  });
}

function harborRegistryError(e: unknown, host: string, username: string, secret: string): unknown {
  if (!isRegistryError(e)) return e;
  if (e.kind === 'unauthorized' && /rejected the credentials/.test(e.message)) {
    return reword(
      e,
      isRobot(username)
        ? `${host} rejected the robot account ${username}. Its secret may be wrong, or the robot expired or was disabled: refresh its secret (Robot Accounts → ${username} → Refresh Secret) and edit the connection.`
        : `${host} rejected the user name or password of ${username}. If your Harbor signs in through OIDC, use your CLI secret (User Profile → CLI secret), then edit the connection.`,
    );
  }
  if (e.kind === 'forbidden') {
    const base = hideSecrets(e.message, [secret]) ?? e.message;
    return reword(e, `${base} ${isRobot(username) ? `Give ${username} the “Pull repository” permission on this project.` : 'Ask a project administrator for at least the Limited Guest role.'}`);
  }
  const clean = hideSecrets(e.message, [secret]);
  return clean ? reword(e, clean) : e;
}
