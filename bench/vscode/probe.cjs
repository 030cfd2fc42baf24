// Activation probe for `npm run bench` (bench/vscode/index.ts). Preloaded with
// NODE_OPTIONS=--require into code-server and so into every Node process it starts; it does
// nothing except in the process that requires BENCH_ACTIVATION_MAIN (the extension's
// dist/extension.js), which is the real extension host. There it measures, with the host's
// own clock:
//   requireMs   Module._load of dist/extension.js (reading + compiling + running the bundle)
//   activateMs  the activate() call until its result (a value or a promise) has resolved
//   totalMs     from the require starting to activate() resolving (includes VS Code's own
//               steps between the two, e.g. building the ExtensionContext)
// and which modules the extension loads (every require issued while loading and activating,
// with the file it resolved to), then keeps watching for the lazily loaded bundles next to it
// (dist/sdk/*.js, dist/deploy.js): each one loaded later is appended as its own line.
// Output: JSON lines in BENCH_ACTIVATION_OUT.
// Plain CommonJS without dependencies: it runs before anything else in the extension host.
'use strict';
const Module = require('node:module');
const { appendFileSync } = require('node:fs');
const { dirname, sep } = require('node:path');
const { performance } = require('node:perf_hooks');

const main = process.env.BENCH_ACTIVATION_MAIN;
const out = process.env.BENCH_ACTIVATION_OUT;

