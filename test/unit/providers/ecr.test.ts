import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectEcr, EcrAuthTokens, ecrProvider } from '../../../src/providers/ecr';
import { mapAwsError } from '../../../src/providers/ecr/errors';
import { isEcrHost, parseEcrHost } from '../../../src/providers/ecr/hosts';
import type { ConnectionConfig } from '../../../src/providers/provider';
import { isRegistryError } from '../../../src/registry/errors';
import { startHostile } from '../../support';

const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SESSION = 'FwoGZXIvYXdzEXAMPLEsessionTOKEN0123456789abcdef';

function errors(r: ReturnType<typeof ecrProvider.fromForm>): Record<string, string> {
  assert.ok(!r.ok, 'expected field errors');
  return Object.fromEntries(r.errors.map((e) => [e.field, e.message]));
}

describe('ECR form → connection', () => {
  test('access key: the key ID and region are metadata, the secret is apart', () => {
    const r = ecrProvider.fromForm({ region: 'eu-west-1', auth: 'keys', accessKeyId: ` ${KEY_ID} `, secretAccessKey: ` ${SECRET} `, sessionToken: '', name: '' });
    assert.ok(r.ok);
    assert.deepEqual(r.config, {
      provider: 'ecr',
      name: 'Amazon ECR (eu-west-1)',
      url: 'dkr.ecr.eu-west-1.amazonaws.com',
      username: KEY_ID,
      options: { region: 'eu-west-1', auth: 'keys' },
    });
    assert.deepEqual(r.secrets, { secretAccessKey: SECRET });
    assert.ok(!JSON.stringify(r.config).includes(SECRET));
  });

  test('temporary keys keep their session token; a profile; the default chain; a registry ID', () => {
    const temp = ecrProvider.fromForm({ region: 'us-east-1', auth: 'keys', accessKeyId: 'ASIATEMPORARYKEY0001', secretAccessKey: SECRET, sessionToken: SESSION });
    assert.ok(temp.ok);
    assert.deepEqual(temp.secrets, { secretAccessKey: SECRET, sessionToken: SESSION });

    const profile = ecrProvider.fromForm({ region: 'us-west-2', auth: 'profile', profile: 'dev-admin', registryId: '123456789012', secretAccessKey: 'ignored' });
    assert.ok(profile.ok);
    assert.deepEqual(profile.config, {
      provider: 'ecr',
      name: 'Amazon ECR 123456789012 (us-west-2)',
      url: '123456789012.dkr.ecr.us-west-2.amazonaws.com',
      options: { region: 'us-west-2', auth: 'profile', profile: 'dev-admin', registryId: '123456789012' },
    });
    assert.deepEqual(profile.secrets, {}, 'no key is kept for a profile');

    const empty = ecrProvider.fromForm({ region: 'us-west-2', auth: 'profile', profile: '' });
    assert.ok(empty.ok);
    assert.equal(empty.config.options?.profile, 'default');

    const chain = ecrProvider.fromForm({ region: 'other', customRegion: 'cn-north-1', auth: 'default', registryId: 'https://123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/team/app', name: 'China' });
    assert.ok(chain.ok);
    assert.deepEqual(chain.config, {
      provider: 'ecr',
      name: 'China',
      url: '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn',
      options: { region: 'cn-north-1', auth: 'default', registryId: '123456789012' },
    });

    const fips = ecrProvider.fromForm({ region: 'us-gov-west-1', auth: 'default', registryId: '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com' });
    assert.ok(fips.ok);
    assert.equal(fips.config.url, '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com');
    assert.equal(fips.config.options?.fips, true);
    assert.equal(ecrProvider.toForm({ id: 'x', ...fips.config }).registryId, '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com');
  });

  test('errors name the field and say what to do', () => {
    let e = errors(ecrProvider.fromForm({ region: 'us-east-1', auth: 'keys', accessKeyId: '', secretAccessKey: '' }));
    assert.match(e.accessKeyId!, /Paste the access key ID .* starts with AKIA/);
    assert.match(e.secretAccessKey!, /Paste the secret access key/);
    e = errors(ecrProvider.fromForm({ region: 'us-east-1', auth: 'keys', accessKeyId: 'akia-lower', secretAccessKey: 'short' }));
    assert.match(e.accessKeyId!, /20 upper-case letters and digits/);
    assert.match(e.secretAccessKey!, /too short/);
    e = errors(ecrProvider.fromForm({ region: 'us-east-1', auth: 'keys', accessKeyId: KEY_ID, secretAccessKey: `${SECRET.slice(0, 20)}\n${SECRET.slice(20)}` }));
    assert.match(e.secretAccessKey!, /line breaks/);
    e = errors(ecrProvider.fromForm({ region: 'us-east-1', auth: 'keys', accessKeyId: 'ASIATEMPORARYKEY0001', secretAccessKey: SECRET }));
    assert.match(e.sessionToken!, /ASIA are temporary .* paste it too/);
    e = errors(ecrProvider.fromForm({ region: 'other', customRegion: 'Europe (Ireland)', auth: 'default' }));
    assert.match(e.customRegion!, /not an AWS region code\. Use the code, like eu-west-1/);
    e = errors(ecrProvider.fromForm({ region: 'other', customRegion: '', auth: 'default' }));
    assert.match(e.customRegion!, /Enter the region code/);
    e = errors(ecrProvider.fromForm({ region: 'us-east-1', auth: 'default', registryId: '123456789012.dkr.ecr.eu-west-1.amazonaws.com' }));
    assert.equal(e.registryId, 'This registry is in eu-west-1, but the region chosen is us-east-1. Choose eu-west-1 as the region.');
    e = errors(ecrProvider.fromForm({ region: 'us-east-1', auth: 'default', registryId: '1234-5678' }));
    assert.match(e.registryId!, /12-digit account ID/);
    e = errors(ecrProvider.fromForm({ region: 'us-east-1', auth: 'profile', profile: '[profile dev]' }));
    assert.match(e.profile!, /without \[ \] or the word “profile”/);
    // Nothing in an error repeats the secret.
    assert.ok(!JSON.stringify(errors(ecrProvider.fromForm({ region: 'us-east-1', auth: 'keys', accessKeyId: 'bad', secretAccessKey: `${SECRET} x` }))).includes(SECRET));
  });

  test('editing keeps the stored secret and session token for the same key; the form never carries them', () => {
    const first = ecrProvider.fromForm({ region: 'us-east-1', auth: 'keys', accessKeyId: 'ASIATEMPORARYKEY0001', secretAccessKey: SECRET, sessionToken: SESSION });
    assert.ok(first.ok);
    const previous = { config: { id: 'e1', ...first.config }, secrets: first.secrets };
    const form = ecrProvider.toForm(previous.config);
    assert.deepEqual(form, {
      region: 'us-east-1',
      customRegion: '',
      auth: 'keys',
      accessKeyId: 'ASIATEMPORARYKEY0001',
      secretAccessKey: '',
      sessionToken: '',
      profile: '',
      registryId: '',
      name: 'Amazon ECR (us-east-1)',
    });
    const kept = ecrProvider.fromForm({ ...form, name: 'Mine' }, previous);
    assert.ok(kept.ok);
    assert.deepEqual(kept.secrets, { secretAccessKey: SECRET, sessionToken: SESSION });
    assert.equal(kept.config.name, 'Mine');

    // A new secret for the same key ID drops the old session token (it belonged to the old secret).
    const retyped = ecrProvider.fromForm({ ...form, accessKeyId: KEY_ID, secretAccessKey: SECRET }, { ...previous, config: { ...previous.config, username: KEY_ID } });
    assert.ok(retyped.ok);
    assert.deepEqual(retyped.secrets, { secretAccessKey: SECRET });

    // Another key ID needs its own secret.
    const changed = errors(ecrProvider.fromForm({ ...form, accessKeyId: 'AKIAANOTHERKEY000001' }, previous));
    assert.equal(changed.secretAccessKey, 'The access key ID changed: paste the secret access key that belongs to it.');
    // Another provider's secrets are not taken over.
    assert.ok(!ecrProvider.fromForm({ ...form }, { ...previous, config: { ...previous.config, provider: 'generic' } }).ok);
    // Switching to a profile drops the keys.
    const switched = ecrProvider.fromForm({ ...form, auth: 'profile', profile: 'dev' }, previous);
    assert.ok(switched.ok);
    assert.deepEqual(switched.secrets, {});
    assert.equal(switched.config.username, undefined);

    // A region not in the list comes back under “Other…”.
    const other: ConnectionConfig = { id: 'e2', provider: 'ecr', name: 'x', url: 'dkr.ecr.xx-east-9.amazonaws.com', options: { region: 'xx-east-9', auth: 'default' } };
    assert.deepEqual([ecrProvider.toForm(other).region, ecrProvider.toForm(other).customRegion], ['other', 'xx-east-9']);
  });

  test('the form: help with permissions and docs, secret fields, fields shown per sign-in kind', () => {
    const f = ecrProvider.form;
    assert.equal(f.id, 'ecr');
    assert.match(f.help!, /AmazonEC2ContainerRegistryReadOnly/);
    assert.match(f.help!, /ecr:GetAuthorizationToken/);
    assert.ok(f.docsUrl?.startsWith('https://docs.aws.amazon.com/AmazonECR/'));
    const byId = Object.fromEntries(f.fields.map((x) => [x.id, x]));
    assert.equal(byId.secretAccessKey?.secret, true);
    assert.equal(byId.sessionToken?.secret, true);
    assert.equal(byId.accessKeyId?.secret, undefined);
    assert.deepEqual(byId.profile?.showIf, { field: 'auth', equals: 'profile' });
    assert.deepEqual(byId.customRegion?.showIf, { field: 'region', equals: 'other' });
    assert.ok(byId.region?.options?.some((o) => o.value === 'eu-central-1'));
    for (const field of f.fields) if (field.id !== 'name') assert.ok(field.help, `${field.id} has help`);
  });

  test('Docker config: an ECR host becomes a default-chain connection to that registry', () => {
    const entry = { registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', serverKey: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com', source: 'credHelpers' as const, helper: 'ecr-login' };
    assert.deepEqual(ecrProvider.fromDockerConfig!(entry), {
      config: {
        provider: 'ecr',
        name: 'Amazon ECR 123456789012 (eu-west-1)',
        url: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
        options: { region: 'eu-west-1', auth: 'default', registryId: '123456789012' },
      },
      secrets: {},
    });
    // The 12-hour password in `auths` is not kept: it would be dead by tomorrow.
    const auths = ecrProvider.fromDockerConfig!({ ...entry, source: 'auths', username: 'AWS', password: 'eyJwYXlsb2FkIjoi' });
    assert.deepEqual(auths?.secrets, {});
    assert.equal(ecrProvider.fromDockerConfig!({ ...entry, registry: 'ghcr.io' }), undefined);
  });

  test('ECR hosts', () => {
    assert.deepEqual(parseEcrHost('123456789012.dkr.ecr.us-east-1.amazonaws.com'), { accountId: '123456789012', region: 'us-east-1', fips: false, domain: 'amazonaws.com' });
    assert.equal(parseEcrHost('https://123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com:443/x')?.fips, true);
    assert.equal(parseEcrHost('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn')?.domain, 'amazonaws.com.cn');
    assert.ok(isEcrHost('123456789012.dkr-ecr.eu-west-1.on.aws'));
    assert.ok(!isEcrHost('12345.dkr.ecr.us-east-1.amazonaws.com'));
    assert.ok(!isEcrHost('public.ecr.aws'));
    assert.ok(!isEcrHost('123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example'));
  });
});

