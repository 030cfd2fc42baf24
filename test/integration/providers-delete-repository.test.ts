// Delete Repository through each provider's own API, against its fake control plane in front
// of a real registry: the right call with the right credentials, the images really gone from
// the registry, and a refusal (no permission, not found) said in the provider's terms without
// a secret. Also Docker Hub's pull limit, read by a HEAD that costs no pull.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { acrProvider, type AcrConnection } from '../../src/providers/acr';
import { DockerHubConnection, dockerHubProvider } from '../../src/providers/dockerhub';
import { connectEcr, ecrProvider, type EcrConnection } from '../../src/providers/ecr';
import type { FormValues } from '../../src/providers/form';
import { gitlabProvider, type GitLabConnection } from '../../src/providers/gitlab';
import { harborProvider, type HarborConnection } from '../../src/providers/harbor';
import type { ConnectionConfig, ProviderContext } from '../../src/providers/provider';
import { quayProvider, type QuayConnection } from '../../src/providers/quay';
import { pullLimit } from '../../src/registry/pullLimit';
import { RegistryClient } from '../../src/registry/client';
import { staticCredentials } from '../../src/registry/credentials';
import { RegistryError } from '../../src/registry/errors';
import { startRegistry, type RunningRegistry } from '../support';
import { startFakeAcr, type FakeAcr } from '../support/fakes/acr';
import { startFakeDockerHub, type FakeDockerHub } from '../support/fakes/dockerhub';
import { startFakeEcr, type FakeAwsKey, type FakeEcr } from '../support/fakes/ecr';
import { startFakeGitLab, type FakeGitLab } from '../support/fakes/gitlab';
import { startFakeHarbor, type FakeHarbor } from '../support/fakes/harbor';
import { startFakeQuay, type FakeQuay } from '../support/fakes/quay';
import { errorText } from '../support/pages';


/** The registry no longer serves `repo:tag` (asked by a client with the registry's own credentials). */
async function gone(reg: RunningRegistry, repo: string, tag: string): Promise<boolean> {
  const c = new RegistryClient({ url: reg.url, caPem: reg.caPem, credentials: staticCredentials({ kind: 'basic', username: reg.username!, password: reg.password! }) });
  try {
    await c.headManifest(repo, tag);
    return false;
  } catch (e) {
    if (e instanceof RegistryError && e.kind === 'notFound') return true;
    throw e;
  } finally {
    await c.close();
  }
}

/** Two repositories: `old` (tags 1 and 2) to delete, `keep` (tag 1) that must survive a refusal. */
async function seed(reg: RunningRegistry, old: string, keep: string): Promise<void> {
  await Promise.all([reg.pusher.pushImage(old, ['1', '2']), reg.pusher.pushImage(keep, '1')]);
}

/** After the block: dispose the connections it opened, then stop its fake. */
function closing(open: { dispose(): Promise<void> }[], stop: () => Promise<void> | undefined): void {
  after(async () => {
    await Promise.all(open.map((c) => c.dispose()));
    await stop();
  });
}

