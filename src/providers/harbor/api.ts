// Harbor's REST API (`/api/v2.0`), the part a browser needs: projects → repositories →
// artifacts, each a paged list (`page`/`page_size`, at most 100; Harbor sends `X-Total-Count`
// and a `Link` with rel="next", which we follow as given, on the API's origin only). Basic
// credentials on every call: a user's password or CLI secret, or a robot's secret.
// Answers are schema-checked; errors come back in Harbor's terms with what to do.

import * as v from 'valibot';
import { basicHeader } from '../../registry/credentials';
import { RegistryError, isRegistryError } from '../../registry/errors';
import { nextLink, paginate, type Page as ClientPage } from '../../registry/paging';
import { optionalDigestSchema, parseWire, wireObject } from '../../registry/wire';
import { ControlPlane, apiCode, apiMessage, hideSecrets, reword, type ApiResponse, type ControlPlaneOptions } from '../controlPlane';
import { rateLimitedError, serverWords } from '../messages';
import { isRobot } from './form';

/** Harbor's largest `page_size`. */
export const HARBOR_PAGE = 100;
export const HARBOR_API_PATH = '/api/v2.0';
const WHO = 'Harbor';

// Times and sizes are facts we only show: read leniently, so an odd one is left out rather than
// failing the listing. Names and digests are what we act on: checked strictly.
const projectListSchema = v.array(wireObject({ name: v.string() }));
const repositoryListSchema = v.array(wireObject({ name: v.string(), update_time: v.optional(v.unknown()), artifact_count: v.optional(v.unknown()) }));
const tagSchema = wireObject({ name: v.string(), push_time: v.optional(v.unknown()) });
const scanReportSchema = wireObject({
  scan_status: v.optional(v.unknown()),
  severity: v.optional(v.unknown()),
  summary: v.nullish(wireObject({ total: v.optional(v.unknown()), fixable: v.optional(v.unknown()), summary: v.nullish(v.record(v.string(), v.unknown())) })),
});
const artifactListSchema = v.array(
  wireObject({
    digest: optionalDigestSchema,
    type: v.nullish(v.string()),
    media_type: v.nullish(v.string()),
    manifest_media_type: v.nullish(v.string()),
    size: v.optional(v.unknown()),
    push_time: v.optional(v.unknown()),
    tags: v.nullish(v.array(tagSchema)),
    scan_overview: v.nullish(v.record(v.string(), scanReportSchema)),
    accessories: v.nullish(v.array(wireObject({ type: v.nullish(v.string()), digest: optionalDigestSchema, size: v.optional(v.unknown()) }))),
  }),
);

export type HarborArtifact = v.InferOutput<typeof artifactListSchema>[number];
export type ScanReport = v.InferOutput<typeof scanReportSchema>;

/** What a request was for, so its failure can say so. */
export type What = { kind: 'projects' } | { kind: 'project'; name: string } | { kind: 'repository'; name: string } | { kind: 'delete'; name: string };

/** `team/app` inside a project → `team%252Fapp`: Harbor decodes the path once, then again for the name. */
export function harborRepositoryPath(name: string): string {
  return encodeURIComponent(encodeURIComponent(name));
}

export class HarborApi {
  readonly plane: ControlPlane;
  private readonly authorization: string;

  constructor(
    opts: Omit<ControlPlaneOptions, 'label'>,
    private readonly username: string,
    private readonly secret: string,
  ) {
    this.plane = new ControlPlane({ ...opts, label: 'the Harbor API' });
    this.authorization = basicHeader(username, secret);
  }

  projectPages(signal: () => AbortSignal | undefined): AsyncGenerator<ClientPage<string>> {
    const what: What = { kind: 'projects' };
    return paginate(this.plane.url(`${HARBOR_API_PATH}/projects`, { page: 1, page_size: HARBOR_PAGE }), async (url) => {
      const res = await this.get(url, what, signal());
      return { items: parseWire(projectListSchema, res.json, WHO, 'the list of projects').map((p) => p.name), next: this.next(res, url) };
    });
  }

