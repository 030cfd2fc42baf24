import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { googleProvider, isGoogleRegistryHost, parseArtifactRegistryPath, targetOf } from '../../../src/providers/google';
import { describeGoogleError, scrub } from '../../../src/providers/google/errors';
import { parseServiceAccountKey } from '../../../src/providers/google/serviceAccountKey';
import { GoogleAccessTokens } from '../../../src/providers/google/tokens';
import type { ConnectionConfig } from '../../../src/providers/provider';
import { startGoogleTokenEndpoint, type FakeGoogleToken } from '../../support/fakes/googleToken';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PEM_LINE = PEM.split('\n')[4]!;

function keyJson(over: Record<string, unknown> = {}): string {
  return JSON.stringify({
    type: 'service_account',
    project_id: 'key-project',
    private_key_id: 'abcdef0123456789',
    private_key: PEM,
    client_email: 'ci@key-project.iam.gserviceaccount.com',
    client_id: '1234567890',
    token_uri: 'https://oauth2.googleapis.com/token',
    ...over,
  });
}
const KEY = keyJson();

function errorsOf(r: ReturnType<typeof googleProvider.fromForm>): Record<string, string> {
  assert.ok(!r.ok, 'expected field errors');
  return Object.fromEntries(r.errors.map((e) => [e.field, e.message]));
}

