// A live Artifactory connection: the Registry v2 client on the repository's Docker API
// (`/artifactory/api/docker/KEY`), listing through its `_catalog` (Artifactory pages it with
// `n`/`last` and a Link) or the repository list the user named, references written with the
// pull host. Artifactory's Docker API answers 401 with a Bearer challenge whose realm is its
// token endpoint (`…/KEY/v2/token`); an access token alone goes there as a Bearer token, a user
// name with an identity token as Basic.

import { staticCredentials } from '../../registry/credentials';
import { RegistryError } from '../../registry/errors';
import { GuardedRegistryClient, clientOptions } from '../controlPlane';
import { V2Connection } from '../generic';
import { pathRegistryError, stepFields, type PathRegistryWords } from '../pathRegistry';
import type { ConnectionConfig, ConnectionSecrets, Page, ProviderContext, RepositoryInfo, TestStep } from '../provider';
import { artifactoryParts } from './form';

export class ArtifactoryConnection extends V2Connection {
  readonly repoKey: string;

  constructor(config: ConnectionConfig, secrets: ConnectionSecrets, ctx: ProviderContext) {
    const token = secrets.token ?? '';
    const username = config.username;
    const { address, key } = artifactoryParts(config);
    const host = address.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0]!;
    const words = artifactoryWords(host, key, username);
    const client = new GuardedRegistryClient(
      {
        ...clientOptions(config.url, ctx, 'Artifactory'),
        insecure: config.insecure,
        caPem: config.caPem,
        credentials: token ? staticCredentials(username ? { kind: 'basic', username, password: token } : { kind: 'bearer', token }) : undefined,
      },
      { error: (e) => pathRegistryError(e, words, [token]) },
    );
    super(config, client);
    this.repoKey = key;
  }

  override listRepositories(signal?: AbortSignal): Promise<Page<RepositoryInfo>> {
    if (!this.repoKey) return Promise.reject(noKey());
    return super.listRepositories(signal);
  }

  override async test(signal?: AbortSignal): Promise<TestStep[]> {
    if (!this.repoKey) return [{ label: 'Choose the Docker repository', ok: false, detail: noKey().message, field: 'repoKey' }];
    return stepFields(await super.test(signal), { missing: 'repoKey', secret: 'token' });
  }
}

function noKey(): RegistryError {
  return new RegistryError('invalid', 'This Artifactory connection has no repository key yet. Edit the connection and enter the key of the Docker repository to browse (Administration → Repositories).');
}

/** Artifactory's refusals, in its terms: tokens, the Read permission, repository keys. */
export function artifactoryWords(host: string, key: string, username: string | undefined): PathRegistryWords {
  const who = username ?? 'the access token';
  return {
    rejected: () =>
      username
        ? `Artifactory at ${host} rejected the identity token of ${username}. It may have been revoked, or the user name is not the token’s owner: generate a new one (Edit Profile → Generate an Identity Token) and edit the connection.`
        : `Artifactory at ${host} rejected the access token. It may have expired or been revoked: create a new one (Administration → User Management → Access Tokens) and edit the connection.`,
    forbidden: (catalog) =>
      catalog
        ? `Artifactory does not let ${who} list the catalog of ${key} (it needs the Read permission on the whole repository). Name the images to browse under Repositories in the connection, or ask an administrator for Read on ${key}.`
        : `Artifactory does not give ${who} the Read permission on ${key}. Ask an administrator to add it to a permission target for ${key} (Administration → User Management → Permissions).`,
    missing: () => `Artifactory at ${host} has no Docker repository with the key “${key}”. Check the key under Administration → Repositories (keys are case-sensitive) and that the repository’s package type is Docker.`,
    missingPattern: /Unsupported docker v2 repository request|Repository .* not found/i,
  };
}
