// Amazon ECR against a fake of the ECR API (AWS JSON 1.1, SigV4 verified for real) reached by
// the real @aws-sdk/client-ecr through its `endpoint` option and our undici request handler,
// with the fake's registry front (Basic AWS:<password> from GetAuthorizationToken, 403 DENIED
// once a password expires) passing v2 calls to the real docker-registry: listing with paging,
// facts for free, the three kinds of AWS credentials, passwords renewed across their expiry,
// AWS errors in plain words, and no secret in any message or log line.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connectEcr, ecrProvider, type EcrConnection, type EcrTuning } from '../../src/providers/ecr';
import type { ProviderContext } from '../../src/providers/provider';
import { isRegistryError, RegistryError } from '../../src/registry/errors';
import { CREATED, startRegistry, type RunningRegistry } from '../support';
import { startFakeEcr, type FakeAwsKey, type FakeEcr } from '../support/fakes/ecr';
import { allPages as all } from '../support/pages';

const KEY: FakeAwsKey = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const PROFILE_KEY: FakeAwsKey = { accessKeyId: 'AKIAPROFILEKEY000001', secretAccessKey: 'profileSecretKey/abcdefghijklmnopqrstuvw' };
const TEMP_KEY: FakeAwsKey = { accessKeyId: 'ASIATEMPORARYKEY0001', secretAccessKey: 'tempSecretKey/abcdefghijklmnopqrstuvwxyz0', sessionToken: 'FwoGZXIvYXdzEXAMPLEsessionTOKEN0123456789abcdef', expired: true };
const ENV_KEY: FakeAwsKey = { accessKeyId: 'AKIAENVIRONMENTKEY01', secretAccessKey: 'envSecretKey/abcdefghijklmnopqrstuvwxyz01' };
const ALL_SECRETS = [KEY, PROFILE_KEY, TEMP_KEY, ENV_KEY].flatMap((k) => [k.secretAccessKey, ...(k.sessionToken ? [k.sessionToken] : [])]);


