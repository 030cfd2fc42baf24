// Generic Registry v2: any server that speaks the distribution API, listed through
// `_catalog`, or through a repository list the user gives where the catalog is closed.

import { X509Certificate } from 'node:crypto';
import { RegistryClient } from '../registry/client';
import { staticCredentials } from '../registry/credentials';
import { parseEndpoint } from '../registry/endpoint';
import { isRegistryError } from '../registry/errors';
import { isValidRepository } from '../registry/reference';
import { displayNameField, type FieldError, type FormValues, type ProviderForm } from './form';
import { countOf, errorMessage } from './messages';
import { pagesFrom, singlePage } from './pages';
import type { Connection, ConnectionConfig, ConnectionSecrets, FormResult, RegistryProvider, TestStep } from './provider';
import { knownPullHost } from './pullHost';

export const genericForm: ProviderForm = {
  id: 'generic',
  title: 'Generic Registry v2',
  description: 'Any server that speaks the Docker Registry HTTP API v2: distribution, Harbor, Nexus, Artifactory, Zot…',
  icon: 'server',
  help: 'HTTPS is assumed. Plain HTTP is used automatically for localhost and 127.0.0.1; anywhere else it needs “Allow insecure”. Self-signed servers: add the CA certificate rather than turning verification off.',
  docsUrl: 'https://distribution.github.io/distribution/spec/api/',
  fields: [
    { id: 'url', label: 'Registry address', kind: 'text', required: true, placeholder: 'registry.example.com or localhost:5000', help: 'Host and optional port. Add https:// or http:// to force a scheme.' },
    displayNameField('Defaults to the address'),
    { id: 'username', label: 'Username', kind: 'text', placeholder: 'Leave empty for anonymous access' },
    { id: 'password', label: 'Password or access token', kind: 'password', secret: true, help: 'Stored in VS Code’s secret storage, never in settings.' },
    { id: 'insecure', label: 'Allow insecure (skip TLS verification, allow plain HTTP)', kind: 'checkbox', default: false },
    {
      id: 'caPem',
      label: 'Custom CA certificate',
      kind: 'file',
      placeholder: '-----BEGIN CERTIFICATE-----',
      help: 'PEM of the certificate authority that signed the registry’s certificate. Choose a file or paste it.',
      fileFilters: { 'PEM certificate': ['pem', 'crt', 'cer'] },
    },
    { id: 'repositories', label: 'Repositories (optional)', kind: 'list', placeholder: 'team/app\nlibrary/nginx', help: 'One per line, for registries that do not let you list their catalog.' },
  ],
};

export function str(values: FormValues, id: string): string {
  const v = values[id];
  return typeof v === 'string' ? v.trim() : '';
}

export function bool(values: FormValues, id: string): boolean {
  return values[id] === true || values[id] === 'true';
}

export function parseRepositoryList(text: string, errors: FieldError[], field = 'repositories'): string[] | undefined {
  const names = text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = names.filter((n) => !isValidRepository(n));
  if (bad.length) errors.push({ field, message: `Not a repository name: ${bad.slice(0, 3).join(', ')}. Use lower-case paths like team/app.` });
  return names.length ? [...new Set(names)] : undefined;
}

/** A registry address as the client will read it; what it objects to becomes the field's error. */
export function checkAddress(url: string, insecure: boolean, errors: FieldError[], field = 'url'): void {
  try {
    parseEndpoint(url, insecure);
  } catch (e) {
    errors.push({ field, message: errorMessage(e) });
  }
}

export function checkCaPem(pem: string, errors: FieldError[], field = 'caPem'): string | undefined {
  if (!pem) return undefined;
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    errors.push({ field, message: 'This is not a PEM certificate: it should start with -----BEGIN CERTIFICATE-----.' });
    return undefined;
  }
  try {
    new X509Certificate(pem);
  } catch {
    errors.push({ field, message: 'The certificate could not be read. Paste the whole PEM block, including the BEGIN and END lines.' });
    return undefined;
  }
  return pem;
}

/** Where a stored secret may be kept when an edit leaves the field blank. */
export function keepSecret(values: FormValues, id: string, previous?: ConnectionSecrets): string | undefined {
  const given = typeof values[id] === 'string' ? (values[id] as string) : '';
  return given !== '' ? given : previous?.[id];
}

