import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyFile, DEPLOY_FILE_GLOBS, findReferences, markMatches } from '../../../src/deploy/index';
import { fixture, rows, scanFixture, target } from './helpers';

const D_METRICS = 'sha256:3e6367cce402d1fc38f409c13a207aa36fac31d1002a1e0e8ed835c31cad5753';
const D_SEED = 'sha256:3a3941f215153b1e028876403f105181f88291ff1135161e2cf373106e79d30c';
const D_API = 'sha256:7e81bc2d26dceb73c4c3e205a177d2f797ebb717f54fc426d6ac5378c6f77082';
const D_PG = 'sha256:ff6942d3fad1c6979ff2b3bbc3de1f41ed83d3d8f76e795d1907fb06e5aff5d7';
const D_PORTER = 'sha256:555991b173e0bb28a178e3529deef42b514f5f335c676368183daffd27e570df';

function only(rel: string, configured = false) {
  const r = scanFixture(rel, { configured });
  assert.deepEqual(r.problems, []);
  for (const ref of r.refs) assert.equal(ref.file, rel);
  return r.refs;
}

describe('kubernetes manifests', () => {
  it('finds containers and initContainers in a Deployment, in file order, and nothing in env values', () => {
    const refs = only('kubernetes/deployment.yaml');
    assert.deepEqual(rows(refs), [
      [20, 18, 'string', 'ghcr.io/acme/web-migrate:2024.06.1', 'Deployment/web › migrate (init)'],
      [24, 18, 'string', 'nginx:1.24', 'Deployment/web › web'],
      [28, 18, 'string', `quay.io/prometheus/nginx-exporter:v1.1.0@${D_METRICS}`, 'Deployment/web › metrics'],
    ]);
    assert.ok(refs.every((r) => r.kind === 'kubernetes' && r.document === 0));
    assert.deepEqual(refs[1].path, ['spec', 'template', 'spec', 'containers', 0, 'image']);
    assert.deepEqual(refs[1].image, { registry: 'docker.io', repository: 'library/nginx', tag: '1.24' });
    assert.deepEqual(refs[2].image, { registry: 'quay.io', repository: 'prometheus/nginx-exporter', tag: 'v1.1.0', digest: D_METRICS });
    // The offset is where the scalar (with its quote) starts.
    const text = fixture('kubernetes/deployment.yaml');
    assert.equal(text.slice(refs[0].offset, refs[0].offset + 10), `'ghcr.io/a`);
  });

  it('walks every document: StatefulSet, DaemonSet (flow), CronJob, Job; skips Service and ConfigMap', () => {
    const refs = only('kubernetes/workloads.yaml');
    assert.deepEqual(rows(refs), [
      [20, 18, 'string', 'postgres:16.3-alpine', 'StatefulSet/db › postgres'],
      [28, 41, 'string', 'fluent/fluent-bit:3.0', 'DaemonSet/log-agent › agent'],
      [43, 22, 'string', 'registry.example.com:5000/tools/report:1.4.2', 'CronJob/nightly-report › report'],
      [55, 18, 'string', `ghcr.io/acme/seed@${D_SEED}`, 'Job/seed › seed'],
    ]);
    assert.deepEqual(
      refs.map((r) => r.document),
      [1, 2, 3, 4],
    );
    assert.deepEqual(refs[2].path, ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'containers', 0, 'image']);
    assert.equal(refs[1].fields.image!.flow, true);
  });

  it('reads CRLF files: Pod with ephemeralContainers, ReplicaSet, ReplicationController', () => {
    assert.deepEqual(rows(only('kubernetes/pods-crlf.yaml')), [
      [8, 14, 'string', 'busybox:1.36', 'Pod/debug-me › app'],
      [12, 14, 'string', 'nicolaka/netshoot:v0.13', 'Pod/debug-me › debugger (ephemeral)'],
      [23, 18, 'string', 'docker.io/library/httpd:2.4', 'ReplicaSet/legacy › legacy'],
      [34, 18, 'string', 'index.docker.io/library/redis:6', 'ReplicationController/older › older'],
    ]);
  });

  it('reports an anchored image once, naming the aliases (and merge keys) that share it', () => {
    const refs = only('kubernetes/anchors.yaml');
    assert.deepEqual(rows(refs), [[11, 28, 'string', 'ghcr.io/acme/api:2.0.1', 'Deployment/api › api']]);
    assert.deepEqual(refs[0].shared, ['spec.template.spec.containers[1].image', 'spec.template.spec.initContainers[0].image']);
  });

  it('searches kind: List items and PodTemplate', () => {
    assert.deepEqual(rows(only('kubernetes/list.yml')), [
      [13, 22, 'string', 'memcached:1.6.29', 'Deployment/cache › memcached'],
      [22, 20, 'string', 'alpine:3.20', 'PodTemplate/tmpl › t'],
    ]);
  });
});

