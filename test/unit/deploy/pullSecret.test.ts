import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { dockerConfigJsonSecret, kubectlCreateSecretCommand, PASSWORD_PLACEHOLDER } from '../../../src/deploy/index';

const opts = { name: 'ghcr-pull', registry: 'ghcr.io', username: 'octocat', password: 's3cr3t' };

describe('dockerConfigJsonSecret', () => {
  it('writes a kubernetes.io/dockerconfigjson Secret', () => {
    const text = dockerConfigJsonSecret({ ...opts, namespace: 'shop' });
    const config = Buffer.from(
      '{"auths":{"ghcr.io":{"username":"octocat","password":"s3cr3t","auth":"b2N0b2NhdDpzM2NyM3Q="}}}',
      'utf8',
    ).toString('base64');
    assert.equal(
      text,
      `# Contains a registry credential: base64 is an encoding, not encryption. Do not commit it.
apiVersion: v1
kind: Secret
metadata:
  name: ghcr-pull
  namespace: shop
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: ${config}
`,
    );
    const doc = parse(text);
    const json = JSON.parse(Buffer.from(doc.data['.dockerconfigjson'], 'base64').toString('utf8'));
    assert.equal(Buffer.from(json.auths['ghcr.io'].auth, 'base64').toString('utf8'), 'octocat:s3cr3t');
  });

  it('uses the legacy index URL as the Docker Hub key, and sanitises names', () => {
    const doc = parse(dockerConfigJsonSecret({ ...opts, name: 'Hub Pull', registry: 'docker.io' }));
    assert.equal(doc.metadata.name, 'hub-pull');
    assert.equal(doc.metadata.namespace, undefined);
    const json = JSON.parse(Buffer.from(doc.data['.dockerconfigjson'], 'base64').toString('utf8'));
    assert.deepEqual(Object.keys(json.auths), ['https://index.docker.io/v1/']);
  });
});

describe('kubectlCreateSecretCommand', () => {
  it('shows a placeholder instead of the password', () => {
    const cmd = kubectlCreateSecretCommand(opts);
    assert.equal(
      cmd,
      "kubectl create secret docker-registry ghcr-pull --docker-server=ghcr.io --docker-username=octocat --docker-password='<password>'",
    );
    assert.ok(!cmd.includes('s3cr3t'));
    assert.ok(cmd.includes(PASSWORD_PLACEHOLDER));
  });

  it('includes the password, shell-quoted, only when asked', () => {
    assert.equal(
      kubectlCreateSecretCommand({ ...opts, namespace: 'shop', registry: 'index.docker.io', password: "it's $x", includePassword: true }),
      "kubectl create secret docker-registry ghcr-pull --namespace=shop --docker-server=https://index.docker.io/v1/ --docker-username=octocat --docker-password='it'\\''s $x'",
    );
  });
});
