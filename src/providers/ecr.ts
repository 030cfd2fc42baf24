// Amazon Elastic Container Registry. Images live at `ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO`;
// the registry has no usable catalog, so repositories and tags come from the ECR API through
// the AWS SDK (`@aws-sdk/client-ecr`, loaded with `await import` only when an ECR connection is
// used): DescribeRepositories and DescribeImages (digest, imagePushedAt and size for free),
// `maxResults` 1000 with `nextToken`. The registry takes Basic `AWS:<password>`, where the
// password comes from GetAuthorizationToken and lasts 12 hours.
//
// Credentials for the API: an access key pair (with a session token for temporary keys), a
// named profile from the shared AWS config (SSO, assume-role and credential_process included:
// the SDK resolves and renews them), or the SDK's default chain (environment, shared files,
// SSO, container and instance roles). The registry password is renewed before it expires
// (EcrAuthTokens): every registry call first makes sure the password has time left, so a
// listing that runs across the 12-hour mark never fails; a password the registry still
// refuses (401, or ECR's 403 "Your authorization token has expired") is replaced once and the
// call retried.
//
// Without a registry ID the registry is the caller's own account, which GetAuthorizationToken
// names (its proxyEndpoint); with one, DescribeRepositories/DescribeImages address that
// registry (cross-account access needs a repository policy that allows it).
//
// Overrides (`registryExplorer.apiEndpoints`, for tests and private endpoints): `ecr` (the API
// endpoint, e.g. a VPC endpoint), `ecr-registry` (the registry itself).

import type { ECRClient } from '@aws-sdk/client-ecr';
import * as v from 'valibot';
import type { RegistryClientOptions } from '../registry/client';
import type { CredentialSource } from '../registry/credentials';
import { createDispatcher } from '../registry/dispatcher';
import { parseEndpoint } from '../registry/endpoint';
import { RegistryError, isRegistryError } from '../registry/errors';
import type { Dispatcher } from '../registry/undici';
import { optionalDigestSchema, parseWire, wireObject } from '../registry/wire';
import { GuardedRegistryClient, cursorPages, hideSecrets, parseApiBase, reword } from './controlPlane';
import type { DockerConfigEntry } from './dockerConfig';
import { AWS_REGIONS, REGION_RE, ecrRegistryHost, mapAwsError, parseEcrHost, partitionDomain, undiciRequestHandler, type AwsErrorContext, type CredentialKind } from './ecrApi';
import { displayNameField, type FieldError, type FormValues, type ProviderForm } from './form';
import { keepSecret, str } from './generic';
import { countOf, errorMessage } from './messages';
import type { Connection, ConnectionConfig, ConnectionSecrets, FormResult, Page, ProviderContext, RegistryProvider, RepositoryInfo, TagInfo, TestStep } from './provider';

/** DescribeRepositories and DescribeImages take at most 1000 per page. */
export const ECR_MAX_RESULTS = 1000;
/** Renew the registry password this long before it expires (or a quarter of its life, if shorter). */
const MAX_MARGIN_MS = 15 * 60_000;
/** A forced renewal right after another one is not repeated (concurrent rejections). */
const RECENT_MS = 2_000;
const OTHER_REGION = 'other';
/** Access key IDs: 16–128 upper-case letters and digits (AKIA… long-term, ASIA… temporary). */
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
const PROFILE_NAME = /^[\w.@+=,-]{1,64}$/;
const ACCOUNT_ID = /^\d{12}$/;
const READ_POLICY = 'AmazonEC2ContainerRegistryReadOnly';

