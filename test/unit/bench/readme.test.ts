// The README's bench blocks (bench/readme.ts): a run rewrites the blocks of the parts it ran,
// appends a block for a part the README has none for, leaves every other byte alone, and
// writes nothing when a marker is broken.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { blockBody, rewriteBenchBlocks, type RunFacts } from '../../../bench/readme';

const README = [
  '# Project',
  '',
  '## Benchmarks',
  '',
  'Intro that stays.',
  '',
  '<!-- bench:start -->',
  'How to run the bench.',
  '',
  '<!-- bench:clients:start -->',
  'Last run: old clients run',
  '',
  '#### Plain | 79.1 ms |',
  '<!-- bench:clients:end -->',
  '',
  '<!-- bench:vscode:start -->',
  'Last run: old vscode run',
  '',
  '#### Extension in VS Code | 44.4 ms |',
  '<!-- bench:vscode:end -->',
  '',
  '<!-- bench:scale:start -->',
  'Last run: old scale run',
  '<!-- bench:scale:end -->',
  '<!-- bench:end -->',
  '',
  '## Settings',
  '',
].join('\n');

const RUN: RunFacts = {
  date: '2026-12-07T03:10:42.123Z',
  commit: 'abc1234',
  cores: 2,
  cpu: 'Test CPU',
  node: 'v20.20.2',
  parts: ['scale'],
  wallMs: 123_456,
  load: { start: 1, end: 3, mean: 2.5, max: 4 },
};

function between(text: string, from: string, to: string): string {
  const a = text.indexOf(from);
  const b = text.indexOf(to, a);
  assert.ok(a >= 0 && b > a, `${from} … ${to} in the text`);
  return text.slice(a, b + to.length);
}

function rewrite(readme: string, bodies: Record<string, string>) {
  return rewriteBenchBlocks(readme, new Map(Object.entries(bodies)));
}

