// BENCH_PARTS=copy: registry-to-registry copy, beside `skopeo copy --all` in the same run.
//
//   copy   a 4-platform OCI index with ~300 MB of random (incompressible) layers, generated
//          once per run, from a plain-HTTP registry to a token-auth one (the test bed's
//          docker-registry and token server); each run goes to a token-auth registry of its
//          own, so every blob travels (skopeo remembers which repositories of a registry hold
//          a blob, in a cache under /var/lib/containers, and mounts it from there instead). This client runs in a process of its own (bench/copy/worker.ts): its
//          time and its peak resident memory above idle. skopeo's time and peak (VmHWM).
//   retag  Add Tag's requests: the manifest read, then put under the new tag.
//   mount  the same image copied to another repository of the same registry: blobs mounted,
//          so what crosses the counting proxy is manifests and small answers, no blob bytes.

import { execFile, fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCountingProxy } from '../proxy';
import { SKOPEO } from '../clients/skopeo';
import { RegistryClient } from '../../src/registry/client';
import { copyImage, retag } from '../../src/registry/copy';
import { startRegistry, type RunningRegistry } from '../../test/support';
import type { WorkerJob, WorkerResult } from './worker';

const MB = 1024 * 1024;
const PLATFORMS = [
  { os: 'linux', arch: 'amd64' },
  { os: 'linux', arch: 'arm64', variant: 'v8' },
  { os: 'linux', arch: 'arm', variant: 'v7' },
  { os: 'linux', arch: 'ppc64le' },
];
/** Per platform: 75 MB in three layers, so a run moves 300 MB in 12 layers (+ 4 configs). */
const LAYERS = [48 * MB, 20 * MB, 7 * MB];
const QUICK_LAYERS = [4 * MB, 2 * MB, 1 * MB];
const REPO = 'bench/copy';
const TAG = 'v1';
/** The goal for this client's memory during the copy. */
export const COPY_MEMORY_GOAL_MB = 64;

export interface CopyRun {
  client: 'registry-explorer' | 'skopeo';
  ms: number;
  /** Peak resident memory above the process's idle (this client); skopeo: its whole peak. */
  peakMb?: number;
  requests?: number;
}

export interface CopyBenchResult {
  status: 'ok' | 'n/a' | 'error';
  reason?: string;
  bytes: number;
  blobs: number;
  runs: CopyRun[];
  /** Median of this client's time ÷ skopeo's in the same round. */
  pairedRatio?: number;
  retag?: { requests: string[]; ms: number };
  mount?: { ms: number; blobs: number; mounted: number; bytesUp: number; bytesDown: number; requests: number };
}

