// GitLab's REST API (`/api/v4`), the registry part: repositories of a group or a project,
// the tags of a repository, and one tag's details (digest, created_at, total_size — GitLab
// reads them from the registry per tag, which is why the listing leaves them out and we ask
// only for the tags on screen). Paged by `page`/`per_page` (at most 100): we follow the
// `Link` rel="next" GitLab sends (which also carries keyset cursors where GitLab uses them),
// else `X-Next-Page`, on the API's origin only, with the walk bounded by the page guard.
// Access tokens go in `PRIVATE-TOKEN`. Answers are schema-checked; refusals are worded with
// their fix (a token without read_api, an expired token, a group the user cannot see).

import * as v from 'valibot';
import { RegistryError, errorCode, isRegistryError } from '../../registry/errors';
import { nextLink, paginate, type Page as ClientPage } from '../../registry/paging';
import { optionalDigestSchema, parseWire, wireObject } from '../../registry/wire';
import { ControlPlane, apiMessage, hideSecrets, reword, text, obj, type ApiResponse, type ControlPlaneOptions } from '../controlPlane';
import { rateLimitedError, serverWords } from '../messages';

export const GITLAB_PAGE = 100;
const WHO = 'GitLab';

/** An id that goes into the path of a later request (a DELETE among them): a positive whole number, nothing else. */
const idSchema = v.pipe(
  v.number(),
  v.check((n: number) => Number.isSafeInteger(n) && n > 0, 'is not a positive whole number'),
);
const repositoryListSchema = v.array(wireObject({ id: idSchema, path: v.string(), project_id: idSchema, created_at: v.optional(v.unknown()), tags_count: v.optional(v.unknown()) }));
const tagListSchema = v.array(wireObject({ name: v.string() }));
const tagDetailSchema = wireObject({ name: v.string(), digest: optionalDigestSchema, created_at: v.optional(v.unknown()), total_size: v.optional(v.unknown()) });

export type GitLabRepository = v.InferOutput<typeof repositoryListSchema>[number];
export type GitLabTagDetail = v.InferOutput<typeof tagDetailSchema>;

/** What a request was for, so its failure can say so. */
export type What = { kind: 'group'; name: string } | { kind: 'project'; name: string } | { kind: 'tags'; name: string } | { kind: 'tag'; name: string } | { kind: 'delete'; name: string };

export class GitLabApi {
  readonly plane: ControlPlane;

  constructor(
    opts: Omit<ControlPlaneOptions, 'label'>,
    private readonly token: string,
  ) {
    this.plane = new ControlPlane({ ...opts, label: 'the GitLab API' });
  }

  repositoryPages(kind: 'group' | 'project', id: string, signal: () => AbortSignal | undefined): AsyncGenerator<ClientPage<GitLabRepository>> {
    const what: What = { kind, name: id };
    const first = this.plane.url(`/api/v4/${kind}s/${encodeURIComponent(id)}/registry/repositories`, { per_page: GITLAB_PAGE, page: 1, ...(kind === 'project' ? { tags_count: true } : {}) });
    return paginate(first, async (url) => {
      const res = await this.get(url, what, signal());
      return { items: parseWire(repositoryListSchema, res.json, WHO, `the registry repositories of ${kind} ${id}`), next: this.next(res, url) };
    });
  }

  tagPages(repo: GitLabRepository, signal: () => AbortSignal | undefined): AsyncGenerator<ClientPage<string>> {
    const what: What = { kind: 'tags', name: repo.path };
    const first = this.plane.url(`/api/v4/projects/${repo.project_id}/registry/repositories/${repo.id}/tags`, { per_page: GITLAB_PAGE, page: 1 });
    return paginate(first, async (url) => {
      const res = await this.get(url, what, signal());
      return { items: parseWire(tagListSchema, res.json, WHO, `the tags of ${repo.path}`).map((t) => t.name), next: this.next(res, url) };
    });
  }

  async tagDetail(repo: GitLabRepository, tag: string, signal?: AbortSignal): Promise<GitLabTagDetail> {
    const url = this.plane.url(`/api/v4/projects/${repo.project_id}/registry/repositories/${repo.id}/tags/${encodeURIComponent(tag)}`);
    const res = await this.get(url, { kind: 'tag', name: `${repo.path}:${tag}` }, signal);
    return parseWire(tagDetailSchema, res.json, WHO, `the details of ${repo.path}:${tag}`);
  }

