// WWW-Authenticate comes from servers we do not control: the parser must read back any
// well-formed header exactly, and survive anything else without throwing.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseChallenges, type Challenge } from '../../../src/registry/challenge';

const TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const token = fc.string({ unit: fc.constantFrom(...TCHARS), minLength: 1, maxLength: 12 });
/** Parameter names, with the ones that mean something to a plain JS object (found by this test). */
const paramName = fc.oneof(token, fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty'));
const scheme = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,9}$/);
/** Values as servers send them: commas, quotes, backslashes, spaces and non-ASCII included. */
const value = fc.string({ unit: fc.oneof(fc.constantFrom(',', '"', '\\', ' ', '=', ':', '/'), fc.integer({ min: 0x20, max: 0x7e }).map((n) => String.fromCharCode(n)), fc.constantFrom('é', '→', '\t')), maxLength: 24 });

interface Generated {
  scheme: string;
  params: [string, string, boolean][];
}

const challenge: fc.Arbitrary<Generated> = fc.record({
  scheme,
  params: fc.uniqueArray(fc.tuple(paramName, value, fc.boolean()), { maxLength: 4, selector: ([name]) => name.toLowerCase() }),
});

const quote = (s: string): string => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
const isToken = (s: string): boolean => s.length > 0 && [...s].every((c) => TCHARS.includes(c));

function serialize(c: Generated): string {
  const params = c.params.map(([name, v, asToken]) => `${name}=${asToken && isToken(v) ? v : quote(v)}`);
  return params.length ? `${c.scheme} ${params.join(', ')}` : c.scheme;
}

const expected = (c: Generated): Challenge => ({
  scheme: c.scheme.toLowerCase(),
  params: Object.fromEntries(c.params.map(([name, v]) => [name.toLowerCase(), v])),
});

describe('WWW-Authenticate parser, properties', () => {
  test('generated challenges read back exactly, on one line or several', () => {
    fc.assert(
      fc.property(fc.array(challenge, { minLength: 1, maxLength: 4 }), fc.constantFrom(', ', ',', ' ,  '), fc.boolean(), (list, sep, lines) => {
        const header = lines ? list.map(serialize) : list.map(serialize).join(sep);
        assert.deepEqual(parseChallenges(header), list.map(expected), JSON.stringify(header));
      }),
      { numRuns: 500 },
    );
  });

  test('a parameter named __proto__ is a parameter, and the params object keeps its prototype', () => {
    const [c] = parseChallenges('Bearer __proto__="x", realm="https://r.example/token", constructor=y');
    assert.deepEqual(Object.keys(c!.params), ['__proto__', 'realm', 'constructor']);
    assert.equal(c!.params.realm, 'https://r.example/token');
    assert.equal(Object.getPrototypeOf(c!.params), Object.prototype);
  });

  test('never throws, and returns only well-formed challenges, on arbitrary input', () => {
    const noise = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.string({ unit: fc.constantFrom('Bearer', 'Basic', ' ', ',', '=', '"', '\\', 'realm', 'a', '\t'), maxLength: 60 }),
    );
    fc.assert(
      fc.property(fc.oneof(noise, fc.array(noise, { maxLength: 3 })), (input) => {
        const out = parseChallenges(input);
        for (const c of out) {
          assert.match(c.scheme, /^[!#$%&'*+\-.^_`|~0-9a-z]+$/);
          for (const [k, v] of Object.entries(c.params)) {
            assert.equal(k, k.toLowerCase());
            assert.equal(typeof v, 'string');
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});
