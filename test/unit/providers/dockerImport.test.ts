import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectionFromDockerEntry } from '../../../src/providers/dockerImport';
import { allProviders, providerForRegistryHost } from '../../../src/providers';

describe('Import from Docker config: entry → connection', () => {
  test('an unknown host becomes a Generic v2 connection with the credentials as secrets', () => {
    const c = connectionFromDockerEntry({ registry: 'registry.example.com:5000', serverKey: 'registry.example.com:5000', source: 'auths', username: 'alice', password: 'pw-1' });
    assert.equal(c.config.provider, 'generic');
    assert.equal(c.config.url, 'registry.example.com:5000');
    assert.equal(c.config.username, 'alice');
    assert.deepEqual(c.secrets, { password: 'pw-1' });
    assert.equal(c.config.options?.importedFrom, 'docker-config');
    assert.ok(!JSON.stringify(c.config).includes('pw-1'), 'no secret in the metadata');
  });

  test('an identity-token login keeps the token and drops the `<token>` user name', () => {
    const c = connectionFromDockerEntry({ registry: 'r.example.com', serverKey: 'r.example.com', source: 'auths', username: '<token>', identityToken: 'rt-1' });
    assert.equal(c.config.username, undefined);
    assert.deepEqual(c.secrets, { identityToken: 'rt-1' });
  });

  test('hosts map to the provider that serves them, when that provider is built in', () => {
    const known = new Set(allProviders().map((p) => p.form.id));
    const expect = (host: string, id: string) => assert.equal(providerForRegistryHost(host), known.has(id) ? id : 'generic', host);
    expect('docker.io', 'dockerhub');
    expect('123456789012.dkr.ecr.eu-west-1.amazonaws.com', 'ecr');
    expect('gcr.io', 'google');
    expect('europe-west4-docker.pkg.dev', 'google');
    expect('ghcr.io', 'ghcr');
    expect('myreg.azurecr.io', 'acr');
    expect('registry.digitalocean.com', 'digitalocean');
    expect('quay.io', 'quay');
    assert.equal(providerForRegistryHost('localhost:5000'), 'generic');
    assert.equal(providerForRegistryHost('evil-gcr.io.example.com'), 'generic');
  });
});

describe('Import from Docker config: provider-specific entries', () => {
  test('a gcr.io `_json_key` login becomes a Google connection keeping the key as its one secret', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const key = JSON.stringify({ type: 'service_account', project_id: 'my-project-42', private_key_id: 'abc', private_key: pem, client_email: 'puller@my-project-42.iam.gserviceaccount.com', token_uri: 'https://oauth2.googleapis.com/token' });
    const c = connectionFromDockerEntry({ registry: 'eu.gcr.io', serverKey: 'https://eu.gcr.io', source: 'auths', username: '_json_key', password: key });
    assert.equal(c.config.provider, 'google');
    assert.equal(c.config.url, 'eu.gcr.io');
    assert.equal(c.config.options?.project, 'my-project-42');
    assert.deepEqual(Object.keys(c.secrets), ['keyJson']);
    assert.ok(!JSON.stringify(c.config).includes('PRIVATE KEY'));
  });

  test('an Artifact Registry entry, which names no project, falls back to Generic v2', () => {
    const c = connectionFromDockerEntry({ registry: 'us-docker.pkg.dev', serverKey: 'us-docker.pkg.dev', source: 'credHelpers', helper: 'gcloud', username: 'oauth2accesstoken', password: 'ya29.short' });
    assert.equal(c.config.provider, 'generic');
  });
});

describe('Import from Docker config: ECR', () => {
  test('an ecr-login helper entry becomes an ECR connection with the account and region from the host, and no stored password', () => {
    const c = connectionFromDockerEntry({ registry: '123456789012.dkr.ecr.eu-central-1.amazonaws.com', serverKey: '123456789012.dkr.ecr.eu-central-1.amazonaws.com', source: 'credHelpers', helper: 'ecr-login', username: 'AWS', password: 'eyJwYXlsb2FkIjoi-12h-token' });
    assert.equal(c.config.provider, 'ecr');
    assert.equal(c.config.options?.region, 'eu-central-1');
    assert.equal(c.config.options?.registryId, '123456789012');
    assert.ok(!JSON.stringify(c).includes('12h-token'), 'the 12-hour password is not kept: the provider renews its own');
  });
});
