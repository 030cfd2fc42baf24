// This project's client, used the way the extension uses it: one RegistryClient per
// connection, the address as saved (`http://127.0.0.1:PORT`, so no https probe), credentials
// from a credential source, the public listing and imageDetails calls.
import { RegistryClient } from '../../src/registry/client';
import { formatPlatform } from '../../src/registry/manifest';
import { staticCredentials } from '../../src/registry/credentials';
import type { BenchClient, ClientFactory, ResolvedImage, Target } from './types';

class Explorer implements BenchClient {
  private readonly client: RegistryClient;

  constructor(t: Target) {
    this.client = new RegistryClient({
      url: t.url,
      ...(t.username !== undefined ? { credentials: staticCredentials({ kind: 'basic', username: t.username, password: t.password ?? '' }) } : {}),
    });
  }

  catalog(): Promise<string[]> {
    return this.client.listCatalog();
  }

  tags(repo: string): Promise<string[]> {
    return this.client.listTags(repo);
  }

  async resolve(repo: string, ref: string): Promise<ResolvedImage> {
    const d = await this.client.imageDetails(repo, ref);
    return {
      digest: d.digest,
      platforms: (d.platforms ?? []).map((p) => ({ platform: formatPlatform(p.platform), digest: p.digest, created: p.created })),
    };
  }

  selfStats(): { requests: number; tokenFetches: number } {
    return { ...this.client.stats };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

export const registryExplorer: ClientFactory = {
  key: 'registry-explorer',
  name: 'Registry Explorer (this client)',
  create: (t) => new Explorer(t),
};
