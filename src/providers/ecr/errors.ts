// AWS SDK and credential-chain failures as RegistryErrors, in plain words with what to do.

import { RegistryError, type RegistryErrorKind } from '../../registry/errors';
import { mapNetworkError } from '../../registry/transport';
import { hideSecrets } from '../controlPlane';
import { READ_POLICY, type CredentialKind } from './form';
import { partitionDomain } from './hosts';
import { awsConfigFiles, profileExists } from './profiles';

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

function who(ctx: AwsErrorContext): string {
  if (ctx.kind === 'profile') return `the profile “${ctx.profile ?? 'default'}”`;
  if (ctx.kind === 'default') return 'the credentials the default chain found';
  return 'the access key';
}

function scrub(text: string, secrets: (string | undefined)[] = []): string {
  return hideSecrets(text, secrets) ?? text;
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
        `AWS denied ecr:${ctx.action}${ctx.registryId ? ` on registry ${ctx.registryId}` : ''} to ${principal ?? who(ctx)} (${name}). Grant it, for example with the ${ctx.action === 'DeleteRepository' ? 'AmazonEC2ContainerRegistryFullAccess' : READ_POLICY} policy${ctx.registryId ? ', or check the registry ID' : ''}.`,
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
  // The ECR API never redirects and our SDK handler does not follow: such an answer confirms nothing.
  if (status !== undefined && status >= 300 && status < 400) {
    return new RegistryError('protocol', `The ECR endpoint answered ${ctx.action} with a redirect (HTTP ${status}), which the ECR API never sends; it was not followed, and the request is not reported as done. Check the ECR endpoint the connection uses.`, opts);
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
