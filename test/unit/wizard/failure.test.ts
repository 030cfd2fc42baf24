// The wizard's retelling of failed tests, fed with the messages the registry layer really
// produces (mapNetworkError, the deadline), so that a change of wording there that would
// silently turn "Save anyway" off (or, worse, on) shows here.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mapNetworkError } from '../../../src/registry/transport';
import type { HttpRequest } from '../../../src/registry/http';
import { canSaveAnyway, describeFailure, failureKind } from '../../../src/ui/wizard/failure';
import { findDuplicate, normalizeAddress } from '../../../src/ui/wizard/duplicates';
import type { ConnectionConfig } from '../../../src/providers/provider';

const fmt = (m: string, ...a: (string | number)[]) => m.replace(/\{(\d+)\}/g, (_x, i: string) => String(a[Number(i)]));
const req: HttpRequest = { method: 'GET', url: new URL('https://127.0.0.1:5001/v2/'), headers: {} };
const netError = (code: string, message = `connect ${code} 127.0.0.1:5001`) => mapNetworkError(Object.assign(new Error(message), { code }), req);

describe('describeFailure', () => {
  test('a raw TLS code leaves the sentence for the detail; the step list gets a short status', () => {
    const e = netError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate');
    assert.equal(e.kind, 'tls');
    const f = describeFailure({ label: 'Reach https://127.0.0.1:5001', detail: e.message }, fmt);
    assert.equal(f.kind, 'tls');
    assert.doesNotMatch(f.message, /DEPTH_ZERO_SELF_SIGNED_CERT/);
    assert.match(f.message, /certificate of 127\.0\.0\.1:5001 is not trusted\. Add its CA certificate in the form/);
    assert.match(f.detail!, /Code: DEPTH_ZERO_SELF_SIGNED_CERT/);
    assert.match(f.detail!, /Step: Reach https:\/\/127\.0\.0\.1:5001/);
    assert.equal(f.status, 'Certificate not trusted');
    assert.equal(canSaveAnyway(f.kind), false);
  });

  test('"then reconnect" becomes what to change in the form', () => {
    const f = describeFailure({ label: 'Reach r', detail: 'r.example rejected the credentials for user “me”. Check the username and password or token, then reconnect.' }, fmt);
    assert.equal(f.kind, 'credentials');
    assert.equal(f.message, 'r.example rejected the credentials for user “me”. Check the username and password or token, then Test again.');
    assert.doesNotMatch(f.message, /reconnect/i);
    const denied = describeFailure({ label: 'x', detail: 'r denied access (repository:a:pull) for these credentials. Ask for the permission, or reconnect with an account that has it.' }, fmt);
    assert.equal(denied.kind, 'permission');
    assert.match(denied.message, /\(repository:a:pull\).*or enter an account that has it\.$/);
    assert.equal(describeFailure({ label: 'x', detail: 'Google returned no access token for a@b. Try again, or reconnect.' }, fmt).message, 'Google returned no access token for a@b. Test again.');
  });

  test('only a registry that is down right now may be saved anyway', () => {
    const cases: [string, boolean][] = [
      [netError('ECONNREFUSED').message, true],
      [netError('ENOTFOUND').message, true],
      [netError('ECONNRESET').message, true],
      [netError('EHOSTUNREACH').message, true],
      [mapNetworkError(Object.assign(new Error('x'), { name: 'ConnectTimeoutError' }), req).message, true],
      [mapNetworkError(Object.assign(new Error('x'), { name: 'HeadersTimeoutError' }), req).message, true],
      ['r.example had a server error (HTTP 503) reading the catalog. Try again shortly.', true],
      [netError('DEPTH_ZERO_SELF_SIGNED_CERT').message, false],
      [netError('CERT_HAS_EXPIRED').message, false],
      [netError('EPROTO', 'wrong version number').message, false],
      ['r.example rejected the credentials. Check the username and password or token, then reconnect.', false],
      ['r.example requires you to sign in. Add a username and password or token to the connection.', false],
      ['Refusing to send credentials over plain HTTP to r.example. Use https://, or mark the registry insecure if you trust this network.', false],
      ['r.example named a token service at 10.0.0.1, a private address; refused: a public registry may not send your credentials to a local or private address.', false],
      ['Something nobody planned for.', false],
    ];
    for (const [message, expected] of cases) {
      assert.equal(canSaveAnyway(failureKind(message)), expected, message);
    }
  });

  test('undici text after "Could not reach" moves to the detail', () => {
    const e = netError('EHOSTUNREACH');
    const f = describeFailure({ label: 'Reach r', detail: e.message }, fmt);
    assert.equal(f.kind, 'network');
    assert.equal(f.message, 'Could not reach 127.0.0.1:5001. Check the address, then Test again.');
    assert.match(f.detail!, /EHOSTUNREACH/);
    assert.equal(f.status, 'Unreachable');
  });

  test('the RegistryError kind wins over the wording when the wizard has the error', () => {
    assert.equal(describeFailure({ label: 'Connect', detail: 'odd words' }, fmt, 'timeout').kind, 'timeout');
    assert.equal(describeFailure({ label: 'Connect', detail: 'refused the connection' }, fmt, 'unauthorized').kind, 'credentials');
  });
});

describe('duplicates', () => {
  const stored: ConnectionConfig[] = [
    { id: 'a', provider: 'generic', name: 'Team registry', url: 'https://Registry.Example:443/', username: 'me' },
    { id: 'hub', provider: 'dockerhub', name: 'Hub', url: 'docker.io', username: 'me' },
  ];
  test('normalized address', () => {
    assert.equal(normalizeAddress('HTTPS://Registry.Example:443/'), 'registry.example');
    assert.equal(normalizeAddress('registry.example.'), 'registry.example');
    assert.equal(normalizeAddress('http://localhost:80'), 'localhost');
    assert.equal(normalizeAddress('localhost:5000'), 'localhost:5000');
    assert.equal(normalizeAddress('https://index.docker.io'), 'docker.io');
    assert.equal(normalizeAddress('us-docker.pkg.dev/p/r/'), 'us-docker.pkg.dev/p/r');
  });
  test('same provider, address and user is a duplicate; another user or provider is not', () => {
    assert.equal(findDuplicate({ provider: 'generic', url: 'registry.example', username: 'me' }, stored)?.id, 'a');
    assert.equal(findDuplicate({ provider: 'generic', url: 'registry.example', username: 'you' }, stored), undefined);
    assert.equal(findDuplicate({ provider: 'quay', url: 'registry.example', username: 'me' }, stored), undefined);
    assert.equal(findDuplicate({ provider: 'dockerhub', url: 'registry-1.docker.io', username: 'me' }, stored)?.id, 'hub');
    assert.equal(findDuplicate({ provider: 'generic', url: 'registry.example', username: 'me' }, stored, 'a'), undefined, 'the connection being edited is not its own duplicate');
  });
});