if (main && out) {
  const distDir = dirname(main) + sep;
  const write = (record) => {
    try {
      appendFileSync(out, JSON.stringify({ pid: process.pid, ...record }) + '\n');
    } catch {
      /* the bench went away */
    }
  };
  const originalLoad = Module._load;
  /** Requires the extension issued while it loaded and activated: { request, from, file }. */
  let recording = null;
  /** Files loaded on the extension's behalf: a require counts when its parent is one of these
   * (other extensions activate in the same host meanwhile; their requires are not ours). */
  const ours = new Set([main]);
  let seenMain = false;
  const lazySeen = new Set();

  Module._load = function load(request, parent, isMain) {
    const isMainRequest = !seenMain && (request === main || request === main.replace(/\.js$/, ''));
    if (!isMainRequest) {
      if (recording || (seenMain && parent && parent.filename && parent.filename.startsWith(distDir))) {
        let file;
        try {
          file = Module._resolveFilename(request, parent, isMain);
        } catch {
          file = undefined;
        }
        const from = parent && parent.filename ? parent.filename : undefined;
        if (recording) {
          if (!from || !ours.has(from)) return originalLoad.apply(this, arguments);
          if (file && file.includes(sep)) ours.add(file);
          recording.push({ request, from, file });
        }
        else if (file && file.startsWith(distDir) && !lazySeen.has(file)) {
          lazySeen.add(file);
          const t0 = performance.now();
          const result = originalLoad.apply(this, arguments);
          write({ kind: 'lazy', file, request, from, loadMs: performance.now() - t0, at: performance.now(), epoch: performance.timeOrigin + t0 });
          return result;
        }
      }
      return originalLoad.apply(this, arguments);
    }

    seenMain = true;
    recording = [];
    const cacheBefore = new Set(Object.keys(require.cache));
    // Node's internal modules loaded so far: the diff says which built-ins the extension was
    // first to load (the host has most of them loaded already).
    const internalBefore = new Set(process.moduleLoadList);
    try {
      ours.add(Module._resolveFilename(request, parent, isMain));
    } catch {
      /* the load below reports it */
    }
    // CPU time too (the whole host process, user + system): on a machine shared with other work
    // the wall clock stretches, CPU time much less so.
    const cpu = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    // BENCH_ACTIVATION_PROFILE=FILE: a CPU profile of the load + activate() (diagnosis only:
    // profiling slows both down). Same-thread inspector sessions answer synchronously.
    let session;
    if (process.env.BENCH_ACTIVATION_PROFILE) {
      try {
        const inspector = require('node:inspector');
        session = new inspector.Session();
        session.connect();
        session.post('Profiler.enable');
        session.post('Profiler.setSamplingInterval', { interval: 100 });
        session.post('Profiler.start');
      } catch (e) {
        session = undefined;
        write({ kind: 'profile', error: String(e) });
      }
    }
    const c0 = cpu();
    const t0 = performance.now();
    let exportsObject;
    try {
      exportsObject = originalLoad.apply(this, arguments);
    } catch (e) {
      write({ kind: 'activation', error: `require failed: ${e && e.stack ? e.stack : e}` });
      recording = null;
      throw e;
    }
    const t1 = performance.now();
    const c1 = cpu();
    let c2;
    const finish = (t2, t3, error) => {
      const c3 = cpu();
      if (session) {
        session.post('Profiler.stop', (err, res) => {
          try {
            require('node:fs').writeFileSync(process.env.BENCH_ACTIVATION_PROFILE, JSON.stringify(err ? { error: String(err) } : res.profile));
          } catch {
            /* best effort */
          }
          session.disconnect();
        });
      }
      const loads = recording || [];
      recording = null;
      const cacheAfter = Object.keys(require.cache).filter((k) => !cacheBefore.has(k) && (ours.has(k) || k.startsWith(distDir)));
      write({
        kind: 'activation',
        requireMs: t1 - t0,
        activateMs: t3 === undefined ? undefined : t3 - t2,
        totalMs: t3 === undefined ? undefined : t3 - t0,
        betweenMs: t2 === undefined ? undefined : t2 - t1,
        requireCpuMs: c1 - c0,
        activateCpuMs: c2 === undefined ? undefined : c3 - c2,
        loads,
        newCacheEntries: cacheAfter,
        newBuiltins: process.moduleLoadList.filter((m) => !internalBefore.has(m) && m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length)),
        ...(error ? { error } : {}),
      });
    };
    if (!exportsObject || typeof exportsObject.activate !== 'function') {
      finish(undefined, undefined, 'no activate() export');
      return exportsObject;
    }
    // The bundle's exports are getters (esbuild's __export): hand VS Code a plain copy whose
    // activate is timed; everything else is the same values.
    const wrapped = Object.assign({}, exportsObject);
    const activate = exportsObject.activate;
    wrapped.activate = function timedActivate() {
      c2 = cpu();
      const t2 = performance.now();
      let result;
      try {
        result = activate.apply(this, arguments);
      } catch (e) {
        finish(t2, performance.now(), `activate() threw: ${e && e.message}`);
        throw e;
      }
      Promise.resolve(result).then(
        (api) => {
          finish(t2, performance.now());
          if (process.env.BENCH_PROBE_CONTROL === '1') startControl(api, write);
        },
        (e) => finish(t2, performance.now(), `activate() rejected: ${e && e.message}`),
      );
      return result;
    };
    return wrapped;
  };
}

