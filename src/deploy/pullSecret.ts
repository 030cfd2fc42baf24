// Image pull secrets. The manifest carries the credential (base64 is not encryption), so the UI
// warns before writing it to a file; the kubectl command shows a placeholder instead of the
// password unless the caller explicitly asks for it.

import { DOCKER_HUB, normalizeRegistryHost } from '../registry/reference';
import { dnsLabel } from './create';
import { PASSWORD_PLACEHOLDER } from './types';

export interface PullSecretOptions {
  name: string;
  namespace?: string;
  /** Registry host as in image references: `ghcr.io`, `docker.io`, `localhost:5000`. */
  registry: string;
  username: string;
  password: string;
}

/** The server key Docker and kubelet use: Docker Hub's is the legacy index URL. */
function dockerConfigServer(registry: string): string {
  return normalizeRegistryHost(registry) === DOCKER_HUB ? 'https://index.docker.io/v1/' : registry;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** A DNS-1123 subdomain for the Secret's name (dots allowed, unlike a label). */
function secretName(name: string): string {
  const parts = name.split('.').map(dnsLabel);
  return parts.join('.').slice(0, 253);
}

/** A `kubernetes.io/dockerconfigjson` Secret manifest. */
export function dockerConfigJsonSecret(o: PullSecretOptions): string {
  const server = dockerConfigServer(o.registry);
  const config = { auths: { [server]: { username: o.username, password: o.password, auth: b64(`${o.username}:${o.password}`) } } };
  return [
    '# Contains a registry credential: base64 is an encoding, not encryption. Do not commit it.',
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    `  name: ${secretName(o.name)}`,
    ...(o.namespace ? [`  namespace: ${dnsLabel(o.namespace)}`] : []),
    'type: kubernetes.io/dockerconfigjson',
    'data:',
    `  .dockerconfigjson: ${b64(JSON.stringify(config))}`,
    '',
  ].join('\n');
}

/** POSIX shell single quoting. */
function sh(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * `kubectl create secret docker-registry …`. The password is `'<password>'` unless
 * `includePassword` is true (then it ends up in shell history: let the user decide).
 */
export function kubectlCreateSecretCommand(o: PullSecretOptions & { includePassword?: boolean }): string {
  const args = [
    'kubectl create secret docker-registry',
    sh(secretName(o.name)),
    ...(o.namespace ? [`--namespace=${sh(dnsLabel(o.namespace))}`] : []),
    `--docker-server=${sh(dockerConfigServer(o.registry))}`,
    `--docker-username=${sh(o.username)}`,
    `--docker-password=${o.includePassword ? sh(o.password) : sh(PASSWORD_PLACEHOLDER)}`,
  ];
  return args.join(' ');
}