describe('README bench blocks', () => {
  test('a run of one part rewrites its block and leaves every other byte of the file as it was', () => {
    const r = rewrite(README, { scale: 'Last run: new scale run\n\n#### Scale | 20,001 |' });
    assert.ok(r.ok);
    assert.deepEqual(r.replaced, ['scale']);
    assert.deepEqual(r.appended, []);
    assert.equal(between(r.text, '<!-- bench:scale:start -->', '<!-- bench:scale:end -->'), '<!-- bench:scale:start -->\nLast run: new scale run\n\n#### Scale | 20,001 |\n<!-- bench:scale:end -->');
    const cut = (s: string) => s.slice(0, s.indexOf('<!-- bench:scale:start -->')) + s.slice(s.indexOf('<!-- bench:scale:end -->'));
    assert.equal(cut(r.text), cut(README));
  });

  test('several parts: each rewritten in place, in the README’s order, whatever order the run reports them in', () => {
    const r = rewrite(README, { vscode: 'V', clients: 'C' });
    assert.ok(r.ok);
    assert.deepEqual(r.replaced.sort(), ['clients', 'vscode']);
    assert.ok(r.text.includes('<!-- bench:clients:start -->\nC\n<!-- bench:clients:end -->\n\n<!-- bench:vscode:start -->\nV\n<!-- bench:vscode:end -->\n\n<!-- bench:scale:start -->\nLast run: old scale run\n'));
    assert.ok(r.text.startsWith('# Project\n\n## Benchmarks\n\nIntro that stays.\n\n<!-- bench:start -->\nHow to run the bench.\n\n<!-- bench:clients:start -->'));
    assert.ok(r.text.endsWith('<!-- bench:scale:end -->\n<!-- bench:end -->\n\n## Settings\n'));
  });

  test('a part without a block gets one at the end of the section, after a blank line; the others stay', () => {
    const r = rewrite(README, { language: 'Last run: first language run', scale: 'S' });
    assert.ok(r.ok);
    assert.deepEqual(r.replaced, ['scale']);
    assert.deepEqual(r.appended, ['language']);
    assert.ok(r.text.endsWith('<!-- bench:scale:start -->\nS\n<!-- bench:scale:end -->\n\n<!-- bench:language:start -->\nLast run: first language run\n<!-- bench:language:end -->\n<!-- bench:end -->\n\n## Settings\n'));
    assert.equal(between(r.text, '<!-- bench:clients:start -->', '<!-- bench:vscode:end -->'), between(README, '<!-- bench:clients:start -->', '<!-- bench:vscode:end -->'));
    // Run again: the new block is now rewritten in place, not appended twice.
    const again = rewrite(r.text, { language: 'Last run: second language run' });
    assert.ok(again.ok);
    assert.deepEqual(again.appended, []);
    assert.equal(again.text, r.text.replace('first language run', 'second language run'));
  });

  test('two new parts in a section with no blocks yet', () => {
    const r = rewrite('<!-- bench:start -->\nIntro.\n<!-- bench:end -->\n', { copy: 'A', language: 'B' });
    assert.ok(r.ok);
    assert.equal(r.text, '<!-- bench:start -->\nIntro.\n\n<!-- bench:copy:start -->\nA\n<!-- bench:copy:end -->\n\n<!-- bench:language:start -->\nB\n<!-- bench:language:end -->\n<!-- bench:end -->\n');
  });

  test('missing or broken markers are reported, say what to do, and nothing is rewritten', () => {
    const cases: [string, string, RegExp][] = [
      ['no section', README.replace('<!-- bench:start -->', '').replace('<!-- bench:end -->', ''), /has no bench section.*<!-- bench:start -->.*<!-- bench:end -->.*run again/],
      ['section end missing', README.replace('<!-- bench:end -->', ''), /has no bench section/],
      ['section twice', README + '<!-- bench:start -->\n', /has a broken bench section/],
      ['block end missing', README.replace('<!-- bench:scale:end -->', ''), /has <!-- bench:scale:start --> but no <!-- bench:scale:end -->: put the missing marker back/],
      ['block start missing', README.replace('<!-- bench:scale:start -->', ''), /has <!-- bench:scale:end --> but no <!-- bench:scale:start -->/],
      ['block twice', README.replace('<!-- bench:end -->', '<!-- bench:scale:start -->\nx\n<!-- bench:scale:end -->\n<!-- bench:end -->'), /scale block's markers more than once/],
      ['block outside the section', README.replace('<!-- bench:scale:start -->\nLast run: old scale run\n<!-- bench:scale:end -->\n', '') + '<!-- bench:scale:start -->\n<!-- bench:scale:end -->\n', /scale block outside the bench section/],
      ['markers reversed', README.replace('<!-- bench:scale:start -->', '@@').replace('<!-- bench:scale:end -->', '<!-- bench:scale:start -->').replace('@@', '<!-- bench:scale:end -->'), /<!-- bench:scale:end --> before <!-- bench:scale:start -->/],
    ];
    for (const [what, readme, problem] of cases) {
      const r = rewrite(readme, { clients: 'NEW', scale: 'NEW' });
      assert.equal(r.ok, false, what);
      assert.match(r.ok ? '' : r.problem, problem, what);
    }
    const r = rewrite(README, { 'Bad Name': 'x' });
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.problem, /“Bad Name” cannot name a README bench block/);
  });

  test('a block body: the Last run line (date, commit, machine, load), then the figures one heading level down', () => {
    const body = blockBody({ part: 'scale', lines: ['Intro.', '', '### Scale: 20,001 repositories', '', '| a | b |', ''] }, RUN);
    const [first, ...rest] = body.split('\n');
    assert.equal(
      first,
      'Last run: 2026-12-07 03:10 UTC, commit abc1234 (plus the working tree), 2× Test CPU, Node v20.20.2; a run of scale (wall time 123.5 s), 1-minute load average 1.0 at the start, 3.0 at the end, mean 2.5, peak 4.0 (sampled every 5 s): a shared, busy machine, so absolute times are inflated.',
    );
    assert.deepEqual(rest, ['', 'Intro.', '', '#### Scale: 20,001 repositories', '', '| a | b |']);
    assert.ok(!blockBody({ part: 'x', lines: [] }, { ...RUN, load: { start: 0.5, end: 0.5, mean: 0.5, max: 1 } }).includes('busy'));
  });

  test("this repository's README: one block per part, rewriting one keeps the others byte for byte", () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    for (const part of ['clients', 'vscode', 'scale']) {
      const r = rewrite(readme, { [part]: blockBody({ part, lines: ['x'] }, RUN) });
      assert.ok(r.ok, r.ok ? '' : r.problem);
      assert.deepEqual(r.replaced, [part]);
      for (const other of ['clients', 'vscode', 'scale'].filter((p) => p !== part)) {
        assert.equal(between(r.text, `<!-- bench:${other}:start -->`, `<!-- bench:${other}:end -->`), between(readme, `<!-- bench:${other}:start -->`, `<!-- bench:${other}:end -->`));
      }
      assert.match(between(readme, `<!-- bench:${part}:start -->`, `<!-- bench:${part}:end -->`), new RegExp(`^<!-- bench:${part}:start -->\\nLast run: `));
    }
  });
});
