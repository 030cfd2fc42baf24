// The ECR API through the AWS SDK (`@aws-sdk/client-ecr`, loaded with `await import` only when
// an ECR connection is used): GetAuthorizationToken, DescribeRepositories and DescribeImages
// (digest, imagePushedAt and size for free), `maxResults` 1000 with `nextToken`. Answers are
// schema-checked; errors come back as RegistryErrors in plain words (errors.ts).

import type { ECRClient } from '@aws-sdk/client-ecr';
import * as v from 'valibot';
import { createDispatcher } from '../../registry/dispatcher';
import { RegistryError } from '../../registry/errors';
import type { Dispatcher } from '../../registry/undici';
import { MediaType } from '../../registry/mediaTypes';
import { fromDescriptor, type Referrer } from '../../registry/referrers';
import { digestSchema, optionalDigestSchema, parseWire, wireObject } from '../../registry/wire';
import { listedFacts } from '../../registry/listedKind';
import { parseApiBase } from '../controlPlane';
import type { ConnectionSecrets, ProviderContext, RepositoryInfo, TagInfo } from '../provider';
import { mapAwsError, type AwsErrorContext } from './errors';
import type { EcrSettings } from './form';
import { undiciRequestHandler } from './requestHandler';
import { ecrScanSummary, imageScanFindingsSummarySchema, imageScanStatusSchema } from './scan';

/** DescribeRepositories and DescribeImages take at most 1000 per page. */
export const ECR_MAX_RESULTS = 1000;

export interface AuthorizationData {
  username: string;
  password: string;
  /** Epoch ms. */
  expiresAt: number;
  proxyEndpoint?: string;
}

// What the SDK hands back, checked (see registry/wire.ts): its deserializer types most fields,
// but lists pass through as sent, and a digest is only a string to it.
const nextTokenSchema = v.nullish(v.string());
const describeRepositoriesSchema = wireObject({
  repositories: v.nullish(v.array(wireObject({ repositoryName: v.string() }))),
  nextToken: nextTokenSchema,
});
const describeImagesSchema = wireObject({
  imageDetails: v.nullish(
    v.array(
      wireObject({
        imageDigest: optionalDigestSchema,
        imageTags: v.nullish(v.array(v.string())),
        imagePushedAt: v.optional(v.unknown()),
        imageSizeInBytes: v.optional(v.unknown()),
        imageScanStatus: imageScanStatusSchema,
        imageScanFindingsSummary: imageScanFindingsSummarySchema,
        artifactMediaType: v.nullish(v.string()),
      }),
    ),
  ),
  nextToken: nextTokenSchema,
});

const listImageReferrersSchema = wireObject({
  referrers: v.nullish(
    v.array(
      wireObject({
        digest: digestSchema,
        mediaType: v.nullish(v.string()),
        artifactType: v.nullish(v.string()),
        size: v.nullish(v.number()),
        annotations: v.nullish(v.record(v.string(), v.string())),
        artifactStatus: v.nullish(v.string()),
      }),
    ),
  ),
  nextToken: nextTokenSchema,
});

/** Referrers of one image are a handful; a server that pages on and on is cut here. */
const MAX_REFERRER_PAGES = 10;

interface RepositoryPage {
  items: RepositoryInfo[];
  nextToken?: string;
}

interface TagPage {
  items: TagInfo[];
  nextToken?: string;
}

/** The three ECR actions the provider uses; errors come back as RegistryErrors in plain words. */
export class EcrApi {
  readonly stats = { calls: 0 };
  private client?: Promise<ECRClient>;
  private readonly dispatcher: Dispatcher;
  readonly endpoint?: URL;

  constructor(
    private readonly settings: EcrSettings,
    private readonly secrets: ConnectionSecrets,
    private readonly ctx: ProviderContext,
  ) {
    this.endpoint = ctx.apiBaseUrls?.ecr ? parseApiBase(ctx.apiBaseUrls.ecr, 'the ECR API') : undefined;
    this.dispatcher = createDispatcher({ proxy: ctx.proxy, connections: 4 });
  }

