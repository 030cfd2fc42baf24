// BENCH_PARTS=language: what image completion and diagnostics in deploy files cost.
//
//   completion  request → items on a 5,000-tag repository: cold (the tag listing not loaded:
//               one tags/list request, then the items) and from the cache (listing loaded).
//   diagnostics a 200-reference workspace (20 files × 10 references, 10 repositories, 40
//               `tag@digest` pins, 20 of them moved): the time to diagnose every file and the
//               registry requests it makes, first with empty caches, then again with warm ones.
//
// Driven in this process, not in VS Code: the same modules the extension runs (the deploy
// layer's completionSite / scanText / repositoriesNeeded / headsNeeded / diagnose, the tree's
// Listing and tag sort, the Generic provider's connection and its registry client; a pin is
// checked by one HEAD, as pins.ts does first, and these images are single manifests so its
// index step never runs),
// every request through the counting proxy. What it leaves out is VS Code's own share (the
// extension host round trip, CompletionItem objects, rendering the suggest widget).

import { completionSite, diagnose, headsNeeded, repositoriesNeeded, scanText, DEFAULT_DIAGNOSTIC_SETTINGS, type DeployRef, type RepositoryFacts, type TagFacts } from '../../src/deploy';
import type { Connection, TagInfo } from '../../src/providers/provider';
import { providerFor } from '../../src/providers/index';
import { isRegistryError } from '../../src/registry/errors';
import { Listing } from '../../src/ui/tree/listing';
import { sortTags } from '../../src/ui/tree/sort';
import { formatAge, joinFacts, shortDigest } from '../../src/ui/tree/format';
import { startRegistry } from '../../test/support';
import { startCountingProxy, type CountingProxy } from '../proxy';

const BIG = 'bench/many';
const SERVICES = 10;
const FILES = 20;
const REFS_PER_FILE = 10;

export interface Timing {
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
  /** Registry requests per run, by kind (from the counting proxy). */
  requests: Record<string, number>;
  items?: number;
}

export interface LanguageBenchResult {
  status: 'ok' | 'error';
  reason?: string;
  tags: number;
  completionCold?: Timing;
  completionCached?: Timing;
  diagnosticsCold?: Timing & { diagnostics: number; refs: number; repositories: number; pins: number };
  diagnosticsWarm?: Timing;
}

function summarize(samples: number[], requests: Record<string, number>, extra: Partial<Timing> = {}): Timing {
  const s = [...samples].sort((a, b) => a - b);
  return { medianMs: s[Math.floor(s.length / 2)]!, minMs: s[0]!, maxMs: s[s.length - 1]!, runs: s.length, requests, ...extra };
}

/** Requests the proxy saw during `work`, by kind. */
async function counted<T>(proxy: CountingProxy, work: () => Promise<T>): Promise<{ value: T; ms: number; requests: Record<string, number> }> {
  proxy.reset();
  const t0 = performance.now();
  const value = await work();
  const ms = performance.now() - t0;
  return { value, ms, requests: { ...proxy.counts().byKind } };
}

/** What the completion provider builds per tag: label, facts line, order. */
function tagItems(tags: readonly TagInfo[]): { label: string; description: string; sortText: string }[] {
  return sortTags(tags, 'semver').map((t, i) => ({ label: t.name, description: joinFacts(shortDigest(t.digest), formatAge(t.created)), sortText: String(i).padStart(7, '0') }));
}

const tagListing = (conn: Connection, repository: string) => new Listing<TagInfo>((signal) => conn.listTags(repository, signal), 100);

