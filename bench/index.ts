// `npm run bench`: this project's Registry v2 client against the floor (a raw keep-alive
// loop), @snyk/docker-registry-v2-client, skopeo and Microsoft's vscode-docker-registries, on
// the same real registry (Debian's docker-registry 2.8.2), side by side:
//
//   catalog  list every repository (2,000 + the two below; names 1-4 segments deep);
//   tags     list a repository with 5,000 tags;
//   resolve  a multi-arch OCI index (4 platforms + a BuildKit attestation): the index, each
//            platform's manifest, each config;
//   + Microsoft's tree behaviour on expanding a repository (tags + a date lookup per tag).
//
// Twice: on a plain-HTTP registry without auth and on a token-auth registry with the same
// content. Every client goes through a counting reverse proxy (bench/proxy.ts), so request
// counts are comparable; token fetches come from the test bed's token server. Every run uses a
// fresh client (cold pool, empty token cache). Results: a table on stdout, and JSON + Markdown
// in bench/results/. BENCH_QUICK=1 is a smoke run (200 repos, 500 tags, 1 run per cell).
//
// Then the extension itself in a real VS Code (bench/vscode/): activation time and what it loads,
// bundle sizes of a production build, and expanding the 2,000-repository registry to its first
// page rendered, beside the same page fetched by the client directly (and where that time goes
// inside the extension host). Then the scale scenario (bench/scale/): 20,000 repositories and a
// 100,000-tag repository, held by this client and by Microsoft's, and walked through in VS Code
// with the extension host's longest blocking and memory after every step.
//
// Other knobs: BENCH_MODES=plain,token  BENCH_CLIENTS=floor,registry-explorer,snyk,skopeo,microsoft
//              BENCH_MAX_ENTRIES=1000 (the registry's catalog.maxentries)
//              BENCH_PARTS=clients,vscode,scale,copy,language  BENCH_VSCODE_RUNS=10
//              BENCH_SCALE_REPOS=20000 BENCH_SCALE_TAGS=100000 (the scale part's sizes)  BENCH_SCALE_HOLD=0
//              BENCH_SCALE_PROFILE=1 / BENCH_EXPAND_PROFILE=1 (host CPU profiles into bench/results/, diagnosis only)
//              `npm run bench -- --readme` writes each part's figures into its block of README.md's
//              bench section (bench/readme.ts); BENCH_PARTS=scale --readme rewrites the scale block only.
// Not part of `npm test` (scripts/test.mjs runs test/ only).
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PushedIndex } from '../test/support';
import type { BedCommand, BedCounts, BedTarget, PopulatePlan } from './bed';
import { floor } from './clients/floor';
import { registryExplorer } from './clients/registry-explorer';
import { SKOPEO, skopeo } from './clients/skopeo';
import { Unsupported, type BenchClient, type ClientFactory, type Target } from './clients/types';
import { buildProduction, expandRuns, firstCatalogPage, vscodeSkipReason, type BundleResult } from './vscode';
import { summarizeVscode, vscodeMarkdown, type VscodeResult } from './vscode/report';
import { CODE_SERVER_VERSION } from '../test/e2e/support/codeServer';
import { scalePlanFromEnv } from './scale/content';
import { runScale, scaleMarkdown, type ScaleResult } from './scale/run';
import { copyMarkdown, runCopyBench, type CopyBenchResult } from './copy/run';
import { languageMarkdown, runLanguageBench, type LanguageBenchResult } from './language/run';
import { blockBody, lastRunLine, rewriteBenchBlocks, type PartReport, type RunFacts } from './readme';

const QUICK = process.env.BENCH_QUICK === '1';
const REPOS = QUICK ? 200 : 2000;
const TAGS = QUICK ? 500 : 5000;
const MAX_ENTRIES = Number(process.env.BENCH_MAX_ENTRIES ?? 1000);
const MODES = (process.env.BENCH_MODES ?? 'plain,token').split(',').map((s) => s.trim()) as ('plain' | 'token')[];
const MANY_TAGS_REPO = 'bench/many-tags';
const INDEX = {
  repo: 'bench/multi-arch',
  tag: 'latest',
  platforms: [
    { os: 'linux', arch: 'amd64' },
    { os: 'linux', arch: 'arm64', variant: 'v8' },
    { os: 'linux', arch: 'arm', variant: 'v7' },
    { os: 'linux', arch: 'ppc64le' },
  ],
};
// Timing policy: a warm-up run, then 5 measured runs (BENCH_RUNS). Cells under 250 ms get
// twice as many, cells under 50 ms six times as many, since they cost nothing and a loaded
// machine's noise is largest relative to them (a 1 ms hiccup is 7% of a 15 ms listing). A task slow enough that JIT warm-up is noise (> 2 s) counts its first run and gets 2
// more; one over 10 s gets just that one run.
const RUNS = QUICK ? 1 : Number(process.env.BENCH_RUNS ?? 5);
const FAST_MS = 250;
const VERY_FAST_MS = 50;
const SLOW_MS = 2_000;
const VERY_SLOW_MS = 10_000;
const TARGET_RATIO = 1.15;