  private errorContext(action: string, repository?: string): AwsErrorContext {
    const s = this.settings;
    return {
      action,
      kind: s.kind,
      region: s.region,
      ...(s.profile ? { profile: s.profile } : {}),
      ...(s.registryId ? { registryId: s.registryId } : {}),
      ...(repository ? { repository } : {}),
      ...(this.endpoint ? { apiHost: this.endpoint.host } : {}),
      secrets: [this.secrets.secretAccessKey, this.secrets.sessionToken],
    };
  }

  private sdk(): Promise<ECRClient> {
    this.client ??= (async () => {
      const { ECRClient } = await import('@aws-sdk/client-ecr');
      const s = this.settings;
      const handler = undiciRequestHandler(this.dispatcher);
      const log = this.ctx.log;
      // Log the action and status only: never headers (the signature) or bodies.
      const requestHandler = {
        ...handler,
        handle: async (req: Parameters<typeof handler.handle>[0], options?: Parameters<typeof handler.handle>[1]) => {
          const action = String(req.headers['x-amz-target'] ?? req.headers['X-Amz-Target'] ?? '').split('.').pop() || req.path;
          const started = Date.now();
          try {
            const out = await handler.handle(req, options);
            log?.(`ECR API: ${action} → ${out.response.statusCode} (${Date.now() - started} ms)`);
            return out;
          } catch (e) {
            log?.(`ECR API: ${action} failed (${(e as { code?: string }).code ?? (e as Error).name ?? 'error'})`);
            throw e;
          }
        },
      };
      const credentials =
        s.kind === 'keys' && s.accessKeyId && this.secrets.secretAccessKey
          ? { accessKeyId: s.accessKeyId, secretAccessKey: this.secrets.secretAccessKey, ...(this.secrets.sessionToken ? { sessionToken: this.secrets.sessionToken } : {}) }
          : undefined;
      if (s.kind === 'keys' && !credentials) {
        throw new RegistryError('unauthorized', 'No secret access key is stored for this connection. Edit it and paste the access key’s secret.');
      }
      return new ECRClient({
        region: s.region,
        ...(this.endpoint ? { endpoint: this.endpoint.toString().replace(/\/$/, '') } : {}),
        ...(s.fips ? { useFipsEndpoint: true } : {}),
        ...(credentials ? { credentials } : {}),
        ...(s.kind === 'profile' ? { profile: s.profile ?? 'default' } : {}),
        requestHandler,
        ...(this.ctx.userAgent ? { customUserAgent: this.ctx.userAgent } : {}),
      });
    })().catch((e: unknown) => {
      this.client = undefined;
      throw e;
    });
    return this.client;
  }

  private async send<T>(action: string, make: (sdk: typeof import('@aws-sdk/client-ecr')) => unknown, signal?: AbortSignal, repository?: string): Promise<T> {
    try {
      const client = await this.sdk();
      const sdk = await import('@aws-sdk/client-ecr');
      this.stats.calls++;
      // The commands' own input/output types are narrowed by the callers' result shapes.
      return (await client.send(make(sdk) as Parameters<ECRClient['send']>[0], signal ? { abortSignal: signal } : {})) as T;
    } catch (e) {
      throw await mapAwsError(e, this.errorContext(action, repository));
    }
  }