export async function runLanguageBench(opts: { quick: boolean; log: (s: string) => void }): Promise<LanguageBenchResult> {
  const tagCount = opts.quick ? 1000 : 5000;
  const runs = opts.quick ? 5 : 20;
  const result: LanguageBenchResult = { status: 'ok', tags: tagCount };
  const reg = await startRegistry({ mode: 'plain' });
  const proxy = await startCountingProxy(reg.url);
  try {
    opts.log(`bench language: pushing ${tagCount.toLocaleString('en-US')} tags and ${SERVICES} versioned repositories…`);
    await reg.pusher.pushManyTags(BIG, tagCount);
    const digests: Record<string, string>[] = [];
    for (let s = 0; s < SERVICES; s++) {
      const d: Record<string, string> = {};
      for (const tag of ['1.0.0', '1.1.0', '1.2.0']) d[tag] = (await reg.pusher.pushImage(`svc/s${s}`, [tag])).digest;
      digests.push(d);
    }
    const generic = providerFor('generic')!;
    const conn = await generic.connect({ id: 'bench', provider: 'generic', name: 'bench', url: proxy.url }, {}, { userAgent: 'registry-explorer-bench' });
    const host = proxy.url.replace(/^https?:\/\//, '');
    await conn.client.ping();

    // Completion: the text being typed, the site, the listing, the items.
    const text = `apiVersion: v1\nkind: Pod\nmetadata: {name: bench}\nspec:\n  containers:\n    - name: app\n      image: ${host}/${BIG}:v1.`;
    const complete = async (listing: Listing<TagInfo>) => {
      const site = completionSite(text, text.length, 'kubernetes', new Set([host]));
      if (site?.part !== 'tag' || site.repository !== BIG) throw new Error(`completion site: ${JSON.stringify(site)}`);
      if (listing.status !== 'ready') await listing.load();
      return tagItems(listing.items);
    };
    const cold: number[] = [];
    let coldRequests: Record<string, number> = {};
    let items = 0;
    for (let i = 0; i < runs; i++) {
      const r = await counted(proxy, () => complete(tagListing(conn, BIG)));
      cold.push(r.ms);
      coldRequests = r.requests;
      items = r.value.length;
    }
    result.completionCold = summarize(cold, coldRequests, { items });
    const loaded = tagListing(conn, BIG);
    await loaded.load();
    const cached: number[] = [];
    let cachedRequests: Record<string, number> = {};
    for (let i = 0; i < runs * 3; i++) {
      const r = await counted(proxy, () => complete(loaded));
      cached.push(r.ms);
      cachedRequests = r.requests;
    }
    result.completionCached = summarize(cached, cachedRequests, { items });
    opts.log(`bench language: completion cold ${result.completionCold.medianMs.toFixed(1)} ms, cached ${result.completionCached.medianMs.toFixed(2)} ms (${items} items)`);

    // Diagnostics: 200 references in 20 files; 40 of them pinned, half of those to a moved tag.
    const files: { path: string; text: string }[] = [];
    let n = 0;
    for (let f = 0; f < FILES; f++) {
      const lines = ['apiVersion: apps/v1', 'kind: Deployment', `metadata: {name: app${f}}`, 'spec:', '  template:', '    spec:', '      containers:'];
      for (let r = 0; r < REFS_PER_FILE; r++, n++) {
        const s = n % SERVICES;
        // Rows 0, 5, 10, 15 of ten are pinned (every service); rows 0 and 10 to a digest the tag no longer has.
        const row = Math.floor(n / SERVICES);
        const pin = row % 5 === 0 ? `@${row % 10 === 0 ? digests[s]!['1.1.0'] : digests[s]!['1.0.0']}` : '';
        lines.push(`        - name: c${r}`, `          image: ${host}/svc/s${s}:1.0.0${pin}`);
      }
      files.push({ path: `k8s/app${f}.yaml`, text: lines.join('\n') + '\n' });
    }
    const diagnoseAll = async (listings: Map<string, Listing<TagInfo>>, heads: Map<string, Promise<TagFacts>>) => {
      let count = 0;
      let refs = 0;
      for (const file of files) {
        const found: DeployRef[] = scanText(file.path, file.text, 'kubernetes').refs;
        refs += found.length;
        const reach = () => 'connected' as const;
        const facts = new Map<string, RepositoryFacts>();
        await Promise.all(
          repositoriesNeeded(found, reach).map(async ({ registry, repository }) => {
            let l = listings.get(repository);
            if (!l) listings.set(repository, (l = tagListing(conn, repository)));
            if (l.status !== 'ready') await l.load();
            facts.set(`${registry}\n${repository}`, l.status === 'ready' ? { state: 'listed', tags: l.items, complete: !l.hasMoreOnServer } : isRegistryError(l.error, 'notFound') ? { state: 'missing' } : { state: 'unknown' });
          }),
        );
        const repository = (registry: string, name: string) => facts.get(`${registry}\n${name}`) ?? ({ state: 'unknown' } as const);
        const tagFacts = new Map<DeployRef, TagFacts>();
        await Promise.all(
          headsNeeded({ refs: found, reach, repository, settings: DEFAULT_DIAGNOSTIC_SETTINGS }).map(async (ref) => {
            const i = ref.image!;
            const key = `${i.repository}:${i.tag}@${i.digest ?? ''}`;
            let h = heads.get(key);
            if (!h) heads.set(key, (h = conn.client.headManifest(i.repository, i.tag!).then((head) => ({ exists: true, digest: head.digest, moved: !!i.digest && head.digest !== i.digest }))));
            tagFacts.set(ref, await h);
          }),
        );
        count += diagnose({ refs: found, reach, repository, tag: (r) => tagFacts.get(r), settings: DEFAULT_DIAGNOSTIC_SETTINGS }).length;
      }
      return { count, refs };
    };
    const coldDiag: number[] = [];
    let coldDiagRequests: Record<string, number> = {};
    let diagnostics = 0;
    let refs = 0;
    for (let i = 0; i < Math.max(3, runs / 4); i++) {
      const r = await counted(proxy, () => diagnoseAll(new Map(), new Map()));
      coldDiag.push(r.ms);
      coldDiagRequests = r.requests;
      ({ count: diagnostics, refs } = r.value);
    }
    const pins = files.reduce((k, f) => k + (f.text.match(/@sha256:/g)?.length ?? 0), 0);
    result.diagnosticsCold = { ...summarize(coldDiag, coldDiagRequests), diagnostics, refs, repositories: SERVICES, pins };
    const listings = new Map<string, Listing<TagInfo>>();
    const heads = new Map<string, Promise<TagFacts>>();
    await diagnoseAll(listings, heads);
    const warm: number[] = [];
    let warmRequests: Record<string, number> = {};
    for (let i = 0; i < runs; i++) {
      const r = await counted(proxy, () => diagnoseAll(listings, heads));
      warm.push(r.ms);
      warmRequests = r.requests;
    }
    result.diagnosticsWarm = summarize(warm, warmRequests);
    opts.log(`bench language: diagnostics of ${refs} references: cold ${result.diagnosticsCold.medianMs.toFixed(1)} ms (${JSON.stringify(coldDiagRequests)}), warm ${result.diagnosticsWarm.medianMs.toFixed(1)} ms`);
    await conn.dispose();
  } catch (e) {
    result.status = 'error';
    result.reason = e instanceof Error ? e.message : String(e);
    opts.log(`bench language: ${result.reason}`);
  } finally {
    await proxy.close();
    await reg.stop();
  }
  return result;
}

const ms = (t: Timing) => (t.medianMs < 10 ? `${t.medianMs.toFixed(2)} ms` : `${t.medianMs.toFixed(1)} ms`);
const range = (t: Timing) => `${t.minMs.toFixed(t.minMs < 10 ? 2 : 1)}–${t.maxMs.toFixed(t.maxMs < 10 ? 2 : 1)} ms`;
const requests = (t: Timing) => {
  const total = Object.values(t.requests).reduce((a, b) => a + b, 0);
  const parts = Object.entries(t.requests).map(([k, v]) => `${v} ${k}`);
  return total ? `${total} (${parts.join(', ')})` : '0';
};

export function languageMarkdown(r: LanguageBenchResult): string[] {
  const md = ['### Deploy-file language features (completion, diagnostics)', ''];
  if (r.status !== 'ok') return [...md, `Not measured: ${r.reason ?? 'unknown error'}.`];
  md.push('| task | median | range | registry requests per run | runs | notes |', '| --- | ---: | ---: | --- | ---: | --- |');
  const row = (task: string, t: Timing | undefined, note: string) => t && md.push(`| ${task} | ${ms(t)} | ${range(t)} | ${requests(t)} | ${t.runs} | ${note} |`);
  row(`completion, cold: tags of a ${r.tags.toLocaleString('en-US')}-tag repository`, r.completionCold, `the tag listing not loaded yet: one tags/list, then ${r.completionCold?.items?.toLocaleString('en-US')} items in the tree's order (semver)`);
  row('completion, from the listing cache', r.completionCached, 'what every later keystroke costs (the listing is refreshed at most every 5 minutes)');
  const d = r.diagnosticsCold;
  row(`diagnostics, ${d?.refs} references in 20 files, empty caches`, d, `${d?.repositories} repositories, ${d?.pins} \`tag@digest\` pins (half moved): one listing per repository shared by every file, a HEAD per distinct pin; ${d?.diagnostics} diagnostics`);
  row('diagnostics again, caches warm', r.diagnosticsWarm, 'listings and HEADs reused: no request');
  md.push('', 'Driven in the bench process, not in VS Code: the extension\'s own modules (deploy layer, tree Listing and tag sort, the Generic provider\'s client) against Debian\'s docker-registry through the counting proxy; the extension host round trip and the suggest widget are not included.');
  return md;
}