describe('Google form → connection', () => {
  test('Artifact Registry: the path becomes host, location, project, repository; the key stays secret', () => {
    const r = googleProvider.fromForm({ registry: 'gar', garPath: ' https://europe-west1-docker.pkg.dev/my-project/images/ ', auth: 'key', keyJson: KEY, name: '' });
    assert.ok(r.ok);
    assert.deepEqual(r.config, {
      provider: 'google',
      name: 'europe-west1-docker.pkg.dev/my-project/images',
      url: 'europe-west1-docker.pkg.dev',
      options: { registry: 'gar', project: 'my-project', location: 'europe-west1', repository: 'images', auth: 'key', account: 'ci@key-project.iam.gserviceaccount.com' },
    });
    assert.deepEqual(r.secrets, { keyJson: KEY });
    assert.ok(!JSON.stringify(r.config).includes(PEM_LINE));
  });

  test('Artifact Registry: a project-wide path, a multi-region, a domain-scoped project, an image path left off', () => {
    const whole = parseArtifactRegistryPath('us-docker.pkg.dev/my-project');
    assert.deepEqual(whole, { ok: true, target: { kind: 'gar', host: 'us-docker.pkg.dev', location: 'us', project: 'my-project' } });
    const scoped = parseArtifactRegistryPath('asia-northeast1-docker.pkg.dev/example.com/my-project/repo');
    assert.deepEqual(scoped, { ok: true, target: { kind: 'gar', host: 'asia-northeast1-docker.pkg.dev', location: 'asia-northeast1', project: 'example.com:my-project', repository: 'repo' } });
    const image = parseArtifactRegistryPath('us-central1-docker.pkg.dev/my-project/repo/team/app:latest');
    assert.ok(image.ok && image.target.repository === 'repo');
  });

  test('Container Registry: host + project; an empty project falls back to the key’s', () => {
    const r = googleProvider.fromForm({ registry: 'gcr', gcrHost: 'eu.gcr.io', project: '', auth: 'key', keyJson: KEY });
    assert.ok(r.ok);
    assert.deepEqual(r.config.options, { registry: 'gcr', project: 'key-project', auth: 'key', account: 'ci@key-project.iam.gserviceaccount.com' });
    assert.equal(r.config.url, 'eu.gcr.io');
    assert.equal(r.config.name, 'eu.gcr.io/key-project');
    const explicit = googleProvider.fromForm({ registry: 'gcr', gcrHost: 'gcr.io', project: 'other-project', auth: 'key', keyJson: KEY });
    assert.ok(explicit.ok && explicit.config.options?.project === 'other-project');
  });

  test('application default credentials: no secret at all', () => {
    const r = googleProvider.fromForm({ registry: 'gcr', gcrHost: 'gcr.io', project: 'my-project', auth: 'adc', keyJson: KEY });
    assert.ok(r.ok);
    assert.deepEqual(r.secrets, {});
    assert.equal(r.config.options?.auth, 'adc');
    assert.equal(r.config.options?.account, undefined);
  });

  test('location, project and repository mistakes name their field and say what to do', () => {
    assert.match(errorsOf(googleProvider.fromForm({ registry: 'gar', garPath: '', auth: 'adc' })).garPath!, /us-central1-docker\.pkg\.dev\/my-project\/my-repo/);
    assert.match(errorsOf(googleProvider.fromForm({ registry: 'gar', garPath: 'gcr.io/my-project', auth: 'adc' })).garPath!, /Container Registry/);
    assert.match(errorsOf(googleProvider.fromForm({ registry: 'gar', garPath: 'us-central1-npm.pkg.dev/my-project/r', auth: 'adc' })).garPath!, /not a Docker repository host/);
    assert.match(errorsOf(googleProvider.fromForm({ registry: 'gar', garPath: 'registry.example.com/x/y', auth: 'adc' })).garPath!, /LOCATION-docker\.pkg\.dev/);
    assert.match(errorsOf(googleProvider.fromForm({ registry: 'gar', garPath: 'us-docker.pkg.dev', auth: 'adc' })).garPath!, /Add the project ID/);
    assert.match(errorsOf(googleProvider.fromForm({ registry: 'gar', garPath: 'us-docker.pkg.dev/My Project/r', auth: 'adc' })).garPath!, /not a project ID.*not the project’s display name/);
    assert.match(errorsOf(googleProvider.fromForm({ registry: 'gar', garPath: 'us-docker.pkg.dev/my-project/Repo_1', auth: 'adc' })).garPath!, /not a repository ID/);
    assert.match(errorsOf(googleProvider.fromForm({ registry: 'gcr', gcrHost: 'gcr.io', project: '', auth: 'adc' })).project!, /Enter the project ID/);
    assert.match(errorsOf(googleProvider.fromForm({ registry: 'gcr', gcrHost: 'gcr.io', project: '123456789012', auth: 'adc' })).project!, /not a project ID/);
    assert.match(errorsOf(googleProvider.fromForm({ registry: 'gcr', gcrHost: 'docker.io', project: 'my-project', auth: 'adc' })).gcrHost!, /gcr\.io, us\.gcr\.io/);
  });

  test('key mistakes say what the file is and what to use instead, never quoting it', () => {
    const cases: [string, RegExp][] = [
      ['', /Choose the service account’s JSON key file/],
      ['not json at all S3CRET', /This is not JSON/],
      [PEM, /bare PEM key/],
      [JSON.stringify({ type: 'authorized_user', client_id: 'x', refresh_token: 'S3CRET' }), /user credential .*Application default credentials/],
      [JSON.stringify({ type: 'external_account', audience: 'S3CRET' }), /workload identity federation.*GOOGLE_APPLICATION_CREDENTIALS/],
      [keyJson({ type: 'S3CRET with spaces' }), /“type” is not recognised/],
      [keyJson({ private_key: undefined }), /has no private_key/],
      [keyJson({ client_email: 'S3CRET' }), /client_email is not an e-mail address/],
      [keyJson({ private_key: '-----BEGIN PRIVATE KEY-----\nS3CRETAAAA\n-----END PRIVATE KEY-----\n' }), /private_key of ci@key-project\.iam\.gserviceaccount\.com is damaged/],
    ];
    for (const [text, pattern] of cases) {
      const msg = errorsOf(googleProvider.fromForm({ registry: 'gar', garPath: 'us-docker.pkg.dev/my-project/r', auth: 'key', keyJson: text })).keyJson!;
      assert.match(msg, pattern);
      assert.ok(!msg.includes('S3CRET') && !msg.includes(PEM_LINE), msg);
    }
  });

  test('editing: a blank key keeps the stored one, a new key replaces it, switching to ADC drops it', () => {
    const first = googleProvider.fromForm({ registry: 'gar', garPath: 'us-docker.pkg.dev/my-project/r', auth: 'key', keyJson: KEY });
    assert.ok(first.ok);
    const stored = { config: { id: 'g1', ...first.config } as ConnectionConfig, secrets: first.secrets };
    const form = googleProvider.toForm(stored.config);
    assert.deepEqual(form, { registry: 'gar', garPath: 'us-docker.pkg.dev/my-project/r', gcrHost: 'gcr.io', project: '', auth: 'key', keyJson: '', name: 'us-docker.pkg.dev/my-project/r' });
    const kept = googleProvider.fromForm(form, stored);
    assert.ok(kept.ok);
    assert.deepEqual(kept.secrets, { keyJson: KEY });
    assert.deepEqual(kept.config, first.config);

    const other = keyJson({ client_email: 'new@key-project.iam.gserviceaccount.com' });
    const replaced = googleProvider.fromForm({ ...form, keyJson: other }, stored);
    assert.ok(replaced.ok);
    assert.deepEqual(replaced.secrets, { keyJson: other });
    assert.equal(replaced.config.options?.account, 'new@key-project.iam.gserviceaccount.com');

    const adc = googleProvider.fromForm({ ...form, auth: 'adc' }, stored);
    assert.ok(adc.ok);
    assert.deepEqual(adc.secrets, {});

    // Back from ADC to a key: nothing stored to keep, so the key is asked for.
    const fromAdc = { config: { id: 'g1', ...adc.config } as ConnectionConfig, secrets: { keyJson: KEY } };
    assert.match(errorsOf(googleProvider.fromForm({ ...googleProvider.toForm(fromAdc.config), auth: 'key' }, fromAdc)).keyJson!, /Choose the service account’s JSON key/);
  });

  test('toForm of a Container Registry connection, and the target it stands for', () => {
    const config: ConnectionConfig = { id: 'g2', provider: 'google', name: 'prod', url: 'us.gcr.io', options: { registry: 'gcr', project: 'my-project', auth: 'adc' } };
    assert.deepEqual(googleProvider.toForm(config), { registry: 'gcr', garPath: '', gcrHost: 'us.gcr.io', project: 'my-project', auth: 'adc', keyJson: '', name: 'prod' });
    assert.deepEqual(targetOf(config), { kind: 'gcr', host: 'us.gcr.io', project: 'my-project' });
  });

  test('registry hosts for the Docker-config import', () => {
    for (const h of ['gcr.io', 'eu.gcr.io', 'https://us.gcr.io', 'us-central1-docker.pkg.dev', 'europe-docker.pkg.dev/p/r']) assert.ok(isGoogleRegistryHost(h), h);
    for (const h of ['docker.io', 'ghcr.io', 'us-central1-npm.pkg.dev', 'notgcr.io', 'pkg.dev']) assert.ok(!isGoogleRegistryHost(h), h);
  });

  test('the form describes its fields and help', () => {
    const f = googleProvider.form;
    assert.equal(f.id, 'google');
    assert.ok(f.help && /roles\/artifactregistry\.reader/.test(f.help));
    assert.ok(f.docsUrl?.startsWith('https://cloud.google.com/'));
    const key = f.fields.find((x) => x.id === 'keyJson')!;
    assert.equal(key.kind, 'file');
    assert.equal(key.secret, true);
    assert.deepEqual(key.fileFilters, { 'JSON key': ['json'] });
    assert.deepEqual(key.showIf, { field: 'auth', equals: 'key' });
    assert.ok(f.fields.every((x) => x.help || x.id === 'name'), 'every field says what it wants');
  });
});

