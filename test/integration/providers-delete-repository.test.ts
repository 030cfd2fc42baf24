// Delete Repository through each provider's own API, against its fake control plane in front
// of a real registry: the right call with the right credentials, the images really gone from
// the registry, and a refusal (no permission, not found) said in the provider's terms without
// a secret. Also Docker Hub's pull limit, read by a HEAD that costs no pull.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DockerHubConnection, dockerHubProvider } from '../../src/providers/dockerhub';
import type { ConnectionConfig, ProviderContext } from '../../src/providers/provider';
import { pullLimit } from '../../src/registry/pullLimit';
import { RegistryClient } from '../../src/registry/client';
import { staticCredentials } from '../../src/registry/credentials';
import { RegistryError } from '../../src/registry/errors';
import { startRegistry, type RunningRegistry } from '../support';
import { startFakeDockerHub, type FakeDockerHub } from '../support/fakes/dockerhub';

const errorText = (e: unknown): string => `${String(e)} ${(e as Error).stack ?? ''} ${JSON.stringify(e)}`;

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
  after(async () => {
    await Promise.all(open.map((c) => c.dispose()));
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