// The third-party libraries are loaded only when the bench runs them: a missing or broken
// package makes its cells say n/a (and why) instead of stopping the bench.
function lazyClient(key: string, name: string, load: () => Promise<ClientFactory>, extra: Partial<ClientFactory> = {}): ClientFactory {
  let loaded: Promise<ClientFactory | string> | undefined;
  const get = (): Promise<ClientFactory | string> =>
    (loaded ??= load().catch((e: unknown) => `could not load ${name}: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`));
  let factory: ClientFactory | undefined;
  return {
    key,
    name,
    ...extra,
    unavailable: async () => {
      const f = await get();
      if (typeof f === 'string') return f;
      factory = f;
      return undefined;
    },
    create: (t) => {
      if (!factory) throw new Unsupported(`${name} is not loaded`);
      return factory.create(t);
    },
  };
}

const ALL_CLIENTS: ClientFactory[] = [
  floor,
  registryExplorer,
  lazyClient('snyk', '@snyk/docker-registry-v2-client', async () => (await import('./clients/snyk')).snykClient),
  skopeo,
  lazyClient('microsoft', '@microsoft/vscode-docker-registries 0.4.2', async () => (await import('./clients/microsoft')).microsoft, { tagsWithDates: true }),
];
const CLIENTS = process.env.BENCH_CLIENTS
  ? ALL_CLIENTS.filter((c) => process.env.BENCH_CLIENTS!.split(',').includes(c.key) || c.key === 'floor')
  : ALL_CLIENTS;
// BENCH_PARTS=clients,vscode: the client comparison (issue 2) and the VS Code figures (issue 3).
// scale: issue 15's 20,000-repository / 100,000-tag walk (bench/scale/), sizes BENCH_SCALE_REPOS / BENCH_SCALE_TAGS.
// copy: issue 14's registry-to-registry copy beside skopeo (bench/copy/).
// language: issue 11's image completion and diagnostics in deploy files (bench/language/).
const PARTS = new Set((process.env.BENCH_PARTS ?? 'clients,vscode,scale,copy,language').split(',').map((s) => s.trim()));
const SCALE_PLAN = scalePlanFromEnv(process.env, QUICK);
const VSCODE_RUNS = Number(process.env.BENCH_VSCODE_RUNS ?? (QUICK ? 2 : 10));
const ACTIVATION_TARGET_MS = 30;
const BUNDLE_TARGET_BYTES = 150 * 1000;

type TaskKey = 'catalog' | 'tags' | 'resolve' | 'tagsWithDates';

interface Sample {
  ms: number;
  /** The interleaving round it was taken in (-1: the first run, kept for a slow client). */
  round?: number;
  counts: BedCounts;
  self?: { requests: number; tokenFetches: number };
  note?: string;
  listedMs?: number;
}

interface Cell {
  mode: string;
  task: TaskKey;
  client: string;
  clientName: string;
  status: 'ok' | 'n/a' | 'error';
  error?: string;
  warmupMs?: number;
  samples: Sample[];
  medianMs?: number;
  minMs?: number;
  maxMs?: number;
  ratio?: number;
  /** Median over rounds of (this run / the floor's run in the same round): robust to load that drifts over the task. */
  pairedRatio?: number;
  pairs?: number;
  requests?: string;
  unauthorized?: string;
  tokenFetches?: string;
  tokenScopes?: number;
  nonHttp?: number;
  maxInFlight?: number;
  notes: string[];
}

// ——— the test bed process ———

class BedProcess {
  private readonly child: ChildProcess;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly ready: Promise<void>;

  constructor() {
    this.child = fork(join(__dirname, 'bed.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let onReady: () => void = () => undefined;
    this.ready = new Promise<void>((resolve) => (onReady = resolve));
    this.child.on('message', (raw: unknown) => {
      const m = raw as { ready?: boolean; seq?: number; ok?: boolean; result?: unknown; error?: string };
      if (m.ready) return onReady();
      const w = this.waiting.get(m.seq!);
      if (!w) return;
      this.waiting.delete(m.seq!);
      if (m.ok) w.resolve(m.result);
      else w.reject(new Error(`test bed: ${m.error}`));
    });
    this.child.on('exit', (code, signal) => {
      for (const w of this.waiting.values()) w.reject(new Error(`test bed exited (${code ?? signal})`));
      this.waiting.clear();
    });
  }

  call<T>(cmd: BedCommand): Promise<T> {
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...cmd, seq });
    });
  }

  async shutdown(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.call({ cmd: 'shutdown' }).catch(() => undefined);
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  /** Synchronous last resort (process 'exit'): the bed's own exit hooks stop the registries. */
  killNow(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
  }
}

// ——— content ———

