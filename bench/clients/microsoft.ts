// Microsoft's @microsoft/vscode-docker-registries 0.4.2: its GenericRegistryV2DataProvider,
// the "Generic Registry V2" provider of the Container Tools registry view, driven the way the
// view drives it (getRegistries → getRepositories → getTags), with `vscode` stubbed.
//
// Set-up mirrors its connect wizard: the registry URL in globalState's tracked list, the
// username and secret stored through the provider's own BasicOAuthProvider (empty strings
// for the anonymous registry: it insists on having both and sends them as Basic).
//
// What it does, read from dist/cjs (and visible in the counts):
//   - every request first goes out with Basic; on the first 401 it switches to Bearer, and
//     from then on fetches a NEW token for every request (no token cache);
//   - catalog: `_catalog` without `n`, so the registry's default page of 100, following Link;
//   - getTags: one tags/list, then, without awaiting, a created-date lookup per tag (manifest,
//     then config blob; for an index, the index, one platform manifest, its config), all at
//     once on Node's global fetch. `tags` below measures the listing with those lookups
//     switched off; `tagsWithDates` measures the real thing until every lookup has settled;
//   - resolve: its public API has getManifest(tag) only; platform manifests are fetched with
//     it by digest, configs with its internal getTagCreatedDateFromConfig (the code its tree
//     uses for dates), all platforms concurrently: the same requests the floor makes.
import { installVscodeStub, createExtensionContext } from '../vscode-stub';
import { platformName, runnable, type BenchClient, type ClientFactory, type DatedTags, type IndexEntry, type ResolvedImage, type Target } from './types';

interface Item {
  label: string;
  type: string;
  parent?: Item;
  baseUrl?: unknown;
  createdAt?: Date;
}

/** The provider as this adapter uses it, including the members its d.ts marks private/protected. */
interface Provider {
  getChildren(element?: Item): Promise<Item[]>;
  getRegistries(root: Item): Promise<Item[]>;
  getRepositories(registry: Item): Promise<Item[]>;
  getTags(repository: Item): Promise<Item[]>;
  getManifest(tag: Item): Promise<unknown>;
  getAuthenticationProvider(item: Item): { storeBasicCredentials(c: { username: string; secret: string }): Promise<void> };
  getTagCreatedDate(tag: Item): Promise<Date | undefined>;
  getTagCreatedDateFromConfig(configDigest: string, repository: Item): Promise<Date | undefined>;
  dispose(): void;
}

type ProviderClass = new (context: unknown) => Provider;

let loaded: ProviderClass | undefined;
function providerClass(): ProviderClass {
  if (!loaded) {
    // Only now: its modules call require('vscode') as they load.
    installVscodeStub();
    loaded = (require('@microsoft/vscode-docker-registries') as { GenericRegistryV2DataProvider: ProviderClass }).GenericRegistryV2DataProvider;
  }
  return loaded;
}

class Microsoft implements BenchClient {
  private readonly ready: Promise<{ provider: Provider; registry: Item }>;

  constructor(t: Target) {
    this.ready = (async () => {
      const Provider = providerClass();
      const context = createExtensionContext({ 'GenericV2ContainerRegistry.TrackedRegistries': [t.url] });
      const provider = new Provider(context);
      const [root] = await provider.getChildren();
      const [registry] = await provider.getRegistries(root!);
      if (!registry) throw new Error('microsoft: the tracked registry did not show up');
      await provider.getAuthenticationProvider(registry).storeBasicCredentials({ username: t.username ?? '', secret: t.password ?? '' });
      return { provider, registry };
    })();
  }

  private repository(registry: Item, repo: string): Item {
    return { parent: registry, baseUrl: registry.baseUrl, label: repo, type: 'commonrepository' };
  }

  async catalog(): Promise<string[]> {
    const { provider, registry } = await this.ready;
    return (await provider.getRepositories(registry)).map((r) => r.label);
  }

  async tags(repo: string): Promise<string[]> {
    const { provider, registry } = await this.ready;
    // The listing alone: the per-tag date lookups getTags starts are measured in tagsWithDates.
    provider.getTagCreatedDate = () => Promise.resolve(undefined);
    return (await provider.getTags(this.repository(registry, repo))).map((t) => t.label);
  }

  async tagsWithDates(repo: string): Promise<DatedTags> {
    const { provider, registry } = await this.ready;
    const started = performance.now();
    const pending: Promise<unknown>[] = [];
    const original = Object.getPrototypeOf(provider).getTagCreatedDate as Provider['getTagCreatedDate'];
    provider.getTagCreatedDate = (tag) => {
      const p = original.call(provider, tag);
      pending.push(p);
      return p;
    };
    const tags = await provider.getTags(this.repository(registry, repo));
    const listedMs = performance.now() - started;
    await Promise.allSettled(pending);
    return { tags: tags.length, dated: tags.filter((t) => t.createdAt !== undefined).length, listedMs };
  }

  async resolve(repo: string, ref: string): Promise<ResolvedImage> {
    const { provider, registry } = await this.ready;
    const repository = this.repository(registry, repo);
    const tag = (label: string): Item => ({ parent: repository, baseUrl: registry.baseUrl, label, type: 'commontag' });
    const index = (await provider.getManifest(tag(ref))) as { manifests: IndexEntry[] };
    const platforms = await Promise.all(
      runnable(index.manifests).map(async (d) => {
        const m = (await provider.getManifest(tag(d.digest))) as { config: { digest: string } };
        const created = await provider.getTagCreatedDateFromConfig(m.config.digest, repository);
        return { platform: platformName(d.platform), digest: d.digest, created: created?.toISOString() };
      }),
    );
    return { platforms };
  }

  async close(): Promise<void> {
    (await this.ready.catch(() => undefined))?.provider.dispose();
  }
}

export const microsoft: ClientFactory = {
  key: 'microsoft',
  name: '@microsoft/vscode-docker-registries 0.4.2',
  tagsWithDates: true,
  create: (t) => new Microsoft(t),
};

/**
 * For the scale scenario (bench/scale/hold.ts): the provider with the tracked registry, listing
 * the way its tree does, keeping the tree items it returns (what its view holds).
 */
export async function microsoftHold(url: string): Promise<{ catalog(): Promise<Item[]>; tags(repo: string): Promise<Item[]>; close(): Promise<void> }> {
  const Provider = providerClass();
  const context = createExtensionContext({ 'GenericV2ContainerRegistry.TrackedRegistries': [url] });
  const provider = new Provider(context);
  const [root] = await provider.getChildren();
  const [registry] = await provider.getRegistries(root!);
  if (!registry) throw new Error('microsoft: the tracked registry did not show up');
  await provider.getAuthenticationProvider(registry).storeBasicCredentials({ username: '', secret: '' });
  // Its per-tag date lookups off: 100,000 of them would start at once.
  provider.getTagCreatedDate = () => Promise.resolve(undefined);
  return {
    catalog: () => provider.getRepositories(registry),
    tags: (repo) => provider.getTags({ parent: registry, baseUrl: registry.baseUrl, label: repo, type: 'commonrepository' }),
    close: async () => provider.dispose(),
  };
}