export async function runCopyBench(opts: { tmpDir: string; quick: boolean; runs?: number; log: (s: string) => void }): Promise<CopyBenchResult> {
  const { log } = opts;
  const rounds = opts.runs ?? (opts.quick ? 1 : 3);
  const layers = opts.quick ? QUICK_LAYERS : LAYERS;
  let src: RunningRegistry | undefined;
  const result: CopyBenchResult = { status: 'ok', bytes: 0, blobs: 0, runs: [] };
  try {
    src = await startRegistry({ mode: 'plain' });
    log(`bench copy: pushing a ${PLATFORMS.length}-platform image of ${((layers.reduce((a, b) => a + b, 0) * PLATFORMS.length) / MB).toFixed(0)} MB of random layers…`);
    const manifests: Record<string, unknown>[] = [];
    for (const p of PLATFORMS) {
      // One platform at a time: the pusher holds an image's layers in memory while it pushes.
      const image = await src.pusher.pushImage(REPO, [], { os: p.os, arch: p.arch, variant: p.variant, layerBytes: layers, format: 'oci' });
      result.bytes += image.totalSize;
      result.blobs += 1 + image.layers.length;
      manifests.push({ mediaType: image.mediaType, digest: image.digest, size: image.manifestSize, platform: image.platform });
    }
    await src.pusher.pushIndexDocument(REPO, [TAG], { manifests });

    const skopeoOk = await hasSkopeo();
    for (let round = 0; round < rounds; round++) {
      const ours = await withDestination((dst) => ourCopy(src!, dst, 'bench/copied'));
      result.runs.push(ours);
      log(`bench copy: round ${round + 1}: Registry Explorer ${(ours.ms / 1000).toFixed(2)} s, peak +${ours.peakMb!.toFixed(1)} MB`);
      if (skopeoOk) {
        const theirs = await withDestination((dst) => skopeoCopy(src!, dst, 'bench/copied', opts.tmpDir));
        result.runs.push(theirs);
        log(`bench copy: round ${round + 1}: skopeo ${(theirs.ms / 1000).toFixed(2)} s, peak ${theirs.peakMb?.toFixed(1) ?? '?'} MB`);
      }
    }
    const ours = result.runs.filter((r) => r.client === 'registry-explorer');
    const theirs = result.runs.filter((r) => r.client === 'skopeo');
    if (theirs.length === ours.length && ours.length) result.pairedRatio = median(ours.map((r, i) => r.ms / theirs[i]!.ms));

    // Retag and a same-registry copy, through the counting proxy.
    const proxy = await startCountingProxy(src.url);
    const client = new RegistryClient({ url: proxy.url });
    try {
      await client.ping();
      proxy.reset();
      const requests: string[] = [];
      const counted = new RegistryClient({ url: proxy.url, onRequest: (method, url) => requests.push(`${method} ${url.pathname.replace(/^\/v2\//, '')}`) });
      await counted.ping();
      requests.length = 0;
      let started = performance.now();
      await retag(counted, REPO, TAG, 'v1-retagged');
      result.retag = { requests: [...requests], ms: performance.now() - started };
      await counted.close();
      proxy.reset();
      started = performance.now();
      const mounted = await copyImage({ client, repository: REPO, reference: TAG }, { client, repository: 'bench/mirror', tag: TAG });
      const counts = proxy.counts();
      result.mount = { ms: performance.now() - started, blobs: mounted.blobsTotal, mounted: mounted.blobsMounted, bytesUp: counts.bytesUp, bytesDown: counts.bytesDown, requests: counts.requests };
    } finally {
      await client.close();
      await proxy.close();
    }
  } catch (e) {
    result.status = 'error';
    result.reason = e instanceof Error ? e.message.split('\n')[0] : String(e);
    log(`bench copy: failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  } finally {
    await src?.stop();
  }
  return result;
}

/** A fresh token-auth registry for one copy, stopped afterwards. */
async function withDestination<T>(fn: (dst: RunningRegistry) => Promise<T>): Promise<T> {
  const dst = await startRegistry({ mode: 'token' });
  try {
    return await fn(dst);
  } finally {
    await dst.stop();
  }
}

function ourCopy(src: RunningRegistry, dst: RunningRegistry, repository: string): Promise<CopyRun> {
  const job: WorkerJob = { source: { url: src.url, repository: REPO, reference: TAG }, target: { url: dst.url, repository, tag: TAG, username: dst.username, password: dst.password } };
  const child = fork(join(__dirname, 'worker.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise<CopyRun>((resolve, reject) => {
    child.once('message', (raw: unknown) => {
      const m = raw as { ok: boolean; result?: WorkerResult; error?: string };
      if (!m.ok) return reject(new Error(`copy worker: ${m.error}`));
      const r = m.result!;
      resolve({ client: 'registry-explorer', ms: r.ms, peakMb: (r.peakRss - r.idleRss) / MB, requests: r.requests });
    });
    child.once('exit', (code) => code !== 0 && reject(new Error(`copy worker exited with ${code}`)));
    child.send(job);
  });
}

async function hasSkopeo(): Promise<boolean> {
  return new Promise((resolve) => execFile(SKOPEO, ['--version'], (e) => resolve(!e)));
}

/** `skopeo copy --all`, its own empty auth file; its peak memory from /proc while it runs. */
function skopeoCopy(src: RunningRegistry, dst: RunningRegistry, repository: string, tmpDir: string): Promise<CopyRun> {
  const authFile = join(tmpDir, 'skopeo-copy-auth.json');
  writeFileSync(authFile, '{"auths":{}}\n');
  const args = ['copy', '--all', '--src-tls-verify=false', '--dest-tls-verify=false', '--dest-creds', `${dst.username}:${dst.password}`, `docker://${src.host}/${REPO}:${TAG}`, `docker://${dst.host}/${repository}:${TAG}`];
  const started = performance.now();
  return new Promise<CopyRun>((resolve, reject) => {
    const child = execFile(SKOPEO, args, { env: { ...process.env, TMPDIR: tmpDir, REGISTRY_AUTH_FILE: authFile }, maxBuffer: 16 * MB }, (e, _out, err) => {
      const ms = performance.now() - started;
      clearInterval(poll);
      if (e) return reject(new Error(`skopeo copy failed: ${String(err).split('\n')[0]}`));
      resolve({ client: 'skopeo', ms, ...(peakKb ? { peakMb: peakKb / 1024 } : {}) });
    });
    let peakKb = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // exited between two polls
      }
    }, 20);
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function copyMarkdown(r: CopyBenchResult): string[] {
  const lines = ['### Copy between registries (BENCH_PARTS=copy)', ''];
  if (r.status !== 'ok') return [...lines, `Not measured: ${r.reason ?? r.status}.`];
  const ours = r.runs.filter((x) => x.client === 'registry-explorer');
  const theirs = r.runs.filter((x) => x.client === 'skopeo');
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  lines.push(
    `A ${PLATFORMS.length}-platform OCI index, ${r.blobs} blobs, ${(r.bytes / MB).toFixed(0)} MB of random layers, from a plain-HTTP docker-registry to a token-auth one on this machine; each run into a token-auth registry of its own (every blob travels); rounds alternate the clients.`,
    '',
    '| client | median | runs | peak memory | notes |',
    '| --- | ---: | ---: | ---: | --- |',
    `| Registry Explorer (copyImage, own process) | ${s(median(ours.map((x) => x.ms)))} | ${ours.length} | +${Math.max(...ours.map((x) => x.peakMb ?? 0)).toFixed(1)} MB above idle (goal < ${COPY_MEMORY_GOAL_MB} MB) | ${ours[0]?.requests ?? '?'} requests; blobs streamed source → destination, 4 at a time |`,
    theirs.length
      ? `| skopeo copy --all | ${s(median(theirs.map((x) => x.ms)))} | ${theirs.length} | ${Math.max(...theirs.map((x) => x.peakMb ?? 0)).toFixed(1)} MB (whole process, VmHWM) | process per copy |`
      : '| skopeo copy --all | n/a | | | skopeo not installed |',
    '',
  );
  if (r.pairedRatio !== undefined) lines.push(`Time ratio (Registry Explorer ÷ skopeo, paired per round, median): ${r.pairedRatio.toFixed(2)}× (goal: at or below 1).`, '');
  if (r.retag) lines.push(`Add Tag: ${r.retag.requests.length} requests (${r.retag.requests.join(', ')}), ${(r.retag.ms).toFixed(1)} ms.`);
  if (r.mount) {
    lines.push(
      `Same-registry copy to another repository: ${r.mount.mounted} of ${r.mount.blobs} blobs mounted, ${r.mount.requests} requests, ${(r.mount.ms).toFixed(0)} ms; bytes through the counting proxy: ${r.mount.bytesUp.toLocaleString('en-US')} up, ${r.mount.bytesDown.toLocaleString('en-US')} down (no blob bytes).`,
    );
  }
  return lines;
}