// ——— the scale scenario's instruments (BENCH_PROBE_CONTROL=1), started once activate() resolved ———
//
// A loopback HTTP server in the extension host the bench asks between steps (its port goes to
// BENCH_ACTIVATION_OUT as {kind:'control', port}):
//   GET /mark[?gc=1]  the event loop's delays since the last mark (perf_hooks.monitorEventLoopDelay,
//                     10 ms resolution: `maxMs` is the longest time the host could not run a
//                     timer, i.e. its longest blocking), then resets them; the host's memory
//                     (process.memoryUsage(); with gc=1 after a full garbage collection, so the
//                     heap figure is what is held, not what awaits collection); the tree calls
//                     timed since the last mark (below)
//   GET /profile/start, /profile/stop?file=F   a CPU profile of the host in between (diagnosis)
// and, in the same host, the tree provider's getChildren wrapped: when each call started and
// resolved, for what kind of node, with how many children (where the time of an expand goes).
function startControl(api, write) {
  const http = require('node:http');
  const v8 = require('node:v8');
  const vm = require('node:vm');
  const { monitorEventLoopDelay } = require('node:perf_hooks');
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  // Which moments blocked (diagnosis, beside the histogram): a 5 ms ticker notes each gap over
  // 40 ms with its end on the monotonic clock, the clock of CPU profiles' timestamps; and the
  // garbage collector's pauses over 5 ms, by kind, so a step's longest block can be told apart
  // from a GC pause.
  const usNow = () => Number(process.hrtime.bigint() / 1000n);
  let blocks = [];
  let lastTick = usNow();
  setInterval(() => {
    const now = usNow();
    if (now - lastTick > 40_000) blocks.push({ endUs: now, ms: (now - lastTick) / 1000 });
    if (blocks.length > 200) blocks = blocks.slice(-100);
    lastTick = now;
  }, 5).unref();
  let gcs = [];
  try {
    const { PerformanceObserver, constants } = require('node:perf_hooks');
    const kinds = { [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major', [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor', [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb' };
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.duration > 5) gcs.push({ ms: e.duration, kind: kinds[e.detail?.kind] ?? String(e.detail?.kind) });
      }
      if (gcs.length > 500) gcs = gcs.slice(-250);
    }).observe({ entryTypes: ['gc'] });
  } catch {
    /* no GC entries in this runtime */
  }
  let gc;
  try {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc');
  } catch {
    gc = undefined;
  }
  let calls = [];
  const tree = api && api.tree;
  if (tree && typeof tree.getChildren === 'function') {
    const original = tree.getChildren;
    tree.getChildren = function timedGetChildren(element) {
      const t0 = performance.now();
      const rec = { kind: element ? element.kind : 'root', at: t0, epoch: performance.timeOrigin + t0 };
      calls.push(rec);
      if (calls.length > 10_000) calls = calls.slice(-1000);
      const result = original.apply(this, arguments);
      rec.syncMs = performance.now() - t0;
      Promise.resolve(result).then(
        (children) => {
          rec.ms = performance.now() - t0;
          rec.children = Array.isArray(children) ? children.length : undefined;
        },
        () => (rec.ms = performance.now() - t0),
      );
      return result;
    };
  }
  let session;
  const ms = (ns) => ns / 1e6;
  // The host's CPU time and wall time since the last mark: on a loaded machine the event-loop
  // delay also counts time the OS did not run the host at all; CPU time says how much was ours.
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const answer = (obj) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(obj));
    };
    if (url.pathname === '/mark') {
      const cpuNow = process.cpuUsage();
      const eld = { maxMs: ms(h.max), p99Ms: ms(h.percentile(99)), meanMs: ms(h.mean), samples: h.count, cpuMs: (cpuNow.user - lastCpu.user + cpuNow.system - lastCpu.system) / 1000, wallMs: performance.now() - lastAt };
      h.reset();
      lastCpu = cpuNow;
      lastAt = performance.now();
      if (url.searchParams.get('gc') === '1' && gc) gc();
      const m = process.memoryUsage();
      const out = { at: performance.now(), eld, memory: { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers }, gc: !!gc, calls, blocks, gcPauses: gcs };
      calls = [];
      blocks = [];
      gcs = [];
      return answer(out);
    }
    if (url.pathname === '/profile/start') {
      const inspector = require('node:inspector');
      session = new inspector.Session();
      session.connect();
      session.post('Profiler.enable');
      session.post('Profiler.setSamplingInterval', { interval: 200 });
      session.post('Profiler.start', () => answer({ ok: true }));
      return;
    }
    if (url.pathname === '/profile/stop' && session) {
      const file = url.searchParams.get('file');
      session.post('Profiler.stop', (err, r) => {
        try {
          if (!err && file) require('node:fs').writeFileSync(file, JSON.stringify(r.profile));
        } catch {
          /* best effort */
        }
        session.disconnect();
        session = undefined;
        answer({ ok: !err });
      });
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  server.listen(0, '127.0.0.1', () => {
    server.unref();
    write({ kind: 'control', port: server.address().port });
  });
}

