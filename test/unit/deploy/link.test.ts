import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describeChange,
  findReferences,
  LinkError,
  linkReference,
  linkReferences,
  StaleReferenceError,
  type DeployRef,
  type LinkMode,
} from '../../../src/deploy/index';
import { assertMinimal, DIGEST, edited, fixture, refOf, target } from './helpers';

/** Links `label` in fixture `rel` and checks the edits are minimal; returns the new text. */
function link(rel: string, label: string, t: ReturnType<typeof target>, mode: LinkMode): string {
  const original = fixture(rel);
  const result = linkReference(original, refOf(rel, label), t, mode);
  assertMinimal(original, result);
  return result.text;
}

const NGINX = target('docker.io', 'library/nginx', '1.25', DIGEST);

describe('string images (Kubernetes)', () => {
  const rel = 'kubernetes/deployment.yaml';
  const original = fixture(rel);
  const label = 'Deployment/web › web';

  it('tag: replaces only the tag, keeping the trailing comment', () => {
    assert.equal(
      link(rel, label, NGINX, 'tag'),
      edited(original, ['image: nginx:1.24 # the public one for now', 'image: nginx:1.25 # the public one for now']),
    );
  });

  it('digest: short name stays short, the tag goes', () => {
    assert.equal(link(rel, label, NGINX, 'digest'), edited(original, ['image: nginx:1.24 #', `image: nginx@${DIGEST} #`]));
  });

  it('tag@digest', () => {
    assert.equal(link(rel, label, NGINX, 'tag@digest'), edited(original, ['image: nginx:1.24 #', `image: nginx:1.25@${DIGEST} #`]));
  });

  it('the edit is the scalar and nothing else', () => {
    const r = linkReference(original, refOf(rel, label), NGINX, 'tag');
    assert.deepEqual(r.edits, [{ offset: original.indexOf('nginx:1.24'), length: 'nginx:1.24'.length, newText: 'nginx:1.25' }]);
  });

  it('keeps single quotes and the spacing before a comment', () => {
    const t = target('ghcr.io', 'acme/web-migrate', '2024.07.0');
    assert.equal(
      link(rel, 'Deployment/web › migrate (init)', t, 'tag'),
      edited(original, [`image: 'ghcr.io/acme/web-migrate:2024.06.1'   # runs`, `image: 'ghcr.io/acme/web-migrate:2024.07.0'   # runs`]),
    );
  });

  it('keeps double quotes; tag mode drops an existing digest', () => {
    const t = target('quay.io', 'prometheus/nginx-exporter', 'v1.2.0', DIGEST);
    assert.equal(
      link(rel, 'Deployment/web › metrics', t, 'tag'),
      edited(original, [
        '"quay.io/prometheus/nginx-exporter:v1.1.0@sha256:3e6367cce402d1fc38f409c13a207aa36fac31d1002a1e0e8ed835c31cad5753"',
        '"quay.io/prometheus/nginx-exporter:v1.2.0"',
      ]),
    );
  });

  it('a different Docker Hub repository keeps the short form; another registry is written in full', () => {
    assert.equal(
      link(rel, label, target('docker.io', 'bitnami/nginx', '1.25'), 'tag'),
      edited(original, ['image: nginx:1.24 #', 'image: bitnami/nginx:1.25 #']),
    );
    assert.equal(
      link(rel, label, target('ghcr.io', 'acme/web', '2.0.0'), 'tag'),
      edited(original, ['image: nginx:1.24 #', 'image: ghcr.io/acme/web:2.0.0 #']),
    );
  });

  it('full-form values stay full; an unchanged repository keeps its spelling (CRLF file)', () => {
    const crlf = 'kubernetes/pods-crlf.yaml';
    const text = fixture(crlf);
    const httpd = link(crlf, 'ReplicaSet/legacy › legacy', target('docker.io', 'library/httpd', '2.4.60'), 'tag');
    assert.equal(httpd, edited(text, ['image: docker.io/library/httpd:2.4\r\n', 'image: docker.io/library/httpd:2.4.60\r\n']));
    const caddy = link(crlf, 'ReplicaSet/legacy › legacy', target('docker.io', 'library/caddy', '2.8'), 'tag');
    assert.equal(caddy, edited(text, ['image: docker.io/library/httpd:2.4\r\n', 'image: docker.io/library/caddy:2.8\r\n']));
    const redis = link(crlf, 'ReplicationController/older › older', target('docker.io', 'library/redis', '7.2'), 'tag');
    assert.equal(redis, edited(text, ['image: index.docker.io/library/redis:6\r\n', 'image: index.docker.io/library/redis:7.2\r\n']));
    for (const out of [httpd, caddy, redis]) {
      assert.equal(out.split('\r\n').length, text.split('\r\n').length);
      assert.doesNotMatch(out, /[^\r]\n/, 'no bare LF');
    }
  });

  it('flow style and registry ports', () => {
    const w = 'kubernetes/workloads.yaml';
    const text = fixture(w);
    assert.equal(
      link(w, 'DaemonSet/log-agent › agent', target('docker.io', 'fluent/fluent-bit', '3.1', DIGEST), 'tag@digest'),
      edited(text, ['{name: agent, image: "fluent/fluent-bit:3.0"}', `{name: agent, image: "fluent/fluent-bit:3.1@${DIGEST}"}`]),
    );
    assert.equal(
      link(w, 'CronJob/nightly-report › report', target('registry.example.com:5000', 'tools/report', '1.5.0'), 'tag'),
      edited(text, ['report:1.4.2', 'report:1.5.0']),
    );
  });

  it('an anchored image is edited at its anchor', () => {
    const a = 'kubernetes/anchors.yaml';
    assert.equal(
      link(a, 'Deployment/api › api', target('ghcr.io', 'acme/api', '2.0.2'), 'tag'),
      edited(fixture(a), ['image: &apiImage ghcr.io/acme/api:2.0.1', 'image: &apiImage ghcr.io/acme/api:2.0.2']),
    );
  });

  it('returns no edits when the file already says it', () => {
    const r = linkReference(original, refOf(rel, label), target('docker.io', 'library/nginx', '1.24'), 'tag');
    assert.deepEqual(r, { edits: [], text: original });
  });
});

