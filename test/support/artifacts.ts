// Artifacts beyond images, built the way the real tools build them and pushed through the
// Registry HTTP API: a Helm chart (`helm push`: Chart.yaml as the config, a real .tgz layer), a
// CNAB bundle (cnab-to-oci: an annotated index, bundle.json as a config), a WASM module,
// cosign's fallback tags (`sha256-HEX.sig` / `.att` with a DSSE in-toto statement), OCI 1.1
// referrers with a `subject` (an SPDX SBOM, a Notation signature) and the fallback index tag
// `sha256-HEX` a client writes where the registry has no referrers API.
//
//   repository       tags                          what
//   charts/demo      0.3.1                         Helm chart demo 0.3.1 (appVersion 1.16.0)
//   bundles/hello    v0.1.0                        CNAB bundle (porter-hello), invocation image
//   wasm/hello       0.1                           WASM module
//   signed/app       1.0, sha256-HEX(.sig/.att)    image; cosign signature + SLSA attestation
//                                                  tags; an SBOM referrer (subject) listed in
//                                                  the fallback index tag sha256-HEX
//   signed/app       2.0                           image; a Notation signature referrer only
//                                                  (no tag: found through a referrers API only)
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import { MT } from './mediaTypes';
import type { PushedImage, Pusher } from './push';

export const ARTIFACT_MT = {
  helmConfig: 'application/vnd.cncf.helm.config.v1+json',
  helmChart: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
  cnabManifest: 'application/vnd.cnab.manifest.v1',
  cnabConfig: 'application/vnd.cnab.config.v1+json',
  wasmConfig: 'application/vnd.wasm.config.v0+json',
  wasmContent: 'application/vnd.wasm.content.layer.v1+wasm',
  cosignSignature: 'application/vnd.dev.cosign.simplesigning.v1+json',
  dsse: 'application/vnd.dsse.envelope.v1+json',
  empty: 'application/vnd.oci.empty.v1+json',
  spdx: 'application/spdx+json',
  notation: 'application/vnd.cncf.notary.signature',
} as const;

export const CHART = {
  name: 'demo',
  version: '0.3.1',
  appVersion: '1.16.0',
  description: 'A demo chart for Registry Explorer tests',
  values: '# Default values for demo.\nreplicaCount: 2\nimage:\n  repository: nginx\n  tag: "1.25"\n',
  readme: '# demo\n\nA chart that deploys nginx.\n',
} as const;

export const BUNDLE = {
  name: 'porter-hello',
  version: '0.1.0',
  description: 'An example Porter bundle',
  parameters: { name: { definition: 'name-def', description: 'Whom to greet' } },
  credentials: { token: { env: 'TOKEN', required: true } },
  outputs: { greeting: { definition: 'greeting-def', applyTo: ['install'] } },
} as const;

export const PROVENANCE = 'https://slsa.dev/provenance/v1';

/** A .tgz of `files` (name → text), as `helm package` lays a chart out. */
export async function tgz(files: Record<string, string | Buffer>): Promise<Buffer> {
  const p = pack();
  const gz = createGzip();
  const chunks: Buffer[] = [];
  gz.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    gz.on('end', resolve);
    gz.on('error', reject);
  });
  p.pipe(gz);
  for (const [name, content] of Object.entries(files)) p.entry({ name, mtime: new Date('2024-01-15T10:00:00Z') }, content);
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

export function chartFiles(extra: Record<string, string | Buffer> = {}): Record<string, string | Buffer> {
  return {
    'demo/Chart.yaml': `apiVersion: v2\nname: ${CHART.name}\nversion: ${CHART.version}\nappVersion: "${CHART.appVersion}"\ndescription: ${CHART.description}\n`,
    ...extra,
    'demo/values.yaml': CHART.values,
    'demo/templates/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\n',
    'demo/README.md': CHART.readme,
  };
}

/** `helm push`: Chart.yaml as JSON in the config, the packaged chart as the one layer. */
export async function pushChart(pusher: Pusher, repo: string, layer?: Buffer): Promise<{ digest: string; layerDigest: string }> {
  const data = layer ?? (await tgz(chartFiles()));
  const config = json({ apiVersion: 'v2', name: CHART.name, version: CHART.version, appVersion: CHART.appVersion, description: CHART.description, type: 'application' });
  const r = await pusher.pushArtifact(repo, [CHART.version], { config: { mediaType: ARTIFACT_MT.helmConfig, data: config }, layers: [{ mediaType: ARTIFACT_MT.helmChart, data }] });
  const manifest = JSON.parse(r.manifest.toString('utf8')) as { layers: { digest: string }[] };
  return { digest: r.digest, layerDigest: manifest.layers[0]!.digest };
}

/** cnab-to-oci: the bundle.json as a config manifest, an invocation image, an annotated index. */
export async function pushBundle(pusher: Pusher, repo: string, tag: string): Promise<{ digest: string }> {
  const bundle = { schemaVersion: 'v1.0.0', ...BUNDLE, invocationImages: [{ imageType: 'docker', image: 'example/porter-hello-installer:v0.1.0' }] };
  const cfg = await pusher.pushArtifact(repo, [], { config: { mediaType: ARTIFACT_MT.cnabConfig, data: json(bundle) }, layers: [] });
  const inv = await pusher.pushImage(repo, `${tag}-installer`, { format: 'oci', layerBytes: [300] });
  return pusher.pushIndexDocument(repo, [tag], {
    annotations: { 'io.cnab.runtime_version': 'v1.0.0', 'org.opencontainers.artifactType': ARTIFACT_MT.cnabManifest, 'org.opencontainers.image.title': BUNDLE.name, 'org.opencontainers.image.version': BUNDLE.version },
    manifests: [
      { mediaType: MT.ociManifest, digest: cfg.digest, size: cfg.size, annotations: { 'io.cnab.manifest.type': 'config' } },
      { mediaType: MT.ociManifest, digest: inv.digest, size: inv.manifestSize, annotations: { 'io.cnab.manifest.type': 'invocation' } },
    ],
  });
}