describe('compose files', () => {
  it('finds services.*.image through merge keys, once per anchored value', () => {
    const refs = only('compose/compose.yaml');
    assert.deepEqual(rows(refs), [
      [4, 10, 'string', 'ghcr.io/acme/shop-api:1.8.0', 'service api'],
      [15, 12, 'string', 'nginx:1.24', 'service web'],
      [18, 12, 'string', 'redis:7.2', 'service cache'],
      [22, 12, 'string', '${PROXY_IMAGE:-traefik:v3.0}', 'service proxy'],
    ]);
    assert.deepEqual(refs[0].shared, ['services.worker.image']);
    assert.ok(refs.every((r) => r.kind === 'compose'));
    // A variable is still where the image goes; what it deploys unset is its default.
    assert.deepEqual(refs[3].expressions, ['${PROXY_IMAGE}']);
    assert.deepEqual(refs[3].image, { registry: 'docker.io', repository: 'library/traefik', tag: 'v3.0' });
  });

  it('reads CRLF and flow style', () => {
    assert.deepEqual(rows(only('compose/docker-compose.prod.yml')), [
      [3, 16, 'string', 'nginx:1.24', 'service web'],
      [5, 12, 'string', 'postgres:16', 'service db'],
    ]);
  });
});

describe('helm values', () => {
  it('finds blocks at any depth (registry splits, flow, aliased tags) and image strings', () => {
    const refs = only('helm/values.yaml');
    assert.deepEqual(rows(refs), [
      [9, 3, 'helm', 'docker.io/bitnami/nginx:1.25.3-debian-11-r1', 'image'],
      [20, 5, 'helm', 'docker.io/bitnami/nginx-exporter:0.11.0', 'metrics.image'],
      [26, 10, 'helm', 'docker.io/bitnami/os-shell:12-debian-12-r16', 'volumePermissions.image'],
      [29, 12, 'string', 'busybox:1.36', 'initImage'],
      [32, 12, 'string', 'fluent/fluent-bit:3.0', 'sidecars[0].image'],
      [38, 5, 'helm', 'ghcr.io/acme/shop-api:1.8.0', 'api.image'],
      [42, 7, 'helm', 'ghcr.io/acme/shop-worker:1.8.0', 'api.worker.image'],
    ]);
    assert.ok(refs.every((r) => r.kind === 'helm'));
    assert.deepEqual(Object.keys(refs[0].fields), ['registry', 'repository', 'tag', 'digest']);
    assert.deepEqual(Object.keys(refs[1].fields), ['registry', 'repository', 'tag']);
    assert.deepEqual(refs[0].block, { indent: 2, flow: false });
    assert.deepEqual(refs[2].block, { indent: 9, flow: true });
    // Empty global.imageRegistry does not override.
    assert.equal(refs[0].globalRegistry, undefined);
    // Both blocks use the anchored tag: linking one changes the other.
    assert.deepEqual(refs[5].shared, ['api.worker.image']);
    assert.deepEqual(refs[6].shared, ['api.image']);
  });

  it('applies global.imageRegistry to blocks with a registry key only', () => {
    const refs = only('helm/charts/api/values-prod.yaml');
    assert.deepEqual(rows(refs), [
      [6, 3, 'helm', `registry.internal.example.com/acme/api:2.0.1@${D_API}`, 'image'],
      [14, 5, 'helm', 'ghcr.io/acme/api-migrations:2.0.1', 'migrations.image'],
    ]);
    assert.equal(refs[0].globalRegistry, 'registry.internal.example.com');
    assert.equal(refs[1].globalRegistry, undefined);
  });

  it('reads CRLF values files', () => {
    assert.deepEqual(rows(only('helm/values-staging.yaml')), [[2, 3, 'helm', 'ghcr.io/acme/web:v3.2.0', 'image']]);
  });
});

describe('kustomize, porter, generic', () => {
  it('finds kustomization images entries, assembling newName/newTag/digest', () => {
    const refs = only('kustomize/kustomization.yaml');
    assert.deepEqual(rows(refs), [
      [7, 5, 'kustomize', 'nginx:1.24', 'images: nginx'],
      [9, 5, 'kustomize', 'registry.example.com/acme/api:2.0.1', 'images: ghcr.io/acme/api'],
      [12, 5, 'kustomize', `postgres@${D_PG}`, 'images: postgres'],
      [14, 5, 'kustomize', 'redis:7.2', 'images: redis'],
      [15, 5, 'kustomize', 'busybox', 'images: busybox'],
    ]);
    assert.ok(refs.every((r) => r.kind === 'kustomize'));
    assert.deepEqual(refs[4].image, { registry: 'docker.io', repository: 'library/busybox' }, 'no invented :latest');
  });

  it('reads a CRLF overlay', () => {
    assert.deepEqual(rows(only('kustomize/overlays/prod/kustomization.yml')), [
      [6, 3, 'kustomize', 'ghcr.io/acme/web:v3.1.0', 'images: ghcr.io/acme/web'],
    ]);
  });

  it('finds porter images entries and nothing in install steps', () => {
    assert.deepEqual(rows(only('porter/porter.yaml')), [
      [11, 5, 'porter', 'carolynvs/whalesayd:v0.1.0', 'images.whalesayd'],
      [16, 5, 'porter', `ghcr.io/acme/api@${D_PORTER}`, 'images.api'],
    ]);
  });

  it('scans a configured file of no known kind for image strings at any depth', () => {
    const refs = only('generic/deploy.yaml', true);
    assert.deepEqual(rows(refs), [
      [3, 8, 'string', 'ghcr.io/acme/shop:1.0.0', 'image'],
      [6, 12, 'string', 'ghcr.io/acme/shop-migrate:1.0.0', 'jobs.migrate.image'],
      [7, 22, 'string', 'envoyproxy/envoy:v1.30.1', 'jobs.sidecars[0].image'],
    ]);
    assert.ok(refs.every((r) => r.kind === 'generic'));
    // Not configured: not a deploy file.
    assert.deepEqual(scanFixture('generic/deploy.yaml').refs, []);
  });
});

