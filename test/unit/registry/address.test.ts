// The address classifier that decides where credentials and requests may go. The properties
// check the address a socket would reach, in every spelling the URL parser produces, against
// a plain oracle written from the RFCs' numbers.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { classifyHost, isLoopbackHost, isPrivateHost, type AddressKind } from '../../../src/registry/address';
import { parseEndpoint } from '../../../src/registry/endpoint';

const RUNS = { numRuns: 300 };

type V4 = [number, number, number, number];

/** What each IPv4 address is, from the registries' numbers (RFC 1918, 6598, 3927, 6890). */
function oracle([a, b, c]: V4): AddressKind {
  if (a === 127) return 'loopback';
  if (a === 0) return 'unspecified';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)) return 'private';
  if (a === 169 && b === 254) return 'linkLocal';
  if ((a === 192 && b === 0 && c === 0) || (a === 198 && (b === 18 || b === 19)) || a >= 224) return 'reserved';
  return 'public';
}

const byte = fc.integer({ min: 0, max: 255 });
const anyV4 = fc.tuple(byte, byte, byte, byte) as fc.Arbitrary<V4>;
/** Addresses inside each special block, which uniform bytes would rarely hit. */
const inBlock = fc.oneof(
  fc.tuple(fc.constant(127), byte, byte, byte),
  fc.tuple(fc.constant(0), byte, byte, byte),
  fc.tuple(fc.constant(10), byte, byte, byte),
  fc.tuple(fc.constant(172), fc.integer({ min: 16, max: 31 }), byte, byte),
  fc.tuple(fc.constant(192), fc.constant(168), byte, byte),
  fc.tuple(fc.constant(100), fc.integer({ min: 64, max: 127 }), byte, byte),
  fc.tuple(fc.constant(169), fc.constant(254), byte, byte),
) as fc.Arbitrary<V4>;
const v4 = fc.oneof(anyV4, inBlock);

const hex = (n: number): string => n.toString(16);
const hi = ([a, b]: V4): number => (a << 8) | b;
const lo = ([, , c, d]: V4): number => (c << 8) | d;
const asInt = (ip: V4): number => ((ip[0] << 24) >>> 0) + (ip[1] << 16) + (ip[2] << 8) + ip[3];

/** Every way to write an IPv4 address in a URL that reaches it. */
function spellings(ip: V4): { how: string; host: string }[] {
  const dotted = ip.join('.');
  return [
    { how: 'dotted', host: dotted },
    { how: 'trailing dot', host: `${dotted}.` },
    { how: 'decimal', host: String(asInt(ip)) },
    { how: 'hex', host: `0x${hex(asInt(ip))}` },
    { how: 'mapped dotted', host: `[::ffff:${dotted}]` },
    { how: 'mapped hex', host: `[::FFFF:${hex(hi(ip))}:${hex(lo(ip))}]` },
    { how: 'mapped long', host: `[0:0:0:0:0:ffff:${hex(hi(ip))}:${hex(lo(ip))}]` },
    { how: 'compatible', host: `[::${dotted}]` },
    { how: 'translated', host: `[::ffff:0:${dotted}]` },
    { how: 'nat64', host: `[64:ff9b::${dotted}]` },
    { how: '6to4', host: `[2002:${hex(hi(ip))}:${hex(lo(ip))}::1]` },
  ];
}

/** What the URL parser makes of a host: the form every rule in the extension sees. */
const parsed = (host: string): string => new URL(`http://${host}:5000/`).hostname;

