// @snyk/docker-registry-v2-client 4.x through its exported functions, given its best settings:
//   catalog  getRepos with pageSize = the registry's maxentries (its default is 100);
//   tags     getTags (its default page size, 1000; the registry sends all tags anyway);
//   resolve  it has no "give me the index" call (getManifest resolves one platform, fetching the
//            index again for each), so the index comes from its exported registryCall with the
//            full Accept list, then getManifest(digest) and getImageConfig per platform,
//            concurrently: the same requests the floor makes.
// Its functions are stateless: each call starts without credentials, takes the 401, fetches a
// token and retries. Over plain HTTP it needs `protocol: 'http:'`; without the OCI types in
// acceptManifest the registry answers 404 for OCI manifests (its default lists Docker types only).
import * as snyk from '@snyk/docker-registry-v2-client';
import { ACCEPT_ALL_MANIFESTS, platformName, runnable, type BenchClient, type ClientFactory, type IndexEntry, type ResolvedImage, type Target } from './types';

class Snyk implements BenchClient {
  private readonly opts: snyk.ClientOptions = { protocol: 'http:', acceptManifest: ACCEPT_ALL_MANIFESTS };

  constructor(private readonly t: Target) {}

  catalog(): Promise<string[]> {
    return snyk.getRepos(this.t.host, this.t.username, this.t.password, this.t.maxEntries, undefined, this.opts);
  }

  tags(repo: string): Promise<string[]> {
    return snyk.getTags(this.t.host, repo, this.t.username, this.t.password, undefined, undefined, this.opts);
  }

  async resolve(repo: string, ref: string): Promise<ResolvedImage> {
    const res = await snyk.registryCall(`${this.t.host}/v2/${repo}/manifests/${ref}`, this.t.username, this.t.password, {
      protocol: 'http:',
      headers: { accept: ACCEPT_ALL_MANIFESTS },
    });
    const body: unknown = res.body;
    const index = (Buffer.isBuffer(body) ? JSON.parse(body.toString('utf8')) : typeof body === 'string' ? JSON.parse(body) : body) as { manifests: IndexEntry[] };
    const platforms = await Promise.all(
      runnable(index.manifests).map(async (d) => {
        const m = await snyk.getManifest(this.t.host, repo, d.digest, this.t.username, this.t.password, this.opts);
        const config = (await snyk.getImageConfig(this.t.host, repo, m.config.digest, this.t.username, this.t.password, this.opts)) as { created?: string };
        return { platform: platformName(d.platform), digest: d.digest, created: config.created };
      }),
    );
    const digest = res.headers['docker-content-digest'];
    return { digest: Array.isArray(digest) ? digest[0] : digest, platforms };
  }

  async close(): Promise<void> {
    // Stateless functions on Node's global agent: nothing to close.
  }
}

export const snykClient: ClientFactory = {
  key: 'snyk',
  name: '@snyk/docker-registry-v2-client',
  create: (t) => new Snyk(t),
};