describe('ECR registry password lifecycle', () => {
  const data = (n: number, expiresAt: number) => ({ username: 'AWS', password: `pw-${n}`, expiresAt, proxyEndpoint: 'https://123456789012.dkr.ecr.us-east-1.amazonaws.com' });

  test('renewed before expiry (a quarter of its life, at most 15 min early), in place, one fetch for concurrent callers', async () => {
    let now = 1_000_000;
    let fetches = 0;
    const tokens = new EcrAuthTokens(async () => data(++fetches, now + 12 * 3600_000), { now: () => now });
    const creds = await tokens.source({ forceRefresh: false });
    assert.deepEqual(creds, { kind: 'basic', username: 'AWS', password: 'pw-1' });
    await Promise.all([tokens.ensure(), tokens.ensure(), tokens.ensure()]);
    assert.equal(fetches, 1);
    now += 12 * 3600_000 - 15 * 60_000 - 1; // 15 min + 1 ms left: still fine
    await tokens.ensure();
    assert.equal(fetches, 1);
    now += 2;
    await Promise.all([tokens.ensure(), tokens.ensure()]);
    assert.equal(fetches, 2, 'renewed once, 15 min before expiry');
    assert.equal(creds.password, 'pw-2', 'the object the registry client holds was updated');

    // A short-lived password is renewed when a quarter of its life is left.
    let short = 0;
    const quick = new EcrAuthTokens(async () => data(++short, now + 4000), { now: () => now });
    await quick.ensure();
    now += 2999;
    await quick.ensure();
    assert.equal(short, 1);
    now += 2;
    await quick.ensure();
    assert.equal(short, 2);
  });

  test('after a refusal: one renewal shared by concurrent callers; a fresh password refused again is not renewed again', async () => {
    const now = 5_000_000;
    let fetches = 0;
    const tokens = new EcrAuthTokens(async () => {
      await new Promise((r) => setTimeout(r, 5));
      return data(++fetches, now + 3600_000);
    }, { now: () => now });
    await tokens.ensure();
    const seen = tokens.generation;
    const retry = await Promise.all([tokens.renewAfterRefusal(seen), tokens.renewAfterRefusal(seen), tokens.renewAfterRefusal(seen)]);
    assert.deepEqual(retry, [true, true, true]);
    assert.equal(fetches, 2);
    // The new password is refused as well: a permission problem, not expiry.
    assert.equal(await tokens.renewAfterRefusal(tokens.generation), false);
    assert.equal(fetches, 2);
    // The auth layer's forced refresh right after a renewal does not fetch again.
    await tokens.source({ forceRefresh: true });
    assert.equal(fetches, 2);
  });

  test('a registry that denies with 403 costs one extra password, not one per call', async () => {
    const registry = await startHostile((req, res) => {
      if (!req.headers.authorization) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="ecr"' });
        res.end();
        return;
      }
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ errors: [{ code: 'DENIED', message: 'User is not authorized to perform ecr:BatchGetImage' }] }));
    });
    const r = ecrProvider.fromForm({ region: 'us-east-1', auth: 'keys', accessKeyId: KEY_ID, secretAccessKey: SECRET });
    assert.ok(r.ok);
    const c = connectEcr({ id: 'h', ...r.config }, r.secrets, { apiBaseUrls: { 'ecr-registry': registry.url } });
    let fetches = 0;
    c.api.getAuthorizationToken = async () => data(++fetches, Date.now() + 12 * 3600_000);
    try {
      for (const call of [() => c.client.headManifest('app', 'v1'), () => c.client.getManifest('app', 'v1'), () => c.client.headManifest('app', 'v2')]) {
        await assert.rejects(call(), (e: unknown) => {
          assert.ok(isRegistryError(e, 'forbidden'));
          assert.match((e as Error).message, /ECR needs ecr:BatchGetImage and ecr:GetDownloadUrlForLayer to read images \(AmazonEC2ContainerRegistryReadOnly\)/);
          return true;
        });
      }
      assert.equal(fetches, 2);
      const manifestCalls = registry.requests.filter((q) => q.headers.authorization);
      assert.equal(manifestCalls.length, 4, 'three calls + one retry');
    } finally {
      await c.dispose();
      await registry.stop();
    }
  });

  test('without a registry ID, the account’s registry is learned from GetAuthorizationToken', async () => {
    const r = ecrProvider.fromForm({ region: 'eu-west-1', auth: 'default' });
    assert.ok(r.ok);
    const c = connectEcr({ id: 'd', ...r.config }, r.secrets, {});
    c.api.getAuthorizationToken = async () => ({ ...data(1, Date.now() + 3600_000), proxyEndpoint: 'https://210987654321.dkr.ecr.eu-west-1.amazonaws.com' });
    const odd = connectEcr({ id: 'o', ...r.config }, r.secrets, {});
    odd.api.getAuthorizationToken = async () => ({ ...data(1, Date.now() + 3600_000), proxyEndpoint: 'https://127.0.0.1:1' });
    try {
      assert.equal(c.registryHost, 'dkr.ecr.eu-west-1.amazonaws.com');
      await c.ready();
      assert.equal(c.registryHost, '210987654321.dkr.ecr.eu-west-1.amazonaws.com');
      await assert.rejects(odd.ready(), (e: unknown) => isRegistryError(e, 'protocol') && /enter the registry ID/.test((e as Error).message));
    } finally {
      await Promise.all([c.dispose(), odd.dispose()]);
    }
  });
});