describe('Docker Hub: delete a repository, pull limit', () => {
  const USER = 'alice';
  const PAT = 'dckr_pat_Delete-Secret-0123456789';
  let reg: RunningRegistry;
  let hub: FakeDockerHub;
  const open: DockerHubConnection[] = [];
  const ctx = (): ProviderContext => ({ apiBaseUrls: { dockerhub: hub.apiUrl, 'dockerhub-registry': hub.registryUrl } });
  function connect(values: Record<string, string>): DockerHubConnection {
    const r = dockerHubProvider.fromForm(values);
    assert.ok(r.ok);
    const config: ConnectionConfig = { id: `hub-${open.length}`, ...r.config };
    const c = dockerHubProvider.connect(config, r.secrets, ctx()) as DockerHubConnection;
    open.push(c);
    return c;
  }

  before(async () => {
    reg = await startRegistry({ mode: 'token', username: USER, password: PAT, tokenServer: { service: 'registry.docker.io', anonymousPull: true } });
    await Promise.all([reg.pusher.pushImage(`${USER}/old`, ['1', '2']), reg.pusher.pushImage('bob/theirs', '1')]);
    hub = await startFakeDockerHub({ registry: reg, pullLimit: 100 });
  });
  closing(open, async () => {
    await hub?.stop();
    await reg?.stop();
  });

  test('the owner deletes a repository: one DELETE on the Hub API, the images are gone from the registry', async () => {
    const c = connect({ username: USER, password: PAT });
    await c.deleteRepository(`${USER}/old`);
    const calls = hub.requests.filter((r) => r.method === 'DELETE');
    assert.deepEqual(calls.map((r) => [r.path, r.auth, r.status]), [[`/v2/repositories/${USER}/old/`, 'valid', 202]]);
    assert.equal(hub.repositories.has(`${USER}/old`), false);
    assert.ok(await gone(reg, `${USER}/old`, '1'));
  });

  test("someone else's repository: forbidden, in Docker Hub's terms, without the token", async () => {
    const c = connect({ username: USER, password: PAT });
    await assert.rejects(c.deleteRepository('bob/theirs'), (e: unknown) => e instanceof RegistryError && e.kind === 'forbidden' && /Docker Hub denied/.test(e.message) && !errorText(e).includes(PAT));
    assert.equal(await gone(reg, 'bob/theirs', '1'), false);
  });

  test('anonymous: asks for a sign-in before any request', async () => {
    const c = connect({ namespaces: 'bob' });
    const before = hub.requests.length;
    await assert.rejects(c.deleteRepository('bob/theirs'), (e: unknown) => e instanceof RegistryError && e.kind === 'unauthorized' && /needs a sign-in/.test(e.message));
    assert.equal(hub.requests.length, before);
  });

  test('the pull limit comes from a HEAD, which spends no pull', async () => {
    const c = connect({ username: USER, password: PAT });
    const before = hub.pullsRemaining;
    const limit = await pullLimit(c.client, 'bob/theirs', '1');
    assert.deepEqual(limit, { remaining: before, limit: 100, windowSeconds: 21600 });
    assert.equal(hub.pullsRemaining, before);
  });
});

describe('Quay: delete a repository through the Quay API', () => {
  const ADMIN = 'Quay-Admin-Token-4f1c9e2b7a';
  let fake: FakeQuay;
  let reader: string;
  const open: QuayConnection[] = [];
  const connect = (values: FormValues): QuayConnection => {
    const r = quayProvider.fromForm({ url: fake.registry.url, namespaces: 'acme', ...values });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    const c = quayProvider.connect({ id: `q${open.length}`, ...r.config }, r.secrets, { apiBaseUrls: { quay: fake.apiUrl } }) as QuayConnection;
    open.push(c);
    return c;
  };
  before(async () => {
    fake = await startFakeQuay();
    reader = fake.oauthToken;
    fake.setOauthTokens({ [reader]: ['repo:read'], [ADMIN]: ['repo:read', 'repo:admin'] });
    await seed(fake.registry, 'acme/old', 'acme/keep');
    await fake.sync();
  });
  closing(open, () => fake?.stop());

  test('an admin token deletes: one DELETE, the images gone from the registry', async () => {
    fake.reset();
    await connect({ oauthToken: ADMIN }).deleteRepository('acme/old');
    assert.deepEqual(fake.requests.map((r) => [r.method, r.path, r.auth, r.status]), [['DELETE', '/api/v1/repository/acme/old', 'valid', 204]]);
    assert.ok(await gone(fake.registry, 'acme/old', '1'));
  });

  test('a read-only token: forbidden, naming the permission to ask for, without the token', async () => {
    await assert.rejects(connect({ oauthToken: reader }).deleteRepository('acme/keep'), (e: unknown) => e instanceof RegistryError && e.kind === 'forbidden' && /repo:admin/.test(e.message) && !errorText(e).includes(reader));
    assert.equal(await gone(fake.registry, 'acme/keep', '1'), false);
  });

  test('a robot account only: says an OAuth token is needed, without a request', async () => {
    fake.reset();
    await assert.rejects(connect({ robotUsername: fake.robot, robotToken: fake.robotToken }).deleteRepository('acme/keep'), (e: unknown) => e instanceof RegistryError && /OAuth access token/.test(e.message));
    assert.equal(fake.requests.length, 0);
  });
});

