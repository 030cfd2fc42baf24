import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ghcrOrganizations, githubProvider, isGhcrHost } from '../../../src/providers/github';

const byField = (r: ReturnType<typeof githubProvider.fromForm>): Record<string, string> => {
  assert.ok(!r.ok);
  return Object.fromEntries(r.errors.map((e) => [e.field, e.message]));
};

describe('GitHub Container Registry form', () => {
  test('username + classic token + organizations: lower-cased metadata and one secret', () => {
    const r = githubProvider.fromForm({ username: 'OctoCat', password: 'ghp_abc123', organizations: 'Octo-Org\nhttps://github.com/Other-Org/\noctocat', repositories: '', name: '' });
    assert.ok(r.ok);
    assert.deepEqual(r.config, { provider: 'ghcr', name: 'GitHub Packages (octocat)', url: 'ghcr.io', username: 'octocat', options: { organizations: 'octo-org,other-org' } });
    assert.deepEqual(r.secrets, { password: 'ghp_abc123' });
    assert.ok(!JSON.stringify(r.config).includes('ghp_abc123'));
    assert.deepEqual(ghcrOrganizations({ id: 'x', ...r.config }), ['octo-org', 'other-org']);
  });

  test('anonymous: public images by name, with ghcr.io/ and upper case folded away', () => {
    const r = githubProvider.fromForm({ username: '', password: '', repositories: 'ghcr.io/Octo-Org/App\noctocat/tools/cli' });
    assert.ok(r.ok);
    assert.deepEqual(r.config, { provider: 'ghcr', name: 'GitHub Packages', url: 'ghcr.io', repositories: ['octo-org/app', 'octocat/tools/cli'] });
    assert.deepEqual(r.secrets, {});
  });

  test('errors name their field and say what to do', () => {
    assert.match(byField(githubProvider.fromForm({ username: '', password: '' })).repositories!, /name the public images/);
    assert.match(byField(githubProvider.fromForm({ username: 'me@example.com', password: 'ghp_x' })).username!, /not a GitHub login/);
    assert.match(byField(githubProvider.fromForm({ username: '', password: 'ghp_x', repositories: 'a/b' })).username!, /username that the access token belongs to/);
    assert.match(byField(githubProvider.fromForm({ username: 'octocat', password: '' })).password!, /read:packages for octocat/);
    assert.match(byField(githubProvider.fromForm({ username: 'octocat', password: 'github_pat_11ABC' })).password!, /fine-grained token.*classic/);
    assert.match(byField(githubProvider.fromForm({ username: 'octocat', password: 'ghp_a b' })).password!, /spaces or line breaks/);
    assert.match(byField(githubProvider.fromForm({ username: 'octocat', password: 'ghp_x', organizations: 'bad_org!' })).organizations!, /bad_org!/);
    assert.match(byField(githubProvider.fromForm({ username: '', password: '', organizations: 'acme', repositories: 'acme/app' })).organizations!, /needs a token/);
    assert.match(byField(githubProvider.fromForm({ username: '', password: '', repositories: 'app' })).repositories!, /OWNER\/app/);
  });

  test('editing: a blank token keeps the stored one for the same user only; the form carries no secret', () => {
    const previous = { config: { id: 'g', provider: 'ghcr', name: 'Work', url: 'ghcr.io', username: 'octocat', options: { organizations: 'octo-org' } }, secrets: { password: 'ghp_stored' } };
    const same = githubProvider.fromForm({ username: 'OctoCat', password: '', organizations: 'octo-org', name: 'Work' }, previous);
    assert.ok(same.ok);
    assert.deepEqual(same.secrets, { password: 'ghp_stored' });
    assert.match(byField(githubProvider.fromForm({ username: 'hubot', password: '' }, previous)).password!, /for hubot/);
    const form = githubProvider.toForm(previous.config);
    assert.deepEqual(form, { username: 'octocat', organizations: 'octo-org', repositories: '', name: 'Work' });
    assert.ok(!JSON.stringify(form).includes('ghp_stored'));
  });

  test('the form has help with the scope, a docs link and a secret field', () => {
    const f = githubProvider.form;
    assert.equal(f.id, 'ghcr');
    assert.match(f.help!, /read:packages/);
    assert.match(f.help!, /Tokens \(classic\)/);
    assert.match(f.docsUrl!, /^https:\/\/docs\.github\.com\//);
    assert.equal(f.fields.find((x) => x.id === 'password')!.secret, true);
  });

  test('from Docker config: docker login ghcr.io with a PAT; too little says undefined', () => {
    const entry = { registry: 'ghcr.io', serverKey: 'ghcr.io', source: 'auths' as const };
    assert.deepEqual(githubProvider.fromDockerConfig!({ ...entry, username: 'OctoCat', password: 'ghp_x' }), {
      config: { provider: 'ghcr', name: 'GitHub Packages (octocat)', url: 'ghcr.io', username: 'octocat' },
      secrets: { password: 'ghp_x' },
    });
    assert.equal(githubProvider.fromDockerConfig!({ ...entry, username: 'octocat' }), undefined);
    assert.equal(githubProvider.fromDockerConfig!({ ...entry, registry: 'docker.io', username: 'a', password: 'b' }), undefined);
  });

  test('ghcr.io hosts', () => {
    assert.ok(isGhcrHost('ghcr.io'));
    assert.ok(isGhcrHost('https://GHCR.IO/v2/'));
    assert.ok(!isGhcrHost('ghcr.io.evil.example'));
    assert.ok(!isGhcrHost('docker.io'));
  });
});