describe('address classifier', () => {
  test('the bypasses from the review are closed', () => {
    const cases: [string, AddressKind][] = [
      ['[::ffff:127.0.0.1]', 'loopback'],
      ['[::ffff:169.254.169.254]', 'linkLocal'],
      ['[::]', 'unspecified'],
      ['[::7f00:1]', 'loopback'],
      ['localhost.', 'loopback'],
      ['LOCALHOST..', 'loopback'],
      ['0.0.0.0', 'unspecified'],
      ['100.64.0.1', 'private'],
      ['[fe80::1]', 'linkLocal'],
      ['[febf::1]', 'linkLocal'],
      ['[fc00::1]', 'private'],
      ['[fdff:ffff::1]', 'private'],
      ['169.254.169.254', 'linkLocal'],
      ['metadata.google.internal', 'private'],
      ['registry', 'private'],
    ];
    for (const [host, kind] of cases) {
      assert.equal(classifyHost(host), kind, host);
      assert.equal(classifyHost(parsed(host)), kind, `${host} as the URL parser writes it (${parsed(host)})`);
      assert.ok(isPrivateHost(parsed(host)), host);
    }
    for (const host of ['8.8.8.8', '[2001:4860:4860::8888]', '[::ffff:8.8.8.8]', 'ghcr.io', 'registry-1.docker.io', '172.32.0.1', '100.128.0.1']) {
      assert.equal(classifyHost(parsed(host)), 'public', host);
    }
  });

  test('every IPv4 address, in every spelling the URL parser accepts, is classified as the address it reaches', () => {
    fc.assert(
      fc.property(v4, (ip) => {
        const expected = oracle(ip);
        for (const { how, host } of spellings(ip)) {
          const kind = classifyHost(parsed(host));
          // `::0.0.0.0` and `::0.0.0.1` are `::` and `::1`: still this computer.
          const compatEdge = how === 'compatible' && ip[0] === 0 && ['loopback', 'unspecified'].includes(kind);
          assert.ok(kind === expected || compatEdge, `${ip.join('.')} written ${how} (${host} → ${parsed(host)}): ${kind}, expected ${expected}`);
          assert.equal(isPrivateHost(parsed(host)), expected !== 'public' || compatEdge, host);
        }
      }),
      RUNS,
    );
  });

  test('IPv6 link-local, unique-local and multicast blocks, whatever the host bits', () => {
    const group = fc.integer({ min: 0, max: 0xffff });
    const rest = fc.array(group, { minLength: 7, maxLength: 7 });
    const blocks: [string, number, number, AddressKind][] = [
      ['fe80::/10', 0xfe80, 0xffc0, 'linkLocal'],
      ['fc00::/7', 0xfc00, 0xfe00, 'private'],
      ['ff00::/8', 0xff00, 0xff00, 'reserved'],
    ];
    for (const [name, prefix, mask, kind] of blocks) {
      fc.assert(
        fc.property(group, rest, (first, others) => {
          const g0 = prefix | (first & ~mask & 0xffff);
          const host = `[${[g0, ...others].map(hex).join(':')}]`;
          assert.equal(classifyHost(parsed(host)), kind, `${host} in ${name}`);
        }),
        { numRuns: 100 },
      );
    }
  });

  test('names: case and trailing dots do not change the answer', () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
    const cases: [fc.Arbitrary<string>, AddressKind][] = [
      [fc.constant('localhost'), 'loopback'],
      [label.map((l) => `${l}.localhost`), 'loopback'],
      [label.map((l) => `${l}.internal`), 'private'],
      [label.map((l) => `${l}.example.com`), 'public'],
    ];
    for (const [names, kind] of cases) {
      fc.assert(
        fc.property(names, fc.integer({ min: 0, max: 2 }), fc.boolean(), (name, dots, upper) => {
          const host = `${upper ? name.toUpperCase() : name}${'.'.repeat(dots)}`;
          assert.equal(classifyHost(host), kind, host);
        }),
        { numRuns: 50 },
      );
    }
  });

  test('plain HTTP is automatic exactly where the classifier says loopback', () => {
    fc.assert(
      fc.property(v4, (ip) => {
        for (const { host } of spellings(ip)) {
          let allowed: boolean;
          try {
            parseEndpoint(`http://${host}:5000`);
            allowed = true;
          } catch {
            allowed = false;
          }
          assert.equal(allowed, isLoopbackHost(parsed(host)), host);
        }
      }),
      { numRuns: 100 },
    );
  });
});
