// Artifact kinds from the shapes real tools push: helm push, cnab-to-oci (Porter), wasm-to-oci,
// cosign (before v3: `.sig`/`.att`/`.sbom` tags; v3: sigstore bundles), Notation, oras attach,
// BuildKit attestations.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { artifactFacts, isProvenance, predicateKind } from '../../../src/registry/artifactKind';
import { MediaType } from '../../../src/registry/mediaTypes';

const D = `sha256:${'c'.repeat(64)}`;
const desc = (mediaType: string, annotations?: Record<string, string>) => ({ mediaType, digest: D, size: 1, ...(annotations ? { annotations } : {}) });
const manifest = (config: string, layers: { mediaType: string; annotations?: Record<string, string> }[], extra: Record<string, unknown> = {}) => ({
  mediaType: MediaType.ociManifest,
  config: desc(config),
  layers,
  ...extra,
});

describe('artifactFacts: what a manifest holds', () => {
  const cases: [string, Parameters<typeof artifactFacts>[0], string][] = [
    ['a Docker image', manifest(MediaType.dockerConfig, [desc('application/vnd.docker.image.rootfs.diff.tar.gzip')]), 'image'],
    ['an OCI image', manifest(MediaType.ociConfig, [desc('application/vnd.oci.image.layer.v1.tar+gzip')]), 'image'],
    ['a multi-arch index', { mediaType: MediaType.ociIndex, manifests: [desc(MediaType.ociManifest)] }, 'image'],
    ['helm push', manifest(MediaType.helmConfig, [desc(MediaType.helmChart)]), 'helm'],
    ['a CNAB index (cnab-to-oci)', { mediaType: MediaType.ociIndex, manifests: [desc(MediaType.ociManifest)], annotations: { 'org.opencontainers.artifactType': MediaType.cnabManifest, 'io.cnab.runtime_version': 'v1.0.0' } }, 'cnab'],
    ['a CNAB config manifest', manifest(MediaType.cnabConfig, []), 'cnab'],
    ['a WASM module', manifest(MediaType.wasmConfig, [desc(MediaType.wasmContent)]), 'wasm'],
    ['cosign .sig tag', manifest(MediaType.ociConfig, [desc(MediaType.cosignSignature, { 'dev.cosignproject.cosign/signature': 'MEUC' })]), 'signature'],
    ['Notation signature', manifest(MediaType.ociEmpty, [desc('application/jose+json')], { artifactType: MediaType.notationSignature, subject: desc(MediaType.ociManifest) }), 'signature'],
    ['cosign v3 bundle (signature)', manifest(MediaType.ociEmpty, [desc(MediaType.sigstoreBundle)], { artifactType: MediaType.sigstoreBundle }), 'signature'],
    ['cosign v3 bundle (SLSA attestation)', manifest(MediaType.ociEmpty, [desc(MediaType.sigstoreBundle)], { artifactType: MediaType.sigstoreBundle, annotations: { 'dev.sigstore.bundle.predicateType': 'https://slsa.dev/provenance/v1' } }), 'attestation'],
    ['cosign .att tag (DSSE)', manifest(MediaType.ociConfig, [desc(MediaType.dsseEnvelope, { predicateType: 'https://slsa.dev/provenance/v0.2' })]), 'attestation'],
    ['cosign .sbom tag', manifest(MediaType.ociConfig, [desc('text/spdx')]), 'sbom'],
    ['oras attach SBOM', manifest(MediaType.ociEmpty, [desc(MediaType.spdx)], { artifactType: 'application/spdx+json', subject: desc(MediaType.ociManifest) }), 'sbom'],
    ['BuildKit provenance', manifest(MediaType.ociConfig, [desc(MediaType.inToto, { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' })]), 'attestation'],
    ['BuildKit SBOM attestation', manifest(MediaType.ociConfig, [desc(MediaType.inToto, { 'in-toto.io/predicate-type': 'https://spdx.dev/Document' })]), 'sbom'],
    ['an unknown artifact', manifest('application/vnd.example.thing.v1+json', [desc('application/octet-stream')]), 'artifact'],
    ['an unknown artifactType on an empty config', manifest(MediaType.ociEmpty, [desc('application/octet-stream')], { artifactType: 'application/vnd.example.thing' }), 'artifact'],
  ];
  for (const [name, m, kind] of cases) {
    test(`${name} → ${kind}`, () => assert.equal(artifactFacts(m).kind, kind));
  }

  test('the subject and the predicate types come along; an image has no artifactType', () => {
    const f = artifactFacts(manifest(MediaType.ociEmpty, [desc(MediaType.inToto, { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v1' })], { artifactType: MediaType.inToto, subject: desc(MediaType.ociManifest) }));
    assert.deepEqual(f, { kind: 'attestation', artifactType: MediaType.inToto, subject: D, predicateTypes: ['https://slsa.dev/provenance/v1'] });
    assert.deepEqual(artifactFacts(manifest(MediaType.ociConfig, [])), { kind: 'image' });
  });

  test('predicates: SPDX and CycloneDX are SBOMs, SLSA is provenance', () => {
    assert.equal(predicateKind('https://spdx.dev/Document'), 'sbom');
    assert.equal(predicateKind('https://cyclonedx.org/bom'), 'sbom');
    assert.equal(predicateKind('https://slsa.dev/provenance/v1'), 'attestation');
    assert.ok(isProvenance('https://slsa.dev/provenance/v0.2'));
    assert.ok(!isProvenance('https://cosign.sigstore.dev/attestation/vuln/v1'));
  });
});
