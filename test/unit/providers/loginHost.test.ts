import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readDockerConfigFile } from '../../../src/providers/dockerConfig';
import { connectedLoginHosts, loginHost } from '../../../src/providers/loginHost';
import type { PullHostConfig } from '../../../src/providers/pullHost';

const auth = (user: string) => ({ auth: Buffer.from(`${user}:pw-not-printed`).toString('base64') });

describe('Import from Docker config: which entries are already connected', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dockercfg-login-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  const connections: PullHostConfig[] = [
    // Artifactory through its API path, pulled as HOST/KEY: logged in to as HOST.
    { provider: 'artifactory', url: 'https://acme.jfrog.io/artifactory/api/docker/docker-local' },
    // Nexus through its repository path, pulled through a connector port.
    { provider: 'nexus', url: 'https://nexus.example.com/repository/docker-hosted', options: { pullHost: 'nexus.example.com:8443' } },
    { provider: 'generic', url: 'https://Registry.Example.com:5000/' },
    { provider: 'dockerhub', url: 'docker.io' },
  ];

  test('each connection by the host Docker logs in to, never a path or the API address', () => {
    assert.deepEqual(connections.map(loginHost), ['acme.jfrog.io', 'nexus.example.com:8443', 'registry.example.com:5000', 'docker.io']);
    assert.equal(loginHost({ provider: 'artifactory', url: 'https://acme.jfrog.io/artifactory/api/docker/x', options: { pullHost: 'docker.acme.example/x' } }), 'docker.acme.example');
  });

  test('entries read from a real config.json are matched by their login host', async () => {
    const path = join(dir, 'config.json');
    await writeFile(
      path,
      JSON.stringify({
        auths: {
          'acme.jfrog.io': auth('alice'),
          'nexus.example.com:8443': auth('bob'),
          'nexus.example.com': auth('bob'),
          'registry.example.com:5000': auth('carol'),
          'https://index.docker.io/v1/': auth('dave'),
          'other.example.com': auth('erin'),
        },
      }),
    );
    const { entries } = await readDockerConfigFile(path);
    const connected = connectedLoginHosts(connections);
    const marked = Object.fromEntries(entries.map((e) => [e.registry, connected.has(e.registry)]));
    assert.deepEqual(marked, {
      'acme.jfrog.io': true,
      'docker.io': true,
      'nexus.example.com': false,
      'nexus.example.com:8443': true,
      'other.example.com': false,
      'registry.example.com:5000': true,
    });
  });
});
