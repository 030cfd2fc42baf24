// A fake Amazon ECR: the control-plane API on the real wire protocol (AWS JSON 1.1 over
// `POST /` with `X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Op>`, SigV4-signed), and
// a registry front that authenticates the way ECR's registry does (Basic `AWS:<password>`
// from GetAuthorizationToken; an expired password gets 403 DENIED "Your authorization token
// has expired") and passes every v2 request on to the real docker-registry behind it.
//
// What the real SDK and provider see is what AWS sends:
//  - SigV4 is verified for real (canonical request, scope, HMAC chain) against the secrets the
//    fake knows: an unknown key ID answers UnrecognizedClientException, a wrong secret
//    InvalidSignatureException, an expired session token ExpiredTokenException, a missing IAM
//    permission AccessDeniedException, each as `{"__type": ..., "message": ...}` with HTTP 400.
//  - DescribeRepositories / DescribeImages read the real registry (catalog, tags, manifests,
//    configs), so what is pushed is what is listed. Pages are capped at `pageSize` (AWS may
//    return fewer than maxResults) and continue with an opaque nextToken.
//  - imagePushedAt stands in with the image's config `created` (the registry keeps no push
//    time), so tests can assert exact dates; imageSizeInBytes is config + layers, and for an
//    index the largest platform image (ECR documents "the max size of all manifests").
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent, request } from 'undici';
import { FULL_ACCEPT, MT } from '../mediaTypes';
import type { RunningRegistry } from '../registry';
import { closeServer, listenLocal, readBody } from './http';
import { referrersOf } from '../referrersFront';

export const ECR_TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';

export interface FakeAwsKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials: requests must carry this X-Amz-Security-Token. */
  sessionToken?: string;
  /** The session token has expired: ExpiredTokenException. */
  expired?: boolean;
  /** The IAM principal, for AccessDenied messages; default `arn:aws:iam::ACCOUNT:user/tester`. */
  arn?: string;
}

export interface FakeEcrOptions {
  /** The real registry behind the front; plain mode (the front does the auth, as ECR does). */
  registry: RunningRegistry;
  keys: FakeAwsKey[];
  /** Default '123456789012'. */
  accountId?: string;
  /** The region requests must be signed for; default 'us-east-1'. */
  region?: string;
  /** Lifetime of registry passwords, seconds; default 12 h like ECR. */
  tokenTtlSeconds?: number;
  /** Most items per page, whatever maxResults asks for; default 1000. */
  pageSize?: number;
  /** Operations the principal lacks the permission for (AccessDeniedException). */
  deny?: string[];
}

export interface FakeApiCall {
  op: string;
  status: number;
  /** `__type` of an error answer. */
  error?: string;
  accessKeyId?: string;
  /** The JSON input as sent (never contains credentials). */
  input: Record<string, unknown>;
  /** Items in a successful answer, and whether it carried a nextToken. */
  items?: number;
  nextToken?: boolean;
}

export interface FakeRegistryRequest {
  method: string;
  path: string;
  status: number;
  /** Which issued password (1-based, in issue order) authenticated it; undefined if none. */
  token?: number;
  /** Why the front refused it. */
  refused?: 'missing' | 'unknown' | 'expired';
}

export interface FakeEcr {
  /** The ECR API endpoint, for the SDK's `endpoint` (and `apiBaseUrls.ecr`). */
  endpoint: string;
  /** The registry front's URL: what GetAuthorizationToken returns as proxyEndpoint. */
  registryUrl: string;
  accountId: string;
  region: string;
  calls: FakeApiCall[];
  registryRequests: FakeRegistryRequest[];
  /** Count of API calls by operation, optionally only successful ones. */
  count(op: string, ok?: boolean): number;
  /** Registry passwords issued so far (to check none leaks into messages or logs). */
  issuedPasswords(): string[];
  setTokenTtl(seconds: number): void;
  /** Expire every password issued so far now (server-side), as if their 12 h were up. */
  expireTokens(): void;
  setDeny(ops: string[]): void;
  setPageSize(n: number): void;
  /**
   * What DescribeImages says of an image's scan (`imageScanStatus.status`, and for a finished
   * scan `findingSeverityCounts`); undefined: never scanned (no status at all, as ECR answers).
   */
  setScan(digest: string, scan: { status: string; description?: string; counts?: Record<string, number> } | undefined): void;
  reset(): void;
  stop(): Promise<void>;
}

