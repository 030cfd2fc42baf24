// Issue 10, defect 3: linking into `${REGISTRY:-localhost:5000}/team-a/api:${TAG:-latest}`
// replaced it with a literal reference and both variables were gone without a word. The rule
// (src/deploy/interpolation.ts): variables stay, their defaults are what a link updates, and a
// variable that cannot stay is only replaced when the caller says the user agreed.
// Defect 6 (engine side): a ref pinned by digest keeps its pin when linked by tag, if asked.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describeChange,
  findReferences,
  LinkError,
  linkReference,
  linkReferences,
  planChange,
  problemsByFile,
  type DeployRef,
} from '../../../src/deploy/index';
import { cutTemplate, parseTemplate, renderTemplate, retemplate } from '../../../src/deploy/interpolation';
import { assertMinimal, DIGEST, edited, fixture, refOf, target } from './helpers';

const C = 'compose/compose.interpolated.yaml';
const original = fixture(C);
const API = target('localhost:5000', 'team-a/api', '2.2.0', DIGEST);

function link(rel: string, label: string, t: ReturnType<typeof target>, mode: Parameters<typeof linkReference>[3], options = {}): string {
  const text = fixture(rel);
  const result = linkReference(text, refOf(rel, label), t, mode, options);
  assertMinimal(text, result);
  return result.text;
}

describe('interpolation: reading', () => {
  it('splits values into text and expressions, `$$` being a literal dollar', () => {
    assert.deepEqual(
      parseTemplate('${R:-a:1}/x:$T-{{ .Values.y }}$$').map((s) => [s.kind, s.raw]),
      [
        ['expr', '${R:-a:1}'],
        ['text', '/x:'],
        ['expr', '$T'],
        ['text', '-'],
        ['expr', '{{ .Values.y }}'],
        ['text', '$$'],
      ],
    );
    assert.equal(renderTemplate('${R:-a:1}/x:${T-2}'), 'a:1/x:2');
    assert.equal(renderTemplate('x:${T}'), undefined);
    assert.equal(renderTemplate('x:${T:?set T}'), undefined);
    assert.equal(renderTemplate('x:${T:-${U:-1}}'), undefined, 'a default with its own variable is not a value');
  });

  it('cuts at literal delimiters only, reading defaults to tell a registry', () => {
    assert.deepEqual(cutTemplate('${REGISTRY:-localhost:5000}/team-a/api:${TAG:-latest}'), {
      registry: '${REGISTRY:-localhost:5000}',
      repository: 'team-a/api',
      tag: '${TAG:-latest}',
    });
    assert.deepEqual(cutTemplate('${ORG:-acme}/api:1'), { repository: '${ORG:-acme}/api', tag: '1' });
    assert.deepEqual(cutTemplate('${PROXY_IMAGE:-traefik:v3.0}'), { repository: '${PROXY_IMAGE:-traefik:v3.0}' });
    assert.deepEqual(cutTemplate(`a/b:\${T}@${DIGEST}`), { repository: 'a/b', tag: '${T}', digest: DIGEST });
  });

  it('one part at a time: a default is updated, a variable without one is reported', () => {
    assert.deepEqual(retemplate('${TAG:-latest}', '2.2.0'), { text: '${TAG:-2.2.0}', replaced: [] });
    assert.deepEqual(retemplate('${TAG-latest}', '2.2.0'), { text: '${TAG-2.2.0}', replaced: [] });
    assert.deepEqual(retemplate('${TAG:-latest}', 'latest'), { text: '${TAG:-latest}', replaced: [] });
    assert.deepEqual(retemplate('${TAG}', '2.2.0'), { text: '2.2.0', replaced: ['${TAG}'] });
    assert.deepEqual(retemplate('$TAG', '2.2.0'), { text: '2.2.0', replaced: ['${TAG}'] });
    assert.deepEqual(retemplate('${TAG:?set TAG}', '2.2.0'), { text: '2.2.0', replaced: ['${TAG}'] });
    assert.deepEqual(retemplate('${V:-1.25}-alpine', '1.26'), { text: '1.26', replaced: ['${V}'] });
    assert.deepEqual(retemplate('{{ .Values.tag }}', '1'), { text: '1', replaced: ['{{ .Values.tag }}'] });
  });

  it('the scan marks refs with expressions and matches them by their defaults', () => {
    const { refs, problems } = findReferences([{ path: C, text: original }], { target: API });
    assert.deepEqual(problems, []);
    assert.deepEqual(
      refs.map((r) => [r.label, r.expressions, r.matches, r.image && `${r.image.registry}/${r.image.repository}:${r.image.tag ?? ''}`]),
      [
        ['service api', ['${REGISTRY}', '${TAG}'], true, 'localhost:5000/team-a/api:latest'],
        // Only the tag is unknown: the repository is, and that is what matching needs.
        ['service worker', ['${REGISTRY}', '${WORKER_TAG}'], false, 'localhost:5000/team-a/worker:'],
        ['service web', ['${ORG}'], false, 'ghcr.io/acme/web:1.4.0'],
        ['service edge', ['${NGINX_VERSION}'], false, 'docker.io/library/nginx:1.25-alpine'],
        ['service jobs', ['${JOBS_IMAGE}'], false, undefined],
      ],
    );
  });
});

