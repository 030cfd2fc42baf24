// The rebinding check on the resolver's answers: which names must resolve public, every record
// of a multi-record answer checked, and the error a person reads.

import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { describe, test } from 'node:test';
import { RegistryError } from '../../../src/registry/errors';
import { publicNamesResolvePublic, type Resolver } from '../../../src/registry/resolvedAddress';

/** A resolver answering `answers[name]`, as dns.lookup would with and without `all`. */
function fixed(answers: Record<string, string[]>): Resolver {
  return ((hostname: string, options: { all?: boolean }, callback: (...a: unknown[]) => void) => {
    const list: LookupAddress[] = (answers[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    if (list.length === 0) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), undefined);
    if (options.all) callback(null, list);
    else callback(null, list[0]!.address, list[0]!.family);
  }) as Resolver;
}

const resolve = publicNamesResolvePublic(
  fixed({
    'registry.example.com': ['93.184.216.34', '2606:2800:220:1::1'],
    'rebind.example': ['127.0.0.1'],
    'metadata.example': ['169.254.169.254'],
    'mixed.example': ['93.184.216.34', 'fd00::5'],
    'mapped.example': ['::ffff:7f00:1'],
    localhost: ['127.0.0.1'],
    'registry.local': ['10.0.0.5'],
    'registry.corp': ['10.0.0.6'],
    registry: ['192.168.1.2'],
  }),
);

function ask(name: string, all: boolean): Promise<{ err: Error | null; address: unknown }> {
  return new Promise((done) => resolve(name, { all }, ((err: Error | null, address: unknown) => done({ err, address })) as never));
}

describe('publicNamesResolvePublic', () => {
  test('a public name resolving to public addresses passes, one record or all', async () => {
    assert.deepEqual(await ask('registry.example.com', false), { err: null, address: '93.184.216.34' });
    const { err, address } = await ask('registry.example.com', true);
    assert.equal(err, null);
    assert.equal((address as LookupAddress[]).length, 2);
  });

  for (const [name, address, kind] of [
    ['rebind.example', '127.0.0.1', 'an address of this computer'],
    ['metadata.example', '169.254.169.254', 'a link-local address'],
    ['mapped.example', '::ffff:7f00:1', 'an address of this computer'],
  ] as const) {
    test(`${name} → ${address} is refused, naming the host, the address and what to do`, async () => {
      for (const all of [false, true]) {
        const { err } = await ask(name, all);
        assert.ok(err instanceof RegistryError, String(err));
        assert.equal(err.kind, 'insecure');
        assert.equal(err.code, 'REBINDING');
        assert.ok(err.message.startsWith(`${name} resolved to ${address}, ${kind}`), err.message);
        assert.match(err.message, /refused because the name is public.*connect the registry by its address/);
      }
    });
  }

  test('one private record among public ones is refused when all records are asked for', async () => {
    const { err } = await ask('mixed.example', true);
    assert.ok(err instanceof RegistryError);
    assert.match(err.message, /^mixed\.example resolved to fd00::5, an address on a private network/);
  });

  test('names that are loopback or internal by themselves resolve as they please', async () => {
    assert.deepEqual(await ask('localhost', false), { err: null, address: '127.0.0.1' });
    assert.deepEqual(await ask('registry.local', false), { err: null, address: '10.0.0.5' });
    assert.deepEqual(await ask('registry.corp', false), { err: null, address: '10.0.0.6' });
    assert.deepEqual(await ask('registry', false), { err: null, address: '192.168.1.2' });
  });

  test("the resolver's own failure passes through untouched", async () => {
    const { err } = await ask('nowhere.example', false);
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOTFOUND');
  });
});

describe('publicNamesResolvePublic with the host the user typed', () => {
  const answers = fixed({ 'harbor.corp-example.com': ['10.1.2.3', 'fd00::7'], 'auth.corp-example.com': ['10.1.2.4'], 'dev.example.com': ['127.0.0.1'], 'meta.example.com': ['169.254.169.254'] });
  const askWith = (chosen: string, name: string): Promise<Error | null> =>
    new Promise((done) => publicNamesResolvePublic(answers, chosen)(name, { all: true }, ((err: Error | null) => done(err)) as never));

  test('may resolve to private and loopback addresses (company DNS, a VPN, /etc/hosts), compared case- and dot-insensitively', async () => {
    assert.equal(await askWith('harbor.corp-example.com', 'harbor.corp-example.com'), null);
    assert.equal(await askWith('Harbor.Corp-Example.com.', 'harbor.corp-example.com'), null);
    assert.equal(await askWith('dev.example.com', 'dev.example.com'), null);
  });

  test('another name with the same kind of answer (a realm, a redirect) is still refused', async () => {
    const err = await askWith('harbor.corp-example.com', 'auth.corp-example.com');
    assert.ok(err instanceof RegistryError && err.code === 'REBINDING', String(err));
    assert.match(err.message, /^auth\.corp-example\.com resolved to 10\.1\.2\.4, an address on a private network/);
  });

  test('never to link-local (the cloud metadata service)', async () => {
    const err = await askWith('meta.example.com', 'meta.example.com');
    assert.ok(err instanceof RegistryError && err.code === 'REBINDING', String(err));
    assert.match(err.message, /169\.254\.169\.254, a link-local address/);
  });
});
