// Property tests for the image reference parser: whatever a deploy file or a user types, the
// parser either refuses it with a plain `invalid` RegistryError or returns parts that are safe
// to write back into YAML and URLs, and what it formats parses back to itself.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { isRegistryError } from '../../../src/registry/errors';
import { familiarReference, formatReference, isTag, isValidRepository, parseReference } from '../../../src/registry/reference';

const RUNS = { numRuns: 500 };

const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split(''));
const word = fc.array(alnum, { minLength: 1, maxLength: 8 }).map((a) => a.join(''));
const separator = fc.constantFrom('.', '_', '__', '-', '--');
const componentOf = (sep: fc.Arbitrary<string>) => fc.tuple(word, fc.array(fc.tuple(sep, word), { maxLength: 2 })).map(([w, rest]) => w + rest.map(([s, x]) => s + x).join(''));
// A first component with a dot or a colon would be a registry host (Docker's rule), so the
// first one has none.
const path = fc
  .tuple(componentOf(fc.constantFrom('_', '__', '-')), fc.array(componentOf(separator), { maxLength: 3 }))
  .map(([first, rest]) => [first, ...rest].join('/'));
const host = fc.oneof(
  fc.tuple(word, fc.constantFrom('.io', '.com', '.example.org')).map(([a, b]) => a + b),
  fc.constantFrom('localhost', '127.0.0.1', '[::1]'),
  fc.tuple(word, fc.integer({ min: 1, max: 65535 })).map(([w, p]) => `${w}.test:${p}`),
);
const tag = fc.tuple(fc.constantFrom(...'abcXYZ019_'.split('')), fc.array(fc.constantFrom(...'abcXYZ019_.-'.split('')), { maxLength: 20 })).map(([a, b]) => a + b.join(''));
const digest = fc.array(fc.constantFrom(...'0123456789abcdef'.split('')), { minLength: 64, maxLength: 64 }).map((h) => `sha256:${h.join('')}`);
const reference = fc
  .record({ host: fc.option(host, { nil: undefined }), path, tag: fc.option(tag, { nil: undefined }), digest: fc.option(digest, { nil: undefined }) })
  .map((r) => `${r.host ? `${r.host}/` : ''}${r.path}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`);

describe('image reference parser (property-based)', () => {
  test('any text: a result with safe parts, or an `invalid` RegistryError — never anything else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), reference.map((r) => r + ' #x'), fc.constantFrom('a:b:c', '@', ':', '/', 'a//b', 'A/b', 'x@sha256:zz')), (input) => {
        let ref;
        try {
          ref = parseReference(input);
        } catch (e) {
          assert.ok(isRegistryError(e, 'invalid'), `threw ${String(e)}`);
          return;
        }
        // What we may write into YAML: no space, comment, quote, newline or control character.
        const written = formatReference(ref);
        assert.doesNotMatch(written, /[\s#"'`\\\u0000-\u001f]/);
        assert.ok(isValidRepository(ref.repository));
        if (ref.tag) assert.ok(isTag(ref.tag));
        if (ref.digest) assert.match(ref.digest, /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/);
      }),
      RUNS,
    );
  });

  test('valid references round-trip through the full and the familiar form', () => {
    fc.assert(
      fc.property(reference, (input) => {
        const ref = parseReference(input);
        assert.deepEqual(parseReference(formatReference(ref)), ref);
        assert.deepEqual(parseReference(familiarReference(ref)), ref);
      }),
      RUNS,
    );
  });

  test('tag and digest are never confused with a registry port', () => {
    fc.assert(
      fc.property(host, path, fc.option(tag, { nil: undefined }), (h, p, t) => {
        const ref = parseReference(`${h}/${p}${t ? `:${t}` : ''}`, { defaultTag: false });
        assert.equal(ref.repository, p);
        assert.equal(ref.tag, t);
      }),
      RUNS,
    );
  });
});
