// DSSE envelopes decoded for reading: in-toto statements from base64 (standard or URL-safe),
// other payload types as text, malformed envelopes as protocol errors that quote nothing.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeEnvelope, decodeEnvelopeBytes, isEnvelope } from '../../../src/registry/dsse';
import { isRegistryError } from '../../../src/registry/errors';

const HOST = 'registry.example.com';
const statement = { _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'app', digest: { sha256: 'a'.repeat(64) } }], predicateType: 'https://slsa.dev/provenance/v1', predicate: { builder: { id: 'ci' } } };
const envelope = (payload: string, payloadType = 'application/vnd.in-toto+json', signatures: unknown = [{ keyid: '', sig: 'MEUC' }]) => ({ payloadType, payload, signatures });

describe('DSSE envelopes', () => {
  test('an in-toto statement comes out whole, with its predicate type and signature count', () => {
    const d = decodeEnvelope(envelope(Buffer.from(JSON.stringify(statement)).toString('base64')), HOST);
    assert.deepEqual(d, { payloadType: 'application/vnd.in-toto+json', payload: statement, signatures: 1, predicateType: 'https://slsa.dev/provenance/v1' });
  });

  test('URL-safe base64 without padding decodes the same', () => {
    const text = JSON.stringify({ ...statement, predicate: { note: '>>>???' } });
    const d = decodeEnvelopeBytes(Buffer.from(JSON.stringify(envelope(Buffer.from(text).toString('base64url')))), HOST);
    assert.deepEqual(d.payload, JSON.parse(text));
  });

  test('a payload type that is not JSON is shown as text', () => {
    const d = decodeEnvelope(envelope(Buffer.from('plain words').toString('base64'), 'text/plain', []), HOST);
    assert.deepEqual(d, { payloadType: 'text/plain', payload: 'plain words', signatures: 0 });
  });

  test('isEnvelope tells an envelope from other JSON layers', () => {
    assert.ok(isEnvelope(envelope('e30')));
    assert.ok(!isEnvelope({ spdxVersion: 'SPDX-2.3' }));
    assert.ok(!isEnvelope(null));
  });

  const bad: [string, unknown, RegExp][] = [
    ['payload not base64', envelope('not base64 at all!'), /sent a DSSE envelope whose payload is not base64/],
    ['payloadType a number', { payloadType: 7, payload: 'e30' }, /whose payloadType is not text/],
    ['signatures not a list', envelope('e30', 'application/vnd.in-toto+json', 'sig'), /whose signatures is not a list/],
    ['a JSON payload that is not JSON', envelope(Buffer.from('{"secret-token": ').toString('base64')), /sent a DSSE payload that is not valid JSON/],
    ['a statement whose subject is not a list', envelope(Buffer.from(JSON.stringify({ ...statement, subject: 'x' })).toString('base64')), /sent an in-toto statement whose subject is not a list/],
  ];
  for (const [name, env, message] of bad) {
    test(`${name}: a protocol error naming the field, quoting nothing`, () => {
      assert.throws(() => decodeEnvelope(env, HOST), (e: unknown) => isRegistryError(e, 'protocol') && message.test(e.message) && !e.message.includes('secret-token'));
    });
  }

  test('bytes that are not an envelope say so', () => {
    assert.throws(() => decodeEnvelopeBytes(Buffer.from('{"a":1}'), HOST), (e: unknown) => isRegistryError(e, 'protocol') && /without payloadType and payload/.test(e.message));
  });
});