/** A DSSE envelope of an in-toto statement about `subject`. */
export function dsseStatement(subject: string, predicateType: string, predicate: unknown): Buffer {
  const statement = { _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'signed/app', digest: { sha256: subject.replace(/^sha256:/, '') } }], predicateType, predicate };
  return json({ payloadType: 'application/vnd.in-toto+json', payload: Buffer.from(JSON.stringify(statement)).toString('base64'), signatures: [{ keyid: '', sig: 'MEUCIQDtest' }] });
}

export interface SignedImage {
  image: PushedImage;
  signatureTag: string;
  attestationTag: string;
  sbomDigest: string;
  fallbackIndexTag: string;
}

/** An image with cosign's fallback tags and an SBOM referrer listed in the fallback index tag. */
export async function pushSignedImage(pusher: Pusher, repo: string, tag: string): Promise<SignedImage> {
  const image = await pusher.pushImage(repo, tag, { format: 'oci', layerBytes: [2048] });
  const base = image.digest.replace(':', '-');
  const simple = json({ critical: { identity: { 'docker-reference': repo }, image: { 'docker-manifest-digest': image.digest }, type: 'cosign container image signature' }, optional: null });
  await pusher.pushArtifact(repo, [`${base}.sig`], {
    config: { mediaType: MT.ociConfig, data: json({ architecture: '', os: '', config: {}, rootfs: { type: 'layers', diff_ids: [] } }) },
    layers: [{ mediaType: ARTIFACT_MT.cosignSignature, data: simple, annotations: { 'dev.cosignproject.cosign/signature': 'MEUCIQDsig' } }],
  });
  await pusher.pushArtifact(repo, [`${base}.att`], {
    config: { mediaType: MT.ociConfig, data: json({ architecture: '', os: '', config: {}, rootfs: { type: 'layers', diff_ids: [] } }) },
    layers: [{ mediaType: ARTIFACT_MT.dsse, data: dsseStatement(image.digest, PROVENANCE, { buildDefinition: { buildType: 'https://example.com/build' } }), annotations: { predicateType: PROVENANCE } }],
  });
  const subject = { mediaType: image.mediaType, digest: image.digest, size: image.manifestSize };
  const sbomDoc = json({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'signed-app', packages: [{ name: 'busybox', versionInfo: '1.36.1' }] });
  const sbom = await pusher.pushArtifact(repo, [], {
    config: { mediaType: ARTIFACT_MT.empty, data: Buffer.from('{}') },
    layers: [{ mediaType: ARTIFACT_MT.spdx, data: sbomDoc }],
    fields: { artifactType: ARTIFACT_MT.spdx, subject, annotations: { 'org.opencontainers.image.created': '2024-02-01T00:00:00Z' } },
  });
  // What oras or cosign v3 write where the registry has no referrers API.
  await pusher.pushIndexDocument(repo, [base], { manifests: [{ mediaType: MT.ociManifest, digest: sbom.digest, size: sbom.size, artifactType: ARTIFACT_MT.spdx }] });
  return { image, signatureTag: `${base}.sig`, attestationTag: `${base}.att`, sbomDigest: sbom.digest, fallbackIndexTag: base };
}

/** An image whose only referrer is a Notation signature (found through the referrers API alone). */
export async function pushNotationSigned(pusher: Pusher, repo: string, tag: string): Promise<{ image: PushedImage; signatureDigest: string }> {
  const image = await pusher.pushImage(repo, tag, { format: 'oci', layerBytes: [1500] });
  const sig = await pusher.pushArtifact(repo, [], {
    config: { mediaType: ARTIFACT_MT.empty, data: Buffer.from('{}') },
    layers: [{ mediaType: 'application/jose+json', data: json({ payload: 'e30', protected: 'e30', signature: 'c2ln' }) }],
    fields: { artifactType: ARTIFACT_MT.notation, subject: { mediaType: image.mediaType, digest: image.digest, size: image.manifestSize } },
  });
  return { image, signatureDigest: sig.digest };
}

export interface SeededArtifacts {
  chart: { digest: string; layerDigest: string };
  bundle: { digest: string };
  wasm: { digest: string };
  signed: SignedImage;
  notation: { image: PushedImage; signatureDigest: string };
}

export async function seedArtifacts(pusher: Pusher): Promise<SeededArtifacts> {
  const [chart, bundle, wasm, signed] = await Promise.all([
    pushChart(pusher, 'charts/demo'),
    pushBundle(pusher, 'bundles/hello', 'v0.1.0'),
    pusher.pushArtifact('wasm/hello', ['0.1'], { config: { mediaType: ARTIFACT_MT.wasmConfig, data: json({ architecture: 'wasm', os: 'wasip1' }) }, layers: [{ mediaType: ARTIFACT_MT.wasmContent, data: Buffer.from('\0asm\x01\0\0\0') }] }),
    pushSignedImage(pusher, 'signed/app', '1.0'),
  ]);
  const notation = await pushNotationSigned(pusher, 'signed/app', '2.0');
  return { chart, bundle, wasm: { digest: wasm.digest }, signed, notation };
}