describe('compose and generic', () => {
  const rel = 'compose/compose.yaml';
  const original = fixture(rel);

  it('double-quoted service image', () => {
    assert.equal(link(rel, 'service web', NGINX, 'digest'), edited(original, ['image: "nginx:1.24"', `image: "nginx@${DIGEST}"`]));
  });

  it('a merged image is edited in the x- block it comes from', () => {
    assert.equal(
      link(rel, 'service api', target('ghcr.io', 'acme/shop-api', '1.9.0'), 'tag'),
      edited(original, ['image: ghcr.io/acme/shop-api:1.8.0   # shared', 'image: ghcr.io/acme/shop-api:1.9.0   # shared']),
    );
  });

  it('CRLF flow map', () => {
    const p = 'compose/docker-compose.prod.yml';
    assert.equal(
      link(p, 'service web', NGINX, 'tag@digest'),
      edited(fixture(p), ['{image: nginx:1.24, restart: always}\r\n', `{image: nginx:1.25@${DIGEST}, restart: always}\r\n`]),
    );
  });

  it('generic file, single quotes in a flow sequence', () => {
    const g = 'generic/deploy.yaml';
    assert.equal(
      link(g, 'jobs.sidecars[0].image', target('docker.io', 'envoyproxy/envoy', 'v1.31.0'), 'tag'),
      edited(fixture(g), [`[{image: 'envoyproxy/envoy:v1.30.1'}]`, `[{image: 'envoyproxy/envoy:v1.31.0'}]`]),
    );
  });

  it('several refs of one file in one set of edits, leaving the others alone', () => {
    const refs = findReferences([{ path: rel, text: original }]).refs;
    const picked = refs.filter((r) => r.label === 'service web' || r.label === 'service cache');
    const r = linkReferences(original, picked, NGINX, 'tag');
    assertMinimal(original, r);
    assert.equal(r.edits.length, 2);
    assert.equal(r.text, edited(original, ['image: "nginx:1.24"', 'image: "nginx:1.25"'], [`image: 'redis:7.2'`, `image: 'nginx:1.25'`]));
    const after = findReferences([{ path: rel, text: r.text }]).refs;
    for (const label of ['service api', 'service proxy']) {
      assert.equal(after.find((x) => x.label === label)!.value, refs.find((x) => x.label === label)!.value);
    }
  });
});

