// Figures and Markdown for the VS Code half of the bench (bench/vscode/index.ts).
import { builtinModules } from 'node:module';
import { HEAVY, type BundleFile, type BundleResult, type ExpandSample } from './index';

export interface VscodeResult {
  status: 'ok' | 'n/a' | 'error';
  reason?: string;
  codeServer: string;
  bundle?: Omit<BundleResult, 'extensionDir' | 'main'>;
  bundleError?: string;
  samples: ExpandSample[];
  summary?: VscodeSummary;
}

interface Stat {
  median: number;
  min: number;
  max: number;
  n: number;
}

export interface VscodeSummary {
  activationTotal?: Stat;
  activationRequire?: Stat;
  activationCall?: Stat;
  /** require + activate() call: the extension's own share (what VS Code reports as activation time). */
  activationOwn?: Stat;
  /** VS Code's wait for the ExtensionContext between the two. */
  activationBetween?: Stat;
  /** CPU time (host process) of require + activate(): less sensitive to others' load than the wall clock. */
  activationOwnCpu?: Stat;
  /** Files the extension loaded while loading and activating (relative to the extension or node_modules). */
  activationFiles: string[];
  /** Node built-ins it required meanwhile. */
  activationBuiltins: string[];
  /** Node internals the host had not loaded before the extension (in every run). */
  newBuiltins: string[];
  /** Heavy packages among the activation files (should be none). */
  activationHeavy: string[];
  /** Lazily loaded bundles loaded by the time the first page showed (should be none but dist/network.js, which the first request needs). */
  lazyLoaded: string[];
  /** Inside the extension host (medians): click → getChildren(registry), its duration, resolved → painted; network.js loaded after the click in how many runs; longest blocking. */
  host?: { clickToGetChildren: Stat; getChildren?: Stat; resolvedToPaint?: Stat; networkAfterClick: number; runs: number; blocked: Stat };
  expandPaint?: Stat;
  expandDom?: Stat;
  splitToRequest?: Stat;
  splitRequest?: Stat;
  splitAfterResponse?: Stat;
  anchor?: Stat;
  /** The anchor's fetch as the first request of a fresh Node process (cold code, like the host's). */
  coldAnchor?: Stat;
  ratio?: number;
  /** VS Code's own click → 36 rows painted (bench/vscode/floor), as the window's first expand. */
  floorCold?: Stat;
  /** The same after the registry's expand in that window. */
  floorWarm?: Stat;
  /** The registry's expand after the floor view's (VS Code's side warm). */
  expandWarm?: Stat;
  requests: string;
  byKind: Record<string, number>;
  requestsBeforeClick: string;
  firstRow: string;
  rowsShown: string;
  /** Median share of CPU idle just before the clicks (others' load; 1 = idle machine). */
  idleBeforeClick?: number;
}

function stat(xs: number[]): Stat | undefined {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return { median: s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2, min: s[0]!, max: s.at(-1)!, n: s.length };
}

function spread(xs: number[]): string {
  if (!xs.length) return '–';
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === hi ? String(lo) : `${lo}–${hi}`;
}

const BUILTINS = new Set(builtinModules);

function isBuiltin(request: string): boolean {
  return request.startsWith('node:') || BUILTINS.has(request) || BUILTINS.has(request.split('/')[0]!);
}