  repositoryPages(project: string, signal: () => AbortSignal | undefined): AsyncGenerator<ClientPage<v.InferOutput<typeof repositoryListSchema>[number]>> {
    const what: What = { kind: 'project', name: project };
    const first = this.plane.url(`${HARBOR_API_PATH}/projects/${encodeURIComponent(project)}/repositories`, { page: 1, page_size: HARBOR_PAGE });
    return paginate(first, async (url) => {
      const res = await this.get(url, what, signal());
      return { items: parseWire(repositoryListSchema, res.json, WHO, `the repositories of project ${project}`), next: this.next(res, url) };
    });
  }

  /** `repository` is the full name, `project/…`. */
  artifactPages(repository: string, signal: () => AbortSignal | undefined): AsyncGenerator<ClientPage<HarborArtifact>> {
    const slash = repository.indexOf('/');
    const project = repository.slice(0, slash);
    const rest = repository.slice(slash + 1);
    const what: What = { kind: 'repository', name: repository };
    const first = this.plane.url(`${HARBOR_API_PATH}/projects/${encodeURIComponent(project)}/repositories/${harborRepositoryPath(rest)}/artifacts`, {
      page: 1,
      page_size: HARBOR_PAGE,
      with_tag: true,
      with_scan_overview: true,
      with_accessory: true,
    });
    return paginate(first, async (url) => {
      const res = await this.get(url, what, signal());
      return { items: parseWire(artifactListSchema, res.json, WHO, `the artifacts of ${repository}`), next: this.next(res, url) };
    });
  }

  /** `DELETE /projects/P/repositories/R`: the repository and every artifact in it. */
  async deleteRepository(repository: string, signal?: AbortSignal): Promise<void> {
    const slash = repository.indexOf('/');
    const url = this.plane.url(`${HARBOR_API_PATH}/projects/${encodeURIComponent(repository.slice(0, slash))}/repositories/${harborRepositoryPath(repository.slice(slash + 1))}`);
    await this.get(url, { kind: 'delete', name: repository }, signal, 'DELETE');
  }

  close(): Promise<void> {
    return this.plane.close();
  }

  private next(res: ApiResponse, url: URL): URL | undefined {
    // Harbor joins its links with " , "; the Link parser would read that space as part of the
    // previous link's parameters and lose rel="next".
    const link = nextLink(res.headers.getAll('link').map((h) => h.replace(/\s+,\s*</g, ', <')), url);
    return link && this.plane.follow(link.toString(), url);
  }

  private async get(url: URL, what: What, signal?: AbortSignal, method: 'GET' | 'DELETE' = 'GET'): Promise<ApiResponse> {
    let res: ApiResponse;
    try {
      res = await this.plane.request(method, url, { headers: { authorization: this.authorization }, signal });
    } catch (e) {
      const clean = isRegistryError(e) ? hideSecrets(e.message, [this.secret]) : undefined;
      throw isRegistryError(e) && clean ? reword(e, clean) : e;
    }
    if (res.status >= 200 && res.status < 300) return res;
    throw this.error(res, what);
  }