describe('Harbor: delete a repository through the Harbor API', () => {
  const ROBOT = 'robot$team+ci';
  const ROBOT_SECRET = 'Harbor-Robot-Secret-77aa';
  let fake: FakeHarbor;
  const open: HarborConnection[] = [];
  const connect = (values: FormValues): HarborConnection => {
    const r = harborProvider.fromForm({ url: fake.registry.url, ...values });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    const c = harborProvider.connect({ id: `h${open.length}`, ...r.config }, r.secrets, { apiBaseUrls: { harbor: fake.apiUrl } }) as HarborConnection;
    open.push(c);
    return c;
  };
  before(async () => {
    fake = await startFakeHarbor({ robots: { [ROBOT]: ROBOT_SECRET } });
    await seed(fake.registry, 'team/tools/old', 'team/keep');
    await fake.sync();
  });
  closing(open, () => fake?.stop());

  test('a project member deletes a nested repository: its name double-encoded, the images gone', async () => {
    fake.reset();
    await connect({ username: fake.username, password: fake.password }).deleteRepository('team/tools/old');
    assert.deepEqual(fake.requests.map((r) => [r.method, r.path, r.status]), [['DELETE', '/api/v2.0/projects/team/repositories/tools%252Fold', 200]]);
    assert.ok(await gone(fake.registry, 'team/tools/old', '1'));
  });

  test('a robot without the permission: forbidden, naming the permission, without the secret', async () => {
    await assert.rejects(connect({ username: ROBOT, password: ROBOT_SECRET }).deleteRepository('team/keep'), (e: unknown) => e instanceof RegistryError && e.kind === 'forbidden' && /“Delete repository” permission/.test(e.message) && !errorText(e).includes(ROBOT_SECRET));
    assert.equal(await gone(fake.registry, 'team/keep', '1'), false);
  });
});

describe('GitLab: delete a repository through the GitLab API', () => {
  const API_TOKEN = 'glpat-Delete-Api-Scope-0123456789';
  let fake: FakeGitLab;
  const open: GitLabConnection[] = [];
  const connect = (values: FormValues): GitLabConnection => {
    const r = gitlabProvider.fromForm({ apiUrl: 'gitlab.example.com', registryUrl: fake.registry.url, ...values });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    const c = gitlabProvider.connect({ id: `g${open.length}`, ...r.config }, r.secrets, { apiBaseUrls: { gitlab: fake.apiUrl } }) as GitLabConnection;
    open.push(c);
    return c;
  };
  before(async () => {
    fake = await startFakeGitLab({ projects: ['acme/web'], deployTokens: { 'gitlab+deploy-token-1': 'gldt-Deploy-0123456789' } });
    fake.setTokens({ [fake.token]: { scopes: ['read_api', 'read_registry'] }, [API_TOKEN]: { scopes: ['api', 'read_registry'] } });
    await seed(fake.registry, 'acme/web/old', 'acme/web/keep');
    await fake.sync();
  });
  closing(open, () => fake?.stop());

  test('an api-scope token deletes: the repository found by its path, one DELETE by its ids, the images gone', async () => {
    fake.reset();
    await connect({ token: API_TOKEN, projects: 'acme/web' }).deleteRepository('acme/web/old');
    const calls = fake.requests.filter((r) => r.method === 'DELETE');
    assert.equal(calls.length, 1);
    assert.match(calls[0]!.path, /^\/api\/v4\/projects\/1\/registry\/repositories\/\d+$/);
    assert.equal(calls[0]!.status, 202);
    assert.ok(await gone(fake.registry, 'acme/web/old', '1'));
  });

  test('a read_api token: forbidden, naming the api scope, without the token', async () => {
    await assert.rejects(connect({ token: fake.token, projects: 'acme/web' }).deleteRepository('acme/web/keep'), (e: unknown) => e instanceof RegistryError && e.kind === 'forbidden' && /api scope/.test(e.message) && !errorText(e).includes(fake.token));
    assert.equal(await gone(fake.registry, 'acme/web/keep', '1'), false);
  });

  test('a deploy token: told why not, without a request', async () => {
    fake.reset();
    await assert.rejects(connect({ auth: 'deploy', username: 'gitlab+deploy-token-1', token: 'gldt-Deploy-0123456789', repositories: 'acme/web/keep' }).deleteRepository('acme/web/keep'), (e: unknown) => e instanceof RegistryError && /deploy token cannot delete/.test(e.message));
    assert.equal(fake.requests.length, 0);
  });
});