describe('helm blocks', () => {
  const rel = 'helm/values.yaml';
  const original = fixture(rel);
  const bitnami = target('docker.io', 'bitnami/nginx', '1.26.0-debian-12-r0', DIGEST);

  it('tag: only the tag changes (an empty digest stays empty)', () => {
    assert.equal(
      link(rel, 'image', bitnami, 'tag'),
      edited(original, ['tag: 1.25.3-debian-11-r1   # Renovate', 'tag: 1.26.0-debian-12-r0   # Renovate']),
    );
  });

  it('digest: fills the existing quoted digest and keeps the tag in step with it', () => {
    assert.equal(
      link(rel, 'image', bitnami, 'digest'),
      edited(
        original,
        ['tag: 1.25.3-debian-11-r1   # Renovate', 'tag: 1.26.0-debian-12-r0   # Renovate'],
        ['  digest: ""\n  pullPolicy', `  digest: "${DIGEST}"\n  pullPolicy`],
      ),
    );
  });

  it('digest without a target tag leaves the tag as it is', () => {
    assert.equal(
      link(rel, 'image', target('docker.io', 'bitnami/nginx', undefined, DIGEST), 'digest'),
      edited(original, ['  digest: ""\n  pullPolicy', `  digest: "${DIGEST}"\n  pullPolicy`]),
    );
  });

  it('inserts a missing digest after the tag, with the block indentation and the tag quoting', () => {
    const t = target('docker.io', 'bitnami/nginx-exporter', '0.12.0', DIGEST);
    assert.equal(
      link(rel, 'metrics.image', t, 'tag@digest'),
      edited(original, ['    tag: "0.11.0"\n', `    tag: "0.12.0"\n    digest: "${DIGEST}"\n`]),
    );
  });

  it('inserts into a flow block', () => {
    const t = target('docker.io', 'bitnami/os-shell', '12-debian-12-r20', DIGEST);
    assert.equal(
      link(rel, 'volumePermissions.image', t, 'digest'),
      edited(original, [
        'tag: 12-debian-12-r16}',
        `tag: 12-debian-12-r20, digest: ${DIGEST}}`,
      ]),
    );
  });

  it('changing repository writes registry and repository separately', () => {
    assert.equal(
      link(rel, 'image', target('ghcr.io', 'acme/nginx', '2.0.0'), 'tag'),
      edited(
        original,
        ['registry: docker.io\n  repository: bitnami/nginx\n  tag: 1.25.3-debian-11-r1', 'registry: ghcr.io\n  repository: acme/nginx\n  tag: 2.0.0'],
      ),
    );
    // Official images: the registry key already says docker.io; no `library/`.
    assert.equal(
      link(rel, 'image', target('docker.io', 'library/nginx', '1.27.0'), 'tag'),
      edited(original, ['repository: bitnami/nginx\n  tag: 1.25.3-debian-11-r1', 'repository: nginx\n  tag: 1.27.0']),
    );
  });

  it('a block without a registry key gets the full name in repository', () => {
    assert.equal(
      link(rel, 'api.worker.image', target('docker.io', 'library/alpine', '3.20'), 'tag'),
      edited(original, ['repository: ghcr.io/acme/shop-worker', 'repository: docker.io/library/alpine'], ['tag: &apiTag "1.8.0"', 'tag: &apiTag "3.20"']),
    );
  });

  it('an aliased tag is written at its anchor; two blocks sharing it make one edit', () => {
    const refs = findReferences([{ path: rel, text: original }]).refs.filter((r) => r.label.startsWith('api.'));
    const r = linkReferences(original, [refs[0]], target('ghcr.io', 'acme/shop-api', '1.9.0'), 'tag');
    assert.equal(r.text, edited(original, ['tag: &apiTag "1.8.0"', 'tag: &apiTag "1.9.0"']));
    // Linking both: the shared tag is one edit, the worker's repository its own.
    const both = linkReferences(original, refs, target('ghcr.io', 'acme/shop-api', '1.9.0'), 'tag');
    assertMinimal(original, both);
    assert.equal(both.edits.length, 2);
    assert.equal(
      both.text,
      edited(original, ['tag: &apiTag "1.8.0"', 'tag: &apiTag "1.9.0"'], ['repository: ghcr.io/acme/shop-worker', 'repository: ghcr.io/acme/shop-api']),
    );
  });

  it('string values in values files', () => {
    assert.equal(
      link(rel, 'initImage', target('docker.io', 'library/busybox', '1.37'), 'tag'),
      edited(original, ['initImage: "busybox:1.36"', 'initImage: "busybox:1.37"']),
    );
  });

  it('global.imageRegistry: same registry links; the digest is cleared in tag mode', () => {
    const p = 'helm/charts/api/values-prod.yaml';
    const text = fixture(p);
    const mirrored = target('registry.internal.example.com', 'acme/api', '2.0.2', DIGEST);
    assert.equal(
      link(p, 'image', mirrored, 'tag'),
      edited(
        text,
        [`tag: '2.0.1'`, `tag: '2.0.2'`],
        ['digest: sha256:7e81bc2d26dceb73c4c3e205a177d2f797ebb717f54fc426d6ac5378c6f77082', 'digest: ""'],
      ),
    );
    assert.equal(
      link(p, 'image', mirrored, 'digest'),
      edited(text, [`tag: '2.0.1'`, `tag: '2.0.2'`], ['digest: sha256:7e81bc2d26dceb73c4c3e205a177d2f797ebb717f54fc426d6ac5378c6f77082', `digest: ${DIGEST}`]),
    );
    // A different registry cannot be expressed without editing the shared global: refused.
    assert.throws(() => linkReference(text, refOf(p, 'image'), target('docker.io', 'acme/api', '2.0.2'), 'tag'), LinkError);
    assert.throws(() => describeChange(refOf(p, 'image'), target('docker.io', 'acme/api', '2.0.2'), 'tag'), /global\.imageRegistry/);
    // Blocks without a registry key ignore the global.
    assert.equal(
      link(p, 'migrations.image', target('ghcr.io', 'acme/api-migrations', '2.0.2'), 'tag'),
      edited(text, ['    tag: 2.0.1\n', '    tag: 2.0.2\n']),
    );
  });

  it('CRLF: an inserted key uses CRLF too', () => {
    const p = 'helm/values-staging.yaml';
    assert.equal(
      link(p, 'image', target('ghcr.io', 'acme/web', 'v3.3.0', DIGEST), 'tag@digest'),
      edited(fixture(p), ['  tag: v3.2.0\r\n', `  tag: v3.3.0\r\n  digest: ${DIGEST}\r\n`]),
    );
  });
});

