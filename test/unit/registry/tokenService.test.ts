// The token service's answer is checked by a schema before any field is used: a malformed
// shape is a protocol error that names the registry and the field, never a TypeError and
// never the value (a malformed answer may still carry a token).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isRegistryError } from '../../../src/registry/errors';
import { ResponseHeaders, type HttpRequest, type RoundTripper } from '../../../src/registry/http';
import { checkRealm, fetchToken } from '../../../src/registry/tokenService';

const registry = new URL('https://registry.example.com');
const SECRET_TOKEN = 'eyJ-secret-token-value';

function answering(body: string, status = 200): { transport: RoundTripper; seen: HttpRequest[] } {
  const seen: HttpRequest[] = [];
  const transport: RoundTripper = async (req) => {
    seen.push(req);
    return { status, headers: new ResponseHeaders({ 'content-type': 'application/json' }), url: req.url, body: Buffer.from(body) };
  };
  return { transport, seen };
}

const ctx = { registry, realm: 'https://registry.example.com/token', service: 'registry', scopes: ['repository:a:pull'], allowHttp: () => false };

describe('token service responses', () => {
  const bad: [string, string, RegExp][] = [
    ['null', 'null', /token response that is not a JSON object/],
    ['a bare number', '42', /token response that is not a JSON object/],
    ['token a number', '{"token":5}', /whose token is not text/],
    ['expires_in a string', `{"token":"${SECRET_TOKEN}","expires_in":"3600"}`, /whose expires_in is not a number/],
    ['access_token an object', '{"access_token":{"value":"x"}}', /whose access_token is not text/],
    ['refresh_token a list', `{"token":"${SECRET_TOKEN}","refresh_token":["r"]}`, /whose refresh_token is not text/],
    ['no token at all', '{"expires_in":300}', /sent no token/],
    ['not JSON', `token=${SECRET_TOKEN}`, /not valid JSON/],
  ];
  for (const [name, body, re] of bad) {
    test(`${name}: a protocol error naming the registry and what was wrong`, async () => {
      const { transport } = answering(body);
      await assert.rejects(fetchToken(transport, ctx), (e: unknown) => {
        assert.ok(isRegistryError(e, 'protocol'), String(e));
        assert.match(e.message, /registry\.example\.com/);
        assert.match(e.message, re);
        assert.ok(!e.message.includes(SECRET_TOKEN), 'no token value in the message');
        return true;
      });
    });
  }

  test('expires_in missing, null or under 60 means 60 s; a longer one is kept; token or access_token', async () => {
    const now = () => 1_000_000;
    const cases: [string, number][] = [
      ['{"token":"t"}', 60],
      ['{"token":"t","expires_in":null}', 60],
      ['{"access_token":"t","expires_in":5}', 60],
      ['{"token":"","access_token":"t","expires_in":-1}', 60],
      ['{"token":"t","expires_in":3600,"issued_at":12345}', 3600],
    ];
    for (const [body, seconds] of cases) {
      const t = await fetchToken(answering(body).transport, ctx, now);
      assert.deepEqual(t, { token: 't', expiresAt: 1_000_000 + seconds * 1000, lifetimeMs: seconds * 1000 }, body);
    }
  });

  test('a public registry’s realm on any local, private or link-local spelling is refused before a request', async () => {
    const hosts = ['[::ffff:127.0.0.1]', '[::ffff:a9fe:a9fe]', '[::]', '[::7f00:1]', 'localhost.', '0.0.0.0', '100.64.1.2', '[fe80::1]', '[fc00::1]', '169.254.169.254', '2130706433', 'metadata.google.internal'];
    for (const host of hosts) {
      const { transport, seen } = answering('{"token":"t"}');
      await assert.rejects(
        fetchToken(transport, { ...ctx, realm: `https://${host}/token`, credentials: { kind: 'basic', username: 'u', password: 'p' } }),
        (e: unknown) => isRegistryError(e, 'insecure') && /named a token service at .+, (an address of this computer|an address on a private network|a link-local address, where cloud metadata services live); refused/.test(e.message),
        host,
      );
      assert.equal(seen.length, 0, `nothing sent to ${host}`);
    }
    // A registry on the user's own network may use a token service there.
    assert.equal(checkRealm('https://10.0.0.7/token', new URL('https://10.0.0.5'), () => false).host, '10.0.0.7');
  });
});