describe('interpolation: linking keeps the variables', () => {
  it('the reported case: only the default of the tag changes, by tag', () => {
    assert.equal(
      link(C, 'service api', API, 'tag'),
      edited(original, ['image: ${REGISTRY:-localhost:5000}/team-a/api:${TAG:-latest}', 'image: ${REGISTRY:-localhost:5000}/team-a/api:${TAG:-2.2.0}']),
    );
  });

  it('tag@digest and digest: the digest is appended as literal text, the tag variable stays', () => {
    const expected = edited(original, [
      'image: ${REGISTRY:-localhost:5000}/team-a/api:${TAG:-latest}',
      `image: \${REGISTRY:-localhost:5000}/team-a/api:\${TAG:-2.2.0}@${DIGEST}`,
    ]);
    assert.equal(link(C, 'service api', API, 'tag@digest'), expected);
    assert.equal(link(C, 'service api', API, 'digest'), expected);
  });

  it('a registry variable whose default is another registry keeps its name; its default becomes the chosen registry', () => {
    assert.equal(
      link(C, 'service api', target('ghcr.io', 'team-a/api', '2.2.0'), 'tag'),
      edited(original, ['image: ${REGISTRY:-localhost:5000}/team-a/api:${TAG:-latest}', 'image: ${REGISTRY:-ghcr.io}/team-a/api:${TAG:-2.2.0}']),
    );
  });

  it('a whole-image variable keeps its name; its default is linked', () => {
    const rel = 'compose/compose.yaml';
    assert.equal(
      link(rel, 'service proxy', target('docker.io', 'library/traefik', 'v3.1'), 'tag'),
      edited(fixture(rel), ['image: ${PROXY_IMAGE:-traefik:v3.0}', 'image: ${PROXY_IMAGE:-traefik:v3.1}']),
    );
  });

  it('a variable in a part that does not change is left alone, and a kept pin keeps its digest', () => {
    assert.equal(
      link(C, 'service web', target('ghcr.io', 'acme/web', '1.5.0', DIGEST), 'tag', { keepPins: true }),
      edited(original, [
        'image: ghcr.io/${ORG-acme}/web:1.4.0@sha256:3e6367cce402d1fc38f409c13a207aa36fac31d1002a1e0e8ed835c31cad5753',
        `image: ghcr.io/\${ORG-acme}/web:1.5.0@${DIGEST}`,
      ]),
    );
  });

  it('by digest, a tag variable without a default stays as written', () => {
    assert.equal(
      link(C, 'service worker', target('localhost:5000', 'team-a/worker', '2.2.0', DIGEST), 'digest'),
      edited(original, ['/team-a/worker:${WORKER_TAG}"', `/team-a/worker:\${WORKER_TAG}@${DIGEST}"`]),
    );
  });
});

describe('interpolation: a variable that cannot stay is replaced only with consent', () => {
  const cases: [label: string, t: ReturnType<typeof target>, from: string, to: string, replaced: string[]][] = [
    // No default: nothing written to update, and a default would change nothing where CI sets it.
    ['service worker', target('localhost:5000', 'team-a/worker', '2.2.0'), '/team-a/worker:${WORKER_TAG}"', '/team-a/worker:2.2.0"', ['${WORKER_TAG}']],
    // Half literal: the default alone cannot say 1.27 and keep `-alpine` honest.
    ['service edge', target('docker.io', 'library/nginx', '1.27'), 'nginx:${NGINX_VERSION:-1.25}-alpine', 'nginx:1.27', ['${NGINX_VERSION}']],
    ['service jobs', target('ghcr.io', 'acme/jobs', '3'), 'image: $JOBS_IMAGE', 'image: ghcr.io/acme/jobs:3', ['${JOBS_IMAGE}']],
  ];
  for (const [label, t, from, to, replaced] of cases) {
    it(`${label}: refused without consent, replaced with it`, () => {
      const ref = refOf(C, label);
      assert.deepEqual(planChange(ref, t, 'tag').replaced, replaced);
      assert.throws(() => linkReference(original, ref, t, 'tag'), (e: unknown) => e instanceof LinkError && e.message.includes(replaced[0]));
      assert.equal(link(C, label, t, 'tag', { allowReplace: true }), edited(original, [from, to]));
    });
  }

  it('one ref that needs consent stops the whole file: no partial edit', () => {
    const refs = findReferences([{ path: C, text: original }]).refs.filter((r) => r.label === 'service api' || r.label === 'service worker');
    assert.throws(() => linkReferences(original, refs, target('localhost:5000', 'team-a/api', '2.2.0'), 'tag'), LinkError);
  });
});

