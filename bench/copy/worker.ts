// One copy with this project's client, in a process of its own so that its memory is the
// copy's alone: the resident set is sampled every 10 ms from just before the copy (idle: the
// client loaded and both registries pinged) to its end. Started by bench/copy/run.ts through
// fork(); one message in (what to copy), one out (time, memory, what moved), then exit.

import { RegistryClient } from '../../src/registry/client';
import { copyImage } from '../../src/registry/copy';
import { staticCredentials } from '../../src/registry/credentials';

export interface WorkerJob {
  source: { url: string; repository: string; reference: string };
  target: { url: string; repository: string; tag: string; username?: string; password?: string };
}

export interface WorkerResult {
  ms: number;
  idleRss: number;
  peakRss: number;
  bytesMoved: number;
  blobsCopied: number;
  requests: number;
  tokenFetches: number;
}

process.once('message', (raw: unknown) => {
  void run(raw as WorkerJob).then(
    (r) => process.send!({ ok: true, result: r }, () => process.exit(0)),
    (e: unknown) => process.send!({ ok: false, error: e instanceof Error ? e.message : String(e) }, () => process.exit(1)),
  );
});

async function run(job: WorkerJob): Promise<WorkerResult> {
  const src = new RegistryClient({ url: job.source.url });
  const dst = new RegistryClient({
    url: job.target.url,
    ...(job.target.username ? { credentials: staticCredentials({ kind: 'basic', username: job.target.username, password: job.target.password ?? '' }) } : {}),
  });
  await Promise.all([src.ping(), dst.ping()]);
  await new Promise((r) => setTimeout(r, 200));
  const idleRss = process.memoryUsage.rss();
  let peakRss = idleRss;
  const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 10);
  const started = performance.now();
  const result = await copyImage({ client: src, ...job.source }, { client: dst, repository: job.target.repository, tag: job.target.tag });
  const ms = performance.now() - started;
  clearInterval(sample);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  const out = { ms, idleRss, peakRss, bytesMoved: result.bytesMoved, blobsCopied: result.blobsCopied, requests: src.stats.requests + dst.stats.requests, tokenFetches: src.stats.tokenFetches + dst.stats.tokenFetches };
  await Promise.all([src.close(), dst.close()]);
  return out;
}
