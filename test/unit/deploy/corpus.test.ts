// Every reference in the fixture corpus, linked in every mode: the edits are minimal, the file
// still parses, the ref now says what describeChange promised, no other ref changed, CRLF
// files stay CRLF, and linking again is a no-op.

import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { describeChange, findReferences, linkReference, planChange, type DeployRef, type LinkMode } from '../../../src/deploy/index';
import { assertMinimal, DIGEST, FIXTURES, fixture, target } from './helpers';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

const files = walk(FIXTURES)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => relative(FIXTURES, f).split('\\').join('/'))
  .filter((f) => !f.startsWith('broken/'))
  .sort();
const scan = (path: string, text: string) => findReferences([{ path, text }], { configured: ['generic/deploy.yaml'] });
const key = (r: DeployRef) => JSON.stringify([r.document, r.path]);
const MODES: LinkMode[] = ['tag', 'digest', 'tag@digest'];
const short = (s: string) => s.replace(/([a-z0-9]+:[a-f0-9]{12})[a-f0-9]{20,}/g, '$1…');

describe('every fixture ref, every mode', () => {
  for (const path of files) {
    it(path, () => {
      const original = fixture(path);
      const { refs, problems } = scan(path, original);
      assert.deepEqual(problems, []);
      for (const ref of refs) {
        const image = ref.image ?? target('docker.io', 'library/traefik');
        const t = target(image.registry, image.repository, 'v9.9.9', DIGEST);
        for (const mode of MODES) {
          const what = `${ref.label} (${mode})`;
          // Consent given: refs whose variables cannot stay are covered here too (interpolation.test.ts has the refusals).
          const result = linkReference(original, ref, t, mode, { allowReplace: true });
          assertMinimal(original, result);
          assert.ok(result.edits.length > 0, what);
          const after = scan(path, result.text);
          assert.deepEqual(after.problems, [], what);
          const byKey = new Map(after.refs.map((r) => [key(r), r]));
          const linked = byKey.get(key(ref));
          assert.ok(linked, what);
          assert.equal(describeChange(ref, t, mode), short(`${ref.value} → ${linked.value}`), what);
          assert.equal(planChange(ref, t, mode).after, linked.value, what);
          for (const other of refs) {
            // Refs that edit the same anchored scalar change together, by design (`shared`).
            const sharesText = Object.values(other.fields).some((f) => Object.values(ref.fields).some((g) => g.offset === f.offset));
            if (other !== ref && !sharesText) assert.equal(byKey.get(key(other))?.value, other.value, `${what} left ${other.label} alone`);
          }
          if (original.includes('\r\n')) assert.doesNotMatch(result.text, /[^\r]\n/, `${what}: CRLF kept`);
          assert.deepEqual(linkReference(result.text, linked, t, mode, { allowReplace: true }).edits, [], `${what}: idempotent`);
        }
      }
    });
  }
});