/** 2,000 names, a quarter each one to four segments deep: app-0000, team-01/svc-0001, org-2/team-02/svc-0002, org-3/team-03/group-3/svc-0003. */
function repositoryNames(n: number): string[] {
  const pad = (i: number, w: number): string => String(i).padStart(w, '0');
  return Array.from({ length: n }, (_, i) => {
    const svc = `svc-${pad(i, 4)}`;
    switch (i % 4) {
      case 0:
        return `app-${pad(i, 4)}`;
      case 1:
        return `team-${pad(i % 40, 2)}/${svc}`;
      case 2:
        return `org-${i % 5}/team-${pad(i % 20, 2)}/${svc}`;
      default:
        return `org-${i % 5}/team-${pad(i % 20, 2)}/group-${i % 8}/${svc}`;
    }
  });
}

// ——— measuring ———

interface Expect {
  repos: number;
  tags: number;
  index: PushedIndex;
}

function check(task: TaskKey, out: unknown, expect: Expect): string | undefined {
  if (task === 'catalog') {
    const names = out as string[];
    if (new Set(names).size !== expect.repos || names.length !== expect.repos) return `listed ${names.length} repositories (${new Set(names).size} distinct), expected ${expect.repos}`;
    if (!names.includes(MANY_TAGS_REPO) || !names.includes(INDEX.repo)) return 'catalog is missing the bench repositories';
  } else if (task === 'tags') {
    const tags = out as string[];
    if (new Set(tags).size !== expect.tags || tags.length !== expect.tags) return `listed ${tags.length} tags, expected ${expect.tags}`;
  } else if (task === 'resolve') {
    const r = out as { platforms: { digest: string; created?: string }[] };
    const want = expect.index.children.map((c) => c.digest).sort();
    const got = r.platforms.map((p) => p.digest).sort();
    if (JSON.stringify(want) !== JSON.stringify(got)) return `resolved platforms ${got.length}, expected ${want.length} (${got.join(', ')})`;
    if (r.platforms.some((p) => !p.created)) return 'a platform came back without its config (no created date)';
  } else {
    const d = out as { tags: number; dated: number; visible?: number };
    if (d.tags !== expect.tags) return `listed ${d.tags} tags, expected ${expect.tags}`;
    if (d.visible !== undefined && d.dated < d.visible) return `dated ${d.dated} of the ${d.visible} visible tags`;
  }
  return undefined;
}

function runTask(client: BenchClient, task: TaskKey): Promise<unknown> {
  switch (task) {
    case 'catalog':
      return client.catalog();
    case 'tags':
      return client.tags(MANY_TAGS_REPO);
    case 'resolve':
      return client.resolve(INDEX.repo, INDEX.tag);
    case 'tagsWithDates':
      return client.tagsWithDates!(MANY_TAGS_REPO);
  }
}

async function measureOnce(bed: BedProcess, target: BedTarget & Target, factory: ClientFactory, task: TaskKey, expect: Expect): Promise<Sample> {
  await bed.call({ cmd: 'reset', id: target.id });
  const client = factory.create(target);
  let out: unknown;
  let ms = 0;
  const started = performance.now();
  try {
    out = await runTask(client, task);
  } finally {
    ms = performance.now() - started;
    await client.close().catch(() => undefined);
  }
  const counts = await bed.call<BedCounts>({ cmd: 'counts', id: target.id });
  const problem = check(task, out, expect);
  if (problem) throw new Error(`wrong result: ${problem}`);
  const sample: Sample = { ms, counts, ...(client.selfStats ? { self: client.selfStats() } : {}) };
  if (task === 'tagsWithDates') {
    const d = out as { tags: number; dated: number; listedMs: number; visible?: number };
    sample.listedMs = d.listedMs;
    sample.note = d.visible !== undefined ? `the visible ${d.visible} of ${d.tags} dated (the tree's details loader: HEAD per tag, one fetch per digest)` : `${d.dated}/${d.tags} dated`;
  }
  return sample;
}

