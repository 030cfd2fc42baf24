// The Artifact Registry REST API: JSON GETs with a bearer access token, `pageSize`/`pageToken`
// paging, answers schema-checked, Google's error bodies in plain words.

import * as v from 'valibot';
import { isValidDigest } from '../../registry/digest';
import { RegistryError, type RegistryErrorKind } from '../../registry/errors';
import { parseWire, wireObject } from '../../registry/wire';
import { ControlPlane, type ApiResponse } from '../controlPlane';
import { capitalize } from '../messages';
import type { ProviderContext } from '../provider';
import type { GoogleAccessTokens } from './tokens';

export const ARTIFACT_REGISTRY_API = 'https://artifactregistry.googleapis.com';
/** Artifact Registry pages hold at most 1,000 entries. */
export const AR_PAGE_SIZE = 1000;

// The Artifact Registry API's answers, as schemas (see registry/wire.ts). Names are required;
// times and sizes are facts we only show, read leniently.
const nextPageTokenSchema = v.nullish(v.string());
export const arRepositorySchema = wireObject({ name: v.string(), format: v.nullish(v.string()) });
export const arRepositoryListSchema = wireObject({
  repositories: v.optional(v.array(arRepositorySchema), []),
  nextPageToken: nextPageTokenSchema,
});
export const arPackageListSchema = wireObject({
  packages: v.optional(v.array(wireObject({ name: v.string(), updateTime: v.optional(v.unknown()) })), []),
  nextPageToken: nextPageTokenSchema,
});
export const arVersionListSchema = wireObject({
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

export function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/** A percent-encoded resource id, decoded; undefined when it is not valid percent-encoding. */
export function decodeId(id: string): string | undefined {
  try {
    return decodeURIComponent(id);
  } catch {
    return undefined;
  }
}

/** The Artifact Registry REST API: JSON GETs with a bearer access token. */
export class ArtifactRegistryApi {
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
