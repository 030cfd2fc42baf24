// The Artifactory and Nexus forms: what a filled form becomes, and each mistake said at its
// field with what to do, nothing kept from a previous user's secret.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { artifactoryProvider } from '../../../src/providers/artifactory';
import { nexusProvider } from '../../../src/providers/nexus';

const fields = (r: ReturnType<typeof artifactoryProvider.fromForm>) => (r.ok ? [] : r.errors.map((e) => e.field));

describe('Artifactory form', () => {
  test('address forms: a bare host gets /artifactory, a context path is kept', () => {
    const bare = artifactoryProvider.fromForm({ url: 'acme.jfrog.io', repoKey: 'docker-local', token: 't0ken' });
    assert.ok(bare.ok);
    assert.equal(bare.config.url, 'acme.jfrog.io/artifactory/api/docker/docker-local');
    assert.equal(bare.config.name, 'acme.jfrog.io/docker-local');
    assert.equal(bare.config.username, undefined, 'a token alone: sent as Bearer');
    const context = artifactoryProvider.fromForm({ url: 'https://repo.example.com:8443/arti/', repoKey: 'd', token: 't0ken', username: 'ci' });
    assert.ok(context.ok);
    assert.equal(context.config.url, 'https://repo.example.com:8443/arti/api/docker/d');
    assert.equal(context.config.username, 'ci');
    assert.deepEqual(artifactoryProvider.toForm({ id: 'x', ...context.config }).url, 'https://repo.example.com:8443/arti');
  });

  test('mistakes at their fields', () => {
    assert.deepEqual(fields(artifactoryProvider.fromForm({ url: '', repoKey: '', token: '' })), ['url', 'repoKey', 'token']);
    const key = artifactoryProvider.fromForm({ url: 'acme.jfrog.io', repoKey: '-bad key', token: 't' });
    assert.ok(!key.ok);
    assert.match(key.errors[0]!.message, /not an Artifactory repository key/);
    const spaced = artifactoryProvider.fromForm({ url: 'acme.jfrog.io', repoKey: 'k', token: 'two words' });
    assert.ok(!spaced.ok);
    assert.match(spaced.errors[0]!.message, /spaces or line breaks/);
    const http = artifactoryProvider.fromForm({ url: 'http://art.example.com', repoKey: 'k', token: 't' });
    assert.ok(!http.ok);
    assert.equal(http.errors[0]!.field, 'url');
    assert.match(http.errors[0]!.message, /Plain HTTP/);
  });

  test('an edit keeps the stored token only for the same user', () => {
    const first = artifactoryProvider.fromForm({ url: 'acme.jfrog.io', repoKey: 'k', token: 'secret-1', username: 'ci' });
    assert.ok(first.ok);
    const previous = { config: { id: 'a', ...first.config }, secrets: first.secrets };
    const same = artifactoryProvider.fromForm({ url: 'acme.jfrog.io', repoKey: 'k2', token: '', username: 'ci' }, previous);
    assert.ok(same.ok);
    assert.deepEqual(same.secrets, { token: 'secret-1' });
    assert.deepEqual(fields(artifactoryProvider.fromForm({ url: 'acme.jfrog.io', repoKey: 'k', token: '', username: 'other' }, previous)), ['token']);
  });
});

describe('Nexus form', () => {
  test('a repository URL as Nexus shows it', () => {
    const r = nexusProvider.fromForm({ url: 'https://nexus.example.com/repository/docker-hosted/', username: 'alice', password: 'pw' });
    assert.ok(r.ok);
    assert.equal(r.config.url, 'https://nexus.example.com/repository/docker-hosted');
    assert.equal(r.config.name, 'nexus.example.com/docker-hosted');
    assert.equal(r.config.options, undefined, 'no pull host typed: the repository URL’s host is implied');
  });

  test('mistakes at their fields', () => {
    assert.deepEqual(fields(nexusProvider.fromForm({ url: '', username: '', password: '' })), ['url', 'username', 'password']);
    const pull = nexusProvider.fromForm({ url: 'https://n.example.com/repository/d/', username: 'a', password: 'p', pullHost: 'docker' });
    assert.ok(!pull.ok);
    assert.equal(pull.errors[0]!.field, 'pullHost');
    const name = nexusProvider.fromForm({ url: 'https://n.example.com/repository/-x/', username: 'a', password: 'p' });
    assert.ok(!name.ok);
    assert.match(name.errors[0]!.message, /not a Nexus repository name/);
  });
});
