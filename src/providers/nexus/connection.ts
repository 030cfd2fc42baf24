// A live Nexus connection: the Registry v2 client on the repository's Docker API
// (`/repository/NAME`), with the user's Basic credentials (password or user token), listing
// through its `_catalog` (the repository's images the user may browse) or the named
// repositories, references written with the pull host (the connector port or proxy host).

import { staticCredentials } from '../../registry/credentials';
import { GuardedRegistryClient, clientOptions } from '../controlPlane';
import { V2Connection } from '../generic';
import { pathRegistryError, stepFields, type PathRegistryWords } from '../pathRegistry';
import type { ConnectionConfig, ConnectionSecrets, ProviderContext, TestStep } from '../provider';
import { nexusRepository } from './form';

export class NexusConnection extends V2Connection {
  constructor(config: ConnectionConfig, secrets: ConnectionSecrets, ctx: ProviderContext) {
    const username = config.username ?? '';
    const password = secrets.password ?? '';
    const host = config.url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0]!;
    const words = nexusWords(host, nexusRepository(config), username);
    const client = new GuardedRegistryClient(
      {
        ...clientOptions(config.url, ctx, 'Nexus'),
        // A group repository (several hosted and proxy ones behind one URL) sends no Link.
        continueFullPages: true,
        insecure: config.insecure,
        caPem: config.caPem,
        credentials: username && password ? staticCredentials({ kind: 'basic', username, password }) : undefined,
      },
      { error: (e) => pathRegistryError(e, words, [password]) },
    );
    super(config, client);
  }

  override async test(signal?: AbortSignal): Promise<TestStep[]> {
    return stepFields(await super.test(signal), { missing: 'url', secret: 'password' });
  }
}

/** Nexus's refusals, in its terms: users and user tokens, privileges, repositories. */
export function nexusWords(host: string, repository: string, username: string): PathRegistryWords {
  return {
    rejected: () =>
      `Nexus at ${host} rejected the user name or password of ${username}. Check both; with a user token, the user name is its name code and the password its pass code (your name → User Token), which expire if your administrator set them to. Then edit the connection.`,
    forbidden: (catalog) =>
      catalog
        ? `Nexus does not let ${username} browse ${repository} (the privilege nx-repository-view-docker-${repository}-browse is missing). Name the images to browse under Repositories in the connection, or ask an administrator for that privilege.`
        : `Nexus does not let ${username} read ${repository}. Ask an administrator for a role with nx-repository-view-docker-${repository}-read (Security → Roles).`,
    missing: () =>
      `Nexus at ${host} has no Docker repository named “${repository}”. Check the name under Administration → Repositories (copy the URL column), and that it is a Docker repository that is online.`,
    // Nexus serves a catalog for every Docker repository: a 404 there is its "no such repository" page.
    missingPattern: /does not offer a repository catalog/,
  };
}
