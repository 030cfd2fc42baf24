// Amazon ECR's control plane for the ECR provider: registry host names, the AWS SDK client
// (loaded with `await import` only when an ECR connection is used), an SDK request handler
// over the project's own undici dispatcher (so the API honours VS Code's proxy settings and
// custom CAs like registry traffic does), and AWS errors in plain words.

import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Dispatcher } from 'undici';
import { RegistryError, type RegistryErrorKind } from '../registry/errors';
import { mapNetworkError } from '../registry/transport';
import { hideSecrets } from './controlPlane';
import { request } from '../registry/undici';

// ——— registry hosts ———

/**
 * `ACCOUNT.dkr.ecr[-fips].REGION.<partition domain>`, also the dual-stack `dkr-ecr` form; the
 * same pattern as Amazon's ECR credential helper.
 */
const ECR_HOST =
  /^(\d{12})\.dkr[.-]ecr(-fips)?\.([a-z0-9][a-z0-9-_]*)\.(amazonaws\.(?:com(?:\.cn)?|eu)|on\.(?:aws|amazonwebservices\.com\.cn)|sc2s\.sgov\.gov|c2s\.ic\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)$/;

export interface EcrHost {
  accountId: string;
  region: string;
  fips: boolean;
  /** The domain after the region: `amazonaws.com`, `amazonaws.com.cn`… */
  domain: string;
}