export const ecrForm: ProviderForm = {
  id: 'ecr',
  title: 'Amazon ECR',
  description: 'Private repositories in Amazon Elastic Container Registry, with an access key, an AWS profile or your default AWS credentials.',
  icon: 'cloud',
  help:
    'Sign in with an IAM access key, a profile from your AWS config (SSO profiles included: run “aws sso login” first), or whatever the AWS CLI would use (environment variables, the default profile, an instance or container role). ' +
    `To browse, the identity needs ecr:GetAuthorizationToken, ecr:DescribeRepositories, ecr:DescribeImages, ecr:BatchGetImage and ecr:GetDownloadUrlForLayer — the ${READ_POLICY} managed policy grants them; deleting tags also needs ecr:BatchDeleteImage. ` +
    'The registry password is fetched with GetAuthorizationToken and renewed automatically before its 12 hours are up. Keys are kept in VS Code’s secret storage.',
  docsUrl: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html',
  fields: [
    {
      id: 'region',
      label: 'Region',
      kind: 'select',
      required: true,
      default: 'us-east-1',
      options: [...AWS_REGIONS.map(([value, label]) => ({ value, label: `${label} — ${value}` })), { value: OTHER_REGION, label: 'Other…' }],
      help: 'The region in your registry’s address: ACCOUNT.dkr.ecr.REGION.amazonaws.com. The ECR console shows it at the top right.',
    },
    { id: 'customRegion', label: 'Region code', kind: 'text', placeholder: 'eu-west-1', help: 'The region code, as in ACCOUNT.dkr.ecr.REGION.amazonaws.com.', showIf: { field: 'region', equals: OTHER_REGION } },
    {
      id: 'auth',
      label: 'Sign in with',
      kind: 'select',
      required: true,
      default: 'keys',
      options: [
        { value: 'keys', label: 'Access key' },
        { value: 'profile', label: 'AWS profile (~/.aws/config)' },
        { value: 'default', label: 'Default AWS credentials (environment, SSO, instance role)' },
      ],
      help: 'A profile or the default credentials are read by the AWS SDK exactly as the AWS CLI reads them, and renewed by it (SSO, assume-role).',
    },
    {
      id: 'accessKeyId',
      label: 'Access key ID',
      kind: 'text',
      placeholder: 'AKIA…',
      help: 'IAM console → Users → the user → Security credentials → Create access key. Starts with AKIA (or ASIA for temporary keys).',
      showIf: { field: 'auth', equals: 'keys' },
    },
    {
      id: 'secretAccessKey',
      label: 'Secret access key',
      kind: 'password',
      secret: true,
      help: 'Shown once, when the key is created. Stored in VS Code’s secret storage.',
      showIf: { field: 'auth', equals: 'keys' },
    },
    {
      id: 'sessionToken',
      label: 'Session token (temporary keys only)',
      kind: 'password',
      secret: true,
      help: 'Only for temporary credentials (key IDs starting with ASIA), e.g. from the SSO portal’s “Access keys”. They expire after hours; prefer a profile that renews itself.',
      showIf: { field: 'auth', equals: 'keys' },
    },
    {
      id: 'profile',
      label: 'Profile',
      kind: 'text',
      placeholder: 'default',
      help: 'A profile name from ~/.aws/config or ~/.aws/credentials (aws configure list-profiles shows them).',
      showIf: { field: 'auth', equals: 'profile' },
    },
    {
      id: 'registryId',
      label: 'Registry ID (optional)',
      kind: 'text',
      placeholder: 'Leave empty for your own account’s registry',
      help: 'The 12-digit account ID of another account’s registry, or its address (123456789012.dkr.ecr.eu-west-1.amazonaws.com). That registry’s repository policies must allow you.',
    },
    displayNameField('Defaults to Amazon ECR (region)'),
  ],
};

/** What a stored ECR connection says, read back from its metadata. */
export interface EcrSettings {
  region: string;
  kind: CredentialKind;
  profile?: string;
  accessKeyId?: string;
  registryId?: string;
  fips: boolean;
}

export function ecrSettings(config: ConnectionConfig): EcrSettings {
  const o = config.options ?? {};
  const s = (k: string) => (typeof o[k] === 'string' && o[k] ? (o[k] as string) : undefined);
  const kind: CredentialKind = o.auth === 'profile' ? 'profile' : o.auth === 'default' ? 'default' : 'keys';
  const profile = s('profile');
  const registryId = s('registryId');
  return {
    region: s('region') ?? 'us-east-1',
    kind,
    ...(kind === 'profile' ? { profile: profile ?? 'default' } : {}),
    ...(kind === 'keys' && config.username ? { accessKeyId: config.username } : {}),
    ...(registryId ? { registryId } : {}),
    fips: o.fips === true,
  };
}