describe('kustomize and porter blocks', () => {
  const rel = 'kustomize/kustomization.yaml';
  const original = fixture(rel);

  it('newTag keeps its quotes; digest is inserted after it', () => {
    assert.equal(link(rel, 'images: nginx', NGINX, 'tag'), edited(original, ['newTag: "1.24"', 'newTag: "1.25"']));
    assert.equal(
      link(rel, 'images: nginx', NGINX, 'digest'),
      edited(original, ['    newTag: "1.24"\n', `    newTag: "1.25"\n    digest: "${DIGEST}"\n`]),
    );
  });

  it('a new repository goes into newName (name is what the base uses and never changes)', () => {
    assert.equal(
      link(rel, 'images: ghcr.io/acme/api', target('ghcr.io', 'acme/api', '2.1.0'), 'tag'),
      edited(
        original,
        ['newName: registry.example.com/acme/api   # mirrored\n    newTag: 2.0.1', 'newName: ghcr.io/acme/api   # mirrored\n    newTag: 2.1.0'],
      ),
    );
  });

  it('tag mode on a digest pin inserts newTag after name and clears the digest', () => {
    assert.equal(
      link(rel, 'images: postgres', target('docker.io', 'library/postgres', '16.4'), 'tag'),
      edited(original, [
        '  - name: postgres\n    digest: sha256:ff6942d3fad1c6979ff2b3bbc3de1f41ed83d3d8f76e795d1907fb06e5aff5d7\n',
        '  - name: postgres\n    newTag: "16.4"\n    digest: ""\n',
      ]),
    );
  });

  it('flow entries and entries with only newName', () => {
    assert.equal(
      link(rel, 'images: redis', target('docker.io', 'library/redis', '7.4', DIGEST), 'digest'),
      edited(original, [`{name: redis, newTag: '7.2'}`, `{name: redis, newTag: '7.4', digest: '${DIGEST}'}`]),
    );
    assert.equal(
      link(rel, 'images: busybox', target('docker.io', 'library/busybox', '1.37'), 'tag'),
      edited(original, ['    newName: busybox\n', '    newName: busybox\n    newTag: "1.37"\n']),
    );
  });

  it('CRLF overlay', () => {
    const p = 'kustomize/overlays/prod/kustomization.yml';
    assert.equal(
      link(p, 'images: ghcr.io/acme/web', target('ghcr.io', 'acme/web', 'v3.2.0', DIGEST), 'digest'),
      edited(fixture(p), ['  newTag: v3.1.0\r\n', `  newTag: v3.2.0\r\n  digest: ${DIGEST}\r\n`]),
    );
  });

  it('porter: tag@digest inserts digest; tag mode on a digest pin inserts tag and clears digest', () => {
    const p = 'porter/porter.yaml';
    const text = fixture(p);
    assert.equal(
      link(p, 'images.whalesayd', target('docker.io', 'carolynvs/whalesayd', 'v0.2.0', DIGEST), 'tag@digest'),
      edited(text, ['    tag: "v0.1.0"\n', `    tag: "v0.2.0"\n    digest: "${DIGEST}"\n`]),
    );
    assert.equal(
      link(p, 'images.api', target('ghcr.io', 'acme/api', '2.1.0'), 'tag'),
      edited(text, [
        '    repository: ghcr.io/acme/api\n    digest: sha256:555991b173e0bb28a178e3529deef42b514f5f335c676368183daffd27e570df\n',
        '    repository: ghcr.io/acme/api\n    tag: 2.1.0\n    digest: ""\n',
      ]),
    );
  });
});