describe('template expressions in Helm values', () => {
  const H = 'helm/values-tpl.yaml';
  const text = fixture(H);

  it('a registry key decided by the chart is kept; the tag is linked', () => {
    assert.equal(
      link(H, 'image', target('registry.example.com', 'acme/api', '2.0.2', DIGEST), 'tag@digest'),
      edited(text, ['  tag: "2.0.1"\n', `  tag: "2.0.2"\n  digest: "${DIGEST}"\n`]),
    );
  });

  it('a string with an expression (white space inside it) is found and keeps the expression', () => {
    assert.equal(
      link(H, 'sidecar.image', target('registry.example.com', 'acme/sidecar', '0.4.0'), 'tag'),
      edited(text, ['/acme/sidecar:0.3.1"', '/acme/sidecar:0.4.0"']),
    );
  });

  it('another repository would replace the expression: refused without consent', () => {
    const ref = refOf(H, 'sidecar.image');
    assert.deepEqual(planChange(ref, target('ghcr.io', 'acme/other', '1'), 'tag').replaced, ['{{ .Values.global.registry }}']);
    assert.throws(() => linkReference(text, ref, target('ghcr.io', 'acme/other', '1'), 'tag'), LinkError);
  });
});

describe('digest pins linked by tag (defect 6)', () => {
  const K = 'kubernetes/deployment.yaml';
  const metrics = () => refOf(K, 'Deployment/web › metrics');
  const t = target('quay.io', 'prometheus/nginx-exporter', 'v1.2.0', DIGEST);

  it('keepPins: a tag@digest pin stays tag@digest, and the plan says so', () => {
    const plan = planChange(metrics(), t, 'tag', { keepPins: true });
    assert.deepEqual({ mode: plan.mode, pinKept: plan.pinKept }, { mode: 'tag@digest', pinKept: true });
    assert.equal(
      link(K, 'Deployment/web › metrics', t, 'tag', { keepPins: true }),
      edited(fixture(K), [
        '"quay.io/prometheus/nginx-exporter:v1.1.0@sha256:3e6367cce402d1fc38f409c13a207aa36fac31d1002a1e0e8ed835c31cad5753"',
        `"quay.io/prometheus/nginx-exporter:v1.2.0@${DIGEST}"`,
      ]),
    );
  });

  it('without keepPins, or without the digest, the pin goes and the plan says that too', () => {
    assert.equal(planChange(metrics(), t, 'tag').pinDropped, true);
    assert.equal(planChange(metrics(), target('quay.io', 'prometheus/nginx-exporter', 'v1.2.0'), 'tag', { keepPins: true }).pinDropped, true);
    assert.equal(describeChange(metrics(), t, 'tag'), 'quay.io/prometheus/nginx-exporter:v1.1.0@sha256:3e6367cce402… → quay.io/prometheus/nginx-exporter:v1.2.0');
  });

  it('a digest-only block pin stays digest-only (Kustomize)', () => {
    const ref: DeployRef = refOf('kustomize/kustomization.yaml', 'images: postgres');
    const plan = planChange(ref, target('docker.io', 'library/postgres', '16.5', DIGEST), 'tag', { keepPins: true });
    assert.equal(plan.mode, 'digest');
    assert.equal(plan.after, `postgres@${DIGEST}`);
  });

  it('an unpinned ref is linked by tag as asked', () => {
    const plan = planChange(refOf(K, 'Deployment/web › web'), target('docker.io', 'library/nginx', '1.25', DIGEST), 'tag', { keepPins: true });
    assert.deepEqual([plan.mode, plan.pinKept, plan.pinDropped, plan.after], ['tag', undefined, undefined, 'nginx:1.25']);
  });
});

describe('problems are counted per file (defect 5)', () => {
  it('six errors in one file are one broken file', () => {
    const text = 'services:\n  a: [\n  b: {\nimage: x\n  c\n: d\n';
    const { problems } = findReferences([{ path: 'compose.yaml', text }, { path: 'broken/values.yaml', text: fixture('broken/values.yaml') }]);
    assert.ok(problems.length > 2, `several errors: ${problems.length}`);
    const files = problemsByFile(problems);
    assert.deepEqual(files.map((f) => f.file), ['compose.yaml', 'broken/values.yaml']);
    assert.equal(files[0].problems.length, problems.length - 1);
  });
});
