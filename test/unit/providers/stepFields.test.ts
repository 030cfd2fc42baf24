import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { providerFor } from '../../../src/providers';
import { fieldErrorsFor } from '../../../src/providers/stepFields';
import type { ProviderForm } from '../../../src/providers/form';

const form = (id: string): ProviderForm => providerFor(id)!.form;

describe('which field a failed connection test concerns', () => {
  test('generic: credentials → password, certificate → CA, address → URL, catalog → repository list', () => {
    const g = form('generic');
    const at = (detail: string) => fieldErrorsFor({ label: 'x', ok: false, detail }, g).map((e) => e.field);
    assert.deepEqual(at('r.example.com rejected the credentials for user “bob”.'), ['password']);
    assert.deepEqual(at('The certificate of r.example.com is not trusted.'), ['caPem']);
    assert.deepEqual(at('r.example.com refused the connection.'), ['url']);
    assert.deepEqual(at('The server does not offer a catalog.'), ['repositories']);
    assert.deepEqual(at('Something else entirely.'), []);
  });

  test('a provider without a password field gets the error on its secret field', () => {
    const hub = form('dockerhub');
    const secretField = hub.fields.find((f) => f.secret)!.id;
    assert.deepEqual(fieldErrorsFor({ label: 'Sign in', ok: false, detail: 'Docker Hub rejected the Docker ID or access token for “alice”.' }, hub).map((e) => e.field), [secretField]);
    const google = form('google');
    assert.deepEqual(fieldErrorsFor({ label: 'Sign in', ok: false, detail: 'Google rejected the key: invalid_grant.' }, google).map((e) => e.field), ['keyJson']);
  });

  test('a field the provider names wins, if the form has it; the message is the step detail', () => {
    const g = form('generic');
    assert.deepEqual(fieldErrorsFor({ label: 'Catalog', ok: false, detail: 'rejected', field: 'username' }, g), [{ field: 'username', message: 'rejected' }]);
    assert.deepEqual(fieldErrorsFor({ label: 'Catalog', ok: false, detail: 'odd', field: 'nope' }, g), []);
  });
});
