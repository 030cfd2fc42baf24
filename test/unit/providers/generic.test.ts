import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { genericProvider } from '../../../src/providers/generic';
import { makeSelfSignedCert } from '../../support';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('Generic Registry v2 form', () => {
  test('a complete form becomes metadata + a separate secret', () => {
    const r = genericProvider.fromForm({ url: 'localhost:5000', name: '', username: 'me', password: 'pw', insecure: false, caPem: '', repositories: 'team/app\n  library/nginx \n' });
    assert.ok(r.ok);
    assert.deepEqual(r.config, { provider: 'generic', name: 'localhost:5000', url: 'localhost:5000', username: 'me', repositories: ['team/app', 'library/nginx'] });
    assert.deepEqual(r.secrets, { password: 'pw' });
    assert.ok(!JSON.stringify(r.config).includes('pw'));
  });

  test('errors name their field and say what to do', () => {
    const r = genericProvider.fromForm({ url: 'http://10.1.1.1:5000', password: 'pw', caPem: 'hello', repositories: 'Bad Name' });
    assert.ok(!r.ok);
    const by = Object.fromEntries(r.errors.map((e) => [e.field, e.message]));
    assert.match(by.url!, /Allow insecure/);
    assert.match(by.username!, /username/);
    assert.match(by.caPem!, /BEGIN CERTIFICATE/);
    assert.match(by.repositories!, /Bad Name/);
    assert.match((genericProvider.fromForm({ url: '' }) as { errors: { message: string }[] }).errors[0]!.message, /Enter the registry address/);
  });

  test('a real PEM passes, a damaged one is refused', async () => {
    const cert = await makeSelfSignedCert(await mkdtemp(join(tmpdir(), 'ca-')));
    assert.ok(genericProvider.fromForm({ url: 'r.example', caPem: cert.certPem }).ok);
    const broken = cert.certPem.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAA');
    assert.ok(!genericProvider.fromForm({ url: 'r.example', caPem: broken }).ok);
  });

  test('editing: a blank password keeps the stored one; the form never carries secrets', () => {
    const previous = { config: { id: 'x', provider: 'generic', name: 'r', url: 'r.example', username: 'me' }, secrets: { password: 'stored' } };
    const r = genericProvider.fromForm({ url: 'r.example', username: 'me', password: '' }, previous);
    assert.ok(r.ok);
    assert.deepEqual(r.secrets, { password: 'stored' });
    assert.ok(!Object.values(genericProvider.toForm(previous.config)).includes('stored'));
  });
});
