// The log redactor: known secrets in every encoding they travel in, credential shapes in any
// case, and ordinary words left alone.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { Redactor, base64Cores, textForms } from '../../../src/ui/redactor';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

function redactorWith(...secrets: string[]): Redactor {
  const r = new Redactor();
  for (const s of secrets) r.add(s);
  return r;
}

/** Each way a secret `s` of user `u` reaches text. */
const ENCODINGS: Record<string, (s: string, u: string) => string> = {
  raw: (s) => s,
  url: (s) => encodeURIComponent(s),
  'url, lower-case hex': (s) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
  form: (s) => new URLSearchParams([['', s]]).toString().slice(1),
  json: (s) => JSON.stringify(s).slice(1, -1),
  'json twice': (s) => JSON.stringify(JSON.stringify(s)).slice(1, -1),
  base64: (s) => b64(s),
  'base64 user:password': (s, u) => b64(`${u}:${s}`),
  'base64url user:password': (s, u) => b64url(`${u}:${s}`),
  'Basic user:password': (s, u) => `Basic ${b64(`${u}:${s}`)}`,
  'basic user:password': (s, u) => `basic ${b64(`${u}:${s}`)}`,
  'BASIC user:password': (s, u) => `BASIC ${b64(`${u}:${s}`)}`,
  'authorization: bearer': (s) => `authorization: bearer ${s}`,
};

describe('Redactor: known secrets in every encoding', () => {
  const secret = 'S3cr3t/p@ss word+"quoted"é';
  for (const [name, encode] of Object.entries(ENCODINGS)) {
    test(name, () => {
      const encoded = encode(secret, 'alice');
      const out = redactorWith(secret).redact(`before ${encoded} after`);
      assert.ok(!out.includes(encoded), out);
      // An Authorization header's value runs to the end of the line, so it takes " after" too.
      assert.match(out, name.startsWith('authorization') ? /^before .*\[REDACTED\]$/ : /^before .*\[REDACTED\].* after$/);
    });
  }

  test('a Docker config auth entry, the user name unknown to the redactor', () => {
    const line = `{"auths":{"r.example":{"auth":"${b64('someone-else:Hunter2-Secret')}"}}}`;
    const out = redactorWith('Hunter2-Secret').redact(line);
    assert.ok(!out.includes(b64('someone-else:Hunter2-Secret')), out);
  });

  test('a secret containing another is replaced whole', () => {
    assert.equal(redactorWith('abcd1234', 'abcd1234-longer').redact('x abcd1234-longer y'), 'x [REDACTED] y');
  });

  test('base64 cores: three alignments, both alphabets, each inside the full encoding', () => {
    const s = 'pa55word-xyz';
    const cores = base64Cores(s);
    assert.equal(cores.length, 6);
    for (const u of ['', 'a', 'ab', 'abc']) {
      const full = b64(`${u}:${s}`);
      assert.ok(cores.some((c) => full.includes(c)), `${u}: ${full}`);
    }
    assert.ok(textForms('a/b"c').includes('a\\/b\\"c'));
  });

  const secretArb = fc.string({ minLength: 8, maxLength: 40 });
  const unicodeSecretArb = fc.string({ minLength: 8, maxLength: 24, unit: 'grapheme' });
  const userArb = fc.string({ maxLength: 12 });
  const around = fc.string({ maxLength: 20 });
  const encodingArb = fc.constantFrom(...Object.keys(ENCODINGS));

  test('property: redact(text containing encoded s) never contains encoded s', () => {
    fc.assert(
      fc.property(fc.oneof(secretArb, unicodeSecretArb), userArb, around, around, encodingArb, (s, u, before, after, enc) => {
        let encoded: string;
        try {
          encoded = ENCODINGS[enc]!(s, u);
        } catch {
          return fc.pre(false); // a lone surrogate cannot be URL-encoded: no such text exists
        }
        const out = redactorWith(s).redact(before + encoded + after);
        assert.ok(!out.includes(encoded), `${enc}: ${JSON.stringify(out)}`);
      }),
      { numRuns: 400 },
    );
  });
});

describe('Redactor: credential shapes without knowing the secret', () => {
  const r = new Redactor();
  const cases: [string, string][] = [
    ['Authorization: Bearer abc.def-123', 'Authorization: Bearer [REDACTED]'],
    ['authorization: bearer abc.def-123', 'authorization: bearer [REDACTED]'],
    ['AUTHORIZATION: BASIC dXNlcjpwYXNz', 'AUTHORIZATION: BASIC [REDACTED]'],
    ['Proxy-Authorization: Negotiate YIIxyz', 'Proxy-Authorization: Negotiate [REDACTED]'],
    ['{"authorization":"token ghp_abc123"}', '{"authorization":"token [REDACTED]"}'],
    ['sent BASIC dXNlcjpwYXNz to it', 'sent BASIC [REDACTED] to it'],
    ['sent basic dXNlcjpwYXNz to it', 'sent basic [REDACTED] to it'],
    ['with bearer Zm9vYmFy.1234 then', 'with bearer [REDACTED] then'],
    ['https://bob:pw@r.example/v2/', 'https://[REDACTED]@r.example/v2/'],
    ['{"password":"with \\"quotes\\" inside","user":"bob"}', '{"password":"[REDACTED]","user":"bob"}'],
    ['{"refresh_token": "opaque", "expires_in": 60}', '{"refresh_token": "[REDACTED]", "expires_in": 60}'],
    ['POST grant_type=refresh_token&refresh_token=abc%2Fdef&service=x', 'POST grant_type=refresh_token&refresh_token=[REDACTED]&service=x'],
    ['?access_token=xyz&n=100', '?access_token=[REDACTED]&n=100'],
    ['password: hunter2-x9', 'password: [REDACTED]'],
    ['clientSecret: Zx81-abQQ', 'clientSecret: [REDACTED]'],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2lnbmF0dXJl', '[REDACTED-JWT]'],
    ['key -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- end', 'key [REDACTED-PRIVATE-KEY] end'],
  ];
  for (const [input, expected] of cases) test(input, () => assert.equal(r.redact(input), expected));
});

describe('Redactor: words survive', () => {
  const r = redactorWith('a-real-secret-1');
  const lines = [
    'Test my passwd store:\n✓ Ping — 200\n✓ Catalog — 3 repositories',
    'Test token registry: ✓ Ping',
    'my passwd: connection works.',
    'Connected token-registry (generic, https://r.example).',
    'Connected Team Secrets (dockerhub, docker.io).',
    'The registry requires Basic authentication; Bearer tokens are refused.',
    'www-authenticate: Bearer realm="https://auth.example/token",service="registry.example"',
    'OAuth: enabled',
    'sha256:4c1e1fb0a3f8c8d4b5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8',
  ];
  for (const line of lines) test(JSON.stringify(line), () => assert.equal(r.redact(line), line));
});
