// Media types and platforms: plain names and formatting, free of the schemas in manifest.ts, so
// that the tree and the hover (loaded at activation) can use them without loading valibot and
// the registry client.

export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  helmConfig: 'application/vnd.cncf.helm.config.v1+json',
  helmChart: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
  cnabManifest: 'application/vnd.cnab.manifest.v1',
  cnabConfig: 'application/vnd.cnab.config.v1+json',
  wasmConfig: 'application/vnd.wasm.config.v0+json',
  wasmContent: 'application/vnd.wasm.content.layer.v1+wasm',
  cosignSignature: 'application/vnd.dev.cosign.simplesigning.v1+json',
  cosignArtifactSig: 'application/vnd.dev.cosign.artifact.sig.v1+json',
  sigstoreBundle: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  notationSignature: 'application/vnd.cncf.notary.signature',
  dsseEnvelope: 'application/vnd.dsse.envelope.v1+json',
  inToto: 'application/vnd.in-toto+json',
  spdx: 'application/spdx+json',
  cycloneDx: 'application/vnd.cyclonedx+json',
} as const;

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
}

export function isIndexMediaType(mt: string | undefined): boolean {
  return mt === MediaType.ociIndex || mt === MediaType.dockerList;
}

export function formatPlatform(p: Platform | undefined): string {
  if (!p) return 'unknown';
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}
