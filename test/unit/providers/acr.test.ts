import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ACR_TOKEN_USERNAME, acrFromForm, acrProvider, isAcrHost, isAcrRefreshToken, jwtClaims } from '../../../src/providers/acr';

const SP = '1b2c3d4e-5f60-4172-8394-a5b6c7d8e9f0';

function jwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

function errors(r: ReturnType<typeof acrProvider.fromForm>): Record<string, string> {
  assert.ok(!r.ok);
  return Object.fromEntries(r.errors.map((e) => [e.field, e.message]));
}

describe('Azure Container Registry form', () => {
  test('admin user: a registry name becomes the login server; the password is a separate secret', () => {
    const r = acrProvider.fromForm({ loginServer: 'MyRegistry', auth: 'admin', username: 'myregistry', password: 'pw-1', name: '' });
    assert.ok(r.ok);
    assert.deepEqual(r.config, { provider: 'acr', name: 'myregistry.azurecr.io', url: 'myregistry.azurecr.io', username: 'myregistry', options: { auth: 'admin' } });
    assert.deepEqual(r.secrets, { password: 'pw-1' });
  });

  test('service principal: the app ID must be a GUID; the client secret is kept apart', () => {
    const r = acrProvider.fromForm({ loginServer: 'contoso.azurecr.io', auth: 'servicePrincipal', appId: SP.toUpperCase(), clientSecret: 's3cr3t' });
    assert.ok(r.ok);
    assert.equal(r.config.username, SP);
    assert.deepEqual(r.secrets, { clientSecret: 's3cr3t' });
    const e = errors(acrProvider.fromForm({ loginServer: 'contoso.azurecr.io', auth: 'servicePrincipal', appId: 'my-app', clientSecret: '' }));
    assert.match(e.appId!, /application \(client\) ID, a GUID/);
    assert.match(e.clientSecret!, /Certificates & secrets/);
  });

  test('Entra token: must be a JWT that has not expired; tenant optional and checked', () => {
    const now = Date.parse('2025-01-01T12:00:00Z');
    const fresh = jwt({ iss: 'https://sts.windows.net/t/', tid: 't', exp: now / 1000 + 3600 });
    const r = acrFromForm({ loginServer: 'contoso.azurecr.io', auth: 'token', aadToken: fresh, tenant: 'contoso.onmicrosoft.com' }, undefined, now);
    assert.ok(r.ok);
    assert.deepEqual(r.config.options, { auth: 'token', tenant: 'contoso.onmicrosoft.com' });
    assert.deepEqual(r.secrets, { aadToken: fresh });
    assert.equal(r.config.username, undefined);
    const stale = jwt({ exp: now / 1000 - 60 });
    assert.match(errors(acrFromForm({ loginServer: 'c.azurecr.io', auth: 'token', aadToken: stale }, undefined, now)).aadToken!, /expired at 2025-01-01 11:59:00 UTC.*az account get-access-token/);
    assert.match(errors(acrFromForm({ loginServer: 'c.azurecr.io', auth: 'token', aadToken: 'not a token' }, undefined, now)).aadToken!, /three dot-separated parts/);
    assert.match(errors(acrFromForm({ loginServer: 'c.azurecr.io', auth: 'token', aadToken: fresh, tenant: 'not a tenant!' }, undefined, now)).tenant!, /tenant ID/);
  });

  test('the login server is checked; plain HTTP only for loopback or when insecure', () => {
    assert.match(errors(acrProvider.fromForm({ loginServer: '', username: 'u', password: 'p' })).loginServer!, /myregistry\.azurecr\.io/);
    assert.match(errors(acrProvider.fromForm({ loginServer: 'http://10.0.0.5:5000', username: 'u', password: 'p' })).loginServer!, /Allow insecure/);
    assert.ok(acrProvider.fromForm({ loginServer: 'http://127.0.0.1:5000', username: 'u', password: 'p' }).ok);
  });

  test('editing keeps a stored secret only for the same way of signing in and the same identity', () => {
    const previous = { config: { id: 'a', provider: 'acr', name: 'x', url: 'x.azurecr.io', username: 'x', options: { auth: 'admin' } }, secrets: { password: 'stored' } };
    const same = acrProvider.fromForm({ loginServer: 'x.azurecr.io', auth: 'admin', username: 'x', password: '' }, previous);
    assert.ok(same.ok);
    assert.deepEqual(same.secrets, { password: 'stored' });
    assert.ok(!acrProvider.fromForm({ loginServer: 'x.azurecr.io', auth: 'admin', username: 'other', password: '' }, previous).ok);
    assert.ok(!acrProvider.fromForm({ loginServer: 'x.azurecr.io', auth: 'servicePrincipal', appId: SP, clientSecret: '' }, previous).ok);
    const form = acrProvider.toForm(previous.config);
    assert.deepEqual(form, { loginServer: 'x.azurecr.io', auth: 'admin', username: 'x', appId: '', tenant: '', insecure: false, name: 'x' });
    assert.ok(!Object.values(form).includes('stored'));
  });

  test('Docker config entries: refresh token, service principal, admin user', () => {
    const refresh = jwt({ iss: 'Azure Container Registry', exp: 2e9 });
    assert.ok(isAcrRefreshToken(refresh));
    assert.deepEqual(acrProvider.fromDockerConfig!({ registry: 'c.azurecr.io', serverKey: 'c.azurecr.io', source: 'auths', username: ACR_TOKEN_USERNAME, password: refresh }), {
      config: { provider: 'acr', name: 'c.azurecr.io', url: 'c.azurecr.io', options: { auth: 'token' } },
      secrets: { aadToken: refresh },
    });
    assert.equal(acrProvider.fromDockerConfig!({ registry: 'c.azurecr.io', serverKey: 'c.azurecr.io', source: 'auths', username: SP, password: 'x' })!.config.options!.auth, 'servicePrincipal');
    assert.deepEqual(acrProvider.fromDockerConfig!({ registry: 'c.azurecr.io', serverKey: 'c.azurecr.io', source: 'auths', username: 'c', password: 'x' })!.secrets, { password: 'x' });
    assert.equal(acrProvider.fromDockerConfig!({ registry: 'c.azurecr.io', serverKey: 'c.azurecr.io', source: 'credsStore' }), undefined);
  });

  test('helpers', () => {
    assert.ok(isAcrHost('contoso.azurecr.io') && isAcrHost('https://contoso.azurecr.cn') && !isAcrHost('azurecr.io.example.com'));
    assert.equal(jwtClaims('a.b'), undefined);
    assert.deepEqual(jwtClaims(jwt({ a: 1 })), { a: 1 });
    const f = acrProvider.form;
    assert.ok(f.docsUrl?.startsWith('https://learn.microsoft.com/'));
    assert.match(f.help!, /AcrPull/);
    assert.deepEqual(f.fields.filter((x) => x.secret).map((x) => x.id), ['password', 'clientSecret', 'aadToken']);
  });
});
