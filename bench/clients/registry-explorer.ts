// This project's client, used the way the extension uses it: one RegistryClient per
// connection, the address as saved (`http://127.0.0.1:PORT`, so no https probe), credentials
// from a credential source, the public listing and imageDetails calls.
import { RegistryClient } from '../../src/registry/client';
import { formatPlatform } from '../../src/registry/manifest';
import { staticCredentials } from '../../src/registry/credentials';
import type { Connection } from '../../src/providers/provider';
import { TagDetailsLoader, MemoryDigestCache } from '../../src/ui/tree/details';
import { orderTags } from '../../src/ui/tree/sort';
import type { BenchClient, ClientFactory, DatedTags, ResolvedImage, Target } from './types';

/** The tree's screen page (registryExplorer.pageSize default): the rows a user sees dated first. */
const VISIBLE = 100;

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

  /**
   * What the tree does on expanding a repository: the tag list, the tree's order, then the
   * tree's own details loader (src/ui/tree/details.ts: a HEAD per tag for its digest, one
   * manifest + config fetch per distinct digest, ≤16 tags in flight) for the visible page only.
   * Done when every visible tag is dated.
   */
  async tagsWithDates(repo: string): Promise<DatedTags> {
    const started = performance.now();
    const names = await this.client.listTags(repo);
    const listedMs = performance.now() - started;
    const visible = orderTags(names.map((name) => ({ name })), 'semver').tags.slice(0, VISIBLE).map((t) => t.name);
    let dated = 0;
    const loader = new TagDetailsLoader(new MemoryDigestCache(), {
      onDetails: (_c, _r, _t, d) => void (d.created !== undefined || d.platforms?.some((p) => p.created) ? dated++ : undefined),
      onError: (_c, _r, tag, e) => {
        throw new Error(`details of ${tag}: ${e instanceof Error ? e.message : String(e)}`);
      },
    });
    const conn = { config: { id: 'bench' }, client: this.client } as unknown as Connection;
    await loader.request(conn, repo, visible);
    return { tags: names.length, dated, listedMs, visible: visible.length };
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
  tagsWithDates: true,
  create: (t) => new Explorer(t),
};
