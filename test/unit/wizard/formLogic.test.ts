import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProviderForm } from '../../../src/providers/form';
import { initialValues, isFieldVisible, persistableValues, requiredErrors, submittedValues, visibleFields } from '../../../webview/formLogic';
import { ecrForm, genericForm } from './fixtures';

describe('form logic', () => {
  test('initial values: defaults, given values of the right type only, select options', () => {
    assert.deepEqual(initialValues(genericForm), { url: '', username: '', password: '', insecure: false, caPem: '', repositories: '' });
    assert.deepEqual(initialValues(ecrForm).auth, 'profile');
    const v = initialValues(genericForm, { url: 'https://a', insecure: 'yes' as unknown as boolean, nope: 'x' }, { username: 'later wins' });
    assert.equal(v.url, 'https://a');
    assert.equal(v.insecure, false, 'a string for a checkbox is ignored');
    assert.equal(v.username, 'later wins');
    assert.equal('nope' in v, false);
    assert.equal(initialValues(ecrForm, { auth: 'not-an-option' }).auth, 'profile');
  });

  test('showIf, chained, and broken references', () => {
    const v = initialValues(ecrForm);
    assert.deepEqual(visibleFields(ecrForm, v).map((f) => f.id), ['auth', 'profile', 'notes']);
    v.auth = 'keys';
    assert.deepEqual(visibleFields(ecrForm, v).map((f) => f.id), ['auth', 'accessKeyId', 'secretAccessKey', 'useSession', 'notes']);
    v.useSession = true;
    assert.ok(isFieldVisible(ecrForm, 'sessionToken', v));
    v.auth = 'profile';
    assert.equal(isFieldVisible(ecrForm, 'sessionToken', v), false, 'hidden when the field it depends on is hidden');

    const cyclic: ProviderForm = {
      id: 'c',
      title: 'C',
      description: '',
      icon: 'x',
      fields: [
        { id: 'a', label: 'A', kind: 'checkbox', showIf: { field: 'b', equals: false } },
        { id: 'b', label: 'B', kind: 'checkbox', showIf: { field: 'a', equals: false } },
        { id: 'c', label: 'C', kind: 'text', showIf: { field: 'missing', equals: 'x' } },
      ],
    };
    assert.deepEqual(visibleFields(cyclic, {}), []);
  });

  test('submitted values are the visible ones', () => {
    const v = { ...initialValues(ecrForm), profile: 'dev', accessKeyId: 'AKIA-hidden' };
    assert.deepEqual(submittedValues(ecrForm, v), { auth: 'profile', profile: 'dev', notes: '' });
  });

  test('required errors: visible fields only, whitespace is empty, stored secrets count', () => {
    const v = initialValues(ecrForm, { auth: 'keys', accessKeyId: '   ' });
    assert.deepEqual(
      requiredErrors(ecrForm, v).map((e) => e.field),
      ['accessKeyId', 'secretAccessKey'],
    );
    assert.deepEqual(requiredErrors(ecrForm, v, { storedSecrets: ['secretAccessKey'] }).map((e) => e.field), ['accessKeyId']);
    assert.equal(requiredErrors(genericForm, initialValues(genericForm))[0]?.message, 'Registry URL is required.');
    assert.equal(requiredErrors(genericForm, initialValues(genericForm), { message: (f) => `¡${f.label}!` })[0]?.message, '¡Registry URL!');
  });

  test('persistable values never hold secret or password fields', () => {
    const v = initialValues(ecrForm, { auth: 'keys', accessKeyId: 'AKIA', secretAccessKey: 'SECRET', useSession: true, sessionToken: 'TOKEN', notes: 'n' });
    const p = persistableValues(ecrForm, v);
    assert.deepEqual(Object.keys(p).sort(), ['accessKeyId', 'auth', 'notes', 'profile', 'useSession']);
    assert.doesNotMatch(JSON.stringify(p), /SECRET|TOKEN/);
    const g = persistableValues(genericForm, initialValues(genericForm, { password: 'pw', caPem: 'PEM' }));
    assert.equal('password' in g, false);
    assert.equal(g.caPem, 'PEM');
    // A `password` kind without `secret: true` is still kept out.
    const f: ProviderForm = { id: 'p', title: 'P', description: '', icon: 'x', fields: [{ id: 'pin', label: 'PIN', kind: 'password' }] };
    assert.deepEqual(persistableValues(f, { pin: '1234' }), {});
  });
});
