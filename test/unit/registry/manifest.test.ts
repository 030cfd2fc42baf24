import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { isRegistryError } from '../../../src/registry/errors';
import { MediaType, formatPlatform, imageSize, isAttestation, isIndex, parseImageConfig, parseManifest, sha256Digest, verifiedDigest, type Descriptor } from '../../../src/registry/manifest';

const HOST = 'registry.example.com';
const D1 = `sha256:${'a'.repeat(64)}`;
const D2 = `sha256:${'b'.repeat(64)}`;

function parse(doc: unknown, contentType?: string) {
  return parseManifest(Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc)), contentType, HOST);
}

/** The protocol error a document gets; fails the test on anything else (a TypeError above all). */
function protocolMessage(doc: unknown, contentType?: string): string {
  try {
    parse(doc, contentType);
  } catch (e) {
    assert.ok(isRegistryError(e, 'protocol'), `expected a protocol RegistryError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('the document was accepted');
}

const config = { mediaType: MediaType.ociConfig, digest: D1, size: 10 };
const manifest = (extra: Record<string, unknown> = {}) => ({ schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: D2, size: 20 }], ...extra });

describe('manifest schema: malformed shapes are protocol errors in plain words', () => {
  const cases: [string, unknown, RegExp][] = [
    ['null', null, /registry\.example\.com sent a manifest that is not a JSON object/],
    ['a bare number', 42, /registry\.example\.com sent a manifest that is not a JSON object/],
    ['not JSON', '{"schemaVersion": 2,', /registry\.example\.com sent a manifest that is not valid JSON/],
    ['layers not a list', manifest({ layers: { 0: 'x' } }), /registry\.example\.com sent a manifest whose layers is not a list/],
    ['config missing', { schemaVersion: 2, mediaType: MediaType.ociManifest, layers: [] }, /whose config is missing/],
    ['a layer digest that is not algorithm:hex', manifest({ layers: [{ mediaType: 'x', digest: 'sha256:zz not hex #comment', size: 1 }] }), /whose layers\[0\]\.digest is not a digest \(algorithm:hex\)/],
    ['a negative size', manifest({ config: { ...config, size: -1 } }), /whose config\.size is not a whole number/],
    ['an index whose manifests is null', { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: null }, /sent an image index whose manifests is not a list/],
    ['an index entry whose platform.os is a number', { schemaVersion: 2, mediaType: MediaType.dockerList, manifests: [{ mediaType: MediaType.dockerManifest, digest: D1, size: 1, platform: { os: 7, architecture: 'amd64' } }] }, /whose manifests\[0\]\.platform\.os is not text/],
    ['schemaVersion 3', manifest({ schemaVersion: 3 }), /whose schemaVersion is not 2/],
    ['mediaType a number', manifest({ mediaType: 5 }), /whose mediaType is not text/],
    ['annotations with a number', manifest({ annotations: { 'org.opencontainers.image.created': 5 } }), /whose annotations\.org\.opencontainers\.image\.created is not text/],
  ];
  for (const [name, doc, message] of cases) {
    test(name, () => {
      const said = protocolMessage(doc);
      assert.match(said, message);
      assert.doesNotMatch(said, /zz not hex|Invalid type|received/, 'no value and no library wording in the message');
    });
  }

  test('schema 1 is refused by name, whatever its shape', () => {
    assert.match(protocolMessage({ schemaVersion: 1, fsLayers: 'nonsense' }), /schema 1/);
  });

  test('an image config that is not an object, or whose created is not text, is a protocol error', () => {
    assert.throws(() => parseImageConfig(Buffer.from('[1,2]'), HOST, D1), (e: unknown) => isRegistryError(e, 'protocol') && /registry\.example\.com sent an image config \(sha256:aaaaaaaaaaaa…\) that is not a JSON object/.test(e.message));
    assert.throws(() => parseImageConfig(Buffer.from('{"created": 12}'), HOST, D1), (e: unknown) => isRegistryError(e, 'protocol') && /whose created is not text/.test(e.message));
    assert.deepEqual(parseImageConfig(Buffer.from('{"created":"2024-01-01T00:00:00Z","os":"linux","architecture":"arm64","variant":"v8","config":{}}'), HOST, D1), {
      created: '2024-01-01T00:00:00Z',
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8',
    });
  });

  test('a Docker-Content-Digest header that is not a digest is refused without being quoted', () => {
    const body = Buffer.from('{}');
    assert.throws(
      () => verifiedDigest(body, 'sha256:zz not hex #comment', undefined, HOST),
      (e: unknown) => isRegistryError(e, 'protocol') && e.message === 'registry.example.com sent a Docker-Content-Digest header that is not a digest (algorithm:hex).',
    );
    assert.equal(verifiedDigest(body, sha256Digest(body), undefined, HOST), sha256Digest(body));
  });

  test('well-formed documents parse, with fields we do not check kept', () => {
    const m = parse(manifest({ subject: { mediaType: MediaType.ociManifest, digest: D1, size: 3 } }));
    assert.equal(isIndex(m.manifest), false);
    assert.equal(imageSize(m.manifest as never), 30);
    assert.ok('subject' in m.manifest);
    const i = parse({ schemaVersion: 2, manifests: [{ mediaType: MediaType.ociManifest, digest: D1, size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }] });
    assert.equal(i.mediaType, MediaType.ociIndex, 'no declared type: the shape decides');
    assert.equal(isIndex(i.manifest), true);
  });
});

// ——— properties ———

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const digest = hex64.map((h) => `sha256:${h}`);
const text = fc.string({ maxLength: 12 });
const annotations = fc.dictionary(fc.constantFrom('org.opencontainers.image.created', 'vnd.docker.reference.type', 'a', 'b.c'), text, { maxKeys: 3 });
const platform = fc.record({ os: fc.constantFrom('linux', 'windows', 'unknown'), architecture: fc.constantFrom('amd64', 'arm64', 'unknown'), variant: fc.constantFrom('v7', 'v8') }, { requiredKeys: ['os', 'architecture'] });
const descriptor: fc.Arbitrary<Descriptor> = fc.record(
  { mediaType: text, digest, size: fc.nat(), platform, annotations, artifactType: text },
  { requiredKeys: ['mediaType', 'digest', 'size'] },
);
const imageManifest = fc.record({ schemaVersion: fc.constant(2), mediaType: fc.constantFrom(MediaType.ociManifest, MediaType.dockerManifest), config: descriptor, layers: fc.array(descriptor, { maxLength: 4 }) });
const imageIndex = fc.record({ schemaVersion: fc.constant(2), mediaType: fc.constantFrom(MediaType.ociIndex, MediaType.dockerList), manifests: fc.array(descriptor, { maxLength: 4 }) });

/** parseManifest either succeeds or throws a protocol RegistryError; using the result never throws. */
function onlyProtocolErrors(body: Buffer, contentType?: string): void {
  try {
    const { manifest } = parseManifest(body, contentType, HOST);
    if (isIndex(manifest)) for (const d of manifest.manifests) formatPlatform(d.platform), isAttestation(d);
    else imageSize(manifest);
  } catch (e) {
    if (!isRegistryError(e, 'protocol')) throw e;
  }
}

describe('manifest schema: properties', () => {
  test('arbitrary JSON never makes the parser throw anything but a protocol RegistryError', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.option(fc.constantFrom(MediaType.ociIndex, MediaType.ociManifest, 'application/json')), (value, contentType) => {
        onlyProtocolErrors(Buffer.from(JSON.stringify(value) ?? 'null'), contentType ?? undefined);
      }),
      { numRuns: 500 },
    );
  });

  test('arbitrary bytes too', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => onlyProtocolErrors(Buffer.from(bytes))), { numRuns: 300 });
  });

  test('a valid manifest with one field replaced by arbitrary JSON: accepted or a protocol error', () => {
    fc.assert(
      fc.property(imageManifest, fc.constantFrom('schemaVersion', 'mediaType', 'config', 'layers'), fc.jsonValue({ maxDepth: 3 }), (m, key, value) => {
        onlyProtocolErrors(Buffer.from(JSON.stringify({ ...m, [key]: value })));
      }),
      { numRuns: 300 },
    );
  });

  test('valid generated manifests and indexes parse to the same descriptors', () => {
    fc.assert(
      fc.property(fc.oneof(imageManifest, imageIndex), (generated) => {
        // Plain objects, as the wire gives them (fast-check's have no prototype).
        const doc = JSON.parse(JSON.stringify(generated)) as typeof generated;
        const { manifest, mediaType } = parseManifest(Buffer.from(JSON.stringify(doc)), undefined, HOST);
        assert.equal(mediaType, doc.mediaType);
        if ('manifests' in doc) {
          assert.ok(isIndex(manifest));
          assert.deepEqual(manifest.manifests, doc.manifests);
        } else {
          assert.ok(!isIndex(manifest));
          assert.deepEqual(manifest.config, doc.config);
          assert.deepEqual(manifest.layers, doc.layers);
        }
      }),
      { numRuns: 200 },
    );
  });
});