describe('inline cases', () => {
  function one(text: string, path = 'values.yaml'): DeployRef {
    const { refs, problems } = findReferences([{ path, text }]);
    assert.deepEqual(problems, []);
    assert.equal(refs.length, 1);
    return refs[0];
  }

  it('quotes a plain value that YAML would read as a number', () => {
    const text = 'image:\n  repository: nginx\n  tag: stable\n';
    assert.equal(linkReference(text, one(text), target('docker.io', 'library/nginx', '1.10'), 'tag').text, 'image:\n  repository: nginx\n  tag: "1.10"\n');
  });

  it('fills an empty digest key and inserts after the last line of a file without a final newline', () => {
    const text = 'image:\n  repository: nginx\n  digest:\n  tag: "1.24"';
    const r = linkReference(text, one(text), NGINX, 'tag@digest');
    assertMinimal(text, r);
    assert.equal(r.text, `image:\n  repository: nginx\n  digest: ${DIGEST}\n  tag: "1.25"`);
    const bare = 'image:\n  repository: nginx\n  tag: "1.24"';
    assert.equal(linkReference(bare, one(bare), NGINX, 'digest').text, `image:\n  repository: nginx\n  tag: "1.25"\n  digest: "${DIGEST}"`);
  });

  it('inserts tag and digest together after the repository when both are missing', () => {
    const text = 'api:\n  image:\n    repository: ghcr.io/acme/api # comment\n  replicas: 1\n';
    const r = linkReference(text, one(text), target('ghcr.io', 'acme/api', '2.0', DIGEST), 'tag@digest');
    assertMinimal(text, r);
    assert.equal(r.edits.length, 1);
    assert.equal(r.text, `api:\n  image:\n    repository: ghcr.io/acme/api # comment\n    tag: "2.0"\n    digest: ${DIGEST}\n  replicas: 1\n`);
  });

  it('offsets are string indices: a BOM and astral characters before the image are fine', () => {
    const text = '\uFEFF# café ☕ 😀\nservices:\n  web:\n    image: nginx:1.24\n';
    const ref = one(text, 'compose.yaml');
    assert.deepEqual([ref.line, ref.column], [4, 12]);
    assert.equal(linkReference(text, ref, NGINX, 'tag').text, '\uFEFF# café ☕ 😀\nservices:\n  web:\n    image: nginx:1.25\n');
  });

  it('multi-document Kubernetes file: only the picked document changes', () => {
    const text = 'kind: Pod\nspec:\n  containers:\n    - image: nginx:1.24\n---\nkind: Pod\nspec:\n  containers:\n    - image: nginx:1.24\n';
    const { refs } = findReferences([{ path: 'k.yaml', text, kind: 'kubernetes' }]);
    assert.equal(refs.length, 2);
    const r = linkReference(text, refs[1], NGINX, 'tag');
    assert.equal(r.text, 'kind: Pod\nspec:\n  containers:\n    - image: nginx:1.24\n---\nkind: Pod\nspec:\n  containers:\n    - image: nginx:1.25\n');
  });
});

