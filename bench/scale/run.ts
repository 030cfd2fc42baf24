// The scale part of `npm run bench` (BENCH_PARTS=scale, part of a full run): issue 15's registry
// (bench/scale/content.ts), populated in seconds (test/support/storage.ts), checked by listing it,
// held by this project's client and by Microsoft's (bench/scale/hold.ts, a process each), then
// walked through in a real VS Code (bench/scale/vscode.ts).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { manyTagName } from '../../test/support/push';
import type { BedTarget } from '../bed';
import type { BundleResult } from '../vscode';
import { BIG_REPO, revealTarget, scaleRepositoryNames, type ScalePlan } from './content';
import { mb, scaleInVscode, type ScaleVscodeResult } from './vscode';

const run = promisify(execFile);

export interface HoldResult {
  client: string;
  catalog?: number;
  tags?: number;
  listMs?: number;
  catalogMs?: number;
  tagsMs?: number;
  before?: { rss: number; heapUsed: number };
  after?: { rss: number; heapUsed: number };
  error?: string;
}

export interface ScaleResult {
  plan: ScalePlan;
  populateMs?: number;
  pushedMs?: number;
  files?: number;
  holds: HoldResult[];
  vscode?: ScaleVscodeResult;
  error?: string;
}

export const SCALE_TARGETS = { blockMs: 100, growthBytes: 60 * 1024 * 1024, revealMs: 1000 };

type Call = <T>(cmd: Record<string, unknown>) => Promise<T>;