function sameKeyAsBefore(previous: { config: ConnectionConfig; secrets: ConnectionSecrets } | undefined, accessKeyId: string): ConnectionSecrets | undefined {
  if (!previous || previous.config.provider !== 'ecr') return undefined;
  const before = ecrSettings(previous.config);
  return before.kind === 'keys' && before.accessKeyId === accessKeyId ? previous.secrets : undefined;
}

export const ecrProvider: RegistryProvider = {
  form: ecrForm,

  fromForm(values: FormValues, previous): FormResult {
    const errors: FieldError[] = [];

    // Region: from the list, or typed under “Other…”.
    const picked = str(values, 'region') || 'us-east-1';
    const region = (picked === OTHER_REGION ? str(values, 'customRegion') : picked).toLowerCase();
    const regionField = picked === OTHER_REGION ? 'customRegion' : 'region';
    if (!region) errors.push({ field: regionField, message: 'Enter the region code, as in ACCOUNT.dkr.ecr.REGION.amazonaws.com (for example eu-west-1).' });
    else if (!REGION_RE.test(region)) errors.push({ field: regionField, message: `“${region.slice(0, 40)}” is not an AWS region code. Use the code, like eu-west-1, not the region’s name.` });

    // Registry: an account ID or a registry address (whose region must agree).
    const typedRegistry = str(values, 'registryId');
    let registryId: string | undefined;
    let fips = false;
    if (typedRegistry) {
      const host = parseEcrHost(typedRegistry);
      if (ACCOUNT_ID.test(typedRegistry)) registryId = typedRegistry;
      else if (host) {
        registryId = host.accountId;
        fips = host.fips;
        if (REGION_RE.test(region) && host.region !== region) {
          errors.push({ field: 'registryId', message: `This registry is in ${host.region}, but the region chosen is ${region}. Choose ${host.region} as the region.` });
        }
      } else {
        errors.push({ field: 'registryId', message: 'Enter the registry’s 12-digit account ID, or its address like 123456789012.dkr.ecr.eu-west-1.amazonaws.com. Leave it empty for your own account.' });
      }
    }

    const auth: CredentialKind = str(values, 'auth') === 'profile' ? 'profile' : str(values, 'auth') === 'default' ? 'default' : 'keys';
    if (!['', 'keys', 'profile', 'default'].includes(str(values, 'auth'))) errors.push({ field: 'auth', message: 'Choose an access key, a profile, or the default AWS credentials.' });
    const secrets: ConnectionSecrets = {};
    let accessKeyId: string | undefined;
    let profile: string | undefined;
    if (auth === 'keys') {
      accessKeyId = str(values, 'accessKeyId');
      const kept = sameKeyAsBefore(previous, accessKeyId);
      const secret = keepSecret(values, 'secretAccessKey', kept)?.trim();
      const givenToken = typeof values.sessionToken === 'string' ? values.sessionToken.trim() : '';
      // A stored session token is kept only with its secret (both belong to one temporary key).
      const sessionToken = givenToken || (typeof values.secretAccessKey === 'string' && values.secretAccessKey.trim() ? undefined : kept?.sessionToken);
      if (!accessKeyId) errors.push({ field: 'accessKeyId', message: 'Paste the access key ID (IAM console → Users → Security credentials → Create access key). It starts with AKIA.' });
      else if (!ACCESS_KEY_ID.test(accessKeyId)) {
        errors.push({ field: 'accessKeyId', message: 'This is not an access key ID: those are 20 upper-case letters and digits, starting with AKIA (or ASIA). Copy it again, without spaces.' });
      }
      if (!secret) {
        const changed = previous?.config.provider === 'ecr' && !kept && previous.config.username && previous.config.username !== accessKeyId;
        errors.push({
          field: 'secretAccessKey',
          message: changed ? 'The access key ID changed: paste the secret access key that belongs to it.' : 'Paste the secret access key (shown once, when the key was created; if it is lost, create a new key).',
        });
      } else if (/\s/.test(secret)) errors.push({ field: 'secretAccessKey', message: 'The secret access key contains spaces or line breaks. Copy it again and paste it whole.' });
      else if (secret.length < 20) errors.push({ field: 'secretAccessKey', message: 'This is too short to be a secret access key (they are 40 characters). Copy it again.' });
      if (sessionToken && /\s/.test(sessionToken)) errors.push({ field: 'sessionToken', message: 'The session token contains spaces or line breaks. Copy it again and paste it whole.' });
      else if (!sessionToken && accessKeyId?.startsWith('ASIA')) {
        errors.push({ field: 'sessionToken', message: 'Keys starting with ASIA are temporary and only work with their session token: paste it too (or use a profile).' });
      }
      if (secret) secrets.secretAccessKey = secret;
      if (sessionToken) secrets.sessionToken = sessionToken;
    } else if (auth === 'profile') {
      profile = str(values, 'profile') || 'default';
      if (!PROFILE_NAME.test(profile)) errors.push({ field: 'profile', message: `“${profile.slice(0, 40)}” is not a profile name. Use a name from “aws configure list-profiles”, without [ ] or the word “profile”.` });
    }

    if (errors.length) return { ok: false, errors };
    const host = registryId ? ecrRegistryHost(registryId, region, fips) : undefined;
    return {
      ok: true,
      config: {
        provider: 'ecr',
        name: str(values, 'name') || `Amazon ECR${registryId ? ` ${registryId}` : ''} (${region})`,
        // The registry's address when it is known; else what every registry of the region ends with.
        url: host ?? `dkr.ecr.${region}.${partitionDomain(region)}`,
        ...(accessKeyId ? { username: accessKeyId } : {}),
        options: { region, auth, ...(profile ? { profile } : {}), ...(registryId ? { registryId } : {}), ...(fips ? { fips } : {}) },
      },
      secrets,
    };
  },

  toForm(config) {
    const s = ecrSettings(config);
    const listed = AWS_REGIONS.some(([r]) => r === s.region);
    return {
      region: listed ? s.region : OTHER_REGION,
      customRegion: listed ? '' : s.region,
      auth: s.kind,
      accessKeyId: s.accessKeyId ?? '',
      secretAccessKey: '',
      sessionToken: '',
      profile: s.profile ?? '',
      registryId: s.registryId ? (s.fips ? ecrRegistryHost(s.registryId, s.region, true) : s.registryId) : '',
      name: config.name,
    };
  },

  /**
   * `docker login` to an ECR host leaves a 12-hour password (aws ecr get-login-password) or the
   * ecr-login credential helper; either way the lasting credentials are the machine's AWS
   * ones, so the import uses the default chain for the registry the host names.
   */
  fromDockerConfig(entry: DockerConfigEntry): { config: Omit<ConnectionConfig, 'id'>; secrets: ConnectionSecrets } | undefined {
    const host = parseEcrHost(entry.registry);
    if (!host) return undefined;
    const result = this.fromForm({ region: AWS_REGIONS.some(([r]) => r === host.region) ? host.region : OTHER_REGION, customRegion: host.region, auth: 'default', registryId: entry.registry });
    return result.ok ? { config: result.config, secrets: result.secrets } : undefined;
  },

  connect(config, secrets, ctx) {
    return connectEcr(config, secrets, ctx);
  },
};

