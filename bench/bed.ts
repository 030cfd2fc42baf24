// The test bed, in its own process: the real registries (test/support), the token server and
// the counting proxies live here, and bench/index.ts drives them over IPC. Keeping them out
// of the benchmark process matters on a 2-core machine: the proxy handles every request and
// the token server signs an RS256 JWT per token fetch, and in the same event loop that work
// would be billed to whichever client is being timed (and not to skopeo, a separate process).
//
// Protocol: the parent sends { seq, cmd, ...args }, we answer { seq, ok, result | error }.
import { cpSync, existsSync } from 'node:fs';
import { startRegistry, type PushedIndex, type RegistryMode, type RunningRegistry } from '../test/support';
import { startCountingProxy, type CountingProxy, type ProxyCounts } from './proxy';
import { replicateStorage } from '../test/support/storage';

export interface PopulatePlan {
  repos: string[];
  manyTags: { repo: string; count: number };
  index: { repo: string; tag: string; platforms: { os: string; arch: string; variant?: string }[] };
}

export interface BedTarget {
  id: number;
  mode: RegistryMode;
  /** The proxy every client uses. */
  url: string;
  host: string;
  /** The registry itself (only for the record; clients never use it). */
  registryUrl: string;
  username?: string;
  password?: string;
  maxEntries: number;
}

export interface BedCounts extends ProxyCounts {
  tokenFetches: number;
  /** Scopes of each token fetch, to check "one token per scope". */
  tokenScopes: string[][];
}

export type BedCommand =
  | { cmd: 'start'; mode: RegistryMode; maxEntries: number }
  | { cmd: 'populate'; id: number; plan: PopulatePlan }
  | { cmd: 'cloneData'; id: number; from: number }
  | { cmd: 'populateScale'; id: number; names: string[]; repo: string; tags: string[] }
  | { cmd: 'reset'; id: number }
  | { cmd: 'counts'; id: number }
  | { cmd: 'stop'; id: number }
  | { cmd: 'shutdown' };

interface Bed {
  registry: RunningRegistry;
  proxy: CountingProxy;
  target: BedTarget;
}

const beds = new Map<number, Bed>();
let nextId = 1;

async function stopBed(id: number): Promise<void> {
  const b = beds.get(id);
  if (!b) return;
  beds.delete(id);
  await b.proxy.close();
  await b.registry.stop();
}

async function shutdown(): Promise<void> {
  await Promise.allSettled([...beds.keys()].map((id) => stopBed(id)));
}

async function handle(msg: BedCommand): Promise<unknown> {
  switch (msg.cmd) {
    case 'start': {
      const registry = await startRegistry({ mode: msg.mode, maxEntries: msg.maxEntries });
      const proxy = await startCountingProxy(registry.url);
      const id = nextId++;
      const target: BedTarget = {
        id,
        mode: msg.mode,
        url: proxy.url,
        host: proxy.host,
        registryUrl: registry.url,
        ...(registry.username !== undefined ? { username: registry.username, password: registry.password } : {}),
        maxEntries: msg.maxEntries,
      };
      beds.set(id, { registry, proxy, target });
      return target;
    }
    case 'populate': {
      const { registry } = need(msg.id);
      const p = registry.pusher;
      const started = performance.now();
      // The registry is the bottleneck (REGISTRY-NOTES: ~16 s for 2,000 repos + 5,000 tags at
      // concurrency 16-24); running the three jobs side by side keeps it saturated.
      const [, , index] = await Promise.all([
        p.pushManyRepos(msg.plan.repos, { concurrency: 16 }),
        p.pushManyTags(msg.plan.manyTags.repo, msg.plan.manyTags.count, { concurrency: 8 }),
        p.pushIndex(msg.plan.index.repo, msg.plan.index.tag, msg.plan.index.platforms, { format: 'oci', attestation: true }),
      ]);
      return { ms: performance.now() - started, index: index as PushedIndex };
    }
    case 'populateScale': {
      // test/support/storage.ts: push a mounted repository and two tags for real, replicate the
      // registry's own files for the rest.
      const { registry } = need(msg.id);
      const started = performance.now();
      const [first, template, ...rest] = msg.names;
      await registry.pusher.pushManyRepos([first!, template!]);
      // The first two of msg.tags are manyTagName(0) and (1): what pushManyTags(repo, 2) pushes.
      const [, t1, ...moreTags] = msg.tags;
      await registry.pusher.pushManyTags(msg.repo, 2);
      const pushedMs = performance.now() - started;
      const { files } = replicateStorage(registry.dataDir, { template: template!, names: rest, repo: msg.repo, templateTag: t1!, tags: moreTags });
      return { ms: performance.now() - started, pushedMs, files };
    }
    case 'cloneData': {
      // Same content, second registry: the storage is plain files and distribution 2.8.2 (no
      // blob-descriptor cache configured) reads them on every request, so copying the data
      // folder replaces a second 16-second push. The parent verifies every listing anyway.
      const to = need(msg.id).registry;
      const from = need(msg.from).registry;
      const started = performance.now();
      if (!existsSync(from.dataDir)) throw new Error(`nothing to copy: ${from.dataDir} does not exist`);
      cpSync(from.dataDir, to.dataDir, { recursive: true });
      return { ms: performance.now() - started };
    }
    case 'reset': {
      const b = need(msg.id);
      b.proxy.reset();
      b.registry.tokenServer?.reset();
      return null;
    }
    case 'counts': {
      const b = need(msg.id);
      const reqs = b.registry.tokenServer?.requests ?? [];
      const counts: BedCounts = { ...b.proxy.counts(), tokenFetches: reqs.length, tokenScopes: reqs.map((r) => r.scopes) };
      return counts;
    }
    case 'stop':
      await stopBed(msg.id);
      return null;
    case 'shutdown':
      await shutdown();
      return null;
  }
}

function need(id: number): Bed {
  const b = beds.get(id);
  if (!b) throw new Error(`no registry ${id}`);
  return b;
}

process.on('message', (raw: unknown) => {
  const msg = raw as BedCommand & { seq: number };
  handle(msg).then(
    (result) => process.send?.({ seq: msg.seq, ok: true, result }),
    (e: unknown) => process.send?.({ seq: msg.seq, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
});

// The parent went away (crash, Ctrl+C, kill -9): stop the registries and remove their data
// instead of leaving orphans. test/support's exit hooks cover signals sent to us directly.
process.on('disconnect', () => {
  void shutdown().finally(() => process.exit(0));
});

process.send?.({ ready: true });