describe("ACR: delete a repository through ACR's data-plane API", () => {
  let fake: FakeAcr;
  const open: AcrConnection[] = [];
  const connect = (): AcrConnection => {
    const r = acrProvider.fromForm({ loginServer: fake.registryUrl, auth: 'admin', username: fake.adminUser, password: fake.adminPassword });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    const c = acrProvider.connect({ id: `acr${open.length}`, ...r.config }, r.secrets, { apiBaseUrls: { acr: fake.exchangeUrl } }) as AcrConnection;
    open.push(c);
    return c;
  };
  before(async () => {
    fake = await startFakeAcr();
    await seed(fake.registry, 'team/old', 'team/keep');
  });
  closing(open, () => fake?.stop());

  test('DELETE /acr/v1/NAME with a token that carries repository:NAME:delete; the images gone', async () => {
    fake.reset();
    await connect().deleteRepository('team/old');
    assert.deepEqual(fake.deletes.map((d) => [d.repository, d.status]), [
      ['team/old', 401],
      ['team/old', 202],
    ]);
    assert.ok(fake.registry.tokenServer!.requests.some((t) => t.scopes.includes('repository:team/old:delete')), 'the token was asked with the delete scope the challenge named');
    assert.ok(await gone(fake.registry, 'team/old', '1'));
  });

  test('credentials without delete rights: forbidden, naming AcrDelete, without the password', async () => {
    fake.registry.tokenServer!.setDenyRepositories(['team/keep']);
    try {
      await assert.rejects(connect().deleteRepository('team/keep'), (e: unknown) => e instanceof RegistryError && e.kind === 'forbidden' && /AcrDelete/.test(e.message) && !errorText(e).includes(fake.adminPassword));
    } finally {
      fake.registry.tokenServer!.setDenyRepositories([]);
    }
    assert.equal(await gone(fake.registry, 'team/keep', '1'), false);
  });
});

describe('Amazon ECR: delete a repository with DeleteRepository (real SDK → fake ECR API)', () => {
  const KEY: FakeAwsKey = { accessKeyId: 'AKIADELETEREPOKEY001', secretAccessKey: 'deleteRepoSecretKey/abcdefghijklmnopqrs' };
  let registry: RunningRegistry;
  let fake: FakeEcr;
  const open: EcrConnection[] = [];
  const connect = (): EcrConnection => {
    const r = ecrProvider.fromForm({ region: 'us-east-1', auth: 'keys', accessKeyId: KEY.accessKeyId, secretAccessKey: KEY.secretAccessKey });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    const c = connectEcr({ id: `ecr${open.length}`, ...r.config }, r.secrets, { apiBaseUrls: { ecr: fake.endpoint, 'ecr-registry': fake.registryUrl } });
    open.push(c);
    return c;
  };
  before(async () => {
    registry = await startRegistry({ mode: 'plain' });
    fake = await startFakeEcr({ registry, keys: [KEY] });
    await seed(registry, 'team/old', 'team/keep');
  });
  closing(open, async () => {
    await fake?.stop();
    await registry?.stop();
  });

  test('one signed DeleteRepository with force; the images gone from the registry', async () => {
    const before = fake.calls.length;
    await connect().deleteRepository('team/old');
    const calls = fake.calls.slice(before).filter((c) => c.op === 'DeleteRepository');
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.status, 200);
    assert.ok(await gone(registry, 'team/old', '1'));
  });

  test('a policy without ecr:DeleteRepository: forbidden, naming the action and a policy that has it, without the key', async () => {
    fake.setDeny(['DeleteRepository']);
    try {
      await assert.rejects(connect().deleteRepository('team/keep'), (e: unknown) => e instanceof RegistryError && e.kind === 'forbidden' && /ecr:DeleteRepository/.test(e.message) && /FullAccess/.test(e.message) && !errorText(e).includes(KEY.secretAccessKey));
    } finally {
      fake.setDeny([]);
    }
    assert.equal(await gone(registry, 'team/keep', '1'), false);
  });
});