export const genericProvider: RegistryProvider = {
  form: genericForm,

  fromForm(values, previous): FormResult {
    const errors: FieldError[] = [];
    const url = str(values, 'url');
    const insecure = bool(values, 'insecure');
    checkAddress(url, insecure, errors);
    const username = str(values, 'username');
    const password = keepSecret(values, 'password', previous?.secrets);
    if (password && !username) errors.push({ field: 'username', message: 'Enter the username that goes with the password or token.' });
    const caPem = checkCaPem(str(values, 'caPem'), errors);
    const repositories = parseRepositoryList(str(values, 'repositories'), errors);
    if (errors.length) return { ok: false, errors };
    return {
      ok: true,
      config: {
        provider: 'generic',
        name: str(values, 'name') || url.replace(/^https?:\/\//, ''),
        url,
        ...(username ? { username } : {}),
        ...(insecure ? { insecure } : {}),
        ...(caPem ? { caPem } : {}),
        ...(repositories ? { repositories } : {}),
      },
      secrets: password ? { password } : {},
    };
  },

  toForm(config) {
    return {
      url: config.url,
      name: config.name,
      username: config.username ?? '',
      insecure: !!config.insecure,
      caPem: config.caPem ?? '',
      repositories: (config.repositories ?? []).join('\n'),
    };
  },

  connect(config, secrets, ctx) {
    const client = new RegistryClient({
      url: config.url,
      insecure: config.insecure,
      caPem: config.caPem,
      proxy: ctx.proxy,
      userAgent: ctx.userAgent,
      credentials: secrets.identityToken
        ? staticCredentials({ kind: 'refreshToken', refreshToken: secrets.identityToken, ...(config.username ? { username: config.username } : {}) })
        : config.username && secrets.password
          ? staticCredentials({ kind: 'basic', username: config.username, password: secrets.password })
          : undefined,
    });
    return new V2Connection(config, client);
  },
};

/** A connection that lists through the Registry API itself; providers with their own listing APIs extend it. */
export class V2Connection implements Connection {
  readonly registryHost: string;

  constructor(
    readonly config: ConnectionConfig,
    readonly client: RegistryClient,
  ) {
    this.registryHost = knownPullHost(config) ?? parseEndpoint(config.url, config.insecure, { basePath: true }).url.host;
  }

  async listRepositories(signal?: AbortSignal) {
    if (this.config.repositories?.length) return singlePage(this.config.repositories.map((name) => ({ name })));
    return pagesFrom(this.client.catalogPages({ signal }), (name: string) => ({ name }))();
  }

  async listTags(repository: string, signal?: AbortSignal) {
    return pagesFrom(this.client.tagPages(repository, { signal }), (name: string) => ({ name }))();
  }

  async test(signal?: AbortSignal): Promise<TestStep[]> {
    const steps: TestStep[] = [];
    try {
      const ping = await this.client.ping(signal);
      steps.push({ label: `Reached ${ping.url}`, ok: true, detail: ping.auth === 'none' ? 'No authentication required' : `Authentication: ${ping.auth}` });
    } catch (e) {
      steps.push({ label: `Reach ${this.config.url}`, ok: false, detail: errorMessage(e) });
      return steps;
    }
    const named = this.config.repositories?.[0];
    try {
      if (named) {
        const tags = await this.client.listTags(named, { signal });
        steps.push({ label: `Listed ${countOf({ items: tags }, 'tag', 'tags')} of ${named}`, ok: true });
      } else {
        const page = await this.listRepositories(signal);
        steps.push({ label: `Listed the catalog: ${countOf(page, 'repository', 'repositories')}`, ok: true });
      }
    } catch (e) {
      const hint = !named && isRegistryError(e) && (e.kind === 'notFound' || e.kind === 'forbidden') ? ' Add repository names to the connection to browse without the catalog.' : '';
      steps.push({ label: named ? `List tags of ${named}` : 'List the catalog', ok: false, detail: errorMessage(e) + hint });
    }
    return steps;
  }

  dispose(): Promise<void> {
    return this.client.close();
  }
}