interface Issued {
  n: number;
  password: string;
  expiresAt: number;
}

const ARTIFACT_PUSHED_AT = '2024-01-01T00:00:00Z';

interface ImageInfo {
  digest: string;
  mediaType: string;
  size?: number;
  created?: string;
  /** ECR reports a single manifest's config media type (or its artifactType) as artifactMediaType. */
  artifactMediaType?: string;
}

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

export async function startFakeEcr(opts: FakeEcrOptions): Promise<FakeEcr> {
  const accountId = opts.accountId ?? '123456789012';
  const region = opts.region ?? 'us-east-1';
  let tokenTtl = opts.tokenTtlSeconds ?? 12 * 3600;
  let pageSize = opts.pageSize ?? 1000;
  let deny = new Set(opts.deny ?? []);
  const scans = new Map<string, { status: string; description?: string; counts?: Record<string, number> }>();
  const keys = new Map(opts.keys.map((k) => [k.accessKeyId, k]));
  const calls: FakeApiCall[] = [];
  const registryRequests: FakeRegistryRequest[] = [];
  const issued: Issued[] = [];
  const byPassword = new Map<string, Issued>();
  // nextToken -> where the next page starts; opaque to clients, like AWS's.
  const pageTokens = new Map<string, { op: string; key: string; offset: number }>();
  const imageCache = new Map<string, ImageInfo>();
  const behind = new Agent({ keepAliveTimeout: 2000 });
  const upstream = opts.registry.url;

  // ——— reading the real registry ———

  async function getJson(path: string, accept = 'application/json'): Promise<{ status: number; json: unknown; headers: Record<string, unknown> }> {
    const res = await request(`${upstream}${path}`, { dispatcher: behind, headers: { accept } });
    const text = await res.body.text();
    return { status: res.statusCode, json: text ? (JSON.parse(text) as unknown) : undefined, headers: res.headers };
  }

  async function catalog(): Promise<string[]> {
    const out: string[] = [];
    let path: string | undefined = '/v2/_catalog?n=1000';
    while (path) {
      const r = await getJson(path);
      out.push(...(((r.json as { repositories?: string[] }).repositories ?? []) as string[]));
      const link = r.headers.link as string | undefined;
      path = link ? /<([^>]+)>/.exec(link)?.[1] : undefined;
    }
    return out;
  }

  async function manifest(repo: string, ref: string): Promise<{ digest: string; mediaType: string; body: Record<string, unknown> }> {
    const res = await request(`${upstream}/v2/${repo}/manifests/${ref}`, { dispatcher: behind, headers: { accept: FULL_ACCEPT } });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`fake ECR: manifest ${repo}:${ref} answered ${res.statusCode}`);
    const body = JSON.parse(text) as Record<string, unknown>;
    return { digest: String(res.headers['docker-content-digest']), mediaType: String(body.mediaType ?? res.headers['content-type']), body };
  }

  async function imageInfo(repo: string, ref: string): Promise<ImageInfo> {
    const m = await manifest(repo, ref);
    const cached = imageCache.get(`${repo}@${m.digest}`);
    if (cached) return cached;
    let info: ImageInfo;
    if (m.mediaType === MT.ociIndex || m.mediaType === MT.dockerList) {
      const children = ((m.body.manifests as { digest: string; platform?: { os?: string } }[]) ?? []).filter((d) => d.platform?.os !== 'unknown');
      const infos = await Promise.all(children.map((d) => imageInfo(repo, d.digest)));
      const sizes = infos.map((i) => i.size ?? 0);
      const dates = infos.map((i) => i.created).filter((c): c is string => !!c).sort();
      info = { digest: m.digest, mediaType: m.mediaType, ...(sizes.length ? { size: Math.max(...sizes) } : {}), ...(dates.length ? { created: dates.at(-1) } : {}) };
    } else {
      const config = m.body.config as { digest: string; size: number } | undefined;
      const layers = (m.body.layers as { size: number }[] | undefined) ?? [];
      let created: string | undefined;
      if (config) {
        const blob = await getJson(`/v2/${repo}/blobs/${config.digest}`, '*/*');
        created = (blob.json as { created?: string } | undefined)?.created;
      }
      const artifactMediaType = (m.body.artifactType as string | undefined) ?? (m.body.config as { mediaType?: string } | undefined)?.mediaType;
      info = { digest: m.digest, mediaType: m.mediaType, size: (config?.size ?? 0) + layers.reduce((a, l) => a + l.size, 0), ...(created ? { created } : {}), ...(artifactMediaType ? { artifactMediaType } : {}) };
    }
    imageCache.set(`${repo}@${m.digest}`, info);
    return info;
  }

  // ——— SigV4 ———

  function authenticate(req: IncomingMessage, body: Buffer): FakeAwsKey {
    const auth = headerValue(req, 'authorization') ?? '';
    const m = /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) throw new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    const [, keyId, date, scopeRegion, service, signedHeaders, signature] = m as unknown as [string, string, string, string, string, string, string];
    const key = keys.get(keyId);
    if (!key) throw new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    if (scopeRegion !== region) {
      throw new AwsError('InvalidSignatureException', `Credential should be scoped to a valid region. `);
    }
    if (service !== 'ecr') throw new AwsError('InvalidSignatureException', `Credential should be scoped to correct service: 'ecr'. `);
    const amzDate = headerValue(req, 'x-amz-date') ?? '';
    if (!amzDate.startsWith(date)) throw new AwsError('InvalidSignatureException', 'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.');
    const names = signedHeaders.split(';');
    if (!names.includes('host') || !names.includes('x-amz-date')) throw new AwsError('InvalidSignatureException', "'Host' or 'x-amz-date' must be a signed header.");
    const canonicalHeaders = names.map((n) => `${n}:${(headerValue(req, n) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
    const payloadHash = headerValue(req, 'x-amz-content-sha256') ?? sha256Hex(body);
    const url = new URL(req.url ?? '/', 'http://x');
    const canonicalRequest = [req.method, url.pathname, url.search.slice(1), canonicalHeaders, signedHeaders, payloadHash].join('\n');
    const scope = `${date}/${scopeRegion}/${service}/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
    const kSigning = hmac(hmac(hmac(hmac(`AWS4${key.secretAccessKey}`, date), scopeRegion), service), 'aws4_request');
    const expected = createHmac('sha256', kSigning).update(stringToSign).digest();
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
      throw new AwsError(
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      );
    }
    if (key.sessionToken !== undefined) {
      const given = headerValue(req, 'x-amz-security-token');
      if (given !== key.sessionToken) throw new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
      if (key.expired) throw new AwsError('ExpiredTokenException', 'The security token included in the request is expired');
    }
    return key;
  }

  function principal(key: FakeAwsKey): string {
    return key.arn ?? `arn:aws:iam::${accountId}:user/tester`;
  }

  function checkAccess(op: string, key: FakeAwsKey, registryId: unknown, resource: string): void {
    if (deny.has(op) || (typeof registryId === 'string' && registryId !== accountId)) {
      throw new AwsError(
        'AccessDeniedException',
        `User: ${principal(key)} is not authorized to perform: ecr:${op} on resource: ${resource} because no identity-based policy allows the ecr:${op} action`,
      );
    }
  }

  // ——— paging ———

  function page<T>(op: string, key: string, items: T[], input: Record<string, unknown>): { items: T[]; nextToken?: string } {
    const max = input.maxResults === undefined ? 100 : Number(input.maxResults);
    if (!Number.isInteger(max) || max < 1 || max > 1000) {
      throw new AwsError('ValidationException', `1 validation error detected: Value '${String(input.maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value ${max < 1 ? 'greater than or equal to 1' : 'less than or equal to 1000'}`);
    }
    let offset = 0;
    if (input.nextToken !== undefined) {
      const t = pageTokens.get(String(input.nextToken));
      if (!t || t.op !== op || t.key !== key) throw new AwsError('InvalidParameterException', "Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken'");
      offset = t.offset;
    }
    const size = Math.min(max, pageSize);
    const slice = items.slice(offset, offset + size);
    if (offset + size >= items.length) return { items: slice };
    const token = randomBytes(24).toString('base64');
    pageTokens.set(token, { op, key, offset: offset + size });
    return { items: slice, nextToken: token };
  }

  // ——— operations ———

  const ops: Record<string, (input: Record<string, unknown>, key: FakeAwsKey, call: FakeApiCall) => Promise<Record<string, unknown>>> = {
    async GetAuthorizationToken(input, key) {
      checkAccess('GetAuthorizationToken', key, undefined, '*');
      const ids = Array.isArray(input.registryIds) && input.registryIds.length ? (input.registryIds as string[]) : [accountId];
      const data = ids.map((id) => {
        const entry: Issued = { n: issued.length + 1, password: `ecrpw-${randomBytes(18).toString('base64url')}`, expiresAt: Date.now() + tokenTtl * 1000 };
        issued.push(entry);
        byPassword.set(entry.password, entry);
        void id;
        return {
          authorizationToken: Buffer.from(`AWS:${entry.password}`).toString('base64'),
          expiresAt: entry.expiresAt / 1000,
          proxyEndpoint: registryUrl,
        };
      });
      return { authorizationData: data };
    },

    async DescribeRepositories(input, key, call) {
      const registryId = input.registryId;
      checkAccess('DescribeRepositories', key, registryId, `arn:aws:ecr:${region}:${String(registryId ?? accountId)}:repository/*`);
      let names = await catalog();
      if (Array.isArray(input.repositoryNames)) {
        const wanted = input.repositoryNames as string[];
        const missing = wanted.find((n) => !names.includes(n));
        if (missing) throw new AwsError('RepositoryNotFoundException', `The repository with name '${missing}' does not exist in the registry with id '${accountId}'`);
        names = names.filter((n) => wanted.includes(n));
      }
      const p = page('DescribeRepositories', JSON.stringify(input.repositoryNames ?? null), names, input);
      call.items = p.items.length;
      call.nextToken = !!p.nextToken;
      return {
        repositories: p.items.map((name) => ({
          repositoryArn: `arn:aws:ecr:${region}:${accountId}:repository/${name}`,
          registryId: accountId,
          repositoryName: name,
          repositoryUri: `${accountId}.dkr.ecr.${region}.amazonaws.com/${name}`,
          createdAt: 1_700_000_000,
          imageTagMutability: 'MUTABLE',
          imageScanningConfiguration: { scanOnPush: false },
          encryptionConfiguration: { encryptionType: 'AES256' },
        })),
        ...(p.nextToken ? { nextToken: p.nextToken } : {}),
      };
    },

    async DeleteRepository(input, key) {
      const repo = String(input.repositoryName ?? '');
      checkAccess('DeleteRepository', key, input.registryId, `arn:aws:ecr:${region}:${String(input.registryId ?? accountId)}:repository/${repo}`);
      const tagsRes = repo ? await getJson(`/v2/${repo}/tags/list`) : { status: 404, json: undefined };
      if (tagsRes.status === 404) {
        throw new AwsError('RepositoryNotFoundException', `The repository with name '${repo}' does not exist in the registry with id '${String(input.registryId ?? accountId)}'`);
      }
      const tags = ((tagsRes.json as { tags?: string[] | null }).tags ?? []) as string[];
      if (tags.length && input.force !== true) {
        throw new AwsError('RepositoryNotEmptyException', `The repository with name '${repo}' in registry with id '${accountId}' cannot be deleted because it still contains images`);
      }
      const digests = new Set(await Promise.all(tags.map(async (t) => (await manifest(repo, t)).digest)));
      for (const d of digests) await opts.registry.pusher.deleteManifest(repo, d);
      for (const k of [...imageCache.keys()]) if (k.startsWith(`${repo}@`)) imageCache.delete(k);
      return { repository: { repositoryArn: `arn:aws:ecr:${region}:${accountId}:repository/${repo}`, registryId: accountId, repositoryName: repo, repositoryUri: `${accountId}.dkr.ecr.${region}.amazonaws.com/${repo}`, createdAt: 1_700_000_000 } };
    },

    async ListImageReferrers(input, key, call) {
      const repo = String(input.repositoryName ?? '');
      checkAccess('ListImageReferrers', key, input.registryId, `arn:aws:ecr:${region}:${String(input.registryId ?? accountId)}:repository/${repo}`);
      const digest = String((input.subjectId as { imageDigest?: string } | undefined)?.imageDigest ?? '');
      const found = await referrersOf(opts.registry.dataDir, repo, digest);
      call.items = found.length;
      return { referrers: found.map((r) => ({ ...r, artifactStatus: 'ACTIVE' })) };
    },

    async DescribeImages(input, key, call) {
      const repo = String(input.repositoryName ?? '');
      checkAccess('DescribeImages', key, input.registryId, `arn:aws:ecr:${region}:${String(input.registryId ?? accountId)}:repository/${repo}`);
      const tagsRes = await getJson(`/v2/${repo}/tags/list`);
      if (tagsRes.status === 404 || !repo) {
        throw new AwsError('RepositoryNotFoundException', `The repository with name '${repo}' does not exist in the registry with id '${String(input.registryId ?? accountId)}'`);
      }
      const tags = (((tagsRes.json as { tags?: string[] | null }).tags ?? []) as string[]).slice().sort();
      const byDigest = new Map<string, { info: ImageInfo; tags: string[] }>();
      for (const tag of tags) {
        const info = await imageInfo(repo, tag);
        const entry = byDigest.get(info.digest) ?? { info, tags: [] };
        entry.tags.push(tag);
        byDigest.set(info.digest, entry);
      }
      const status = (input.filter as { tagStatus?: string } | undefined)?.tagStatus ?? 'ANY';
      // The registry keeps no untagged images we could list, so UNTAGGED is always empty.
      const images = status === 'UNTAGGED' ? [] : [...byDigest.values()].sort((a, b) => (a.tags[0]! < b.tags[0]! ? -1 : 1));
      const p = page('DescribeImages', `${repo}|${status}`, images, input);
      call.items = p.items.length;
      call.nextToken = !!p.nextToken;
      return {
        imageDetails: p.items.map(({ info, tags: t }) => ({
          registryId: accountId,
          repositoryName: repo,
          imageDigest: info.digest,
          imageTags: t,
          ...(info.size !== undefined ? { imageSizeInBytes: info.size } : {}),
          // ECR always has a push time; an artifact's config (a chart's) has no `created` to stand for it.
          imagePushedAt: Date.parse(info.created ?? ARTIFACT_PUSHED_AT) / 1000,
          imageManifestMediaType: info.mediaType,
          ...(info.artifactMediaType ? { artifactMediaType: info.artifactMediaType } : {}),
          ...scanFields(info.digest),
        })),
        ...(p.nextToken ? { nextToken: p.nextToken } : {}),
      };
    },
  };

  function scanFields(digest: string): Record<string, unknown> {
    const scan = scans.get(digest);
    if (!scan) return {};
    return {
      imageScanStatus: { status: scan.status, ...(scan.description ? { description: scan.description } : {}) },
      ...(scan.counts ? { imageScanFindingsSummary: { findingSeverityCounts: scan.counts, imageScanCompletedAt: Date.parse('2024-06-01T12:00:00Z') / 1000, vulnerabilitySourceUpdatedAt: Date.parse('2024-06-01T00:00:00Z') / 1000 } } : {}),
    };
  }

  function sendAws(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomBytes(16).toString('hex'),
    });
    res.end(text);
  }

  const api = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const target = headerValue(req, 'x-amz-target') ?? '';
      const op = target.startsWith(ECR_TARGET_PREFIX) ? target.slice(ECR_TARGET_PREFIX.length) : target;
      let input: Record<string, unknown> = {};
      const call: FakeApiCall = { op, status: 0, input };
      calls.push(call);
      try {
        if (req.method !== 'POST' || (req.url ?? '/') !== '/') throw new AwsError('UnknownOperationException', 'Unknown operation', 404);
        if (!(headerValue(req, 'content-type') ?? '').startsWith('application/x-amz-json-1.1')) throw new AwsError('SerializationException', 'Unsupported content type', 400);
        const key = authenticate(req, body);
        call.accessKeyId = key.accessKeyId;
        const handler = ops[op];
        if (!target.startsWith(ECR_TARGET_PREFIX) || !handler) throw new AwsError('UnknownOperationException', `Unknown operation ${target}`);
        input = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
        call.input = input;
        const out = await handler(input, key, call);
        call.status = 200;
        sendAws(res, 200, out);
      } catch (e) {
        const err = e instanceof AwsError ? e : new AwsError('ServerException', String(e), 500);
        call.status = err.status;
        call.error = err.type;
        // Real answers use `message` for most types and `Message` for AccessDenied; clients read both.
        sendAws(res, err.status, err.type === 'AccessDeniedException' ? { __type: err.type, Message: err.message } : { __type: err.type, message: err.message });
      }
    })();
  });
  api.keepAliveTimeout = 2000;

  // ——— the registry front ———

  function refuse(res: ServerResponse, rec: FakeRegistryRequest, why: 'missing' | 'unknown' | 'expired'): void {
    rec.refused = why;
    if (why === 'expired') {
      const text = JSON.stringify({ errors: [{ code: 'DENIED', message: 'Your authorization token has expired. Reauthenticate and try again.' }] });
      res.writeHead(403, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    const text = 'Not Authorized\n';
    res.writeHead(401, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'www-authenticate': `Basic realm="${registryUrl}/",service="ecr.amazonaws.com"`,
      'docker-distribution-api-version': 'registry/2.0',
    });
    res.end(text);
  }

  const front = createServer((req, res) => {
    const rec: FakeRegistryRequest = { method: req.method ?? '', path: req.url ?? '', status: 0 };
    registryRequests.push(rec);
    res.on('finish', () => {
      rec.status = res.statusCode;
    });
    void (async () => {
      const m = /^Basic\s+(\S+)$/i.exec(headerValue(req, 'authorization') ?? '');
      if (!m) return refuse(res, rec, 'missing');
      const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
      const entry = decoded.startsWith('AWS:') ? byPassword.get(decoded.slice(4)) : undefined;
      if (!entry) return refuse(res, rec, 'unknown');
      if (Date.now() >= entry.expiresAt) return refuse(res, rec, 'expired');
      rec.token = entry.n;
      const body = await readBody(req);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (v === undefined || ['authorization', 'host', 'connection', 'keep-alive', 'transfer-encoding'].includes(k)) continue;
        headers[k] = Array.isArray(v) ? v.join(', ') : v;
      }
      const up = await request(`${upstream}${req.url ?? '/'}`, {
        method: (req.method ?? 'GET') as 'GET',
        headers,
        body: body.length ? body : undefined,
        dispatcher: behind,
      });
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !['connection', 'keep-alive', 'transfer-encoding'].includes(k)) out[k] = v;
      res.writeHead(up.statusCode, out);
      if (req.method === 'HEAD') {
        await up.body.dump();
        res.end();
        return;
      }
      res.end(Buffer.from(await up.body.arrayBuffer()));
    })().catch((e: unknown) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`fake ECR front: ${String(e)}`);
      } else res.destroy();
    });
  });
  front.keepAliveTimeout = 2000;

  const [endpoint, registryUrl] = await Promise.all([listenLocal(api), listenLocal(front)]);

  return {
    endpoint,
    registryUrl,
    accountId,
    region,
    calls,
    registryRequests,
    count(op, ok) {
      return calls.filter((c) => c.op === op && (ok === undefined || (c.status === 200) === ok)).length;
    },
    issuedPasswords: () => issued.map((i) => i.password),
    setTokenTtl(seconds) {
      tokenTtl = seconds;
    },
    expireTokens() {
      const now = Date.now();
      for (const i of issued) i.expiresAt = Math.min(i.expiresAt, now);
    },
    setDeny(list) {
      deny = new Set(list);
    },
    setPageSize(n) {
      pageSize = n;
    },
    setScan(digest, scan) {
      if (scan) scans.set(digest, scan);
      else scans.delete(digest);
    },
    reset() {
      calls.length = 0;
      registryRequests.length = 0;
    },
    async stop() {
      await Promise.all([api, front].map(closeServer));
      await behind.close();
    },
  };
}