  async getAuthorizationToken(signal?: AbortSignal): Promise<AuthorizationData> {
    const out = await this.send<{ authorizationData?: { authorizationToken?: string; expiresAt?: Date; proxyEndpoint?: string }[] }>(
      'GetAuthorizationToken',
      (sdk) => new sdk.GetAuthorizationTokenCommand({}),
      signal,
    );
    const data = out.authorizationData?.[0];
    const decoded = data?.authorizationToken ? Buffer.from(data.authorizationToken, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (!data || colon <= 0 || colon === decoded.length - 1) throw new RegistryError('protocol', 'ECR answered GetAuthorizationToken without a usable authorization token.');
    const expiresAt = data.expiresAt instanceof Date && !Number.isNaN(data.expiresAt.getTime()) ? data.expiresAt.getTime() : Date.now() + 12 * 3600_000;
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), expiresAt, ...(data.proxyEndpoint ? { proxyEndpoint: data.proxyEndpoint } : {}) };
  }

  async describeRepositories(nextToken: string | undefined, maxResults: number, signal?: AbortSignal): Promise<RepositoryPage> {
    const s = this.settings;
    const answer = await this.send<unknown>(
      'DescribeRepositories',
      (sdk) => new sdk.DescribeRepositoriesCommand({ ...(s.registryId ? { registryId: s.registryId } : {}), maxResults, ...(nextToken ? { nextToken } : {}) }),
      signal,
    );
    const out = parseWire(describeRepositoriesSchema, answer, 'ECR', 'a DescribeRepositories answer');
    const items: RepositoryInfo[] = [];
    for (const r of out.repositories ?? []) if (r.repositoryName) items.push({ name: r.repositoryName });
    return { items, ...(out.nextToken ? { nextToken: out.nextToken } : {}) };
  }

  /** Tagged images only; one TagInfo per tag, with the image's digest, push time and size. */
  async describeImages(repository: string, nextToken: string | undefined, maxResults: number, signal?: AbortSignal): Promise<TagPage> {
    const s = this.settings;
    const answer = await this.send<unknown>(
      'DescribeImages',
      (sdk) =>
        new sdk.DescribeImagesCommand({
          ...(s.registryId ? { registryId: s.registryId } : {}),
          repositoryName: repository,
          filter: { tagStatus: 'TAGGED' },
          maxResults,
          ...(nextToken ? { nextToken } : {}),
        }),
      signal,
      repository,
    );
    const out = parseWire(describeImagesSchema, answer, 'ECR', `a DescribeImages answer for ${repository}`);
    const items: TagInfo[] = [];
    for (const d of out.imageDetails ?? []) {
      const created = d.imagePushedAt instanceof Date && !Number.isNaN(d.imagePushedAt.getTime()) ? d.imagePushedAt.toISOString() : undefined;
      const size = typeof d.imageSizeInBytes === 'number' && Number.isFinite(d.imageSizeInBytes) ? d.imageSizeInBytes : undefined;
      const scan = ecrScanSummary(d.imageScanStatus, d.imageScanFindingsSummary);
      const artifact = listedFacts({ artifactMediaType: d.artifactMediaType });
      for (const tag of d.imageTags ?? []) {
        items.push({ name: tag, ...(d.imageDigest ? { digest: d.imageDigest } : {}), ...(created ? { created } : {}), ...(size !== undefined ? { size } : {}), scan, ...(artifact ? { artifact } : {}) });
      }
    }
    return { items, ...(out.nextToken ? { nextToken: out.nextToken } : {}) };
  }

  /** `DeleteRepository` with `force`: the repository goes with every image in it. */
  async deleteRepository(repository: string, signal?: AbortSignal): Promise<void> {
    const s = this.settings;
    await this.send<unknown>('DeleteRepository', (sdk) => new sdk.DeleteRepositoryCommand({ ...(s.registryId ? { registryId: s.registryId } : {}), repositoryName: repository, force: true }), signal, repository);
  }

  /** ListImageReferrers: what refers to `digest` (signatures, SBOMs, attestations), active ones only. */
  async listImageReferrers(repository: string, digest: string, signal?: AbortSignal): Promise<Referrer[]> {
    const s = this.settings;
    const out: Referrer[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_REFERRER_PAGES; page++) {
      const token = nextToken;
      const answer = await this.send<unknown>(
        'ListImageReferrers',
        (sdk) =>
          new sdk.ListImageReferrersCommand({
            ...(s.registryId ? { registryId: s.registryId } : {}),
            repositoryName: repository,
            subjectId: { imageDigest: digest },
            ...(token ? { nextToken: token } : {}),
          }),
        signal,
        repository,
      );
      const body = parseWire(listImageReferrersSchema, answer, 'ECR', `a ListImageReferrers answer for ${repository}`);
      for (const r of body.referrers ?? []) {
        if (r.artifactStatus && r.artifactStatus !== 'ACTIVE') continue;
        out.push(fromDescriptor({ digest: r.digest, mediaType: r.mediaType ?? MediaType.ociManifest, size: r.size ?? 0, ...(r.artifactType ? { artifactType: r.artifactType } : {}), ...(r.annotations ? { annotations: r.annotations } : {}) }, 'provider'));
      }
      nextToken = body.nextToken ?? undefined;
      if (!nextToken) break;
    }
    return out;
  }

  async close(): Promise<void> {
    const client = await this.client?.catch(() => undefined);
    client?.destroy();
    await this.dispatcher.close().catch(() => undefined);
  }
}
