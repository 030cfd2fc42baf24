// Which YAML positions complete what: the cursor is marked `|` in each text.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { completionSite, type CompletionSite } from '../../../src/deploy/positions';
import type { DeployKind } from '../../../src/deploy/types';

const HOSTS = new Set(['localhost:5000', 'ghcr.io']);

function at(marked: string, kind: DeployKind): (CompletionSite & { replaced: string }) | undefined {
  const offset = marked.indexOf('|');
  const text = marked.slice(0, offset) + marked.slice(offset + 1);
  const site = completionSite(text, offset, kind, HOSTS);
  return site && { ...site, replaced: text.slice(site.start, site.end) };
}

const pick = (s: ReturnType<typeof at>) => s && { part: s.part, field: s.field, registry: s.registry, repository: s.repository, tag: s.tag, prefix: s.prefix, replaced: s.replaced, reference: s.reference };

const POD = (line: string) => `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: app\n      ${line}\n      ports: []\n`;

describe('completion sites: image strings', () => {
  it('right after `image: ` completes a registry host', () => {
    assert.deepEqual(pick(at(POD('image: |'), 'kubernetes')), { part: 'host', field: 'image', registry: undefined, repository: undefined, tag: undefined, prefix: '', replaced: '', reference: true });
  });

  it('a host being typed, then the repository after its slash, with the rest of the name replaced', () => {
    assert.equal(at(POD('image: ghc|'), 'kubernetes')?.part, 'host');
    assert.deepEqual(pick(at(POD('image: localhost:5000|'), 'kubernetes'))?.part, 'host');
    assert.deepEqual(pick(at(POD('image: localhost:5000/te|am/app:1.0'), 'kubernetes')), {
      part: 'repository', field: 'image', registry: 'localhost:5000', repository: undefined, tag: undefined, prefix: 'te', replaced: 'team/app', reference: true,
    });
  });

  it('a tag after the colon, its span ending at the digest', () => {
    assert.deepEqual(pick(at(POD('image: ghcr.io/org/app:1.|2@sha256:abc'), 'kubernetes')), {
      part: 'tag', field: 'image', registry: 'ghcr.io', repository: 'org/app', tag: undefined, prefix: '1.', replaced: '1.2', reference: true,
    });
  });

  it('Docker Hub names are normalized: `nginx:` is docker.io/library/nginx', () => {
    const s = at('services:\n  web:\n    image: "nginx:|"\n', 'compose');
    assert.equal(s?.part, 'tag');
    assert.equal(s?.registry, 'docker.io');
    assert.equal(s?.repository, 'library/nginx');
    assert.equal(s?.replaced, '');
  });

  it('a digest after `@`, knowing the tag it belongs to', () => {
    assert.deepEqual(pick(at(POD("image: 'localhost:5000/alpine:3.19@sha|'"), 'kubernetes')), {
      part: 'digest', field: 'image', registry: 'localhost:5000', repository: 'alpine', tag: '3.19', prefix: 'sha', replaced: 'sha', reference: true,
    });
  });

  it('nothing on the key, in a comment, in another key, or in a flow collection', () => {
    assert.equal(at(POD('ima|ge: alpine'), 'kubernetes'), undefined);
    assert.equal(at(POD('image: alpine # a |comment'), 'kubernetes'), undefined);
    assert.equal(at(POD('name: |'), 'kubernetes'), undefined);
    assert.equal(at(POD('image: [|'), 'kubernetes'), undefined);
  });
});

describe('completion sites: Helm, Kustomize, porter blocks', () => {
  const HELM = (inner: string) => `replicaCount: 1\nimage:\n  registry: localhost:5000\n  repository: team/api\n${inner}\n  pullPolicy: IfNotPresent\nother:\n  tag: x\n`;

  it('Helm: registry → host, repository → repository of that registry, tag and digest of the block image', () => {
    assert.equal(at('image:\n  registry: |\n  repository: a\n', 'helm')?.part, 'host');
    assert.deepEqual(pick(at('image:\n  registry: ghcr.io\n  repository: "o|rg/app"\n', 'helm')), {
      part: 'repository', field: 'repository', registry: 'ghcr.io', repository: undefined, tag: undefined, prefix: 'o', replaced: 'org/app', reference: false,
    });
    assert.deepEqual(pick(at(HELM('  tag: "3.1|"'), 'helm')), {
      part: 'tag', field: 'tag', registry: 'localhost:5000', repository: 'team/api', tag: undefined, prefix: '3.1', replaced: '3.1', reference: false,
    });
    const d = at(HELM('  tag: v2\n  digest: |'), 'helm');
    assert.equal(d?.part, 'digest');
    assert.equal(d?.tag, 'v2');
    assert.equal(d?.repository, 'team/api');
  });

  it('Helm: a repository that carries its host; a tag outside an image block completes nothing', () => {
    const s = at('image:\n  repository: ghcr.io/org/|\n  tag: "1"\n', 'helm');
    assert.equal(s?.part, 'repository');
    assert.equal(s?.registry, 'ghcr.io');
    assert.equal(at(HELM('  tag: v1').replace('other:\n  tag: x', 'other:\n  tag: |'), 'helm'), undefined);
  });

  it('Kustomize: newName is a name, newTag a tag of newName (or name), list items kept apart', () => {
    const k = 'images:\n  - name: nginx\n    newName: localhost:5000/web\n    newTag: "1|"\n  - name: redis\n    newTag: 7\n';
    assert.deepEqual(pick(at(k, 'kustomize')), { part: 'tag', field: 'newTag', registry: 'localhost:5000', repository: 'web', tag: undefined, prefix: '1', replaced: '1', reference: false });
    const second = at('images:\n  - name: nginx\n    newName: localhost:5000/web\n  - name: redis\n    newTag: |\n', 'kustomize');
    assert.equal(second?.repository, 'library/redis');
    assert.equal(at('images:\n  - name: nginx\n    newName: localhost:5000/|\n', 'kustomize')?.part, 'repository');
    assert.equal(at('images:\n  - name: nginx\n    newName: localhost:5000/web:|\n', 'kustomize'), undefined, 'newName takes no tag');
  });

  it('porter: repository and tag of an images entry', () => {
    const p = 'images:\n  api:\n    repository: ghcr.io/org/api\n    tag: "|"\n';
    assert.deepEqual(pick(at(p, 'porter')), { part: 'tag', field: 'tag', registry: 'ghcr.io', repository: 'org/api', tag: undefined, prefix: '', replaced: '', reference: false });
  });

  it('block keys mean nothing in a Kubernetes manifest', () => {
    assert.equal(at(POD('tag: |'), 'kubernetes'), undefined);
  });
});
