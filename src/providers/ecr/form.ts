// Amazon ECR's connect form and what a filled form becomes: the region (listed, or typed under
// "Other…"), how to sign in (an access key, a profile, the default chain), and optionally
// another account's registry, by ID or address.

import type { DockerConfigEntry } from '../dockerConfig';
import { displayNameField, type FieldError, type FormValues, type ProviderForm } from '../form';
import { keepSecret, str } from '../generic';
import type { ConnectionConfig, ConnectionSecrets, FormResult } from '../provider';
import { AWS_REGIONS, REGION_RE, ecrRegistryHost, parseEcrHost, partitionDomain } from './hosts';

const OTHER_REGION = 'other';
/** Access key IDs: 16–128 upper-case letters and digits (AKIA… long-term, ASIA… temporary). */
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
const PROFILE_NAME = /^[\w.@+=,-]{1,64}$/;
const ACCOUNT_ID = /^\d{12}$/;
/** The managed policy that grants what browsing needs; named in the help and in refusals. */
export const READ_POLICY = 'AmazonEC2ContainerRegistryReadOnly';

export type CredentialKind = 'keys' | 'profile' | 'default';

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

export function ecrFromForm(values: FormValues, previous?: { config: ConnectionConfig; secrets: ConnectionSecrets }): FormResult {
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
}

export function ecrToForm(config: ConnectionConfig): FormValues {
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
}

/**
 * `docker login` to an ECR host leaves a 12-hour password (aws ecr get-login-password) or the
 * ecr-login credential helper; either way the lasting credentials are the machine's AWS
 * ones, so the import uses the default chain for the registry the host names.
 */
export function ecrFromDockerConfig(entry: DockerConfigEntry): { config: Omit<ConnectionConfig, 'id'>; secrets: ConnectionSecrets } | undefined {
  const host = parseEcrHost(entry.registry);
  if (!host) return undefined;
  const result = ecrFromForm({ region: AWS_REGIONS.some(([r]) => r === host.region) ? host.region : OTHER_REGION, customRegion: host.region, auth: 'default', registryId: entry.registry });
  return result.ok ? { config: result.config, secrets: result.secrets } : undefined;
}
