import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectionFromDockerEntry } from '../../../src/providers/dockerImport';
import { gitlabGroups, gitlabProjects, gitlabProvider, isGitLabComHost } from '../../../src/providers/gitlab';
import { providerForRegistryHost } from '../../../src/providers/index';

function errors(r: ReturnType<typeof gitlabProvider.fromForm>): Record<string, string> {
  assert.ok(!r.ok);
  return Object.fromEntries(r.errors.map((e) => [e.field, e.message]));
}

describe('GitLab form', () => {
  test('gitlab.com: the registry host defaults to registry.gitlab.com; groups and projects kept apart from the token', () => {
    const r = gitlabProvider.fromForm({ token: 'glpat-x', groups: 'acme\nhttps://gitlab.com/acme/sub/-/tree/main\n42', projects: 'acme/web' });
    assert.ok(r.ok);
    assert.deepEqual(r.config, {
      provider: 'gitlab',
      name: 'registry.gitlab.com',
      url: 'registry.gitlab.com',
      options: { apiUrl: 'gitlab.com', auth: 'token', groups: 'acme,acme/sub,42', projects: 'acme/web' },
    });
    assert.deepEqual(r.secrets, { token: 'glpat-x' });
    assert.deepEqual(gitlabGroups({ id: 'x', ...r.config }), ['acme', 'acme/sub', '42']);
    assert.deepEqual(gitlabProjects({ id: 'x', ...r.config }), ['acme/web']);
  });

  test('self-managed: the registry address must be given', () => {
    assert.match(errors(gitlabProvider.fromForm({ apiUrl: 'gitlab.example.com', token: 't', groups: 'a' })).registryUrl!, /Deploy → Container Registry/);
    const r = gitlabProvider.fromForm({ apiUrl: 'https://gitlab.example.com/api/v4', registryUrl: 'gitlab.example.com:5050', token: 't', groups: 'a' });
    assert.ok(r.ok);
    assert.equal(r.config.url, 'gitlab.example.com:5050');
    assert.equal(r.config.options?.apiUrl, 'https://gitlab.example.com');
  });

  test('a deploy token needs its user name and named repositories; an access token needs a group or project', () => {
    const e = errors(gitlabProvider.fromForm({ auth: 'deploy', token: 'gldt-x' }));
    assert.match(e.username!, /deploy token’s user name/);
    assert.match(e.repositories!, /cannot list repositories/);
    const ok = gitlabProvider.fromForm({ auth: 'deploy', token: 'gldt-x', username: 'gitlab+deploy-token-3', repositories: 'acme/web\nacme/web/worker' });
    assert.ok(ok.ok);
    assert.deepEqual(ok.config.repositories, ['acme/web', 'acme/web/worker']);
    assert.match(errors(gitlabProvider.fromForm({ token: 't' })).groups!, /at least one group or project/);
    assert.match(errors(gitlabProvider.fromForm({ token: 't', groups: 'bad group!' })).groups!, /Not a group path or ID/);
    assert.match(errors(gitlabProvider.fromForm({ groups: 'a' })).token!, /read_api and read_registry/);
    assert.match(errors(gitlabProvider.fromForm({ groups: 'a', token: 'a b' })).token!, /spaces/);
  });

  test('editing keeps the stored token for the same kind of credential; the form never carries it', () => {
    const previous = { config: { id: 'g', provider: 'gitlab', name: 'g', url: 'registry.gitlab.com', options: { apiUrl: 'gitlab.com', auth: 'token', groups: 'acme' } }, secrets: { token: 'T' } };
    const same = gitlabProvider.fromForm({ groups: 'acme' }, previous);
    assert.ok(same.ok);
    assert.deepEqual(same.secrets, { token: 'T' });
    assert.ok(!gitlabProvider.fromForm({ auth: 'deploy', username: 'u', repositories: 'a/b' }, previous).ok);
    const form = gitlabProvider.toForm(previous.config);
    assert.equal(form.groups, 'acme');
    assert.ok(!Object.values(form).includes('T'));
  });

  test('Docker config: registry.gitlab.com belongs to GitLab; a deploy login becomes a deploy-token connection', () => {
    assert.equal(providerForRegistryHost('registry.gitlab.com'), 'gitlab');
    assert.ok(isGitLabComHost('https://registry.gitlab.com/acme') && !isGitLabComHost('gitlab.com'));
    const deploy = connectionFromDockerEntry({ registry: 'registry.gitlab.com', serverKey: 'registry.gitlab.com', source: 'auths', username: 'gitlab+deploy-token-9', password: 'gldt-T' });
    assert.deepEqual(deploy.config, { provider: 'gitlab', name: 'registry.gitlab.com', url: 'registry.gitlab.com', username: 'gitlab+deploy-token-9', options: { apiUrl: 'gitlab.com', auth: 'deploy', importedFrom: 'docker-config' } });
    assert.deepEqual(deploy.secrets, { token: 'gldt-T' });
    assert.equal(connectionFromDockerEntry({ registry: 'registry.gitlab.com', serverKey: 'registry.gitlab.com', source: 'auths', username: 'alice', password: 'glpat-T' }).config.options?.auth, 'token');
  });

  test('an imported connection says what to choose, as an Edit-connection error', async () => {
    const imported = connectionFromDockerEntry({ registry: 'registry.gitlab.com', serverKey: 'registry.gitlab.com', source: 'auths', username: 'alice', password: 'glpat-T' });
    const c = gitlabProvider.connect({ id: 'i', ...imported.config }, imported.secrets, {});
    try {
      await assert.rejects(c.listRepositories(), (e: Error & { action?: string }) => /Choose the GitLab groups or projects/.test(e.message) && e.action === 'editConnection');
    } finally {
      await c.dispose();
    }
  });

  test('form help, docs and the one secret field', () => {
    assert.match(gitlabProvider.form.help!, /read_api/);
    assert.match(gitlabProvider.form.help!, /Deploy tokens/);
    assert.ok(gitlabProvider.form.docsUrl?.startsWith('https://docs.gitlab.com/'));
    assert.deepEqual(gitlabProvider.form.fields.filter((f) => f.secret).map((f) => f.id), ['token']);
  });
});
