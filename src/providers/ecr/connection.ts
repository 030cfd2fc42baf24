// A live ECR connection: listings through the ECR API, the registry itself (manifests,
// digests, deletes) through the Registry v2 client with the password from
// GetAuthorizationToken, renewed ahead of expiry and once more after an expiry refusal.
//
// Without a registry ID the registry is the caller's own account, which GetAuthorizationToken
// names (its proxyEndpoint); with one, DescribeRepositories/DescribeImages address that
// registry (cross-account access needs a repository policy that allows it).
//
// Overrides (`registryExplorer.apiEndpoints`, for tests and private endpoints): `ecr` (the API
// endpoint, e.g. a VPC endpoint), `ecr-registry` (the registry itself).

import type { RegistryClientOptions } from '../../registry/client';
import { parseEndpoint } from '../../registry/endpoint';
import { RegistryError, isRegistryError } from '../../registry/errors';
import type { Referrer } from '../../registry/referrers';
import { GuardedRegistryClient, cursorPages, hideSecrets, reword } from '../controlPlane';
import { countOf, errorMessage } from '../messages';
import type { Connection, ConnectionConfig, ConnectionSecrets, Page, ProviderContext, RepositoryInfo, TagInfo, TestStep } from '../provider';
import { ECR_MAX_RESULTS, EcrApi } from './api';
import { EcrAuthTokens } from './authTokens';
import { READ_POLICY, ecrSettings, type EcrSettings } from './form';
import { ecrRegistryHost, parseEcrHost } from './hosts';

export interface EcrTuning {
  /** maxResults for DescribeRepositories / DescribeImages (default 1000). */
  pageSize?: number;
  now?: () => number;
}

export function connectEcr(config: ConnectionConfig, secrets: ConnectionSecrets, ctx: ProviderContext, tuning: EcrTuning = {}): EcrConnection {
  return new EcrConnection(config, secrets, ctx, tuning);
}

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

  /** Through the ECR API: the Registry API cannot delete a repository. */
  deleteRepository(repository: string, signal?: AbortSignal): Promise<void> {
    return this.api.deleteRepository(repository, signal);
  }

  /** ECR's ListImageReferrers, one API call, instead of the registry's referrers API. */
  referrers(repository: string, digest: string, signal?: AbortSignal): Promise<Referrer[]> {
    return this.api.listImageReferrers(repository, digest, signal);
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