export async function runScale(opts: { plan: ScalePlan; call: Call; bundle?: BundleResult; vscodeSkip?: string; tmpDir: string; log(s: string): void }): Promise<ScaleResult> {
  const { plan, call, log } = opts;
  const result: ScaleResult = { plan, holds: [] };
  const t = await call<BedTarget>({ cmd: 'start', mode: 'plain', maxEntries: 1000 });
  try {
    log(`bench: scale: ${plan.repos.toLocaleString('en-US')} repositories + ${BIG_REPO} with ${plan.tags.toLocaleString('en-US')} tags…`);
    const names = scaleRepositoryNames(plan);
    const tags = Array.from({ length: plan.tags }, (_, i) => manyTagName(i, plan.tags));
    const p = await call<{ ms: number; pushedMs: number; files: number }>({ cmd: 'populateScale', id: t.id, names, repo: BIG_REPO, tags });
    result.populateMs = p.ms;
    result.pushedMs = p.pushedMs;
    result.files = p.files;
    log(`bench: scale: populated in ${(p.ms / 1000).toFixed(1)} s (${p.files.toLocaleString('en-US')} files replicated)`);

    // BENCH_SCALE_HOLD=0 skips the two clients (diagnosis runs of the VS Code walk).
    for (const client of process.env.BENCH_SCALE_HOLD === '0' ? [] : ['registry-explorer', 'microsoft']) {
      try {
        const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', join(__dirname, 'hold.ts'), client, t.url, BIG_REPO], { maxBuffer: 1 << 20, timeout: 600_000 });
        const h = JSON.parse(stdout.trim().split('\n').at(-1)!) as HoldResult;
        h.client = client;
        if (h.catalog !== plan.repos + 1 || h.tags !== plan.tags) h.error = `listed ${h.catalog} repositories and ${h.tags} tags, expected ${plan.repos + 1} and ${plan.tags}`;
        result.holds.push(h);
        log(`bench: scale: ${client} listed ${h.catalog} repositories in ${h.catalogMs?.toFixed(0)} ms + ${h.tags} tags in ${h.tagsMs?.toFixed(0)} ms; heap ${mb(h.before?.heapUsed)} → ${mb(h.after?.heapUsed)}, RSS ${mb(h.before?.rss)} → ${mb(h.after?.rss)}${h.error ? `; ${h.error}` : ''}`);
      } catch (e) {
        result.holds.push({ client, error: e instanceof Error ? e.message.split('\n').slice(0, 2).join(' ') : String(e) });
        log(`bench: scale: ${client} failed: ${result.holds.at(-1)!.error}`);
      }
    }

    if (opts.bundle && !opts.vscodeSkip) {
      result.vscode = await scaleInVscode({ bundle: opts.bundle, registryUrl: t.url, bigRepo: BIG_REPO, revealTag: revealTarget(plan.tags), tmpDir: opts.tmpDir, log });
    }
  } catch (e) {
    result.error = e instanceof Error ? e.message.split('\n')[0] : String(e);
    log(`bench: scale failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  } finally {
    await call({ cmd: 'stop', id: t.id });
  }
  return result;
}

const ok = (b: boolean): string => (b ? '✅' : '❌');
const fmt = (ms: number | undefined): string => (ms === undefined ? '–' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const signedMb = (b: number): string => `${b >= 0 ? '+' : ''}${(b / 1024 / 1024).toFixed(1)} MB`;

export function scaleMarkdown(r: ScaleResult, note: string): string[] {
  const md: string[] = [];
  const p = r.plan;
  md.push(`### Scale: ${(p.repos + 1).toLocaleString('en-US')} repositories, ${p.tags.toLocaleString('en-US')} tags in one`);
  md.push('');
  md.push(
    `${p.rootRepos} repositories at the root, the rest under ${p.namespaces} namespaces 2-4 segments deep, and \`${BIG_REPO}\` with ${p.tags.toLocaleString('en-US')} tags (v1.0.0 … ), on the same Debian docker-registry (catalog.maxentries 1000). ` +
      `Populated in ${fmt(r.populateMs)}: one repository (by cross-repository mount) and two tags pushed for real (${fmt(r.pushedMs)}), the registry's own files for them replicated under the other names (${(r.files ?? 0).toLocaleString('en-US')} files; test/support/storage.ts), then every name listed back over HTTP below. ${note}`,
  );
  if (r.error) md.push('', `Failed: ${r.error}`);
  md.push('');
  md.push('| client, same process holding the whole listing | catalog | tags | time to list | heap held (after GC) | RSS growth |');
  md.push('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const h of r.holds) {
    const name = h.client === 'microsoft' ? '@microsoft/vscode-docker-registries 0.4.2 (its tree items; per-tag date lookups off)' : 'Registry Explorer client (src/registry, name lists)';
    if (h.error && h.catalog === undefined) {
      md.push(`| ${name} | error: ${h.error.replace(/\|/g, '\\|')} | | | | |`);
      continue;
    }
    md.push(
      `| ${name} | ${h.catalog?.toLocaleString('en-US')} in ${fmt(h.catalogMs)} | ${h.tags?.toLocaleString('en-US')} in ${fmt(h.tagsMs)} | ${fmt(h.listMs)} | ${signedMb(h.after!.heapUsed - h.before!.heapUsed)} | ${signedMb(h.after!.rss - h.before!.rss)} |`,
    );
  }
  const v = r.vscode;
  if (!v) return md;
  md.push('');
  md.push(
    `In VS Code (code-server, production build), one walk; the extension host measured by the probe after each step: its longest event-loop blocking during the step (\`monitorEventLoopDelay\`, 10 ms resolution; on a loaded machine this also counts time the OS did not run the host, so the host's CPU time during the step is beside it), heap and RSS after a full GC. ` +
      'Where the time goes (CPU profiles of the same walk with `BENCH_SCALE_PROFILE=1`): the big repository\'s tags are sorted, and indexed by name for the rows and for reveal, once per listing and a slice of ~12 ms at a time with the event loop let in between (src/ui/tree/slices.ts); a date re-sorts only when date order moves that tag (never for 100,000 versions); Find ranks the lists the tree holds without making an object per item. The 100,000-tag page (1.7 MB of JSON, one page: the registry ignores `n` for tags) is parsed by a worker thread (src/registry/offThread.ts), so the host only splits one string; the sort starts on an event-loop turn of its own. What is left of the longest blocks: the page\'s 100,000 names made into tree items and filtered in one turn, and garbage-collection pauses (the longest of each step in its notes). With `BENCH_SCALE_PROFILE=1` the probe also writes, per step, each moment the host was blocked over 40 ms (bench/results/scale-N.blocks.json), to be read beside that step\'s profile.',
  );
  md.push('');
  md.push('| step | time (user-visible) | longest host blocking | host CPU during the step | heap after | RSS after | notes |');
  md.push('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
  if (v.baseline) md.push(`| view open, registry collapsed (baseline) | | | | ${mb(v.baseline.memory.heapUsed)} | ${mb(v.baseline.memory.rss)} | |`);
  for (const s of v.steps) {
    const keys = s.keys ? `per keystroke ${s.keys.map((k) => (k.ms === undefined ? '–' : Math.round(k.ms))).join(' / ')} ms (– : list unchanged)` : '';
    const blocked = s.host ? `${Math.round(s.host.eld.maxMs)} ms ${ok(s.host.eld.maxMs <= SCALE_TARGETS.blockMs)}` : '–';
    const cpu = s.host?.eld.cpuMs !== undefined ? `${fmt(s.host.eld.cpuMs)} of ${fmt(s.host.eld.wallMs)}` : '–';
    md.push(`| ${s.step} | ${fmt(s.ms)} | ${blocked} | ${cpu} | ${mb(s.host?.memory.heapUsed)} | ${mb(s.host?.memory.rss)} | ${[keys, s.note, s.error ? `ERROR ${s.error}` : ''].filter(Boolean).join('; ').replace(/\|/g, '\\|')} |`);
  }
  const last = [...v.steps].reverse().find((s) => s.host);
  const maxBlock = Math.max(...v.steps.filter((s) => s.host).map((s) => s.host!.eld.maxMs));
  const reveal = v.steps.find((s) => s.step.startsWith('Find → reveal'));
  md.push('');
  md.push('Goals:');
  md.push(`- No step blocks the extension host > ${SCALE_TARGETS.blockMs} ms: longest ${Math.round(maxBlock)} ms ${ok(maxBlock <= SCALE_TARGETS.blockMs)}`);
  if (v.baseline && last?.host) {
    const heap = last.host.memory.heapUsed - v.baseline.memory.heapUsed;
    const rss = last.host.memory.rss - v.baseline.memory.rss;
    md.push(`- Host memory growth for the whole walk < ${SCALE_TARGETS.growthBytes / 1024 / 1024} MB: heap ${signedMb(heap)}, RSS ${signedMb(rss)} ${ok(Math.max(heap, rss) < SCALE_TARGETS.growthBytes)}`);
  }
  if (reveal) md.push(`- Reveal of a tag near the end < ${SCALE_TARGETS.revealMs / 1000} s: ${fmt(reveal.ms)} ${ok(reveal.ms !== undefined && reveal.ms < SCALE_TARGETS.revealMs)} (Enter in Find → the row selected and painted)`);
  return md;
}
