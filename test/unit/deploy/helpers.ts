// Shared by the deploy tests: fixture loading and whole-file expectations.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyEdits, findReferences, type DeployRef, type LinkResult, type ScanResult } from '../../../src/deploy/index';
import type { ImageReference } from '../../../src/registry/reference';

export const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'deploy');

export const DIGEST = 'sha256:b8ac6f43fdba65838ae53a6638e18f5b89ea0f0429492d930a3dd249e0512585';

export function fixture(rel: string): string {
  return readFileSync(join(FIXTURES, rel), 'utf8');
}

export function scanFixture(rel: string, options: { configured?: boolean; target?: ImageReference } = {}): ScanResult {
  return findReferences([{ path: rel, text: fixture(rel) }], {
    ...(options.configured ? { configured: [rel] } : {}),
    ...(options.target ? { target: options.target } : {}),
  });
}

/** The one ref of a fixture with this label. */
export function refOf(rel: string, label: string): DeployRef {
  const hits = scanFixture(rel, { configured: rel.startsWith('generic/') }).refs.filter((r) => r.label === label);
  assert.equal(hits.length, 1, `${rel}: one ref labelled ${label}`);
  return hits[0];
}

/** `text` with each `[from, to]` applied; each `from` must occur exactly once. */
export function edited(text: string, ...changes: [string, string][]): string {
  let out = text;
  for (const [from, to] of changes) {
    const at = out.indexOf(from);
    assert.ok(at >= 0, `expected text contains ${JSON.stringify(from)}`);
    assert.equal(out.indexOf(from, at + 1), -1, `${JSON.stringify(from)} occurs once`);
    out = out.slice(0, at) + to + out.slice(at + from.length);
  }
  return out;
}

/**
 * The edits are sorted, do not overlap, produce `result.text`, and every byte between them is
 * the original's.
 */
export function assertMinimal(original: string, result: LinkResult): void {
  let cursor = 0;
  let out = '';
  for (const e of result.edits) {
    assert.ok(e.offset >= cursor, 'edits sorted and not overlapping');
    out += original.slice(cursor, e.offset) + e.newText;
    cursor = e.offset + e.length;
  }
  out += original.slice(cursor);
  assert.equal(out, result.text);
  assert.equal(applyEdits(original, result.edits), result.text);
}

/** `[line, column, shape, value, label]` rows: compact to compare whole scans. */
export function rows(refs: DeployRef[]): [number, number, string, string, string][] {
  return refs.map((r) => [r.line, r.column, r.shape, r.value, r.label]);
}

export const target = (registry: string, repository: string, tag?: string, digest?: string): ImageReference => ({
  registry,
  repository,
  ...(tag ? { tag } : {}),
  ...(digest ? { digest } : {}),
});