describe('classification and scanning many files', () => {
  it('classifies by name, then by content', () => {
    const k = (path: string, text = '') => classifyFile(path, text);
    assert.equal(k('compose.yaml'), 'compose');
    assert.equal(k('app/compose.override.yml'), 'compose');
    assert.equal(k('docker-compose.yml'), 'compose');
    assert.equal(k('docker-compose.prod.yaml'), 'compose');
    assert.equal(k('composer.yaml'), undefined);
    assert.equal(k('chart/values.yaml'), 'helm');
    assert.equal(k('chart\\values-prod.yaml'), 'helm');
    assert.equal(k('overlays/dev/kustomization.yml'), 'kustomize');
    assert.equal(k('porter.yaml'), 'porter');
    assert.equal(k('k8s/app.yaml', 'apiVersion: v1\nkind: Pod\n'), 'kubernetes');
    assert.equal(k('ci.yml', fixture('kubernetes/not-k8s.yaml')), undefined);
    assert.equal(k('templates/deployment.yaml', fixture('kubernetes/templates/deployment.yaml')), undefined, 'chart templates are not YAML yet');
    assert.equal(classifyFile('deploy.yaml', 'image: x\n', { configured: true }), 'generic');
    assert.ok(DEPLOY_FILE_GLOBS.includes('**/*.yaml') && DEPLOY_FILE_GLOBS.includes('**/*.yml'));
  });

  it('scans a whole workspace, flags matching repositories and keeps going past a broken file', () => {
    const paths = [
      'kubernetes/deployment.yaml',
      'kubernetes/not-k8s.yaml',
      'kubernetes/templates/deployment.yaml',
      'broken/deployment.yaml',
      'compose/compose.yaml',
      'kustomize/kustomization.yaml',
      'generic/deploy.yaml',
    ];
    const nginx = target('docker.io', 'library/nginx', '1.25');
    const r = findReferences(
      paths.map((path) => ({ path, text: fixture(path) })),
      { target: nginx, configured: ['generic\\deploy.yaml'] }, // Windows separators fold
    );
    assert.deepEqual(
      r.refs.filter((x) => x.matches).map((x) => `${x.file}:${x.line}`),
      ['kubernetes/deployment.yaml:24', 'compose/compose.yaml:15', 'kustomize/kustomization.yaml:7'],
    );
    assert.equal(r.refs.length, 3 + 4 + 5 + 3);
    assert.deepEqual(
      r.problems.map((p) => p.file),
      ['broken/deployment.yaml', 'broken/deployment.yaml'],
    );
    // Matching is by registry + repository after normalisation.
    const again = markMatches(r.refs, target('index.docker.io', 'nginx'));
    assert.equal(again.filter((x) => x.matches).length, 3);
    assert.equal(markMatches(r.refs, target('ghcr.io', 'acme/shop')).filter((x) => x.matches).length, 1);
  });

  it('honours a forced kind', () => {
    const r = findReferences([{ path: 'anything.txt', text: 'image: ghcr.io/a/b:1\n', kind: 'generic' }]);
    assert.deepEqual(rows(r.refs), [[1, 8, 'string', 'ghcr.io/a/b:1', 'image']]);
  });
});

describe('files that do not parse', () => {
  it('reports file, line and the parser message, and no refs, even from good documents', () => {
    const r = scanFixture('broken/deployment.yaml');
    assert.deepEqual(r.refs, []);
    assert.ok(r.problems.length >= 1);
    assert.deepEqual(
      { file: r.problems[0].file, line: r.problems[0].line },
      { file: 'broken/deployment.yaml', line: 11 },
    );
    assert.match(r.problems[0].message, /mapping items must start at the same column/);
  });

  it('treats duplicate keys as an error', () => {
    const r = scanFixture('broken/values.yaml');
    assert.deepEqual(r.refs, []);
    assert.deepEqual(r.problems, [{ file: 'broken/values.yaml', line: 4, column: 3, message: 'Map keys must be unique' }]);
  });

  it('handles empty files and empty documents', () => {
    for (const text of ['', '# nothing\n', '---\n---\n', 'apiVersion: v1\nkind: Pod\n']) {
      assert.deepEqual(findReferences([{ path: 'x.yaml', text, kind: 'kubernetes' }]), { refs: [], problems: [] });
    }
  });
});