  private error(res: ApiResponse, what: What): RegistryError {
    const code = apiCode(res.json);
    const said = serverWords(apiMessage(res.json), [this.secret]);
    const detail = said && said.toLowerCase() !== code?.toLowerCase() ? ` (${code ? `${code}: ` : ''}${said})` : code ? ` (${code})` : '';
    const opts = { status: res.status, ...(code ? { code } : {}) };
    const robot = isRobot(this.username);
    const target = what.kind === 'projects' ? 'the list of projects' : what.kind === 'project' ? `the repositories of project ${what.name}` : `the artifacts of ${what.name}`;
    const doing = what.kind === 'delete' ? `deleting ${what.name}` : `reading ${target}`;
    if (res.status === 403 && what.kind === 'delete') {
      return new RegistryError(
        'forbidden',
        robot
          ? `Harbor does not let ${this.username} delete ${what.name}${detail}. Give the robot the “Delete repository” permission on this project.`
          : `Harbor does not let ${this.username} delete ${what.name}${detail}. Deleting a repository takes the Project Admin or Maintainer role.`,
        opts,
      );
    }
    if (res.status === 401) {
      return new RegistryError(
        'unauthorized',
        robot
          ? `Harbor rejected the robot account ${this.username}${detail}. Its secret may be wrong, or the robot expired or was disabled: refresh its secret (Robot Accounts → ${this.username} → Refresh Secret) and edit the connection.`
          : `Harbor rejected the user name or password of ${this.username}${detail}. Check both; if your Harbor signs in through OIDC, use your CLI secret (User Profile → CLI secret) instead of a password, then edit the connection.`,
        opts,
      );
    }
    if (res.status === 403) {
      return new RegistryError(
        'forbidden',
        robot
          ? `Harbor does not let ${this.username} read ${target}${detail}. Give the robot the “List repository”, “List artifact” and “Pull repository” permissions on this project, or remove the project from the connection.`
          : `Harbor does not let ${this.username} read ${target}${detail}. Ask a project administrator to add you to the project (the Limited Guest role is enough to browse), or remove the project from the connection.`,
        opts,
      );
    }
    if (res.status === 404) {
      return new RegistryError(
        'notFound',
        what.kind === 'repository' || what.kind === 'delete'
          ? `Harbor has no repository ${what.name}${detail}. It may have been deleted; refresh the list.`
          : what.kind === 'project'
            ? `Harbor has no project ${what.name} visible to ${this.username}. Check the spelling in the connection’s projects.`
            : `This server has no Harbor API at ${HARBOR_API_PATH}. Check the address, or connect it as a Generic Registry v2.`,
        opts,
      );
    }
    if (res.status === 429) return rateLimitedError('Harbor', undefined, { status: res.status, later: 'in a minute' });
    if (res.status >= 500) return new RegistryError('network', `Harbor had a server error (HTTP ${res.status}) ${doing}${detail}. Try again shortly.`, opts);
    return new RegistryError('protocol', `Harbor answered HTTP ${res.status} ${what.kind === 'delete' ? doing : `to a request for ${target}`}${detail}.`, opts);
  }
}

const SEVERITIES = ['Critical', 'High', 'Medium', 'Low'] as const;

/** “scan: 2 critical, 5 high”, “scan: no vulnerabilities”, “scan running”; undefined when not scanned. */
export function scanSummary(overview: Record<string, ScanReport> | null | undefined): string | undefined {
  if (!overview) return undefined;
  // One report per scanner mime type; the vulnerability report is the one a person looks for.
  const report = Object.entries(overview).find(([mime]) => /vulnerability/i.test(mime))?.[1] ?? Object.values(overview)[0];
  if (!report) return undefined;
  const status = typeof report.scan_status === 'string' ? report.scan_status : undefined;
  if (status && status !== 'Success') return /running|pending|scheduled/i.test(status) ? 'scan running' : status === 'Error' ? 'scan failed' : `scan ${status.toLowerCase()}`;
  const counts = report.summary?.summary ?? {};
  const parts = SEVERITIES.flatMap((s) => {
    const n = counts[s];
    return typeof n === 'number' && Number.isFinite(n) && n > 0 ? [`${n} ${s.toLowerCase()}`] : [];
  });
  if (parts.length) return `scan: ${parts.join(', ')}`;
  const total = report.summary?.total;
  if (total === 0 || (report.summary && !parts.length)) return 'scan: no vulnerabilities';
  return typeof report.severity === 'string' && report.severity !== 'None' && report.severity !== 'Unknown' ? `scan: ${report.severity.toLowerCase()}` : undefined;
}

/** “signed, SBOM”: what the artifact's accessories add, by their types (`signature.cosign`, `harbor.sbom`…). */
export function accessorySummary(accessories: readonly { type?: string | null }[] | null | undefined): string | undefined {
  if (!accessories?.length) return undefined;
  const kinds = new Set<string>();
  for (const a of accessories) {
    const t = (a.type ?? '').toLowerCase();
    if (t.includes('signature')) kinds.add('signed');
    else if (t.includes('sbom')) kinds.add('SBOM');
    else if (t) kinds.add('attestation');
  }
  return kinds.size ? [...kinds].join(', ') : undefined;
}