export interface EcrTuning {
  /** maxResults for DescribeRepositories / DescribeImages (default 1000). */
  pageSize?: number;
  now?: () => number;
}

export function connectEcr(config: ConnectionConfig, secrets: ConnectionSecrets, ctx: ProviderContext, tuning: EcrTuning = {}): EcrConnection {
  return new EcrConnection(config, secrets, ctx, tuning);
}

// ——— the ECR API through the SDK ———

interface AuthorizationData {
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
      }),
    ),
  ),
  nextToken: nextTokenSchema,
});

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
      for (const tag of d.imageTags ?? []) {
        items.push({ name: tag, ...(d.imageDigest ? { digest: d.imageDigest } : {}), ...(created ? { created } : {}), ...(size !== undefined ? { size } : {}) });
      }
    }
    return { items, ...(out.nextToken ? { nextToken: out.nextToken } : {}) };
  }

  async close(): Promise<void> {
    const client = await this.client?.catch(() => undefined);
    client?.destroy();
    await this.dispatcher.close().catch(() => undefined);
  }
}

// ——— the registry password ———

/**
 * The registry's Basic credentials from GetAuthorizationToken. The credentials object is
 * handed to the registry client once and updated in place, so a renewal reaches requests that
 * are already authenticated with it.
 */
export class EcrAuthTokens {
  readonly credentials = { kind: 'basic' as const, username: 'AWS', password: '' };
  readonly stats = { fetches: 0 };
  /** Bumped on every renewal; a retry renews only if nobody did since its call started. */
  generation = 0;
  private current?: { expiresAt: number; lifetimeMs: number; fetchedAt: number; proxyEndpoint?: string };
  private pending?: Promise<void>;
  /** The generation a refusal-triggered renewal produced. */
  private refusedGeneration?: number;
  private readonly now: () => number;