describe('stale and bad input', () => {
  const rel = 'kubernetes/deployment.yaml';
  const original = fixture(rel);
  const ref = refOf(rel, 'Deployment/web › web');

  it('throws StaleReferenceError when the text moved, changed, grew or broke', () => {
    const cases = [
      `# new first line\n${original}`,
      original.replace('nginx:1.24', 'nginx:1.23'),
      original.replace('nginx:1.24', 'nginx:1.245'),
      original.replace('  name: web\n', '  name: web\n  bad: [\n'),
      original.replace('        - name: web\n', '        - name: web2\n').replace('- name: migrate', '- name: migr'),
    ];
    for (const text of cases) {
      assert.throws(() => linkReference(text, ref, NGINX, 'tag'), StaleReferenceError);
    }
  });

  it('does not mind edits elsewhere that leave the ref in place', () => {
    const text = original.replace('replicas: 3', 'replicas: 5');
    assert.equal(linkReference(text, ref, NGINX, 'tag').text, edited(text, ['nginx:1.24', 'nginx:1.25']));
  });

  it('a moved block field is stale too', () => {
    const p = 'helm/values.yaml';
    const block = refOf(p, 'image');
    assert.throws(
      () => linkReference(fixture(p).replace('tag: 1.25.3-debian-11-r1', 'tag:  1.25.3-debian-11-r1'), block, NGINX, 'tag'),
      StaleReferenceError,
    );
  });

  it('refuses a target without what the mode needs, and refs from two files', () => {
    assert.throws(() => linkReference(original, ref, target('docker.io', 'library/nginx', '1.25'), 'digest'), /needs a digest/);
    assert.throws(() => linkReference(original, ref, target('docker.io', 'library/nginx', undefined, DIGEST), 'tag'), /needs a tag/);
    assert.throws(() => linkReference(original, ref, target('docker.io', 'library/nginx', undefined, DIGEST), 'tag@digest'), LinkError);
    const other = { ...ref, file: 'other.yaml' };
    assert.throws(() => linkReferences(original, [ref, other], NGINX, 'tag'), LinkError);
  });
});

describe('describeChange', () => {
  it('shows the value before and after, digests shortened', () => {
    const web = refOf('kubernetes/deployment.yaml', 'Deployment/web › web');
    assert.equal(describeChange(web, NGINX, 'tag@digest'), 'nginx:1.24 → nginx:1.25@sha256:b8ac6f43fdba…');
    assert.equal(describeChange(web, NGINX, 'tag'), 'nginx:1.24 → nginx:1.25');
    assert.equal(describeChange(web, NGINX, 'digest'), 'nginx:1.24 → nginx@sha256:b8ac6f43fdba…');
    assert.equal(describeChange(web, target('docker.io', 'library/nginx', '1.24'), 'tag'), 'nginx:1.24 (unchanged)');
  });

  it('describes blocks by the reference they make up', () => {
    const pg = refOf('kustomize/kustomization.yaml', 'images: postgres');
    assert.equal(describeChange(pg, target('docker.io', 'library/postgres', '16.4'), 'tag'), 'postgres@sha256:ff6942d3fad1… → postgres:16.4');
    const helm = refOf('helm/values.yaml', 'image');
    assert.equal(
      describeChange(helm, target('docker.io', 'bitnami/nginx', '1.26.0', DIGEST), 'digest'),
      'docker.io/bitnami/nginx:1.25.3-debian-11-r1 → docker.io/bitnami/nginx:1.26.0@sha256:b8ac6f43fdba…',
    );
  });
});
