// A CNAB bundle (Porter, cnab-to-oci): the index names its bundle.json manifest with the
// annotation `io.cnab.manifest.type: config`; that manifest's config blob is the bundle.json.
// Read on demand for a read-only document: name, version, parameters, credentials, outputs.

import * as v from 'valibot';
import { artifactFacts } from './artifactKind';
import type { RegistryClient } from './client';
import { RegistryError } from './errors';
import { MediaType } from './mediaTypes';
import { parseJsonText, parseWire, wireObject } from './wire';

const MAX_BUNDLE_BYTES = 4 * 1024 * 1024;

const entries = v.nullish(v.record(v.string(), v.unknown()));

const bundleSchema = wireObject({
  name: v.string(),
  version: v.string(),
  description: v.nullish(v.string()),
  schemaVersion: v.nullish(v.string()),
  parameters: entries,
  credentials: entries,
  outputs: entries,
  invocationImages: v.nullish(v.array(v.unknown())),
});

export interface CnabBundle {
  name: string;
  version: string;
  description?: string;
  parameters: Record<string, unknown>;
  credentials: Record<string, unknown>;
  outputs: Record<string, unknown>;
  invocationImages: unknown[];
}

/** The bundle.json of the CNAB bundle `reference` in `repository`. */
export async function readBundle(client: RegistryClient, repository: string, reference: string, signal?: AbortSignal): Promise<CnabBundle> {
  const top = await client.getManifest(repository, reference, signal);
  const host = (await client.baseUrl(signal)).host;
  if (artifactFacts(top.manifest).kind !== 'cnab') throw new RegistryError('invalid', `${repository}:${reference} is not a CNAB bundle.`);
  let config: { digest: string; mediaType: string } | undefined;
  if ('manifests' in top.manifest) {
    const entry = top.manifest.manifests.find((d) => d.annotations?.['io.cnab.manifest.type'] === 'config');
    if (!entry) throw new RegistryError('protocol', `${host} sent a CNAB index for ${repository}:${reference} without its bundle.json entry (io.cnab.manifest.type: config).`);
    const m = await client.getManifest(repository, entry.digest, signal);
    if ('config' in m.manifest) config = m.manifest.config;
  } else {
    config = top.manifest.config;
  }
  if (!config || config.mediaType !== MediaType.cnabConfig) throw new RegistryError('protocol', `${host} sent a CNAB bundle ${repository}:${reference} whose bundle.json is not a ${MediaType.cnabConfig} config.`);
  const body = await client.getBlob(repository, config.digest, signal, MAX_BUNDLE_BYTES);
  const b = parseWire(bundleSchema, parseJsonText(body, host, 'a bundle.json'), host, 'a bundle.json');
  return {
    name: b.name,
    version: b.version,
    ...(b.description ? { description: b.description } : {}),
    parameters: b.parameters ?? {},
    credentials: b.credentials ?? {},
    outputs: b.outputs ?? {},
    invocationImages: b.invocationImages ?? [],
  };
}