  constructor(
    private readonly fetch: (signal?: AbortSignal) => Promise<AuthorizationData>,
    private readonly opts: { log?: (m: string) => void; now?: () => number } = {},
  ) {
    this.now = opts.now ?? Date.now;
  }

  get expiresAt(): number | undefined {
    return this.current?.expiresAt;
  }

  /** The registry address GetAuthorizationToken named (the caller's own registry). */
  get proxyEndpoint(): string | undefined {
    return this.current?.proxyEndpoint;
  }

  /** What the registry client calls; `forceRefresh` after the registry rejected the password. */
  readonly source: CredentialSource = async ({ forceRefresh, signal }) => {
    await this.ensure(forceRefresh, signal);
    return this.credentials;
  };

  /**
   * After the registry refused the password it was given (generation `seen`): whether to
   * retry, with a new password if nobody renewed it since. A refused password that was itself
   * fresh from such a renewal means the refusal is not about expiry (a missing permission), so
   * that one is not renewed again: a denied user costs one extra GetAuthorizationToken per
   * password, not one per call.
   */
  async renewAfterRefusal(seen: number, signal?: AbortSignal): Promise<boolean> {
    if (seen === this.refusedGeneration) return false;
    if (this.pending) {
      await this.pending;
      return true;
    }
    if (seen !== this.generation) return true;
    await this.ensure(true, signal, seen);
    this.refusedGeneration = this.generation;
    return true;
  }

  /**
   * A password with more than the margin left. `force` renews whatever its age, unless
   * `seenGeneration` shows another caller already renewed it (or it was renewed just now).
   */
  async ensure(force = false, signal?: AbortSignal, seenGeneration?: number): Promise<void> {
    if (this.pending) return this.pending;
    const c = this.current;
    const now = this.now();
    const fresh = c && c.expiresAt - now > Math.min(MAX_MARGIN_MS, c.lifetimeMs / 4);
    if (fresh && !force) return;
    if (force && c && (seenGeneration !== undefined ? seenGeneration !== this.generation : now - c.fetchedAt < RECENT_MS)) return;
    const reason = !c ? 'first use' : force ? 'the registry refused the last one' : `the last one expires in ${Math.max(0, Math.round((c.expiresAt - now) / 1000))} s`;
    this.pending = this.renew(reason, signal).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async renew(reason: string, signal?: AbortSignal): Promise<void> {
    const started = this.now();
    const data = await this.fetch(signal);
    this.stats.fetches++;
    this.generation++;
    this.credentials.username = data.username;
    this.credentials.password = data.password;
    const lifetimeMs = Math.max(0, data.expiresAt - started);
    this.current = { expiresAt: data.expiresAt, lifetimeMs, fetchedAt: this.now(), ...(data.proxyEndpoint ? { proxyEndpoint: data.proxyEndpoint } : {}) };
    this.opts.log?.(`ECR: new registry password (${reason}); valid ${Math.round(lifetimeMs / 1000)} s.`);
  }
}

// ——— the registry client ———

/**
 * ECR's registry answers an expired password with 403 DENIED “Your authorization token has
 * expired” — for HEAD without a body, so a 403 alone may mean it too. (A 401 was already
 * retried with a new password by the auth layer, through the credential source.)
 */
function maybeExpired(e: unknown): boolean {
  return isRegistryError(e, 'forbidden') && e.status === 403;
}

// ——— the connection ———

export class EcrConnection implements Connection {
  readonly client: GuardedRegistryClient;
  readonly api: EcrApi;
  readonly tokens: EcrAuthTokens;
  readonly settings: EcrSettings;
  private readonly override?: string;
  private readonly pageSize: number;
  private readonly secretList: (string | undefined)[];
  /** The registry URL the client talks to; learned from GetAuthorizationToken when no registry ID was given. */
  private registryUrl?: string;

