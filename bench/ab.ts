// A/B for one task, to see where this client's time goes next to the floor's:
//   [AB_MODE=token] [AB_PROFILE=1] node --import tsx bench/ab.ts [tags|catalog|resolve] [iterations]
// Starts a plain registry (no proxy: the client talks to it directly), pushes the content the
// task needs, then alternates floor / this client, a fresh client each time, and prints
// medians and the median of the paired differences. With AB_PROFILE=1 it also writes a CPU
// profile of this client's runs only (bench/results/ab-*.cpuprofile; open it in Chrome DevTools).
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { startRegistry } from '../test/support';
import { floor } from './clients/floor';
import { registryExplorer } from './clients/registry-explorer';
import type { ClientFactory, Target } from './clients/types';

const task = (process.argv[2] ?? 'tags') as 'tags' | 'catalog' | 'resolve';
const N = Number(process.argv[3] ?? 200);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function main(): Promise<void> {
  // AB_MODE=token: the token-auth registry (Bearer; the clients hold its credentials).
  const mode = process.env.AB_MODE === 'token' ? 'token' : 'plain';
  const reg = await startRegistry({ mode, maxEntries: 1000 });
  try {
    if (task === 'tags') await reg.pusher.pushManyTags('bench/many-tags', 5000, { concurrency: 8 });
    if (task === 'catalog') await reg.pusher.pushManyRepos(Array.from({ length: 2000 }, (_, i) => `r/${String(i).padStart(4, '0')}`), { concurrency: 16 });
    if (task === 'resolve')
      await reg.pusher.pushIndex('bench/multi-arch', 'latest', [{ os: 'linux', arch: 'amd64' }, { os: 'linux', arch: 'arm64', variant: 'v8' }, { os: 'linux', arch: 'arm', variant: 'v7' }, { os: 'linux', arch: 'ppc64le' }], { format: 'oci', attestation: true });
    const target: Target = { mode, url: reg.url, host: reg.host, maxEntries: 1000, tmpDir: '/tmp', ...(reg.username !== undefined ? { username: reg.username, password: reg.password! } : {}) };
    const once = async (f: ClientFactory): Promise<number> => {
      const c = f.create(target);
      const t0 = performance.now();
      if (task === 'tags') await c.tags('bench/many-tags');
      else if (task === 'catalog') await c.catalog();
      else await c.resolve('bench/multi-arch', 'latest');
      const ms = performance.now() - t0;
      await c.close();
      return ms;
    };
    for (let i = 0; i < 20; i++) {
      await once(floor);
      await once(registryExplorer);
    }
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < N; i++) {
      a.push(await once(floor));
      b.push(await once(registryExplorer));
    }
    if (process.env.AB_PROFILE) {
      // One profile per client over N more runs each: compare self times function by function.
      const session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 50 });
      const dir = join(__dirname, 'results');
      mkdirSync(dir, { recursive: true });
      for (const f of [floor, registryExplorer]) {
        await session.post('Profiler.start');
        for (let i = 0; i < N; i++) await once(f);
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(join(dir, `ab-${task}-${f.key}.cpuprofile`), JSON.stringify(profile));
      }
      session.disconnect();
    }
    const diffs = a.map((x, i) => b[i]! - x);
    console.log(`${task} (${mode}): ${N} pairs; floor median ${median(a).toFixed(2)} ms, this client ${median(b).toFixed(2)} ms, ratio ${(median(b) / median(a)).toFixed(3)}; median paired difference ${median(diffs).toFixed(2)} ms`);
  } finally {
    await reg.stop();
  }
}

void main();