export function summarizeVscode(samples: ExpandSample[], extensionDir: string): VscodeSummary {
  const acts = samples.map((s) => s.activation).filter((a): a is NonNullable<typeof a> => !!a && a.error === undefined);
  const files = new Set<string>();
  const builtins = new Set<string>();
  for (const a of acts) {
    for (const l of a.loads) {
      if (isBuiltin(l.request)) builtins.add(l.request.replace(/^node:/, ''));
      else if (l.file) files.add(l.file.startsWith(extensionDir) ? l.file.slice(extensionDir.length + 1) : l.file.replace(/^.*\/node_modules\//, 'node_modules/'));
    }
    for (const f of a.newCacheEntries) if (f.startsWith(extensionDir)) files.add(f.slice(extensionDir.length + 1));
  }
  const activationFiles = [...files].sort();
  // The headline is the registry expanded first in its window (VS Code's side cold, as a user's
  // first expand); runs that expanded the floor view first give the warm figures beside it.
  const all = samples;
  const warm = all.filter((s) => s.floorFirst);
  samples = all.filter((s) => !s.floorFirst);
  const paint = stat(samples.map((s) => s.paintMs));
  const anchor = stat(samples.flatMap((s) => s.anchorMs));
  const coldAnchor = stat(samples.flatMap((s) => (s.coldAnchorMs === undefined ? [] : [s.coldAnchorMs])));
  const floorCold = stat(warm.map((s) => s.floorMs));
  const floorWarm = stat(samples.map((s) => s.floorMs));
  const expandWarm = stat(warm.map((s) => s.paintMs));
  const byKind: Record<string, number> = {};
  for (const s of samples) for (const [k, v] of Object.entries(s.byKind)) byKind[k] = Math.max(byKind[k] ?? 0, v);
  return {
    activationTotal: stat(acts.map((a) => a.totalMs)),
    activationRequire: stat(acts.map((a) => a.requireMs)),
    activationCall: stat(acts.map((a) => a.activateMs)),
    activationOwn: stat(acts.map((a) => a.requireMs + a.activateMs)),
    activationBetween: stat(acts.map((a) => a.betweenMs)),
    activationOwnCpu: stat(acts.filter((a) => a.requireCpuMs !== undefined && a.activateCpuMs !== undefined).map((a) => a.requireCpuMs! + a.activateCpuMs!)),
    activationFiles,
    activationBuiltins: [...builtins].sort(),
    newBuiltins: acts.length ? [...acts.map((a) => new Set(a.newBuiltins ?? [])).reduce((x, y) => new Set([...x].filter((m) => y.has(m))))].filter((m) => !m.startsWith('internal/')).sort() : [],
    activationHeavy: activationFiles.filter((f) => HEAVY.some((h) => f.includes(`node_modules/${h}`)) || (f.startsWith('dist/') && f !== 'dist/extension.js')),
    lazyLoaded: [...new Set(samples.flatMap((s) => s.lazyLoaded))].filter((f) => f !== 'dist/network.js').sort(),
    ...hostStats(samples),
    ...(paint ? { expandPaint: paint } : {}),
    ...(stat(samples.map((s) => s.domMs)) ? { expandDom: stat(samples.map((s) => s.domMs))! } : {}),
    ...(anchor ? { anchor } : {}),
    ...(coldAnchor ? { coldAnchor } : {}),
    ...(floorCold ? { floorCold } : {}),
    ...(floorWarm ? { floorWarm } : {}),
    ...(expandWarm ? { expandWarm } : {}),
    ...splitStats(samples),
    ...(paint && anchor ? { ratio: paint.median / anchor.median } : {}),
    requests: spread(all.map((s) => s.requests)),
    byKind,
    requestsBeforeClick: spread(samples.map((s) => s.requestsBeforeClick)),
    firstRow: [...new Set(samples.map((s) => s.firstRow.replace(/, .*$/, '')))].join(' / '),
    rowsShown: spread(samples.map((s) => s.rowsShown)),
    ...(stat(samples.map((s) => s.idleBeforeClick).filter((x) => !Number.isNaN(x))) ? { idleBeforeClick: stat(samples.map((s) => s.idleBeforeClick).filter((x) => !Number.isNaN(x)))!.median } : {}),
  };
}

function hostStats(samples: ExpandSample[]): Pick<VscodeSummary, 'host'> {
  const h = samples.map((s) => s.host).filter((x): x is NonNullable<typeof x> => !!x);
  if (!h.length) return {};
  const num = (xs: (number | undefined)[]): number[] => xs.filter((x): x is number => x !== undefined);
  return {
    host: {
      clickToGetChildren: stat(h.map((x) => x.clickToGetChildrenMs))!,
      ...(stat(num(h.map((x) => x.getChildrenMs))) ? { getChildren: stat(num(h.map((x) => x.getChildrenMs)))! } : {}),
      ...(stat(num(h.map((x) => x.resolvedToPaintMs))) ? { resolvedToPaint: stat(num(h.map((x) => x.resolvedToPaintMs)))! } : {}),
      networkAfterClick: h.filter((x) => x.networkLoadMs > 0).length,
      runs: h.length,
      blocked: stat(h.map((x) => x.blockedMs))!,
    },
  };
}

function splitStats(samples: ExpandSample[]): Pick<VscodeSummary, 'splitToRequest' | 'splitRequest' | 'splitAfterResponse'> {
  const sp = samples.map((s) => s.split).filter((x): x is NonNullable<typeof x> => !!x);
  if (!sp.length) return {};
  return { splitToRequest: stat(sp.map((x) => x.toRequestMs))!, splitRequest: stat(sp.map((x) => x.requestMs))!, splitAfterResponse: stat(sp.map((x) => x.afterResponseMs))! };
}

function ms(x: number | undefined): string {
  if (x === undefined) return '–';
  if (x >= 10_000) return `${(x / 1000).toFixed(1)} s`;
  if (x >= 100) return `${Math.round(x)} ms`;
  return `${x.toFixed(1)} ms`;
}

function range(s: Stat | undefined): string {
  return s ? `${ms(s.min)}–${ms(s.max)}` : '';
}

export function kb(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} KB`;
}

const ok = (b: boolean): string => (b ? '✅' : '❌');

export function vscodeMarkdown(r: VscodeResult, options: { activationTargetMs: number; bundleTargetBytes: number; repos: number; runs: number }): string[] {
  const opts = { ...options, lazyFiles: (r.bundle?.files ?? []).filter((f) => f.lazy).map((f) => f.file) };
  const md: string[] = [];
  md.push(`### Extension in VS Code (code-server ${r.codeServer} = VS Code ${r.codeServer.replace(/^4\./, '1.')}, production build)`);
  md.push('');
  if (r.status !== 'ok' && !r.bundle) {
    md.push(`Not measured: ${r.reason ?? r.status}.`);
    return md;
  }
  const s = r.summary;
  const head = '| measure | median | range | runs | target | notes |';
  const rows: string[] = [head, '| --- | ---: | ---: | ---: | --- | --- |'];
  const row = (cells: string[]): void => void rows.push(`| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`);
  /** A measured row: its median, range and number of runs. */
  const statRow = (what: string, st: Stat | undefined, target: string, note: string): void => row([what, ms(st?.median), range(st), String(st?.n ?? 0), target, note]);

  if (s?.activationTotal) {
    statRow(
      'activation: loading `dist/extension.js` + the `activate()` call, in the extension host',
      s.activationOwn,
      `< ${opts.activationTargetMs} ms ${ok((s.activationOwn?.median ?? Infinity) < opts.activationTargetMs)}`,
      `the extension's own time, as VS Code counts activation (code loading + activate call + resolve): loading ${ms(s.activationRequire?.median)}, activate() ${ms(s.activationCall?.median)} (medians); ` +
        (s.activationOwnCpu ? `CPU time of the host meanwhile ${ms(s.activationOwnCpu.median)} (median; range ${range(s.activationOwnCpu)}); ` : '') +
        'triggered by opening the view',
    );
    statRow(
      'activation, wall clock: `require` start → `activate()` resolved',
      s.activationTotal,
      '',
      `adds VS Code's wait, between loading and calling activate(), for the extension's context (globalState / storage from the workbench): ${ms(s.activationBetween?.median)} (median); other extensions activate in the same host meanwhile`,
    );
    const heavyOk = !s.activationHeavy.length && !s.lazyLoaded.length;
    row([
      'modules loaded at activation',
      '',
      '',
      String(s.activationTotal.n),
      `no heavy SDKs ${ok(heavyOk)}`,
      `${s.activationFiles.join(', ') || 'none'} + Node built-ins (${s.activationBuiltins.join(', ') || 'none'}; of these the host had not loaded ${s.newBuiltins.join(', ') || 'none'}); ` +
        (s.activationHeavy.length ? `HEAVY: ${s.activationHeavy.join(', ')}; ` : 'no @aws-sdk, google-auth-library or yaml; ') +
        (s.activationFiles.includes('dist/network.js') ? 'dist/network.js LOADED AT ACTIVATION; ' : 'dist/network.js not loaded at activation; ') +
        (s.lazyLoaded.length ? `lazily loaded bundles loaded by the first page: ${s.lazyLoaded.join(', ')}` : `no other lazily loaded bundle (${opts.lazyFiles.filter((f) => f !== 'dist/network.js').join(', ') || 'none built'}) loaded at activation or by the first page of the generic registry`),
    ]);
  } else if (r.samples.length || r.status !== 'ok') {
    row(['activation', 'not recorded', '', '', `< ${opts.activationTargetMs} ms ❌`, r.reason ?? 'the probe wrote nothing']);
  }

  if (r.bundle) {
    const main = r.bundle.files.find((f) => !f.lazy);
    const lazy = r.bundle.files.filter((f) => f.lazy);
    if (main) {
      const top = r.bundle.byPackage.slice(0, 5).map((p) => `${p.name} ${kb(p.bytes)}`).join(', ');
      row([
        'bundle: `dist/extension.js` (loaded at activation)',
        kb(main.bytes),
        '',
        '',
        `< ${kb(opts.bundleTargetBytes)} ${ok(main.bytes < opts.bundleTargetBytes && !r.bundle.heavyInActivationBundle.length)}`,
        `${main.bytes.toLocaleString('en-US')} bytes, ${kb(main.gzipBytes)} gzipped; by package: ${top}` +
          (r.bundle.largestSources?.length ? `; largest of src: ${r.bundle.largestSources.slice(0, 6).map((p) => `${p.name.replace(/^src\//, '')} ${kb(p.bytes)}`).join(', ')}` : '') +
          (r.bundle.heavyInActivationBundle.length ? `; HEAVY inside: ${r.bundle.heavyInActivationBundle.join(', ')}` : ''),
      ]);
    }
    for (const f of lazy) row([`bundle: \`${f.file}\` (lazy)`, kb(f.bytes), '', '', '', `${f.bytes.toLocaleString('en-US')} bytes, ${kb(f.gzipBytes)} gzipped; ${lazyWhat(f)}`]);
  } else if (r.bundleError) {
    row(['bundle', 'error', '', '', `< ${kb(opts.bundleTargetBytes)} ❌`, r.bundleError]);
  }

  if (s?.expandPaint) {
    statRow(
      `expand a ${opts.repos.toLocaleString('en-US')}-repository registry → first page rendered`,
      s.expandPaint,
      '',
      `click → first child row painted (in the DOM after ${ms(s.expandDom?.median)}); ` +
        (s.splitToRequest ? `split at the proxy (medians): click → request reaches the registry ${ms(s.splitToRequest.median)}, the request ${ms(s.splitRequest?.median)}, response → row painted ${ms(s.splitAfterResponse?.median)}; ` : '') +
        `a fresh VS Code per run${s.idleBeforeClick !== undefined ? ` (CPU ${Math.round(s.idleBeforeClick * 100)}% idle just before the clicks, median)` : ''}; first row “${s.firstRow}”, ${s.rowsShown} rows at the first level; ${s.requests} HTTP request${s.requests === '1' ? '' : 's'} on expand (${Object.entries(s.byKind).map(([k, v]) => `${k} ${v}`).join(', ')})`,
    );
    statRow(
      'anchor: the same first catalog page (`n=1000`), this client directly',
      s.anchor,
      '',
      'a fresh RegistryClient per fetch (new connection, no ping: as the expand, whose connection object is built ahead but has sent nothing), from the bench process, 3 before each VS Code run. Not quite the same footing: the bench process has run this code before (warm JIT), while the expand is the extension host’s first request (undici builds its pool and compiles its HTTP parser, VS Code’s patched net.connect reads its proxy settings); the row below measures that',
    );
    if (s.coldAnchor) {
      statRow(
        'anchor, cold: the same fetch as the first request of a fresh Node process',
        s.coldAnchor,
        '',
        `for comparison only (the ratio below is to the anchor above): code never run before, as in the extension host; expand ÷ this ${s.expandPaint ? `${(s.expandPaint.median / s.coldAnchor.median).toFixed(1)}×` : '–'}`,
      );
    }
    if (s.host) {
      row([
        'where the expand goes, inside the extension host',
        '',
        '',
        String(s.host.runs),
        '',
        `medians (host and page epoch clocks): click → the tree's getChildren(registry) called ${ms(s.host.clickToGetChildren.median)} (workbench → host messaging), getChildren ${ms(s.host.getChildren?.median)} (connection, the first catalog page over HTTP, the rows), resolved → row painted ${ms(s.host.resolvedToPaint?.median)} (tree items to the workbench, render); ` +
          `dist/network.js loaded after the click in ${s.host.networkAfterClick} of ${s.host.runs} runs (it is preloaded once the view shows a registry); longest host blocking during the expand ${ms(s.host.blocked.median)} (median). ` +
          'From CPU profiles of the host (`BENCH_EXPAND_PROFILE=1 BENCH_DEV_BUILD=1`): the tree’s own steps before the request take under a millisecond (the cached listing, which `workspace.fs` read through a round trip to the workbench, ~15–30 ms, is now read while the view shows the registry); the first-run code that used to follow (undici’s pool and HTTP parser, a WebAssembly module compiled function by function on first call; the link parser; VS Code’s patched `net.connect`, which loads the system certificates before its first socket) now runs once against a loopback listener of the extension’s own while the view shows the registries (src/registry/warmUp.ts): the host’s CPU between click and painted row went from ~33 ms to ~24 ms. What is left is mostly waiting: for the workbench’s messages and for the registry, whose answer to the same request is slower while VS Code renders beside it on this 2-core machine (the request at the proxy above, against the anchor); after the response: parsing, the paging guards’ fingerprints of the 1,000 names (client and tree), 36 tree items',
      ]);
    }
    if (s.anchor && (s.floorCold || s.floorWarm)) {
      const floorRow = (what: string, f: Stat | undefined, expand: Stat | undefined, note: string): void => {
        if (!f) return;
        const above = expand ? expand.median - f.median : undefined;
        statRow(
          what,
          f,
          '',
          `${note} Floor + anchor = ${ms(f.median + s.anchor!.median)}, ${((f.median + s.anchor!.median) / s.anchor!.median).toFixed(1)}× the anchor: the lowest expand ÷ anchor a tree that waits for this request can reach in this state` +
            (expand && above !== undefined ? `; the registry's expand in the same state ${ms(expand.median)} (${(expand.median / s.anchor!.median).toFixed(1)}×), ${ms(above)} above the floor: the request (anchor ${ms(s.anchor!.median)}) and the extension's own work, ${ms(above - s.anchor!.median)} beyond the request` : ''),
        );
      };
      floorRow(
        "VS Code's floor, cold: a view whose 36 rows come back at once, expanded first in its window",
        s.floorCold,
        s.expandPaint,
        "bench/vscode/floor: a second extension in the same window, one root row whose getChildren returns 36 rows shaped like the registry's first level (label, description, icon, context value, accessible name), no request, no work. Every other run expands it before the registry: VS Code's first expand in the window, as the registry's in the headline runs (compared with those).",
      );
      floorRow(
        "VS Code's floor, warm: the same view expanded after the registry",
        s.floorWarm,
        s.expandWarm,
        'In the headline runs, after the registry; compared with the registry expanded after the floor view in the other runs (VS Code’s side warm for both).',
      );
    }
    row(['expand ÷ anchor', s.ratio !== undefined ? `${s.ratio.toFixed(1)}×` : '–', '', '', `< 3× ${ok(s.ratio !== undefined && s.ratio < 3)}`, 'what VS Code (extension host → workbench → tree rendering) and the extension add on top of the request' + (s.floorCold && s.anchor ? `; VS Code alone (the cold floor above) is ${(s.floorCold.median / s.anchor.median).toFixed(1)}× the anchor, so a tree that waits for this request can at best reach ${((s.floorCold.median + s.anchor.median) / s.anchor.median).toFixed(1)}× in a fresh window${s.floorCold.median + s.anchor.median >= 3 * s.anchor.median ? ', above the target before any code of its own' : ''}` : '')]);
    if (s.floorCold && s.expandPaint && s.anchor) {
      const above = (s.expandPaint.median - s.floorCold.median) / s.anchor.median;
      row(['(expand − VS Code’s floor) ÷ anchor', `${above.toFixed(1)}×`, '', '', `< 3× ${ok(above < 3)}`, 'the part of the expand that is the extension’s (its code, and the request as it makes it from the extension host) over the same request made directly; both in the cold state, medians']);
    }
  } else if (r.status !== 'ok') {
    row(['expand → first page', r.status, '', '', '', r.reason ?? '']);
  }
  md.push(...rows);
  return md;
}

function lazyWhat(f: BundleFile): string {
  if (f.file.includes('client-ecr')) return 'AWS SDK (ECR), loaded when an ECR registry is used';
  if (f.file.includes('google-auth')) return 'google-auth-library, loaded when a GCR / Artifact Registry connection needs a token';
  if (f.file.endsWith('deploy.js')) return 'deploy-config engine + yaml, loaded on Link Image or an image hover';
  if (f.file.endsWith('language.js')) return 'image completion, diagnostics and quick fixes, loaded when a deploy file is opened';
  if (f.file.endsWith('network.js')) return 'the network side (undici, the registry client, the schemas, Generic v2, the provider registry), loaded on the first request';
  if (f.file.endsWith('find.js')) return "Find's picker and reveal, loaded on the command's first use";
  if (f.file.endsWith('link.js')) return "Link Image's flow and pickers, loaded on the command's first use";
  if (f.file.endsWith('wizard.js')) return "the Connect wizard's panel and controller, loaded when it first opens";
  if (f.file.endsWith('writes.js')) return 'Copy Image To, Add Tag, Delete Repository, loaded on the first of them';
  if (f.file.endsWith('semver.js')) return "semver's coerce and parse, loaded when the tag order meets a tag its own version pattern leaves alone (`1.25`, `3.19-alpine`)";
  if (f.file.endsWith('nameListWorker.js')) return 'not loaded by the extension host: a worker thread runs it to read listing pages of 256 KB or more (100,000 tags in one page) off the host’s thread';
  if (f.file.endsWith('providers.js')) return 'the cloud providers (Docker Hub, GitHub, ECR, Google, ACR, DigitalOcean, Quay), loaded when such a registry is used';
  return 'loaded on first use';
}