  constructor(
    readonly config: ConnectionConfig,
    secrets: ConnectionSecrets,
    private readonly ctx: ProviderContext,
    tuning: EcrTuning = {},
  ) {
    this.settings = ecrSettings(config);
    const s = this.settings;
    this.pageSize = Math.min(ECR_MAX_RESULTS, Math.max(1, tuning.pageSize ?? ECR_MAX_RESULTS));
    this.override = ctx.apiBaseUrls?.['ecr-registry'];
    this.registryUrl = this.override ?? (s.registryId ? ecrRegistryHost(s.registryId, s.region, s.fips) : undefined);
    this.api = new EcrApi(s, secrets, ctx);
    this.tokens = new EcrAuthTokens((signal) => this.api.getAuthorizationToken(signal), { log: ctx.log, ...(tuning.now ? { now: tuning.now } : {}) });
    this.secretList = [secrets.secretAccessKey, secrets.sessionToken];
    const tokens = this.tokens;
    const self = this;
    const opts: RegistryClientOptions = {
      // Read when the client opens its session, which `ready` holds back until the address is known.
      get url() {
        return self.registryUrl ?? ecrRegistryHost('000000000000', s.region, s.fips);
      },
      proxy: ctx.proxy,
      userAgent: ctx.userAgent,
      credentials: tokens.source,
      onRequest: (method, u, status) => ctx.log?.(`ECR registry: ${method} ${u.pathname} → ${status}`),
    };
    // Before each call the password is renewed if it is about to expire (and the registry's
    // address learned, for the caller's own registry); a call refused because the password
    // expired anyway gets one new password and one retry.
    this.client = new GuardedRegistryClient(opts, {
      before: (signal) => this.ready(signal),
      retry: () => {
        const seen = tokens.generation;
        return async (e, signal) => maybeExpired(e) && (await tokens.renewAfterRefusal(seen, signal));
      },
      error: (e) => this.registryError(e),
    });
  }

  /** Reference prefix: the registry's host (`123456789012.dkr.ecr.eu-west-1.amazonaws.com`), once known. */
  get registryHost(): string {
    return this.registryUrl ? parseEndpoint(this.registryUrl).url.host : this.config.url;
  }

  /** A password with time left, and the registry's address. */
  async ready(signal?: AbortSignal): Promise<void> {
    await this.tokens.ensure(false, signal);
    if (this.registryUrl) return;
    const endpoint = this.tokens.proxyEndpoint;
    const host = endpoint ? parseEcrHost(endpoint) : undefined;
    if (!host) throw new RegistryError('protocol', `ECR named no registry address for this account in ${this.settings.region}; enter the registry ID in the connection.`);
    this.registryUrl = ecrRegistryHost(host.accountId, host.region, host.fips);
    this.ctx.log?.(`ECR: the account's registry is ${this.registryUrl}`);
  }

  async listRepositories(signal?: AbortSignal): Promise<Page<RepositoryInfo>> {
    // The tree builds references from registryHost: learn it with the listing.
    if (!this.registryUrl) await this.ready(signal);
    const where = this.settings.registryId ? `registry ${this.settings.registryId}` : `ECR in ${this.settings.region}`;
    return cursorPages<RepositoryInfo, string>(async (token, s) => {
      const page = await this.api.describeRepositories(token, this.pageSize, s ?? signal);
      return { items: page.items, ...(page.nextToken ? { next: page.nextToken } : {}) };
    }, `DescribeRepositories (${where})`)(signal);
  }

  async listTags(repository: string, signal?: AbortSignal): Promise<Page<TagInfo>> {
    return cursorPages<TagInfo, string>(async (token, s) => {
      const page = await this.api.describeImages(repository, token, this.pageSize, s ?? signal);
      return { items: page.items, ...(page.nextToken ? { next: page.nextToken } : {}) };
    }, `DescribeImages (${repository})`)(signal);
  }

