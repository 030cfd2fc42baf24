import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePullHost, pullHost, referenceOf, repositoryOf } from '../../../src/providers/pullHost';

describe('pull host', () => {
  test('the connection’s pull host, or its address without the scheme (today’s references)', () => {
    assert.equal(pullHost({ url: 'https://r.example:8443/', options: {} }), 'r.example:8443');
    assert.equal(pullHost({ url: 'localhost:5000' }), 'localhost:5000');
    assert.equal(pullHost({ url: 'https://acme.jfrog.io/artifactory/api/docker/k', options: { pullHost: 'acme.jfrog.io/k' } }), 'acme.jfrog.io/k');
  });

  test('implied by the product where none was given (a registry from settings has no options)', () => {
    assert.equal(pullHost({ provider: 'artifactory', url: 'https://Acme.jfrog.io/artifactory/api/docker/Docker-Local' }), 'acme.jfrog.io/docker-local');
    assert.equal(pullHost({ provider: 'nexus', url: 'https://nexus.example.com/repository/docker-hosted' }), 'nexus.example.com');
    assert.equal(pullHost({ provider: 'generic', url: 'https://r.example/' }), 'r.example');
    assert.equal(pullHost({ provider: 'nexus', url: 'https://nexus.example.com/repository/x', options: { pullHost: 'nexus.example.com:8443' } }), 'nexus.example.com:8443');
  });

  test('what may begin an image reference, and why not', () => {
    assert.deepEqual(parsePullHost(' https://Docker.Example.com/ '), { host: 'docker.example.com' });
    assert.deepEqual(parsePullHost('nexus.example.com:8443'), { host: 'nexus.example.com:8443' });
    assert.deepEqual(parsePullHost('acme.jfrog.io/docker-local'), { host: 'acme.jfrog.io/docker-local' });
    assert.deepEqual(parsePullHost('localhost:5000'), { host: 'localhost:5000' });
    assert.match((parsePullHost('myregistry') as { error: string }).error, /Docker Hub namespace/);
    assert.match((parsePullHost('acme.jfrog.io/Docker_Local!') as { error: string }).error, /cannot begin an image reference/);
    assert.match((parsePullHost('') as { error: string }).error, /Enter the host/);
  });
});

describe('references of a connection with a path in its pull host', () => {
  const art = { url: 'https://acme.jfrog.io/artifactory/api/docker/docker-local', options: { pullHost: 'acme.jfrog.io/docker-local' } };
  const nexus = { url: 'https://nexus.example.com/repository/docker-hosted', options: { pullHost: 'nexus.example.com:8443' } };
  test('the path moves into the repository, as Docker reads it', () => {
    assert.deepEqual(referenceOf(art, 'team/app'), { registry: 'acme.jfrog.io', repository: 'docker-local/team/app' });
    assert.deepEqual(referenceOf(nexus, 'team/app'), { registry: 'nexus.example.com:8443', repository: 'team/app' });
  });
  test('a reference back to the connection’s repository, or not this connection’s', () => {
    assert.equal(repositoryOf(art, 'ACME.jfrog.io', 'docker-local/team/app'), 'team/app');
    assert.equal(repositoryOf(art, 'acme.jfrog.io', 'other-key/team/app'), undefined);
    assert.equal(repositoryOf(art, 'acme.jfrog.io', 'docker-local'), undefined);
    assert.equal(repositoryOf(nexus, 'nexus.example.com:8443', 'team/app'), 'team/app');
    assert.equal(repositoryOf(nexus, 'nexus.example.com', 'team/app'), undefined);
  });
});