/** a's run ÷ b's run, for every round both ran in. */
function pairedRatios(a: Cell, b: Cell): number[] {
  const byRound = new Map(b.samples.filter((x) => x.round !== undefined).map((x) => [x.round!, x.ms]));
  return a.samples.filter((x) => x.round !== undefined && byRound.has(x.round)).map((x) => x.ms / byRound.get(x.round!)!);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** One number when every run agrees, else "min–max". */
function spread(xs: number[]): string {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === hi ? String(lo) : `${lo}–${hi}`;
}

function failed(cell: Cell, e: unknown): void {
  if (e instanceof Unsupported) {
    cell.status = 'n/a';
    cell.notes.push(e.message);
  } else {
    cell.status = 'error';
    cell.error = e instanceof Error ? e.message : String(e);
  }
}

/**
 * One task for every client, interleaved: a warm-up round (each client once), then rounds in
 * which every client still owed a run does one. The machine may be shared (other test suites,
 * CI): interleaving spreads any background load over all clients instead of billing a burst
 * to whichever client happened to be running.
 */
async function measureTask(bed: BedProcess, target: BedTarget & Target, factories: ClientFactory[], task: TaskKey, expect: Expect, log: (s: string) => void): Promise<Cell[]> {
  const plan = factories.map((factory) => ({
    factory,
    owed: 0,
    cell: { mode: target.mode, task, client: factory.key, clientName: factory.name, status: 'ok', samples: [], notes: [] } as Cell,
  }));
  // How many runs a fast cell gets follows the floor's warm-up, so every client of a task is
  // measured as often (a client's own warm-up decides only whether it is slow).
  let floorWarmupMs: number | undefined;
  for (const p of plan) {
    const reason = await p.factory.unavailable?.(log);
    if (reason) {
      failed(p.cell, new Unsupported(reason));
      continue;
    }
    try {
      const first = await measureOnce(bed, target, p.factory, task, expect);
      if (QUICK || first.ms > VERY_SLOW_MS) {
        p.cell.samples.push({ ...first, round: -1 });
      } else if (first.ms > SLOW_MS) {
        p.cell.samples.push({ ...first, round: -1 });
        p.owed = 2;
      } else {
        p.cell.warmupMs = first.ms;
        if (p.factory.key === floor.key) floorWarmupMs = first.ms;
        const basis = floorWarmupMs ?? first.ms;
        p.owed = basis < VERY_FAST_MS ? RUNS * 6 : basis < FAST_MS ? RUNS * 2 : RUNS;
      }
    } catch (e) {
      failed(p.cell, e);
    }
  }
  for (let round = 0; plan.some((p) => p.owed > 0 && p.cell.status === 'ok'); round++) {
    for (const p of plan) {
      if (p.owed <= 0 || p.cell.status !== 'ok') continue;
      p.owed--;
      try {
        p.cell.samples.push({ ...(await measureOnce(bed, target, p.factory, task, expect)), round });
      } catch (e) {
        failed(p.cell, e);
      }
    }
  }
  for (const p of plan) {
    summarize(p.cell);
    const c = p.cell;
    const show =
      c.status === 'ok'
        ? `${fmtMs(c.medianMs)} (${c.samples.length} run${c.samples.length > 1 ? 's' : ''}), ${c.requests} requests, ${c.tokenFetches} token fetches`
        : c.status === 'n/a'
          ? 'n/a'
          : `ERROR ${c.error}`;
    log(`[${target.mode}] ${task} · ${p.factory.key}: ${show}`);
  }
  return plan.map((p) => p.cell);
}

function summarize(cell: Cell): void {
  if (cell.status !== 'ok' || cell.samples.length === 0) return;
  const ms = cell.samples.map((s) => s.ms);
  cell.medianMs = median(ms);
  cell.minMs = Math.min(...ms);
  cell.maxMs = Math.max(...ms);
  const c = cell.samples.map((s) => s.counts);
  cell.requests = spread(c.map((x) => x.requests));
  cell.unauthorized = spread(c.map((x) => x.byStatus['401'] ?? 0));
  cell.tokenFetches = spread(c.map((x) => x.tokenFetches));
  const last = c.at(-1)!;
  cell.tokenScopes = new Set(last.tokenScopes.map((s) => [...s].sort().join(' '))).size;
  cell.nonHttp = last.nonHttp;
  cell.maxInFlight = last.maxInFlight;
  if (last.nonHttp) cell.notes.push(`${last.nonHttp} TLS probe${last.nonHttp > 1 ? 's' : ''} before falling back to http`);
  // The project's client counts its token-server requests in stats.requests too.
  const self = cell.samples.at(-1)!.self;
  if (self && (self.requests !== last.requests + last.tokenFetches || self.tokenFetches !== last.tokenFetches)) {
    cell.notes.push(`client's own stats disagree with the proxy: ${self.requests} requests, ${self.tokenFetches} token fetches`);
  }
  if (cell.task === 'tagsWithDates') {
    cell.notes.push(`tag list back after ${fmtMs(median(cell.samples.map((s) => s.listedMs ?? 0)))}; ${cell.samples.at(-1)!.note}; up to ${last.maxInFlight} requests in flight over ${last.sockets} connection${last.sockets === 1 ? '' : 's'}${last.sockets > last.maxInFlight * 2 ? ' (connections not reused: undici closes a connection after every HEAD)' : ''}`);
  }
  if (cell.client === 'microsoft' && cell.task === 'tags') cell.notes.push('listing only (its per-tag date lookups: see the last row)');
  if (cell.client === 'microsoft' && cell.task === 'catalog') cell.notes.push(`${last.byKind.catalog ?? 0} catalog pages (no n: the registry's default of 100)`);
  if (cell.client === 'snyk' && last.byStatus['401']) cell.notes.push('a 401 and a new token before every request');
}

// ——— output ———

function fmtMs(ms: number | undefined): string {
  if (ms === undefined) return '–';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}

const TASK_LABEL: Record<TaskKey, string> = {
  catalog: `catalog (${(REPOS + 2).toLocaleString('en-US')} repos)`,
  tags: `tags (${TAGS.toLocaleString('en-US')})`,
  resolve: `resolve multi-arch (${INDEX.platforms.length} platforms)`,
  tagsWithDates: `tags + per-tag dates`,
};

function modeTitle(mode: string): string {
  return mode === 'token' ? 'Token-auth registry (Bearer, credentials)' : 'Plain-HTTP registry (no auth)';
}

function markdownTable(mode: string, cells: Cell[]): string {
  const token = mode === 'token';
  const head = ['task', 'client', 'median', 'range', '× floor', 'paired × floor', 'HTTP requests', '401s', ...(token ? ['token fetches'] : []), 'runs', 'notes'];
  const align = ['---', '---', '---:', '---:', '---:', '---:', '---:', '---:', ...(token ? ['---:'] : []), '---:', '---'];
  const rows = cells.map((c) => {
    const na = c.status !== 'ok';
    const text = c.status === 'n/a' ? 'n/a' : c.status === 'error' ? 'error' : fmtMs(c.medianMs);
    const notes = c.status === 'error' ? [c.error ?? '', ...c.notes] : c.notes;
    return [
      TASK_LABEL[c.task],
      c.clientName,
      text,
      na ? '' : `${fmtMs(c.minMs)}–${fmtMs(c.maxMs)}`,
      na || c.ratio === undefined ? '' : `${c.ratio.toFixed(2)}×`,
      na || c.pairedRatio === undefined ? '' : `${c.pairedRatio.toFixed(2)}×`,
      na ? '' : c.requests!,
      na ? '' : c.unauthorized!,
      ...(token ? [na ? '' : c.tokenFetches!] : []),
      na ? '' : String(c.samples.length),
      notes.join('; ').replace(/\|/g, '\\|').replace(/\n/g, ' '),
    ];
  });
  return [head, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

function targets(mode: string, cells: Cell[]): string[] {
  const get = (task: TaskKey, client: string): Cell | undefined => cells.find((c) => c.task === task && c.client === client);
  const lines: string[] = [];
  const ok = (b: boolean): string => (b ? '✅' : '❌');
  // Judged on the paired ratio when there is one: every client run sits next to a floor run in
  // the same round, so load that comes and goes on a shared machine cancels out; the ratio of
  // medians is printed beside it.
  const parts = (['catalog', 'tags', 'resolve'] as const).map((t) => {
    const c = get(t, registryExplorer.key);
    const r = c?.pairedRatio ?? c?.ratio;
    if (!c || c.status !== 'ok' || r === undefined) return `${t} ${c?.status ?? 'not run'} ❌`;
    return `${t} ${r.toFixed(2)}× ${ok(r <= TARGET_RATIO)}${c.pairedRatio !== undefined ? ` (ratio of medians ${c.ratio!.toFixed(2)}×)` : ''}`;
  });
  lines.push(`- Registry Explorer within ${TARGET_RATIO}× of the floor (paired): ${parts.join(', ')}`);
  if (mode === 'token') {
    const tok = (['catalog', 'tags', 'resolve'] as const).map((t) => {
      const c = get(t, registryExplorer.key);
      if (!c || c.status !== 'ok') return `${t} ❌`;
      return `${t} ${c.tokenFetches} for ${c.tokenScopes} scope${c.tokenScopes === 1 ? '' : 's'} ${ok(c.tokenFetches === String(c.tokenScopes))}`;
    });
    lines.push(`- One token fetch per scope: ${tok.join(', ')}`);
  }
  // Tag dates: the visible page dated within 2× the floor doing the same (list, HEAD the page, one manifest + config per digest), ≤16 requests in flight, one token.
  const dates = get('tagsWithDates', registryExplorer.key);
  const ms = get('tagsWithDates', 'microsoft');
  if (dates?.status === 'ok' && dates.medianMs) {
    const x = dates.pairedRatio ?? dates.ratio;
    const tokens = mode === 'token' ? `, ${dates.tokenFetches} token fetch${dates.tokenFetches === '1' ? '' : 'es'} ${ok(dates.tokenFetches === '1')}` : '';
    lines.push(
      `- Tag dates (the visible 100 of ${TAGS.toLocaleString('en-US')} tags dated): ${fmtMs(dates.medianMs)}, ${x === undefined ? '–' : `${x.toFixed(2)}×`} the floor doing the same ${ok(x !== undefined && x <= 2)}, ${dates.maxInFlight} requests in flight ${ok((dates.maxInFlight ?? 99) <= 16)}${tokens}` +
        (ms?.status === 'ok' && ms.medianMs ? `; Microsoft's client dates every tag: ${fmtMs(ms.medianMs)} (${(ms.medianMs / dates.medianMs).toFixed(0)}× ours), up to ${ms.maxInFlight} requests in flight` : ''),
    );
  } else if (dates) lines.push(`- Tag dates: ${dates.status} ❌${dates.error ? ` (${dates.error})` : ''}`);
  const mine = get('catalog', registryExplorer.key);
  const others = cells.filter((c) => c.task === 'catalog' && c.client !== registryExplorer.key && c.client !== floor.key);
  // Other ÷ ours, paired by round when both ran in at least 3 rounds, else the ratio of medians.
  const slower = (o: Cell): number | undefined => {
    if (o.status !== 'ok' || !mine || mine.status !== 'ok' || !mine.medianMs) return undefined;
    const paired = pairedRatios(o, mine);
    return paired.length >= 3 ? median(paired) : o.medianMs! / mine.medianMs;
  };
  const beaten = others.map((o) => {
    if (o.status === 'n/a') return `${o.clientName} n/a`;
    const x = slower(o);
    if (x === undefined) return `${o.clientName} ${o.status}`;
    return `${o.clientName} ${fmtMs(o.medianMs)} (${x.toFixed(2)}× ours)`;
  });
  const fastest = !!mine?.medianMs && others.every((o) => o.status === 'n/a' || (slower(o) ?? 0) > 1);
  lines.push(`- Faster than every other client on the catalog (paired): ${ok(fastest)} ${fmtMs(mine?.medianMs)} vs ${beaten.join(', ')}`);
  return lines;
}

/** The clients part's report: what was measured and how, then a table and its targets per registry mode. */
function clientsMarkdown(results: Record<string, Cell[]>, meta: { repositories: number; maxEntries: number; populateMs: number; cloneMs: number; versions: { registry: string } }): string[] {
  const lines = [
    `${meta.repositories.toLocaleString('en-US')} repositories (1-4 segments deep), one with ${TAGS.toLocaleString('en-US')} tags, a ${INDEX.platforms.length}-platform OCI index with an attestation; ` +
      `Debian docker-registry (${meta.versions.registry.replace(/^\S+\s+/, '')}), catalog.maxentries ${meta.maxEntries}, populated in ${(meta.populateMs / 1000).toFixed(1)} s (storage copied to the token registry in ${(meta.cloneMs / 1000).toFixed(1)} s); every client through the same counting proxy on loopback; ` +
      `a fresh client per run, clients interleaved run by run ("paired × floor": the median over rounds of a run's time ÷ the floor's run in the same round, so load that comes and goes on a shared machine cancels out); median of ${RUNS} runs after a warm-up (${RUNS * 2} for cells under ${FAST_MS} ms, ${RUNS * 6} under ${VERY_FAST_MS} ms, fewer for slow ones: see "runs").`,
  ];
  for (const mode of MODES) {
    lines.push('', `### ${modeTitle(mode)}`, '', markdownTable(mode, results[mode]!), '', 'Targets:', ...targets(mode, results[mode]!));
  }
  return lines;
}

function versionOf(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

function commandOutput(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return '?';
  }
}

// ——— README ———

/**
 * `npm run bench -- --readme`: each part this (full) run ran rewrites its own block of the
 * README's bench section (bench/readme.ts); the other parts' blocks and the rest of the file
 * stay byte for byte. A broken marker writes nothing and says which.
 */
function updateReadme(reports: readonly PartReport[], run: RunFacts, log: (s: string) => void): void {
  const file = join(__dirname, '..', 'README.md');
  const result = rewriteBenchBlocks(readFileSync(file, 'utf8'), new Map(reports.map((r) => [r.part, blockBody(r, run)])));
  if (!result.ok) {
    log(`bench: README.md not updated: ${result.problem} This run's figures are in bench/results/latest-full.md.`);
    process.exitCode = 1;
    return;
  }
  writeFileSync(file, result.text);
  log(`bench: README.md bench blocks${result.replaced.length ? ` rewritten: ${result.replaced.join(', ')}` : ''}${result.appended.length ? `${result.replaced.length ? ';' : ''} appended: ${result.appended.join(', ')}` : ''}`);
}

// ——— main ———

async function main(): Promise<void> {
  const wallStart = performance.now();
  const loadAtStart = loadavg()[0]!;
  const tmpDir = mkdtempSync(join(tmpdir(), 'regx-bench-'));
  const bed = new BedProcess();
  let cleaned = false;
  const cleanupSync = (): void => {
    if (cleaned) return;
    cleaned = true;
    bed.killNow();
    rmSync(tmpDir, { recursive: true, force: true });
  };
  process.on('exit', cleanupSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      console.error(`\nbench: ${sig}, cleaning up`);
      cleanupSync();
      process.exit(130);
    });
  }

  const log = (s: string): void => console.error(s);
  // The 1-minute load average every 5 s: on a shared machine it says how far to trust the figures.
  const loadSamples: number[] = [loadAtStart];
  const loadTimer = setInterval(() => loadSamples.push(loadavg()[0]!), 5000);
  loadTimer.unref();
  await bed.ready;
  const plan: PopulatePlan = { repos: repositoryNames(REPOS), manyTags: { repo: MANY_TAGS_REPO, count: TAGS }, index: INDEX };
  log(
    `bench: ${QUICK ? 'QUICK mode, ' : ''}${REPOS} repositories + ${TAGS} tags + a ${INDEX.platforms.length}-platform index; parts: ${[...PARTS].join(', ')}` +
      (PARTS.has('clients') ? `; clients: ${CLIENTS.map((c) => c.key).join(', ')}` : ''),
  );

  // The VS Code half needs a production build first (in a temp mirror: dist/ stays untouched).
  let vscode: VscodeResult | undefined;
  let bundle: BundleResult | undefined;
  if (PARTS.has('vscode') || PARTS.has('scale')) {
    vscode = { status: 'ok', codeServer: CODE_SERVER_VERSION, samples: [] };
    try {
      log('bench: production build (scripts/build.mjs --production, in a temp mirror of the checkout)…');
      bundle = await buildProduction(tmpDir);
      const { extensionDir: _dir, main: _main, ...rest } = bundle;
      vscode.bundle = rest;
      log(`bench: built in ${(bundle.buildMs / 1000).toFixed(1)} s: ${bundle.files.map((f) => `${f.file} ${f.bytes.toLocaleString('en-US')} B`).join(', ')}`);
    } catch (e) {
      vscode.status = 'error';
      vscode.bundleError = e instanceof Error ? e.message.split('\n').slice(0, 3).join(' ') : String(e);
      vscode.reason = `the production build failed: ${vscode.bundleError}`;
      log(`bench: ${vscode.reason}`);
    }
    const skip = vscodeSkipReason();
    if (skip && vscode.status === 'ok') {
      vscode.status = 'n/a';
      vscode.reason = skip;
      log(`bench: VS Code figures skipped: ${skip}`);
    }
    if (!MODES.includes('plain') && vscode.status === 'ok') {
      vscode.status = 'n/a';
      vscode.reason = 'BENCH_MODES has no plain registry to expand';
    }
  }

  // Populate once, then give the token-auth registry the same storage (see bed.ts).
  const registries = new Map<string, BedTarget>();
  let populateMs = 0;
  let cloneMs = 0;
  let index: PushedIndex | undefined;
  let source: BedTarget | undefined;
  for (const mode of PARTS.has('clients') || PARTS.has('vscode') ? MODES : []) {
    const t = await bed.call<BedTarget>({ cmd: 'start', mode, maxEntries: MAX_ENTRIES });
    registries.set(mode, t);
    if (!source) {
      log(`bench: populating the ${mode} registry…`);
      const r = await bed.call<{ ms: number; index: PushedIndex }>({ cmd: 'populate', id: t.id, plan });
      populateMs = r.ms;
      index = r.index;
      source = t;
      log(`bench: populated in ${(r.ms / 1000).toFixed(1)} s`);
    } else {
      const r = await bed.call<{ ms: number }>({ cmd: 'cloneData', id: t.id, from: source.id });
      cloneMs = r.ms;
      log(`bench: ${mode} registry gets the same content (storage copied in ${(r.ms / 1000).toFixed(1)} s)`);
    }
  }
  const expect: Expect = { repos: REPOS + 2, tags: TAGS, index: index! };

  const results: Record<string, Cell[]> = {};
  for (const mode of registries.size ? MODES : []) {
    const t = registries.get(mode)!;
    const target = { ...t, tmpDir } as BedTarget & Target;
    const cells: Cell[] = [];
    for (const task of ['catalog', 'tags', 'resolve', 'tagsWithDates'] as TaskKey[]) {
      if (!PARTS.has('clients')) break;
      const who = task === 'tagsWithDates' ? CLIENTS.filter((c) => c.tagsWithDates) : CLIENTS;
      if (who.length) cells.push(...(await measureTask(bed, target, who, task, expect, log)));
    }
    if (mode === 'plain' && PARTS.has('vscode') && vscode?.status === 'ok' && bundle) {
      log(`bench: VS Code: ${VSCODE_RUNS} run${VSCODE_RUNS > 1 ? 's' : ''} of code-server + Chromium, expanding the ${(REPOS + 2).toLocaleString('en-US')}-repository registry…`);
      try {
        const firstPage = await firstCatalogPage(t.url);
        if (firstPage.items !== Math.min(MAX_ENTRIES, REPOS + 2)) throw new Error(`the first catalog page has ${firstPage.items} names`);
        vscode.samples = await expandRuns({
          bundle,
          registryUrl: t.url,
          repos: REPOS + 2,
          runs: VSCODE_RUNS,
          tmpDir,
          resetCounts: () => bed.call({ cmd: 'reset', id: t.id }),
          counts: () => bed.call<BedCounts>({ cmd: 'counts', id: t.id }),
          log,
        });
      } catch (e) {
        vscode.status = 'error';
        vscode.reason = e instanceof Error ? e.message.split('\n')[0] : String(e);
        log(`bench: VS Code part failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      }
      if (vscode.samples.length) vscode.summary = summarizeVscode(vscode.samples, bundle.extensionDir);
    }
    for (const c of cells) {
      const f = cells.find((x) => x.task === c.task && x.client === floor.key);
      if (c.status === 'ok' && f?.status === 'ok' && f.medianMs) {
        c.ratio = c.medianMs! / f.medianMs;
        const paired = pairedRatios(c, f);
        if (paired.length >= 3) {
          c.pairedRatio = median(paired);
          c.pairs = paired.length;
        }
      }
    }
    results[mode] = cells;
    // Free the finished registry's memory and CPU before the next mode runs.
    await bed.call({ cmd: 'stop', id: t.id });
  }
  let scale: ScaleResult | undefined;
  if (PARTS.has('scale')) {
    scale = await runScale({
      plan: SCALE_PLAN,
      call: (cmd) => bed.call(cmd as BedCommand),
      ...(bundle ? { bundle } : {}),
      ...(vscode?.status !== 'ok' ? { vscodeSkip: vscode?.reason ?? 'no build' } : {}),
      tmpDir,
      log,
    });
  }
  let copy: CopyBenchResult | undefined;
  if (PARTS.has('copy')) copy = await runCopyBench({ tmpDir, quick: QUICK, log });
  let language: LanguageBenchResult | undefined;
  if (PARTS.has('language')) language = await runLanguageBench({ quick: QUICK, log });
  await bed.shutdown();

  const wallMs = performance.now() - wallStart;
  const meta = {
    date: new Date().toISOString(),
    quick: QUICK,
    repositories: REPOS + 2,
    tags: TAGS,
    platforms: INDEX.platforms.length,
    maxEntries: MAX_ENTRIES,
    node: process.version,
    cpu: cpus()[0]?.model ?? '?',
    cores: cpus().length,
    commit: commandOutput('git', ['rev-parse', '--short', 'HEAD']),
    versions: {
      registry: commandOutput('/usr/bin/docker-registry', ['--version']),
      skopeo: commandOutput(SKOPEO, ['--version']),
      snyk: versionOf('@snyk/docker-registry-v2-client'),
      microsoft: versionOf('@microsoft/vscode-docker-registries'),
      undici: versionOf('undici'),
    },
    populateMs,
    cloneMs,
    wallMs,
    // 1-minute load average: on a shared machine this says how much the figures can be trusted.
    load: { start: loadAtStart, end: loadavg()[0]!, mean: loadSamples.reduce((a, b) => a + b, 0) / loadSamples.length, max: Math.max(...loadSamples) },
    codeServer: CODE_SERVER_VERSION,
  };
  clearInterval(loadTimer);

  // Each part's Markdown, in the order they ran: the report below, and with --readme that
  // part's README block. A new part adds its report here, one line: reports.push({ part, lines }).
  const reports: PartReport[] = [];
  if (PARTS.has('clients')) reports.push({ part: 'clients', lines: clientsMarkdown(results, meta) });
  if (vscode && PARTS.has('vscode')) reports.push({ part: 'vscode', lines: vscodeMarkdown(vscode, { activationTargetMs: ACTIVATION_TARGET_MS, bundleTargetBytes: BUNDLE_TARGET_BYTES, repos: REPOS + 2, runs: VSCODE_RUNS }) });
  if (scale) reports.push({ part: 'scale', lines: scaleMarkdown(scale, `Sizes: BENCH_SCALE_REPOS / BENCH_SCALE_TAGS (defaults 20,000 / 100,000; QUICK 2,000 / 10,000).`) });
  if (copy) reports.push({ part: 'copy', lines: copyMarkdown(copy) });
  if (language) reports.push({ part: 'language', lines: languageMarkdown(language) });

  const run: RunFacts = { ...meta, parts: [...PARTS], wallMs };
  const md: string[] = [`## Benchmark${QUICK ? ' (QUICK smoke run)' : ''}`, '', lastRunLine(run)];
  for (const r of reports) md.push('', ...r.lines);
  const markdown = md.join('\n') + '\n';

  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = meta.date.replace(/[:.]/g, '-');
  const json = JSON.stringify({ meta, results, ...(vscode ? { vscode } : {}), ...(scale ? { scale } : {}), ...(copy ? { copy } : {}), ...(language ? { language } : {}) }, null, 2);
  const name = QUICK ? 'quick' : 'full';
  for (const f of [`${name}-${stamp}`, `latest-${name}`]) {
    writeFileSync(join(dir, `${f}.json`), json);
    writeFileSync(join(dir, `${f}.md`), markdown);
  }
  if (process.argv.includes('--readme')) {
    if (QUICK) log('bench: --readme ignored on a QUICK run (the README records full runs only)');
    else updateReadme(reports, run, log);
  }
  console.log('\n' + markdown);
  log(`bench: results in ${join('bench', 'results', `latest-${name}.{json,md}`)}; wall time ${(wallMs / 1000).toFixed(1)} s`);
  cleanupSync();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
  // The exit hook stops the test bed and removes the temp folder.
  setTimeout(() => process.exit(1), 100).unref();
});