describe('Google token errors in plain words', () => {
  const account = 'service account ci@p.iam.gserviceaccount.com';
  const gaxios = (status: number, error: string, description: string) => Object.assign(new Error(`${error}: ${description}`), { status, response: { status, data: { error, error_description: description } } });

  test('by what the user should do', () => {
    const sig = describeGoogleError(gaxios(400, 'invalid_grant', 'Invalid JWT Signature.'), account, 'abcdef0123456789');
    assert.equal(sig.kind, 'unauthorized');
    assert.match(sig.message, /^Google rejected the key abcdef01… of service account ci@p\.iam\.gserviceaccount\.com \(invalid_grant: Invalid JWT Signature\.\)\..*Create a new JSON key/);
    assert.match(describeGoogleError(gaxios(400, 'invalid_grant', 'Invalid grant: account not found'), account).message, /Google does not know service account/);
    assert.match(describeGoogleError(gaxios(400, 'invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values'), account).message, /clock is off/);
    assert.equal(describeGoogleError(gaxios(503, 'backend_error', 'x'), account).kind, 'network');
    assert.equal(describeGoogleError(gaxios(429, 'rate_limit_exceeded', 'x'), account).kind, 'rateLimited');
    const net = describeGoogleError(Object.assign(new Error('getaddrinfo ENOTFOUND oauth2.googleapis.com'), { code: 'ENOTFOUND' }), account);
    assert.equal(net.kind, 'network');
    assert.match(net.message, /Could not reach Google’s token service \(ENOTFOUND\)/);
    const adc = describeGoogleError(new Error('Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication/getting-started for more information.'), 'the application default credentials');
    assert.equal(adc.kind, 'invalid');
    assert.match(adc.message, /gcloud auth application-default login/);
  });

  test('scrub leaves no token, assertion or key in a library message', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJjaUBwIn0.c2lnbmF0dXJlc2lnbmF0dXJl';
    const text = scrub(`failed with ya29.c.SECRET_token-value and ${jwt} and ${PEM}`);
    assert.ok(!text.includes('SECRET') && !text.includes(jwt) && !text.includes(PEM_LINE), text);
    assert.match(text, /\[token\].*\[jwt\].*\[key\]/);
    const desc = describeGoogleError(gaxios(400, 'invalid_request', `bad assertion ${jwt}`), account);
    assert.ok(!desc.message.includes(jwt));
  });
});

