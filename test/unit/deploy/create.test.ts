import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDeployConfig, dnsLabel, findReferences, linkReference } from '../../../src/deploy/index';
import { DIGEST, target } from './helpers';

describe('dnsLabel', () => {
  it('makes DNS-1123 labels that also suit Services', () => {
    assert.equal(dnsLabel('My Shop_API!'), 'my-shop-api');
    assert.equal(dnsLabel('Café Crème'), 'cafe-creme');
    assert.equal(dnsLabel('--web--'), 'web');
    assert.equal(dnsLabel('2fa'), 'app-2fa');
    assert.equal(dnsLabel('!!!'), 'app');
    const long = dnsLabel(`a${'-b'.repeat(40)}`);
    assert.ok(long.length <= 63 && /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(long), long);
  });
});

describe('createDeployConfig', () => {
  it('kubernetes: Deployment + Service in one multi-document file', () => {
    const { files } = createDeployConfig('kubernetes', 'docker.io/library/nginx:1.25', 'Web Shop');
    assert.deepEqual(files, [
      {
        path: 'k8s/web-shop.yaml',
        text: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-shop
  labels:
    app.kubernetes.io/name: web-shop
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: web-shop
  template:
    metadata:
      labels:
        app.kubernetes.io/name: web-shop
    spec:
      containers:
        - name: web-shop
          image: nginx:1.25
          ports:
            - name: http
              containerPort: 80 # the port your app listens on
---
apiVersion: v1
kind: Service
metadata:
  name: web-shop
spec:
  selector:
    app.kubernetes.io/name: web-shop
  ports:
    - name: http
      port: 80
      targetPort: http
`,
      },
    ]);
  });

  it('compose: compose.yaml with the service image', () => {
    assert.deepEqual(createDeployConfig('compose', `ghcr.io/acme/api@${DIGEST}`, 'api').files, [
      {
        path: 'compose.yaml',
        text: `services:\n  api:\n    image: ghcr.io/acme/api@${DIGEST}\n    ports:\n      - "8080:80" # host:container\n`,
      },
    ]);
  });

  it('kustomize: an overlay pinning the image over a base deployment', () => {
    const { files } = createDeployConfig('kustomize', `nginx:1.25@${DIGEST}`, 'web');
    assert.deepEqual(
      files.map((f) => f.path),
      ['k8s/base/deployment.yaml', 'k8s/base/service.yaml', 'k8s/base/kustomization.yaml', 'k8s/kustomization.yaml'],
    );
    assert.equal(
      files[3].text,
      `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - base
images:
  - name: nginx
    newTag: "1.25"
    digest: ${DIGEST}
`,
    );
    assert.match(files[0].text, /\n {10}image: nginx\n/);
    assert.equal(files[2].text, 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n  - service.yaml\n');
  });

  it('writes what the finders read back, so the next link works', () => {
    for (const kind of ['kubernetes', 'compose', 'kustomize'] as const) {
      const { files } = createDeployConfig(kind, 'ghcr.io/acme/api:1.0.0', 'api');
      const scan = findReferences(files);
      assert.deepEqual(scan.problems, []);
      const pinned = scan.refs.filter((r) => r.value.includes(':1.0.0'));
      assert.equal(pinned.length, 1, kind);
      const file = files.find((f) => f.path === pinned[0].file)!;
      const out = linkReference(file.text, pinned[0], target('ghcr.io', 'acme/api', '1.1.0'), 'tag').text;
      assert.equal(out, file.text.replace('1.0.0', '1.1.0'), kind);
    }
  });

  it('refuses an invalid image', () => {
    assert.throws(() => createDeployConfig('compose', 'Not An Image', 'x'), /not a valid image reference/);
  });
});