  /** `DELETE /projects/:id/registry/repositories/:rid` (GitLab deletes the images in the background). */
  async deleteRepository(repo: GitLabRepository, signal?: AbortSignal): Promise<void> {
    await this.get(this.plane.url(`/api/v4/projects/${repo.project_id}/registry/repositories/${repo.id}`), { kind: 'delete', name: repo.path }, signal, 'DELETE');
  }

  close(): Promise<void> {
    return this.plane.close();
  }

  private next(res: ApiResponse, url: URL): URL | undefined {
    const link = nextLink(res.headers.getAll('link'), url);
    if (link) return this.plane.follow(link.toString(), url);
    const page = res.headers.get('x-next-page');
    if (!page || !/^\d+$/.test(page)) return undefined;
    const u = new URL(url.toString());
    u.searchParams.set('page', page);
    return u;
  }

  private async get(url: URL, what: What, signal?: AbortSignal, method: 'GET' | 'DELETE' = 'GET'): Promise<ApiResponse> {
    let res: ApiResponse;
    try {
      res = await this.plane.request(method, url, { headers: { 'private-token': this.token }, signal });
    } catch (e) {
      const clean = isRegistryError(e) ? hideSecrets(e.message, [this.token]) : undefined;
      throw isRegistryError(e) && clean ? reword(e, clean) : e;
    }
    if (res.status >= 200 && res.status < 300) return res;
    throw this.error(res, what);
  }

  private error(res: ApiResponse, what: What): RegistryError {
    const body = obj(res.json);
    const code = errorCode(body.error);
    const said = serverWords(text(body.error_description) ?? apiMessage(res.json), [this.token]);
    const opts = { status: res.status, ...(code ? { code } : {}) };
    const target =
      what.kind === 'tags' ? `the tags of ${what.name}` : what.kind === 'tag' ? `the details of ${what.name}` : what.kind === 'delete' ? `the repository ${what.name}` : `the registry of ${what.kind} ${what.name}`;
    const doing = what.kind === 'delete' ? `deleting ${what.name}` : `reading ${target}`;
    if (res.status === 401) {
      if (/expired/i.test(said ?? '')) {
        return new RegistryError('unauthorized', 'The GitLab access token has expired. Create a new one with read_api and read_registry (User Settings → Access tokens) and edit the connection.', opts);
      }
      if (/revoked/i.test(said ?? '')) {
        return new RegistryError('unauthorized', 'The GitLab access token was revoked. Create a new one with read_api and read_registry (User Settings → Access tokens) and edit the connection.', opts);
      }
      return new RegistryError(
        'unauthorized',
        'GitLab rejected the access token: it is mistyped, expired or revoked, or it is a deploy token (which GitLab’s API does not accept). Paste a personal, project or group access token with read_api and read_registry, or switch the connection to “Deploy token” and name its repositories.',
        opts,
      );
    }
    if (res.status === 403 && what.kind === 'delete') {
      return new RegistryError(
        'forbidden',
        `GitLab does not let this token delete ${what.name}${said ? ` (${said})` : ''}. Deleting needs a token with the api scope, of a user with the Maintainer role (or higher) in the project.`,
        opts,
      );
    }
    if (res.status === 403) {
      if (code === 'insufficient_scope' || /insufficient_scope|higher privileges/i.test(said ?? '')) {
        return new RegistryError(
          'forbidden',
          'The GitLab access token lacks the read_api scope, which listing registry repositories needs. Create a token with read_api and read_registry (User Settings → Access tokens) and edit the connection.',
          opts,
        );
      }
      return new RegistryError('forbidden', `GitLab does not let this token read ${target}${said ? ` (${said})` : ''}. Its user needs the Reporter role (or higher) there.`, opts);
    }
    if (res.status === 404) {
      if (what.kind === 'group' || what.kind === 'project') {
        return new RegistryError(
          'notFound',
          `GitLab has no ${what.kind} ${what.name} that this token can see. Check the path (the part after the GitLab address, like my-group/sub), and that the token’s user is a member.`,
          opts,
        );
      }
      return new RegistryError('notFound', `GitLab has no ${what.kind === 'tag' ? 'tag' : 'repository'} ${what.name}. It may have been deleted; refresh the list.`, opts);
    }
    if (res.status === 429) {
      const reset = Number(res.headers.get('ratelimit-reset'));
      return rateLimitedError('GitLab', Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : undefined, { status: res.status, later: 'in a minute' });
    }
    if (res.status >= 500) return new RegistryError('network', `GitLab had a server error (HTTP ${res.status}) ${doing}. Try again shortly.`, opts);
    return new RegistryError('protocol', `GitLab answered HTTP ${res.status} ${what.kind === 'delete' ? doing : `to a request for ${target}`}${said ? ` (${said})` : ''}.`, opts);
  }
}
