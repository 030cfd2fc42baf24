// A Helm chart's files (values.yaml, README.md) read from its `.tgz` layer as it streams:
// gunzip (node:zlib) into tar-stream, keep only the wanted top-level files, and stop the
// request as soon as they are all in hand, or when the layer passes the byte cap. A chart is
// never downloaded whole to show its values, and a huge or endless layer costs at most the cap.

import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { artifactFacts } from './artifactKind';
import type { RegistryClient } from './client';
import { RegistryError, isRegistryError } from './errors';
import { MediaType } from './mediaTypes';

export type ChartFile = 'values.yaml' | 'README.md';

/** Compressed bytes read from a chart layer at most (real charts are tens of KB). */
export const CHART_READ_CAP = 8 * 1024 * 1024;
/** One file's bytes at most (a values.yaml of megabytes is not for reading anyway). */
const FILE_CAP = 2 * 1024 * 1024;

export interface ChartFiles {
  /** The files found, by name; a wanted file the chart lacks is absent. */
  files: Partial<Record<ChartFile, string>>;
  /** Compressed bytes read before stopping. */
  bytesRead: number;
  /** Whether the read stopped before the layer's end (everything wanted was found). */
  stoppedEarly: boolean;
}

/** `demo/values.yaml` → `values.yaml`; files deeper in the chart (subcharts, templates) → undefined. */
function topLevel(name: string, wanted: readonly ChartFile[]): ChartFile | undefined {
  const parts = name.replace(/^\.\//, '').split('/');
  if (parts.length !== 2) return undefined;
  return wanted.find((w) => w.toLowerCase() === parts[1]!.toLowerCase());
}

class StopReading extends Error {}

/**
 * The `wanted` files of the chart `reference` in `repository`. Throws a clear error when the
 * tag is not a Helm chart, when the layer is larger than `cap` before the files were found,
 * or when it is not a gzipped tar.
 */
export async function readChartFiles(client: RegistryClient, repository: string, reference: string, wanted: readonly ChartFile[], opts: { signal?: AbortSignal; cap?: number } = {}): Promise<ChartFiles> {
  const cap = opts.cap ?? CHART_READ_CAP;
  const m = await client.getManifest(repository, reference, opts.signal);
  const host = (await client.baseUrl(opts.signal)).host;
  if (artifactFacts(m.manifest).kind !== 'helm' || !('layers' in m.manifest)) {
    throw new RegistryError('invalid', `${repository}:${reference} is not a Helm chart, so it has no values.yaml or README to show.`);
  }
  const layer = m.manifest.layers.find((l) => l.mediaType === MediaType.helmChart);
  if (!layer) throw new RegistryError('protocol', `${host} sent a Helm chart manifest for ${repository}:${reference} without a chart layer.`);
  const res = await client.exchange({ method: 'GET', path: `/v2/${repository}/blobs/${layer.digest}`, streamBody: true, signal: opts.signal });
  if (!res.stream) {
    if (res.status === 404) throw new RegistryError('notFound', `The chart layer of ${repository}:${reference} was not found on ${host}.`, { status: 404 });
    throw new RegistryError(res.status >= 500 ? 'network' : 'protocol', `${host} answered HTTP ${res.status} reading the chart layer of ${repository}:${reference}.`, { status: res.status });
  }
  const source = res.stream;
  const files: Partial<Record<ChartFile, string>> = {};
  let bytesRead = 0;
  let overCap = false;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      bytesRead += chunk.length;
      if (bytesRead > cap) {
        overCap = true;
        done(new StopReading());
        return;
      }
      done(null, chunk);
    },
  });
  const tar = extract();
  tar.on('entry', (header, stream, next) => {
    const name = header.type === 'file' ? topLevel(header.name, wanted) : undefined;
    if (!name || files[name] !== undefined) {
      stream.on('end', next);
      stream.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (c: unknown) => {
      const b = c as Buffer;
      size += b.length;
      if (size <= FILE_CAP) chunks.push(b);
    });
    stream.on('end', () => {
      files[name] = size > FILE_CAP ? `# ${name} is larger than ${FILE_CAP / 1024 / 1024} MB; only its beginning is shown.\n${Buffer.concat(chunks).toString('utf8')}` : Buffer.concat(chunks).toString('utf8');
      // Everything wanted is here: stop the download now.
      if (wanted.every((w) => files[w] !== undefined)) next(new StopReading());
      else next();
    });
  });
  let stoppedEarly = false;
  try {
    await pipeline(source, counter, createGunzip(), tar);
  } catch (e) {
    if (e instanceof StopReading || (e as { cause?: unknown })?.cause instanceof StopReading) {
      stoppedEarly = !overCap;
    } else if (isRegistryError(e)) {
      throw e;
    } else {
      throw new RegistryError('protocol', `${host} sent a chart layer for ${repository}:${reference} that is not a gzipped tar archive.`, { cause: e });
    }
  } finally {
    // Ends the request (and frees its limiter slot) however the read ended.
    source.destroy();
  }
  if (overCap && wanted.some((w) => files[w] === undefined)) {
    throw new RegistryError('protocol', `The chart layer of ${repository}:${reference} is larger than ${cap / 1024 / 1024} MB before its ${wanted.filter((w) => files[w] === undefined).join(' and ')}; the read was stopped there.`);
  }
  return { files, bytesRead, stoppedEarly };
}
