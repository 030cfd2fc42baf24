// The README's bench section holds one block per bench part, so that `npm run bench -- --readme`
// rewrites the blocks of the parts it ran and leaves every other byte of the file as it was: a
// run of one part (BENCH_PARTS=scale) keeps the other parts' figures. The layout:
//
//   <!-- bench:start -->
//   the intro, kept as written
//
//   <!-- bench:clients:start -->
//   Last run: … (its own date, commit, machine and load: parts may come from different runs)
//   … the part's figures …
//   <!-- bench:clients:end -->
//   … one block per part …
//   <!-- bench:end -->
//
// A part without a block yet (a new part's first run) gets one appended at the end of the
// section. Markers that are broken (one of a pair, twice, outside the section) stop the whole
// rewrite before anything is written, so a bad README loses nothing.

/** What one part of a run reports: its Markdown, with `###` headings (the results file's level). */
export interface PartReport {
  part: string;
  lines: string[];
}

/** What the Last run line of a block says about the run that produced it. */
export interface RunFacts {
  /** ISO time the run finished. */
  date: string;
  commit: string;
  cores: number;
  cpu: string;
  node: string;
  /** The parts the run had, in order. */
  parts: readonly string[];
  wallMs: number;
  /** 1-minute load average over the run. */
  load: { start: number; end: number; mean: number; max: number };
}

export const SECTION_START = '<!-- bench:start -->';
export const SECTION_END = '<!-- bench:end -->';
const PART_NAME = /^[a-z][a-z0-9-]*$/;

export function blockMarkers(part: string): { start: string; end: string } {
  return { start: `<!-- bench:${part}:start -->`, end: `<!-- bench:${part}:end -->` };
}

/** The first line of every block: which run the figures below it come from, and how loaded the machine was. */
export function lastRunLine(run: RunFacts): string {
  const busy = run.load.max > run.cores;
  return (
    `Last run: ${run.date.slice(0, 16).replace('T', ' ')} UTC, commit ${run.commit} (plus the working tree), ${run.cores}× ${run.cpu}, Node ${run.node}; ` +
    `a run of ${run.parts.join(', ')} (wall time ${(run.wallMs / 1000).toFixed(1)} s), 1-minute load average ${run.load.start.toFixed(1)} at the start, ${run.load.end.toFixed(1)} at the end, ` +
    `mean ${run.load.mean.toFixed(1)}, peak ${run.load.max.toFixed(1)} (sampled every 5 s)${busy ? ': a shared, busy machine, so absolute times are inflated' : ''}.`
  );
}

/** A part's block body: its Last run line, then its figures with headings one level down (the README nests them under ##). */
export function blockBody(report: PartReport, run: RunFacts): string {
  return [lastRunLine(run), '', ...report.lines].join('\n').replace(/^### /gm, '#### ').replace(/\n+$/, '');
}

export type RewriteResult = { ok: true; text: string; replaced: string[]; appended: string[] } | { ok: false; problem: string };

function occurrences(text: string, needle: string): number[] {
  const at: number[] = [];
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length)) at.push(i);
  return at;
}

/**
 * The README with the blocks of `bodies` (part → body) rewritten in place, or appended at the
 * end of the bench section when the README has no block for that part yet. Every other byte
 * stays as it was. A broken marker is a problem that says which marker and what to do; then
 * nothing is rewritten.
 */
export function rewriteBenchBlocks(readme: string, bodies: ReadonlyMap<string, string>): RewriteResult {
  const sectionStarts = occurrences(readme, SECTION_START);
  const sectionEnds = occurrences(readme, SECTION_END);
  if (sectionStarts.length !== 1 || sectionEnds.length !== 1 || sectionEnds[0]! < sectionStarts[0]!) {
    const what = !sectionStarts.length || !sectionEnds.length ? 'has no' : 'has a broken';
    return {
      ok: false,
      problem: `README.md ${what} bench section: it needs one ${SECTION_START} and, after it, one ${SECTION_END}. Put them back around the section, then run again.`,
    };
  }
  const inside = { from: sectionStarts[0]! + SECTION_START.length, to: sectionEnds[0]! };

  const edits: { from: number; to: number; text: string }[] = [];
  const replaced: string[] = [];
  const appended: string[] = [];
  for (const [part, body] of bodies) {
    if (!PART_NAME.test(part)) return { ok: false, problem: `“${part}” cannot name a README bench block: use lower-case letters, digits and hyphens.` };
    const { start, end } = blockMarkers(part);
    const starts = occurrences(readme, start);
    const ends = occurrences(readme, end);
    if (!starts.length && !ends.length) {
      appended.push(part);
      continue;
    }
    const a = starts[0];
    const b = ends[0];
    if (starts.length > 1 || ends.length > 1) return { ok: false, problem: `README.md has the ${part} block's markers more than once: keep one ${start} … ${end} pair, then run again.` };
    if (a === undefined || b === undefined) {
      const [has, lacks] = a === undefined ? [end, start] : [start, end];
      return { ok: false, problem: `README.md has ${has} but no ${lacks}: put the missing marker back (or remove both to have the block appended), then run again.` };
    }
    if (b < a) return { ok: false, problem: `README.md has ${end} before ${start}: put the ${part} block's markers in order, then run again.` };
    if (a < inside.from || b + end.length > inside.to) return { ok: false, problem: `README.md has the ${part} block outside the bench section (${SECTION_START} … ${SECTION_END}): move it inside, then run again.` };
    edits.push({ from: a + start.length, to: b, text: `\n${body}\n` });
    replaced.push(part);
  }
  if (appended.length) {
    // New blocks go last in the section, each after a blank line.
    const before = readme.slice(0, inside.to);
    const lead = before.endsWith('\n\n') ? '' : before.endsWith('\n') ? '\n' : '\n\n';
    const text = appended.map((part) => `${blockMarkers(part).start}\n${bodies.get(part)}\n${blockMarkers(part).end}\n`).join('\n');
    edits.push({ from: inside.to, to: inside.to, text: lead + text });
  }
  let text = readme;
  for (const e of edits.sort((x, y) => y.from - x.from)) text = text.slice(0, e.from) + e.text + text.slice(e.to);
  return { ok: true, text, replaced, appended };
}