describe('Google access tokens: renewed before they run out, one fetch for concurrent callers', () => {
  let google: FakeGoogleToken;
  before(async () => {
    google = await startGoogleTokenEndpoint();
  });
  after(async () => google?.stop());

  test('renewal when less than five minutes are left, not before', async () => {
    const sa = google.addServiceAccount({ name: 'clock' });
    const parsed = parseServiceAccountKey(sa.json);
    assert.ok(parsed.ok);
    let offset = 0;
    const logs: string[] = [];
    const tokens = new GoogleAccessTokens({ key: parsed.key, tokenUrl: `${google.url}/token`, now: () => Date.now() + offset, log: (m) => logs.push(m) });
    const [a, b, c] = await Promise.all([tokens.token(), tokens.token(), tokens.source({ forceRefresh: false })]);
    assert.equal(a, b);
    assert.deepEqual(c, { kind: 'basic', username: 'oauth2accesstoken', password: a });
    assert.equal(tokens.stats.fetches, 1, 'concurrent callers share one fetch');
    offset = 54 * 60_000;
    assert.equal(await tokens.token(), a, 'six minutes left: kept');
    offset = 55.5 * 60_000;
    const renewed = await tokens.token();
    assert.notEqual(renewed, a);
    assert.equal(tokens.stats.fetches, 2);
    assert.equal(tokens.credentials.password, renewed, 'the object the registry client holds is updated in place');
    const forced = await tokens.source({ forceRefresh: true });
    assert.equal(tokens.stats.fetches, 3, 'a rejected token is replaced whatever its age');
    assert.ok(forced && forced.kind === 'basic' && forced.password !== renewed);
    assert.deepEqual(
      google.requests.map((r) => [r.email, r.status]),
      [
        [sa.email, 200],
        [sa.email, 200],
        [sa.email, 200],
      ],
    );
    assert.match(logs.join('\n'), /first use.*\n.*expires in \d+ s.*\n.*the registry rejected the last one/);
    for (const t of google.issued()) assert.ok(!logs.join('\n').includes(t));
  });
});
