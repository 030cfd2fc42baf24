import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { digitalOceanProvider, isDigitalOceanHost } from '../../../src/providers/digitalocean';

const TOKEN = `dop_v1_${'0123456789abcdef'.repeat(4)}`;

function errors(r: ReturnType<typeof digitalOceanProvider.fromForm>): Record<string, string> {
  assert.ok(!r.ok);
  return Object.fromEntries(r.errors.map((e) => [e.field, e.message]));
}

describe('DigitalOcean form', () => {
  test('token + registry name: metadata apart from the secret; the registry host is fixed', () => {
    const r = digitalOceanProvider.fromForm({ token: ` ${TOKEN} `, registry: 'registry.digitalocean.com/Acme-1', name: '' });
    assert.ok(r.ok);
    assert.deepEqual(r.config, { provider: 'digitalocean', name: 'DigitalOcean (acme-1)', url: 'registry.digitalocean.com', options: { registry: 'acme-1' } });
    assert.deepEqual(r.secrets, { token: TOKEN });
    assert.ok(!JSON.stringify(r.config).includes(TOKEN));
  });

  test('the registry name may be left out (the account’s registry is looked up)', () => {
    const r = digitalOceanProvider.fromForm({ token: TOKEN });
    assert.ok(r.ok);
    assert.deepEqual(r.config, { provider: 'digitalocean', name: 'DigitalOcean Container Registry', url: 'registry.digitalocean.com' });
  });

  test('errors name the field and say what to do', () => {
    const e = errors(digitalOceanProvider.fromForm({ token: '', registry: 'My Registry' }));
    assert.match(e.token!, /API → Tokens/);
    assert.match(e.registry!, /lower-case letters, digits and dashes/);
    assert.match(errors(digitalOceanProvider.fromForm({ token: 'dop_v1_short' })).token!, /too short/);
    assert.match(errors(digitalOceanProvider.fromForm({ token: `${TOKEN.slice(0, 20)}\n${TOKEN.slice(20)}` })).token!, /line breaks/);
  });

  test('editing keeps the stored token when left blank; the form never carries it', () => {
    const previous = { config: { id: 'x', provider: 'digitalocean', name: 'DO', url: 'registry.digitalocean.com', options: { registry: 'acme' } }, secrets: { token: TOKEN } };
    const r = digitalOceanProvider.fromForm({ token: '', registry: 'acme', name: 'Mine' }, previous);
    assert.ok(r.ok);
    assert.deepEqual(r.secrets, { token: TOKEN });
    assert.equal(r.config.name, 'Mine');
    const form = digitalOceanProvider.toForm(previous.config);
    assert.deepEqual(form, { registry: 'acme', name: 'DO' });
    // Another provider's secrets are not taken over.
    assert.ok(!digitalOceanProvider.fromForm({ token: '' }, { ...previous, config: { ...previous.config, provider: 'generic' } }).ok);
  });

  test('the form has help, docs and a secret token field', () => {
    const f = digitalOceanProvider.form;
    assert.equal(f.id, 'digitalocean');
    assert.match(f.help!, /registry:read/);
    assert.ok(f.docsUrl?.startsWith('https://docs.digitalocean.com/'));
    assert.equal(f.fields.find((x) => x.id === 'token')?.secret, true);
  });

  test('Docker config: the token as username and password becomes a DigitalOcean connection', () => {
    const entry = { registry: 'registry.digitalocean.com', serverKey: 'registry.digitalocean.com', source: 'auths' as const, username: TOKEN, password: TOKEN };
    assert.deepEqual(digitalOceanProvider.fromDockerConfig!(entry), {
      config: { provider: 'digitalocean', name: 'DigitalOcean Container Registry', url: 'registry.digitalocean.com' },
      secrets: { token: TOKEN },
    });
    assert.equal(digitalOceanProvider.fromDockerConfig!({ ...entry, username: 'someone' }), undefined);
    assert.equal(digitalOceanProvider.fromDockerConfig!({ ...entry, username: undefined, password: undefined }), undefined);
  });

  test('host pattern', () => {
    assert.ok(isDigitalOceanHost('registry.digitalocean.com'));
    assert.ok(isDigitalOceanHost('https://registry.digitalocean.com/acme'));
    assert.ok(!isDigitalOceanHost('digitalocean.example.com'));
  });
});