describe('AWS errors in plain words', () => {
  const ctx = { action: 'DescribeImages', kind: 'keys' as const, region: 'eu-west-1', repository: 'team/app', secrets: [SECRET] };
  const aws = (name: string, message: string, status = 400) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status }, $fault: 'client' });

  test('each AWS error code has its kind and sentence', async () => {
    const cases: [Error, string, RegExp][] = [
      [aws('InvalidSignatureException', 'sig'), 'unauthorized', /^The access key was rejected by AWS \(InvalidSignatureException\)\. Check the key ID and secret, or the profile\.$/],
      [aws('UnrecognizedClientException', 'x'), 'unauthorized', /^AWS does not recognise the access key/],
      [aws('ExpiredTokenException', 'x'), 'unauthorized', /^The AWS session has expired/],
      [aws('AccessDeniedException', 'User: arn:aws:iam::1:user/bob is not authorized to perform: ecr:DescribeImages', 400), 'forbidden', /^AWS denied ecr:DescribeImages to arn:aws:iam::1:user\/bob/],
      [aws('RepositoryNotFoundException', 'x'), 'notFound', /^Repository team\/app was not found/],
      [aws('ThrottlingException', 'Rate exceeded'), 'rateLimited', /throttling/],
      [aws('ServerException', 'boom', 500), 'network', /server error/],
    ];
    for (const [err, kind, re] of cases) {
      const mapped = await mapAwsError(err, ctx);
      assert.equal(mapped.kind, kind, err.name);
      assert.match(mapped.message, re);
      assert.equal(mapped.code, err.name);
    }
  });

  test('a message that quotes a secret is scrubbed; network failures name the API host', async () => {
    const mapped = await mapAwsError(aws('ValidationException', `Value ${SECRET} at 'x' failed`), ctx);
    assert.equal(mapped.kind, 'protocol');
    assert.ok(!mapped.message.includes(SECRET));
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const net = await mapAwsError(refused, { ...ctx, apiHost: '127.0.0.1:9' });
    assert.equal(net.kind, 'network');
    assert.match(net.message, /127\.0\.0\.1:9/);
  });
});