/** Runs `fn` with environment variables set (undefined deletes), restoring them afterwards. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const set = (v: Record<string, string | undefined>) => {
    for (const [k, val] of Object.entries(v)) {
      if (val === undefined) delete process.env[k];
      else process.env[k] = val;
    }
  };
  set(vars);
  try {
    return await fn();
  } finally {
    set(saved);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Amazon ECR (real SDK → fake ECR API, fake registry front → real registry)', () => {
  let registry: RunningRegistry;
  let fake: FakeEcr;
  let awsDir: string;
  const logs: string[] = [];
  const ctx = (): ProviderContext => ({ apiBaseUrls: { ecr: fake.endpoint, 'ecr-registry': fake.registryUrl }, log: (m) => logs.push(m) });
  const connect = (values: Record<string, string>, tuning: EcrTuning = {}): EcrConnection => {
    const r = ecrProvider.fromForm({ region: 'us-east-1', auth: 'keys', ...values });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    return connectEcr({ id: 'ecr1', ...r.config }, r.secrets, ctx(), tuning);
  };
  const withKey = (tuning: EcrTuning = {}, key = KEY) => connect({ accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, ...(key.sessionToken ? { sessionToken: key.sessionToken } : {}) }, tuning);
  // No stray credentials from the machine: the default chain must find only what a test gives it.
  const isolated = (extra: Record<string, string | undefined> = {}) => ({
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_CONFIG_FILE: join(awsDir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(awsDir, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
    AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
    AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
    ...extra,
  });
  const noSecretIn = (text: string) => {
    for (const s of [...ALL_SECRETS, ...fake.issuedPasswords()]) {
      assert.ok(!text.includes(s), `secret leaked: ${text.slice(0, 300)}`);
      assert.ok(!text.includes(Buffer.from(`AWS:${s}`).toString('base64')), 'registry password leaked as Basic');
    }
  };

  before(async () => {
    registry = await startRegistry({ mode: 'plain' });
    fake = await startFakeEcr({ registry, keys: [KEY, PROFILE_KEY, TEMP_KEY, ENV_KEY], pageSize: 2 });
    const p = registry.pusher;
    await Promise.all([
      p.pushImage('web', ['1.0', 'latest'], { created: CREATED.web, layerBytes: [1200, 300] }),
      p.pushImage('web', '0.9', { created: CREATED.alpine, layerBytes: [1000] }),
      p.pushImage('team/api', 'v1', { created: CREATED.apiV1 }),
      p.pushImage('worker', 'main', { created: CREATED.nginx }),
      p.pushImage('db', '16', { created: CREATED.ociApp, format: 'oci' }),
    ]);
    // Five images (distinct digests) with a tag each.
    for (const [i, tag] of ['v1', 'v2', 'v3', 'v4', 'v5'].entries()) await p.pushImage('many', tag, { created: `2024-06-0${i + 1}T00:00:00Z` });
    awsDir = await mkdtemp(join(tmpdir(), 'ecr-aws-'));
    await writeFile(join(awsDir, 'config'), '[default]\nregion = eu-west-1\n\n[profile dev]\nregion = us-east-1\n');
    await writeFile(
      join(awsDir, 'credentials'),
      `[dev]\naws_access_key_id = ${PROFILE_KEY.accessKeyId}\naws_secret_access_key = ${PROFILE_KEY.secretAccessKey}\n\n[stale]\naws_access_key_id = AKIAUNKNOWNKEY000001\naws_secret_access_key = unknownSecret/abcdefghijklmnopqrstuvwxy\n`,
    );
  });
  after(async () => {
    await fake?.stop();
    await registry?.stop();
    if (awsDir) await rm(awsDir, { recursive: true, force: true });
  });

  test('repositories in exact pages through DescribeRepositories (maxResults 1000 + nextToken)', async () => {
    fake.reset();
    const c = withKey();
    try {
      const first = await c.listRepositories();
      assert.deepEqual(first.items.map((r) => r.name), ['db', 'many']);
      const second = await first.more!();
      assert.deepEqual(second.items.map((r) => r.name), ['team/api', 'web']);
      const third = await second.more!();
      assert.deepEqual(third.items.map((r) => r.name), ['worker']);
      assert.equal(third.more, undefined);
      // A double click on "Load more" is one page, not two.
      assert.equal(first.more!(), first.more!());
      const describe = fake.calls.filter((x) => x.op === 'DescribeRepositories');
      assert.equal(describe.length, 3);
      assert.ok(describe.every((x) => x.input.maxResults === 1000 && x.status === 200 && x.accessKeyId === KEY.accessKeyId));
      assert.deepEqual(describe.map((x) => x.input.nextToken !== undefined), [false, true, true]);
      // The API listing needs no registry password (the address is known here).
      assert.equal(fake.count('GetAuthorizationToken'), 0);
      assert.equal(c.registryHost, new URL(fake.registryUrl).host);
    } finally {
      await c.dispose();
    }
  });

  test('tags with digest, push time and size from DescribeImages, one per tag; the registry agrees', async () => {
    fake.reset();
    const c = withKey();
    try {
      const web = await all(await c.listTags('web'));
      assert.equal(web.pages, 1, 'two images (three tags) fit one page of two images');
      const byName = Object.fromEntries(web.items.map((t) => [t.name, t]));
      assert.deepEqual(Object.keys(byName).sort(), ['0.9', '1.0', 'latest']);
      assert.equal(byName['1.0']!.digest, byName.latest!.digest);
      assert.notEqual(byName['0.9']!.digest, byName['1.0']!.digest);
      assert.equal(byName['1.0']!.created, new Date(CREATED.web).toISOString());
      assert.equal(byName['0.9']!.created, new Date(CREATED.alpine).toISOString());
      const head = await c.client.headManifest('web', '1.0');
      assert.equal(head.digest, byName['1.0']!.digest);
      const details = await c.client.imageDetails('web', '1.0');
      assert.equal(byName['1.0']!.size, details.size);
      const images = fake.calls.filter((x) => x.op === 'DescribeImages');
      assert.deepEqual(images[0]!.input, { filter: { tagStatus: 'TAGGED' }, maxResults: 1000, repositoryName: 'web' });

      const many = await all(await c.listTags('many'));
      assert.equal(many.items.length, 5);
      assert.equal(many.pages, 3, 'five images at two per page');
      assert.equal(fake.count('DescribeImages'), 1 + 3);
      const nested = await all(await c.listTags('team/api'));
      assert.deepEqual(nested.items.map((t) => t.name), ['v1']);
      // One password served every registry call.
      assert.equal(fake.count('GetAuthorizationToken'), 1);
      const issued = fake.issuedPasswords().length;
      assert.ok(fake.registryRequests.every((r) => r.token === issued || r.refused === 'missing'));
    } finally {
      await c.dispose();
    }
  });

  test('Test connection: signed in, listed, read an image through the registry', async () => {
    fake.reset();
    const c = withKey();
    try {
      const steps = await c.test();
      assert.ok(steps.every((s) => s.ok), JSON.stringify(steps));
      assert.equal(steps.length, 3);
      assert.match(steps[0]!.label, /access key AKIAIOSFODNN7EXAMPLE/);
      assert.match(steps[1]!.label, /Listed 2\+ repositories/);
      assert.match(steps[2]!.label, /^Read db:16 from /);
    } finally {
      await c.dispose();
    }
  });

  test('a registry password that expires mid-listing is renewed before use: no refused request', async () => {
    fake.reset();
    fake.setTokenTtl(3);
    const base = fake.issuedPasswords().length;
    const c = withKey();
    try {
      const tags = (await all(await c.listTags('many'))).items.map((t) => t.name);
      await c.client.headManifest('many', tags[0]!);
      assert.equal(fake.count('GetAuthorizationToken'), 1);
      await sleep(3_100); // the password is now past its expiry (the front refuses it)
      for (const tag of tags.slice(1, 3)) await c.client.headManifest('many', tag);
      const details = await c.client.imageDetails('many', tags[3]!);
      assert.ok(details.digest.startsWith('sha256:'));
      assert.equal(fake.count('GetAuthorizationToken'), 2, 'one renewal');
      assert.deepEqual(fake.registryRequests.filter((r) => r.refused && r.refused !== 'missing'), [], 'no request went out with the expired password');
      assert.ok(fake.registryRequests.filter((r) => r.status === 200).some((r) => r.token === base + 2));
    } finally {
      fake.setTokenTtl(12 * 3600);
      await c.dispose();
    }
  });

  test('a password the registry calls expired (403 DENIED) gets one renewal and one retry, unseen by the caller', async () => {
    fake.reset();
    const c = withKey();
    try {
      const tags = (await all(await c.listTags('many'))).items.map((t) => t.name);
      await c.client.headManifest('many', tags[0]!);
      const base = fake.issuedPasswords().length;
      fake.expireTokens(); // server side: our side still believes it has hours left
      const [a, b] = await Promise.all([c.client.headManifest('many', tags[1]!), c.client.getManifest('many', tags[2]!)]);
      assert.ok(a.digest && b.digest);
      const tagList = await c.client.listTags('many');
      assert.equal(tagList.length, 5);
      assert.equal(fake.count('GetAuthorizationToken'), 2, 'concurrent refusals share one renewal');
      assert.ok(fake.registryRequests.some((r) => r.refused === 'expired'));
      assert.equal(fake.registryRequests.at(-1)!.token, base + 1);
    } finally {
      await c.dispose();
    }
  });

  test('a wrong secret: InvalidSignatureException in plain words, on the secret field, without the secret', async () => {
    fake.reset();
    const wrong = 'wrongSecretKey/abcdefghijklmnopqrstuvwxy';
    const c = connect({ accessKeyId: KEY.accessKeyId, secretAccessKey: wrong });
    try {
      await assert.rejects(c.listRepositories(), (e: unknown) => {
        assert.ok(isRegistryError(e, 'unauthorized'));
        assert.equal((e as RegistryError).code, 'InvalidSignatureException');
        assert.equal((e as RegistryError).message, 'The access key was rejected by AWS (InvalidSignatureException). Check the key ID and secret, or the profile.');
        assert.ok(!(e as Error).message.includes(wrong));
        return true;
      });
      const steps = await c.test();
      assert.equal(steps.length, 1);
      assert.equal(steps[0]!.ok, false);
      assert.equal(steps[0]!.field, 'secretAccessKey');
      assert.ok(!JSON.stringify(steps).includes(wrong));
      assert.equal(fake.count('GetAuthorizationToken', true), 0);
    } finally {
      await c.dispose();
    }
  });

  test('an unknown key ID, an expired session token, a missing permission: each its own message', async () => {
    const unknown = connect({ accessKeyId: 'AKIANOSUCHKEY0000001', secretAccessKey: KEY.secretAccessKey });
    const temp = withKey({}, TEMP_KEY);
    const denied = withKey();
    try {
      await assert.rejects(unknown.listRepositories(), (e: unknown) => {
        assert.ok(isRegistryError(e, 'unauthorized'));
        assert.equal((e as RegistryError).code, 'UnrecognizedClientException');
        assert.match((e as Error).message, /^AWS does not recognise the access key \(UnrecognizedClientException\)\. Check the access key ID/);
        return true;
      });
      assert.equal((await unknown.test())[0]!.field, 'accessKeyId');
      await assert.rejects(temp.listRepositories(), (e: unknown) => {
        assert.ok(isRegistryError(e, 'unauthorized'));
        assert.equal((e as RegistryError).code, 'ExpiredTokenException');
        assert.match((e as Error).message, /The AWS session has expired \(ExpiredTokenException\)\. Temporary keys last hours at most/);
        return true;
      });
      assert.equal((await temp.test())[0]!.field, 'sessionToken');
      fake.setDeny(['DescribeImages']);
      await assert.rejects(denied.listTags('web'), (e: unknown) => {
        assert.ok(isRegistryError(e, 'forbidden'));
        assert.equal((e as RegistryError).code, 'AccessDeniedException');
        assert.equal(
          (e as Error).message,
          'AWS denied ecr:DescribeImages to arn:aws:iam::123456789012:user/tester (AccessDeniedException). Grant it, for example with the AmazonEC2ContainerRegistryReadOnly policy.',
        );
        return true;
      });
    } finally {
      fake.setDeny([]);
      await Promise.all([unknown.dispose(), temp.dispose(), denied.dispose()]);
    }
  });

  test('a repository that does not exist: notFound from DescribeImages', async () => {
    const c = withKey();
    try {
      await assert.rejects(c.listTags('nope/missing'), (e: unknown) => {
        assert.ok(isRegistryError(e, 'notFound'));
        assert.equal((e as RegistryError).code, 'RepositoryNotFoundException');
        assert.match((e as Error).message, /^Repository nope\/missing was not found in the registry in us-east-1/);
        return true;
      });
    } finally {
      await c.dispose();
    }
  });

  test('a named profile from AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE signs the calls', async () => {
    await withEnv(isolated(), async () => {
      fake.reset();
      const c = connect({ auth: 'profile', profile: 'dev' });
      try {
        const repos = await all(await c.listRepositories());
        assert.equal(repos.items.length, 5);
        assert.ok(fake.calls.length > 0 && fake.calls.every((x) => x.accessKeyId === PROFILE_KEY.accessKeyId));
        assert.equal((await c.client.headManifest('worker', 'main')).digest.slice(0, 7), 'sha256:');
      } finally {
        await c.dispose();
      }
      const missing = connect({ auth: 'profile', profile: 'nosuch' });
      try {
        await assert.rejects(missing.listRepositories(), (e: unknown) => {
          assert.ok(isRegistryError(e, 'unauthorized'));
          assert.match((e as Error).message, /^There is no AWS profile “nosuch” in .*config or .*credentials\. Check the name \(aws configure list-profiles\)/);
          return true;
        });
        const steps = await missing.test();
        assert.equal(steps[0]!.field, 'profile');
      } finally {
        await missing.dispose();
      }
      const stale = connect({ auth: 'profile', profile: 'stale' });
      try {
        await assert.rejects(stale.listRepositories(), (e: unknown) => {
          assert.equal((e as RegistryError).code, 'UnrecognizedClientException');
          assert.match((e as Error).message, /^AWS does not recognise the profile “stale” \(UnrecognizedClientException\)\. Check the profile “stale”\./);
          return true;
        });
      } finally {
        await stale.dispose();
      }
    });
  });

  test('the default chain: environment keys; nothing found gives a message that says where it looked', async () => {
    await withEnv(isolated({ AWS_ACCESS_KEY_ID: ENV_KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: ENV_KEY.secretAccessKey }), async () => {
      fake.reset();
      const c = connect({ auth: 'default' });
      try {
        assert.deepEqual((await all(await c.listTags('worker'))).items.map((t) => t.name), ['main']);
        assert.ok(fake.calls.every((x) => x.accessKeyId === ENV_KEY.accessKeyId));
      } finally {
        await c.dispose();
      }
    });
    await withEnv(isolated({ AWS_CONFIG_FILE: join(awsDir, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(awsDir, 'none') }), async () => {
      const c = connect({ auth: 'default' });
      try {
        await assert.rejects(c.listRepositories(), (e: unknown) => {
          assert.ok(isRegistryError(e, 'unauthorized'));
          assert.match((e as Error).message, /^No AWS credentials were found by the default chain \(environment variables, shared config and credentials files, SSO, container or instance role\)/);
          return true;
        });
      } finally {
        await c.dispose();
      }
    });
  });

  test('a given registry ID addresses that registry; another account is denied in plain words', async () => {
    fake.reset();
    const own = connect({ accessKeyId: KEY.accessKeyId, secretAccessKey: KEY.secretAccessKey, registryId: fake.accountId });
    const other = connect({ accessKeyId: KEY.accessKeyId, secretAccessKey: KEY.secretAccessKey, registryId: '210987654321' });
    try {
      assert.equal((await all(await own.listRepositories())).items.length, 5);
      assert.ok(fake.calls.filter((x) => x.op === 'DescribeRepositories').every((x) => x.input.registryId === fake.accountId));
      assert.equal(fake.count('GetAuthorizationToken'), 0, 'with a registry ID, listing needs no password');
      await assert.rejects(other.listRepositories(), (e: unknown) => {
        assert.ok(isRegistryError(e, 'forbidden'));
        assert.match((e as Error).message, /^AWS denied ecr:DescribeRepositories on registry 210987654321 to .*\. Grant it, .*, or check the registry ID\.$/);
        return true;
      });
      const steps = await other.test();
      assert.equal(steps.at(-1)!.ok, false);
      assert.equal(steps.at(-1)!.field, 'registryId');
    } finally {
      await Promise.all([own.dispose(), other.dispose()]);
    }
  });

  test('an unreachable API endpoint: a network error that names it, on the region field', async () => {
    const r = ecrProvider.fromForm({ region: 'us-east-1', auth: 'keys', accessKeyId: KEY.accessKeyId, secretAccessKey: KEY.secretAccessKey });
    assert.ok(r.ok);
    const c = connectEcr({ id: 'down', ...r.config }, r.secrets, { apiBaseUrls: { ecr: 'http://127.0.0.1:9', 'ecr-registry': fake.registryUrl } });
    const started = Date.now();
    try {
      await assert.rejects(c.listRepositories(), (e: unknown) => {
        assert.ok(isRegistryError(e, 'network'), String(e));
        assert.match((e as Error).message, /^Could not reach the ECR API at 127\.0\.0\.1:9 \(ECONNREFUSED\)\. Check your network, VPN and proxy settings, and the region\.$/);
        return true;
      });
      const steps = await c.test();
      assert.equal(steps[0]!.field, 'region');
      assert.ok(Date.now() - started < 10_000);
    } finally {
      await c.dispose();
    }
  });

  test('no secret in any message, test step or log line', async () => {
    const wrong = connect({ accessKeyId: KEY.accessKeyId, secretAccessKey: 'wrongSecretKey/abcdefghijklmnopqrstuvwxy' });
    const good = withKey();
    try {
      const texts: string[] = [];
      texts.push(JSON.stringify(await wrong.test()));
      texts.push(JSON.stringify(await good.test()));
      fake.expireTokens();
      await good.client.headManifest('web', 'latest');
      await good.client.listTags('team/api');
      await assert.rejects(good.client.headManifest('web', 'nope'), (e: unknown) => {
        texts.push((e as Error).message);
        return isRegistryError(e, 'notFound');
      });
      texts.push(...logs);
      assert.ok(logs.some((l) => /^ECR API: GetAuthorizationToken → 200/.test(l)), logs.join('\n'));
      assert.ok(logs.some((l) => /^ECR: new registry password \(the registry refused the last one\)/.test(l)));
      for (const t of texts) noSecretIn(t);
    } finally {
      await Promise.all([wrong.dispose(), good.dispose()]);
    }
  });
});
