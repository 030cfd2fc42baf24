// Kinds from what provider listings send: Harbor's artifact list (`type`, `media_type`), ECR's
// DescribeImages (`artifactMediaType`), Docker Hub's tag list (`content_type`).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { listedFacts } from '../../../src/registry/listedKind';
import { MediaType } from '../../../src/registry/mediaTypes';

describe('listedFacts: a kind from a listing entry, no manifest read', () => {
  test('Harbor: a CHART artifact with its Helm config media type is a Helm chart', () => {
    assert.deepEqual(listedFacts({ type: 'CHART', artifactMediaType: MediaType.helmConfig }), { kind: 'helm', artifactType: MediaType.helmConfig });
  });

  test('Harbor: a CNAB artifact, by its type alone or its config', () => {
    assert.deepEqual(listedFacts({ type: 'CNAB', artifactMediaType: MediaType.ociIndex }), { kind: 'cnab' });
    assert.deepEqual(listedFacts({ type: 'CNAB', artifactMediaType: MediaType.cnabConfig }), { kind: 'cnab', artifactType: MediaType.cnabConfig });
  });

  test('Harbor: an IMAGE with an image config or an index is an image (nothing to show)', () => {
    assert.equal(listedFacts({ type: 'IMAGE', artifactMediaType: MediaType.ociConfig }), undefined);
    assert.equal(listedFacts({ type: 'IMAGE', artifactMediaType: MediaType.dockerList }), undefined);
  });

  test('the media type wins over the word: an IMAGE with a WASM config is a WASM module', () => {
    assert.deepEqual(listedFacts({ type: 'IMAGE', artifactMediaType: MediaType.wasmConfig }), { kind: 'wasm', artifactType: MediaType.wasmConfig });
  });

  test('an image config wins over a word that says otherwise', () => {
    assert.equal(listedFacts({ type: 'CHART', artifactMediaType: MediaType.dockerConfig }), undefined);
  });

  test('ECR: artifactMediaType of a Helm chart, a signature, an image', () => {
    assert.deepEqual(listedFacts({ artifactMediaType: 'application/vnd.cncf.helm.config.v1+json' }), { kind: 'helm', artifactType: MediaType.helmConfig });
    assert.equal(listedFacts({ artifactMediaType: MediaType.notationSignature })?.kind, 'signature');
    assert.equal(listedFacts({ artifactMediaType: MediaType.dockerConfig }), undefined);
  });

  test('an unknown config media type is an OCI artifact that names its type', () => {
    assert.deepEqual(listedFacts({ artifactMediaType: 'application/vnd.acme.rocket.config.v1+json' }), { kind: 'artifact', artifactType: 'application/vnd.acme.rocket.config.v1+json' });
  });

  test('Docker Hub: content_type helm is a chart, image is an image, an unknown word says nothing', () => {
    assert.deepEqual(listedFacts({ type: 'helm' }), { kind: 'helm' });
    assert.equal(listedFacts({ type: 'image' }), undefined);
    assert.equal(listedFacts({ type: 'unrecognized' }), undefined);
    assert.equal(listedFacts({}), undefined);
  });

  test('a hostile media type (Markdown, a line break, a page of text) is not taken; the word still counts', () => {
    for (const bad of ['application/x`](command:evil)', 'application/vnd.a\n# heading', `application/${'a'.repeat(5000)}`, 'helm chart', '']) {
      assert.equal(listedFacts({ artifactMediaType: bad }), undefined, JSON.stringify(bad.slice(0, 40)));
    }
    assert.deepEqual(listedFacts({ type: 'CHART', artifactMediaType: 'x`y\n/z' }), { kind: 'helm' });
    for (const word of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) assert.equal(listedFacts({ type: word }), undefined, word);
  });

  test('an empty config without a word says nothing (its artifactType is elsewhere)', () => {
    assert.equal(listedFacts({ artifactMediaType: MediaType.ociEmpty }), undefined);
  });
});
