import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readDockerConfig, registryFromServerKey } from '../../../src/providers/dockerConfig';

describe('Docker config import', () => {
  let dir: string;
  const oldPath = process.env.PATH;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dockercfg-'));
    // A real credential helper program, speaking the helper protocol on stdin/stdout.
    await writeFile(
      join(dir, 'docker-credential-fake'),
      `#!/bin/sh
read server
case "$1" in
  list) echo '{"https://store-only.example.com":"bob"}' ;;
  get)
    case "$server" in
      *ecr*) echo '{"ServerURL":"'"$server"'","Username":"AWS","Secret":"ecr-helper-secret"}' ;;
      *token*) echo '{"ServerURL":"'"$server"'","Username":"<token>","Secret":"identity-from-helper"}' ;;
      *store-only*) echo '{"ServerURL":"'"$server"'","Username":"bob","Secret":"store-secret"}' ;;
      *) echo "credentials not found in native keychain" >&2; exit 1 ;;
    esac ;;
esac
`,
    );
    await chmod(join(dir, 'docker-credential-fake'), 0o755);
    process.env.PATH = `${dir}:${oldPath}`;
  });
  after(async () => {
    process.env.PATH = oldPath;
    await rm(dir, { recursive: true, force: true });
  });

  test('server keys normalize to registry hosts', () => {
    assert.equal(registryFromServerKey('https://index.docker.io/v1/'), 'docker.io');
    assert.equal(registryFromServerKey('ghcr.io'), 'ghcr.io');
    assert.equal(registryFromServerKey('http://localhost:5000'), 'localhost:5000');
  });

  test('auths, identity tokens, credsStore and credHelpers (through a real helper program)', async () => {
    const path = join(dir, 'config.json');
    await writeFile(
      path,
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hub-pass:with-colon').toString('base64') },
          'myreg.azurecr.io': { identitytoken: 'acr-refresh' },
          'missing.example.com': {},
          'token.example.com': {},
        },
        credsStore: 'fake',
        credHelpers: { '123456789012.dkr.ecr.us-east-1.amazonaws.com': 'fake', 'gone.example.com': 'absent' },
      }),
    );
    const entries = await readDockerConfig(path);
    const by = Object.fromEntries(entries.map((e) => [e.registry, e]));
    assert.deepEqual(Object.keys(by).sort(), ['123456789012.dkr.ecr.us-east-1.amazonaws.com', 'docker.io', 'gone.example.com', 'missing.example.com', 'myreg.azurecr.io', 'store-only.example.com', 'token.example.com']);
    assert.equal(by['docker.io']!.username, 'hubuser');
    assert.equal(by['docker.io']!.password, 'hub-pass:with-colon');
    assert.equal(by['myreg.azurecr.io']!.identityToken, 'acr-refresh');
    assert.equal(by['123456789012.dkr.ecr.us-east-1.amazonaws.com']!.password, 'ecr-helper-secret');
    assert.equal(by['token.example.com']!.identityToken, 'identity-from-helper');
    assert.equal(by['store-only.example.com']!.password, 'store-secret');
    assert.match(by['missing.example.com']!.error!, /failed/);
    assert.match(by['gone.example.com']!.error!, /not installed/);
    for (const e of entries) assert.ok(!e.error?.includes('secret'), 'helper errors carry no helper output');
  });

  test('a missing config says what to do', async () => {
    await assert.rejects(readDockerConfig(join(dir, 'nope.json')), /docker login/);
  });
});
