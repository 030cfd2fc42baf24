import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { challengeScopes, parseChallenges, pickChallenge } from '../../../src/registry/challenge';

describe('WWW-Authenticate parsing', () => {
  test('reference registry bearer challenge', () => {
    const [c] = parseChallenges('Bearer realm="https://auth.example.com/token",service="registry.example.com"');
    assert.deepEqual(c, { scheme: 'bearer', params: { realm: 'https://auth.example.com/token', service: 'registry.example.com' } });
  });

  test('quoted scope with a comma inside and error=insufficient_scope', () => {
    const [c] = parseChallenges('Bearer realm="https://a/token",service="s",scope="repository:team/app:push,pull",error="insufficient_scope"');
    assert.equal(c!.params.scope, 'repository:team/app:push,pull');
    assert.equal(c!.params.error, 'insufficient_scope');
    assert.deepEqual(challengeScopes(c!), ['repository:team/app:push,pull']);
  });

  test('several challenges on one line, scheme and names case-insensitive', () => {
    const cs = parseChallenges('Basic realm="Artifactory Realm", BEARER Realm="https://x/t", Service=reg');
    assert.equal(cs.length, 2);
    assert.equal(cs[0]!.scheme, 'basic');
    assert.equal(cs[0]!.params.realm, 'Artifactory Realm');
    assert.equal(cs[1]!.scheme, 'bearer');
    assert.deepEqual(cs[1]!.params, { realm: 'https://x/t', service: 'reg' });
    assert.equal(pickChallenge(cs)!.scheme, 'bearer');
  });

  test('several header lines', () => {
    const cs = parseChallenges(['Basic realm="r"', 'Bearer realm="https://x/t"']);
    assert.deepEqual(cs.map((c) => c.scheme), ['basic', 'bearer']);
  });

  test('escaped quotes and backslashes in quoted strings', () => {
    const [c] = parseChallenges('Basic realm="say \\"hi\\" \\\\ there", charset="UTF-8"');
    assert.equal(c!.params.realm, 'say "hi" \\ there');
    assert.equal(c!.params.charset, 'UTF-8');
  });

  test('token68 and bare schemes', () => {
    const cs = parseChallenges('Negotiate abc123==, Basic, NTLM');
    assert.deepEqual(cs.map((c) => [c.scheme, c.token68]), [['negotiate', 'abc123=='], ['basic', undefined], ['ntlm', undefined]]);
  });

  test('whitespace around = and relative realm preserved verbatim', () => {
    const [c] = parseChallenges('Bearer realm = "/token?x=1" , service = reg');
    assert.equal(c!.params.realm, '/token?x=1');
    assert.equal(c!.params.service, 'reg');
  });

  test('empty and garbage input yield no challenges rather than throwing', () => {
    assert.deepEqual(parseChallenges(undefined), []);
    assert.deepEqual(parseChallenges(''), []);
    assert.doesNotThrow(() => parseChallenges('=== ,,, "unterminated'));
  });

  test('a Basic challenge without a URL realm is chosen when no Bearer is offered', () => {
    assert.equal(pickChallenge(parseChallenges('Basic realm="Registry Realm"'))!.scheme, 'basic');
    assert.equal(pickChallenge(parseChallenges('Bearer service="x"')), undefined);
  });
});