/** Parses a private ECR registry host (port 443 and an https:// prefix tolerated). */
export function parseEcrHost(hostOrUrl: string): EcrHost | undefined {
  const host = hostOrUrl
    .trim()
    .replace(/^https?:\/\//i, '')
    .replace(/\/.*$/, '')
    .replace(/:443$/, '')
    .toLowerCase();
  const m = ECR_HOST.exec(host);
  if (!m) return undefined;
  return { accountId: m[1]!, fips: !!m[2], region: m[3]!, domain: m[4]! };
}

/** For the Docker-config import: does this registry host belong to the ECR provider? */
export function isEcrHost(host: string): boolean {
  return parseEcrHost(host) !== undefined;
}

/** The registry host of an account in a region: `123456789012.dkr.ecr.eu-west-1.amazonaws.com`. */
export function ecrRegistryHost(accountId: string, region: string, fips = false): string {
  return `${accountId}.dkr.ecr${fips ? '-fips' : ''}.${region}.${partitionDomain(region)}`;
}

export function partitionDomain(region: string): string {
  if (region.startsWith('cn-')) return 'amazonaws.com.cn';
  if (region.startsWith('eusc-')) return 'amazonaws.eu';
  if (region.startsWith('us-isob-')) return 'sc2s.sgov.gov';
  if (region.startsWith('us-iso-')) return 'c2s.ic.gov';
  return 'amazonaws.com';
}

export const REGION_RE = /^[a-z]{2,4}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

/** Regions offered in the form; anything else matching REGION_RE goes in “Other”. */
export const AWS_REGIONS: readonly [string, string][] = [
  ['us-east-1', 'US East (N. Virginia)'],
  ['us-east-2', 'US East (Ohio)'],
  ['us-west-1', 'US West (N. California)'],
  ['us-west-2', 'US West (Oregon)'],
  ['ca-central-1', 'Canada (Central)'],
  ['ca-west-1', 'Canada West (Calgary)'],
  ['mx-central-1', 'Mexico (Central)'],
  ['sa-east-1', 'South America (São Paulo)'],
  ['eu-west-1', 'Europe (Ireland)'],
  ['eu-west-2', 'Europe (London)'],
  ['eu-west-3', 'Europe (Paris)'],
  ['eu-central-1', 'Europe (Frankfurt)'],
  ['eu-central-2', 'Europe (Zurich)'],
  ['eu-north-1', 'Europe (Stockholm)'],
  ['eu-south-1', 'Europe (Milan)'],
  ['eu-south-2', 'Europe (Spain)'],
  ['il-central-1', 'Israel (Tel Aviv)'],
  ['me-south-1', 'Middle East (Bahrain)'],
  ['me-central-1', 'Middle East (UAE)'],
  ['af-south-1', 'Africa (Cape Town)'],
  ['ap-south-1', 'Asia Pacific (Mumbai)'],
  ['ap-south-2', 'Asia Pacific (Hyderabad)'],
  ['ap-east-1', 'Asia Pacific (Hong Kong)'],
  ['ap-east-2', 'Asia Pacific (Taipei)'],
  ['ap-northeast-1', 'Asia Pacific (Tokyo)'],
  ['ap-northeast-2', 'Asia Pacific (Seoul)'],
  ['ap-northeast-3', 'Asia Pacific (Osaka)'],
  ['ap-southeast-1', 'Asia Pacific (Singapore)'],
  ['ap-southeast-2', 'Asia Pacific (Sydney)'],
  ['ap-southeast-3', 'Asia Pacific (Jakarta)'],
  ['ap-southeast-4', 'Asia Pacific (Melbourne)'],
  ['ap-southeast-5', 'Asia Pacific (Malaysia)'],
  ['ap-southeast-7', 'Asia Pacific (Thailand)'],
  ['us-gov-east-1', 'AWS GovCloud (US-East)'],
  ['us-gov-west-1', 'AWS GovCloud (US-West)'],
  ['cn-north-1', 'China (Beijing)'],
  ['cn-northwest-1', 'China (Ningxia)'],
];

// ——— the SDK's HTTP layer on undici ———

/** The slice of Smithy's HttpRequest the handler reads (structural, so no Smithy import). */
interface SdkHttpRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

const MAX_API_BODY = 32 * 1024 * 1024;
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

/**
 * An AWS SDK request handler that sends through our dispatcher (proxy, CA, keep-alive pool,
 * timeouts). Responses are small JSON documents, so they are buffered under a cap.
 */
export function undiciRequestHandler(dispatcher: Dispatcher) {
  return {
    async handle(req: SdkHttpRequest, options?: { abortSignal?: AbortSignal | { aborted: boolean } }) {
      const url = new URL(`${req.protocol}//${req.hostname}${req.port ? `:${req.port}` : ''}${req.path}`);
      for (const [k, v] of Object.entries(req.query ?? {})) {
        if (v === null) url.searchParams.append(k, '');
        else for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, one);
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (!HOP_HEADERS.has(k.toLowerCase())) headers[k] = v;
      const signal = options?.abortSignal instanceof AbortSignal ? options.abortSignal : undefined;
      // Network errors go up as they are: the SDK's retry strategy reads their codes
      // (ECONNRESET, ETIMEDOUT…), and mapAwsError words them afterwards.
      const res = await request(url, {
        method: req.method as Dispatcher.HttpMethod,
        headers,
        body: req.body as string | Uint8Array | undefined,
        dispatcher,
        signal,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      try {
        for await (const chunk of res.body) {
          size += (chunk as Buffer).length;
          if (size > MAX_API_BODY) throw new RegistryError('protocol', `${url.host} sent a response larger than ${MAX_API_BODY} bytes.`);
          chunks.push(chunk as Buffer);
        }
      } catch (e) {
        res.body.destroy();
        throw e;
      }
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
      return { response: { statusCode: res.statusCode, headers: out, body: new Uint8Array(Buffer.concat(chunks)) } };
    },
    updateHttpClientConfig(): void {},
    httpHandlerConfigs(): Record<string, never> {
      return {};
    },
    destroy(): void {},
  };
}

// ——— errors ———

export type CredentialKind = 'keys' | 'profile' | 'default';

export interface AwsErrorContext {
  /** The ECR action that failed, as IAM names it: `DescribeImages`. */
  action: string;
  kind: CredentialKind;
  profile?: string;
  region: string;
  registryId?: string;
  repository?: string;
  /** The API host (for network errors): `api.ecr.eu-west-1.amazonaws.com` or an override. */
  apiHost?: string;
  /** Values that must never appear in a message (belt and braces: AWS does not echo them). */
  secrets?: (string | undefined)[];
}

const READ_POLICY = 'AmazonEC2ContainerRegistryReadOnly';

function who(ctx: AwsErrorContext): string {
  if (ctx.kind === 'profile') return `the profile “${ctx.profile ?? 'default'}”`;
  if (ctx.kind === 'default') return 'the credentials the default chain found';
  return 'the access key';
}

function scrub(text: string, secrets: (string | undefined)[] = []): string {
  return hideSecrets(text, secrets) ?? text;
}

/** Where the SDK looks for profiles; what `aws configure` writes. */
export function awsConfigFiles(env: NodeJS.ProcessEnv = process.env): { config: string; credentials: string } {
  return {
    config: env.AWS_CONFIG_FILE || join(homedir(), '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || join(homedir(), '.aws', 'credentials'),
  };
}

/** Whether a profile section exists in the shared config or credentials file. */
export async function profileExists(profile: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const files = awsConfigFiles(env);
  const sections = async (path: string, prefixed: boolean): Promise<string[]> => {
    const text = await readFile(path, 'utf8').catch(() => '');
    const names: string[] = [];
    for (const line of text.split(/\r?\n/)) {
      const m = /^\s*\[\s*([^\]]+?)\s*\]\s*(?:[#;].*)?$/.exec(line);
      if (!m) continue;
      const name = m[1]!;
      if (!prefixed) names.push(name);
      else if (name === 'default') names.push('default');
      else if (name.startsWith('profile ')) names.push(name.slice('profile '.length).trim());
    }
    return names;
  };
  const [inConfig, inCredentials] = await Promise.all([sections(files.config, true), sections(files.credentials, false)]);
  return inConfig.includes(profile) || inCredentials.includes(profile);
}

const CODE_KINDS: Record<string, RegistryErrorKind> = {
  ThrottlingException: 'rateLimited',
  TooManyRequestsException: 'rateLimited',
  LimitExceededException: 'rateLimited',
  ServerException: 'network',
  InternalFailure: 'network',
  ServiceUnavailable: 'network',
  ServiceUnavailableException: 'network',
};

/**
 * AWS SDK and credential-chain failures as RegistryErrors with a sentence that says what to
 * do. The code (the AWS error name) is kept in `code` and named in the message.
 */
export async function mapAwsError(e: unknown, ctx: AwsErrorContext): Promise<RegistryError> {
  if (e instanceof RegistryError) return e;
  if (isTransportError(e)) return apiNetworkError(e, ctx);
  if (isDeserializationError(e)) {
    // The SDK's own words quote the value it could not read: a wrong shape is named, not shown.
    return new RegistryError(
      'protocol',
      `ECR sent a ${ctx.action} answer with fields of the wrong type, which could not be read. Try again; if it persists, check the ECR endpoint the connection uses.`,
      { code: 'DeserializationError' },
    );
  }
  const err = e as { name?: string; message?: string; Message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const name = err?.name ?? 'Error';
  const status = err?.$metadata?.httpStatusCode;
  const opts = { code: name, ...(status !== undefined ? { status } : {}), cause: e };
  const region = ctx.region;
  const fix = ctx.kind === 'keys' ? 'Check the access key ID and secret access key.' : ctx.kind === 'profile' ? `Check the profile “${ctx.profile ?? 'default'}”.` : 'Check which credentials your environment provides.';
  switch (name) {
    case 'AbortError':
      return new RegistryError('cancelled', 'The request was cancelled.', opts);
    case 'UnrecognizedClientException':
    case 'InvalidClientTokenId':
      return new RegistryError('unauthorized', `AWS does not recognise ${who(ctx)} (${name}). ${ctx.kind === 'keys' ? 'Check the access key ID; a deleted or deactivated key, or a temporary key without its session token, is refused.' : fix}`, opts);
    case 'InvalidSignatureException':
    case 'SignatureDoesNotMatch':
      return new RegistryError('unauthorized', `The access key was rejected by AWS (${name}). Check the key ID and secret, or the profile.`, opts);
    case 'ExpiredTokenException':
    case 'ExpiredToken':
    case 'RequestExpired':
      return new RegistryError(
        'unauthorized',
        `The AWS session has expired (${name}). ${ctx.kind === 'keys' ? 'Temporary keys last hours at most: paste fresh keys and session token, or use a profile that renews itself.' : 'Renew it (for SSO: aws sso login), then refresh.'}`,
        opts,
      );
    case 'MissingAuthenticationTokenException':
      return new RegistryError('unauthorized', `The request reached AWS without credentials (${name}). ${fix}`, opts);
    case 'AccessDeniedException':
    case 'AccessDenied': {
      const detail = scrub(err.message ?? err.Message ?? '', ctx.secrets);
      const principal = /User: (\S+) is not authorized/.exec(detail)?.[1];
      return new RegistryError(
        'forbidden',
        `AWS denied ecr:${ctx.action}${ctx.registryId ? ` on registry ${ctx.registryId}` : ''} to ${principal ?? who(ctx)} (${name}). Grant it, for example with the ${READ_POLICY} policy${ctx.registryId ? ', or check the registry ID' : ''}.`,
        opts,
      );
    }
    case 'RepositoryNotFoundException':
      return new RegistryError('notFound', `Repository ${ctx.repository ?? ''} was not found in ${ctx.registryId ? `registry ${ctx.registryId}` : 'the registry'} in ${region} (${name}). It may have been deleted: refresh the list.`, opts);
    case 'RegistryNotFoundException':
      return new RegistryError('notFound', `There is no ECR registry ${ctx.registryId ?? ''} in ${region} (${name}). Check the registry ID and region.`, opts);
    case 'InvalidParameterException':
    case 'ValidationException':
      return new RegistryError('protocol', `AWS refused the ${ctx.action} request (${name}): ${scrub(err.message ?? '', ctx.secrets)}`, opts);
    case 'UnknownEndpoint':
      return new RegistryError('network', `There is no ECR endpoint for region ${region}. Check the region.`, opts);
    case 'CredentialsProviderError':
    case 'ProviderError':
    case 'TokenProviderError':
      return credentialChainError(err.message ?? '', ctx, opts);
  }
  const kind = CODE_KINDS[name];
  if (kind === 'rateLimited') return new RegistryError('rateLimited', `AWS is throttling ECR requests (${name}). Wait a moment, then refresh.`, opts);
  if (kind === 'network' || (status !== undefined && status >= 500)) {
    return new RegistryError('network', `ECR in ${region} had a server error (${name}). Try again shortly.`, opts);
  }
  return new RegistryError('protocol', `ECR ${ctx.action} failed (${name}): ${scrub(err?.message ?? '', ctx.secrets)}`, opts);
}

/** The SDK could not read an answer (wrong JSON types, not JSON): a TypeError/SyntaxError of its deserializer. */
function isDeserializationError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  return (e.name === 'TypeError' || e.name === 'SyntaxError') && ('$response' in e || /Deserialization error|Expected .*, got/.test(e.message));
}

/** An error from below HTTP (socket, DNS, TLS, abort) rather than an answer from AWS. */
function isTransportError(e: unknown): boolean {
  const err = e as { name?: string; code?: unknown; $metadata?: { httpStatusCode?: number }; $fault?: unknown } | undefined;
  if (!err || typeof err !== 'object' || err.$metadata?.httpStatusCode !== undefined || err.$fault !== undefined) return false;
  if (err.name === 'AbortError' || err.name === 'TimeoutError') return true;
  const code = typeof err.code === 'string' ? err.code : '';
  return /^(E[A-Z]+|UND_ERR_[A-Z_]+|ERR_TLS_[A-Z_]+|[A-Z_]*CERT[A-Z_]*)$/.test(code) || /^(ConnectTimeoutError|HeadersTimeoutError|BodyTimeoutError|SocketError)$/.test(err.name ?? '');
}

function apiNetworkError(e: unknown, ctx: AwsErrorContext): RegistryError {
  const host = ctx.apiHost ?? `api.ecr.${ctx.region}.${partitionDomain(ctx.region)}`;
  const mapped = mapNetworkError(e, { method: 'POST', url: new URL(`https://${host}/`), headers: {} });
  if (mapped.kind === 'cancelled' || mapped.kind === 'tls' || mapped.kind === 'timeout') return mapped;
  const code = (e as { code?: string }).code;
  return new RegistryError('network', `Could not reach the ECR API at ${host}${code ? ` (${code})` : ''}. Check your network, VPN and proxy settings, and the region.`, { cause: e });
}

async function credentialChainError(message: string, ctx: AwsErrorContext, opts: { code: string; cause: unknown }): Promise<RegistryError> {
  const files = awsConfigFiles();
  if (/sso/i.test(message) && /expired|invalid|refresh/i.test(message)) {
    const profile = ctx.kind === 'profile' ? ` --profile ${ctx.profile ?? 'default'}` : '';
    return new RegistryError('unauthorized', `The AWS SSO session has expired. Run “aws sso login${profile}”, then refresh.`, opts);
  }
  if (ctx.kind === 'profile') {
    const profile = ctx.profile ?? 'default';
    if (!(await profileExists(profile))) {
      return new RegistryError('unauthorized', `There is no AWS profile “${profile}” in ${files.config} or ${files.credentials}. Check the name (aws configure list-profiles), or create it with aws configure --profile ${profile}.`, opts);
    }
    return new RegistryError(
      'unauthorized',
      `The AWS profile “${profile}” gave no usable credentials: ${scrub(message, ctx.secrets).replace(/\.$/, '')}. Check its settings in ${files.config}.`,
      opts,
    );
  }
  if (ctx.kind === 'default') {
    return new RegistryError(
      'unauthorized',
      'No AWS credentials were found by the default chain (environment variables, shared config and credentials files, SSO, container or instance role). Run “aws configure” or “aws sso login”, set AWS_PROFILE, or choose another credentials kind.',
      opts,
    );
  }
  return new RegistryError('unauthorized', `AWS credentials could not be loaded: ${scrub(message, ctx.secrets)}`, opts);
}
