import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isQuayHost, quayNamespaces, quayProvider } from '../../../src/providers/quay';

function errors(r: ReturnType<typeof quayProvider.fromForm>): Record<string, string> {
  assert.ok(!r.ok);
  return Object.fromEntries(r.errors.map((e) => [e.field, e.message]));
}

describe('Quay form', () => {
  test('OAuth token + robot + namespaces: metadata apart from both secrets', () => {
    const r = quayProvider.fromForm({ url: '', namespaces: 'Acme\nhttps://quay.io/organization/other\nacme', oauthToken: 'oauth-1', robotUsername: 'acme+ci', robotToken: 'ROBOT1' });
    assert.ok(r.ok);
    assert.deepEqual(r.config, { provider: 'quay', name: 'quay.io', url: 'quay.io', username: 'acme+ci', options: { namespaces: 'acme,other' } });
    assert.deepEqual(r.secrets, { oauthToken: 'oauth-1', robotToken: 'ROBOT1' });
    assert.deepEqual(quayNamespaces({ id: 'x', ...r.config }), ['acme', 'other']);
  });

  test('a robot account alone needs no namespaces; anonymous or OAuth does', () => {
    assert.ok(quayProvider.fromForm({ url: 'quay.example.com', robotUsername: 'acme+ci', robotToken: 't' }).ok);
    assert.match(errors(quayProvider.fromForm({ url: 'quay.io', oauthToken: 't' })).namespaces!, /at least one organization/);
    assert.ok(quayProvider.fromForm({ url: 'quay.io', namespaces: 'coreos' }).ok);
  });

  test('errors name the field and say what to do', () => {
    const e = errors(quayProvider.fromForm({ url: 'http://10.0.0.1', namespaces: 'Bad Name!', robotUsername: 'ci', robotToken: '', caPem: 'nope' }));
    assert.match(e.url!, /Allow insecure/);
    assert.match(e.namespaces!, /Not a Quay namespace: bad name!/);
    assert.match(e.robotUsername!, /namespace\+name/);
    assert.match(e.robotToken!, /Robot Token/);
    assert.match(e.caPem!, /BEGIN CERTIFICATE/);
    assert.match(errors(quayProvider.fromForm({ namespaces: 'a1', robotToken: 'x' })).robotUsername!, /robot account the token belongs to/);
    assert.match(errors(quayProvider.fromForm({ namespaces: 'a1', oauthToken: 'a b' })).oauthToken!, /spaces/);
  });

  test('editing keeps stored tokens when left blank (the robot token only for the same robot)', () => {
    const previous = { config: { id: 'q', provider: 'quay', name: 'q', url: 'quay.io', username: 'acme+ci', options: { namespaces: 'acme' } }, secrets: { oauthToken: 'o', robotToken: 'r' } };
    const same = quayProvider.fromForm({ url: 'quay.io', namespaces: 'acme', robotUsername: 'acme+ci' }, previous);
    assert.ok(same.ok);
    assert.deepEqual(same.secrets, { oauthToken: 'o', robotToken: 'r' });
    assert.ok(!quayProvider.fromForm({ url: 'quay.io', namespaces: 'acme', robotUsername: 'acme+other' }, previous).ok);
    const form = quayProvider.toForm(previous.config);
    assert.deepEqual(form, { url: 'quay.io', namespaces: 'acme', robotUsername: 'acme+ci', insecure: false, caPem: '', name: 'q' });
    assert.ok(!Object.values(form).includes('o') && !Object.values(form).includes('r'));
  });

  test('Docker config: a robot login becomes a Quay connection; $oauthtoken falls back to generic', () => {
    const robot = quayProvider.fromDockerConfig!({ registry: 'quay.io', serverKey: 'quay.io', source: 'auths', username: 'acme+ci', password: 'T' });
    assert.deepEqual(robot, { config: { provider: 'quay', name: 'quay.io', url: 'quay.io', username: 'acme+ci' }, secrets: { robotToken: 'T' } });
    assert.equal(quayProvider.fromDockerConfig!({ registry: 'quay.io', serverKey: 'quay.io', source: 'auths', username: '$oauthtoken', password: 'T' }), undefined);
  });

  test('form help, docs, host pattern', () => {
    assert.match(quayProvider.form.help!, /View all visible repositories/);
    assert.ok(quayProvider.form.docsUrl?.startsWith('https://'));
    assert.deepEqual(quayProvider.form.fields.filter((f) => f.secret).map((f) => f.id), ['oauthToken', 'robotToken']);
    assert.ok(isQuayHost('quay.io') && isQuayHost('https://quay.io/acme') && !isQuayHost('quay.example.com'));
  });
});