  async test(signal?: AbortSignal): Promise<TestStep[]> {
    const steps: TestStep[] = [];
    const s = this.settings;
    const who = s.kind === 'keys' ? `access key ${s.accessKeyId ?? ''}` : s.kind === 'profile' ? `profile ${s.profile ?? 'default'}` : 'the default AWS credentials';
    try {
      await this.ready(signal);
      const until = this.tokens.expiresAt;
      steps.push({
        label: `Signed in to AWS with ${who} and got a registry password for ${this.registryHost}`,
        ok: true,
        ...(until ? { detail: `Valid until ${clock(until)}; renewed automatically.` } : {}),
      });
    } catch (e) {
      steps.push({ label: `Sign in to AWS with ${who} (GetAuthorizationToken in ${s.region})`, ok: false, detail: errorMessage(e), ...fieldFor(e, s) });
      return steps;
    }
    let first: string | undefined;
    try {
      const page = await this.listRepositories(signal);
      first = page.items[0]?.name;
      steps.push({ label: `Listed ${countOf(page, 'repository', 'repositories')} (DescribeRepositories)`, ok: true });
    } catch (e) {
      steps.push({ label: 'List the repositories (DescribeRepositories)', ok: false, detail: errorMessage(e), ...fieldFor(e, s) });
      return steps;
    }
    try {
      const tag = first ? (await this.listTags(first, signal)).items[0]?.name : undefined;
      if (first && tag) {
        // Proves the registry takes the password (the listings came from the API).
        await this.client.headManifest(first, tag, signal);
        steps.push({ label: `Read ${first}:${tag} from ${this.registryHost}`, ok: true });
      } else {
        await this.client.ping(signal);
        steps.push({ label: `Reached ${this.registryHost}`, ok: true, ...(first ? {} : { detail: 'The registry has no repositories yet.' }) });
      }
    } catch (e) {
      steps.push({ label: first ? `Read ${first} from ${this.registryHost}` : `Reach ${this.registryHost}`, ok: false, detail: errorMessage(e), ...fieldFor(e, s) });
    }
    return steps;
  }

  async dispose(): Promise<void> {
    await Promise.all([this.client.close(), this.api.close()]);
  }

  /** The registry's refusals in ECR's terms; never a secret. */
  private registryError(e: unknown): unknown {
    if (!isRegistryError(e)) return e;
    const host = this.registryHost;
    if (e.kind === 'unauthorized') {
      return reword(
        e,
        `${host} refused the registry password from GetAuthorizationToken, even a new one. Check that the registry ID and region are right and that your identity may use this registry (${READ_POLICY}; another account’s registry also needs its repository policy to allow you).`,
      );
    }
    if (e.kind === 'forbidden' && !e.message.includes(READ_POLICY)) {
      const clean = hideSecrets(e.message, this.secretList) ?? e.message;
      return reword(e, `${clean} ECR needs ecr:BatchGetImage and ecr:GetDownloadUrlForLayer to read images (${READ_POLICY}), and ecr:BatchDeleteImage to delete them.`);
    }
    const clean = hideSecrets(e.message, this.secretList);
    return clean ? reword(e, clean) : e;
  }
}

/** The form field a failure concerns, so the wizard shows it there. */
function fieldFor(e: unknown, s: EcrSettings): { field?: string } {
  if (!isRegistryError(e)) return {};
  const code = e.code ?? '';
  if (s.kind === 'keys') {
    if (/UnrecognizedClient|InvalidClientTokenId/.test(code)) return { field: 'accessKeyId' };
    if (/Signature/.test(code)) return { field: 'secretAccessKey' };
    if (/Expired/.test(code)) return { field: 'sessionToken' };
    if (e.kind === 'unauthorized') return { field: 'secretAccessKey' };
  }
  if (s.kind === 'profile' && e.kind === 'unauthorized') return { field: 'profile' };
  if (/RegistryNotFound/.test(code) || (s.registryId && e.kind === 'forbidden')) return { field: 'registryId' };
  if (code === 'UnknownEndpoint' || (e.kind === 'network' && !code)) return { field: 'region' };
  return {};
}

function clock(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
}
