// A Helm chart's values.yaml and README read from its real .tgz layer on the real registry,
// streamed: the read stops once both files are in hand, and a hostile layer (endless, or not a
// gzipped tar) is cut at the cap with the request aborted and a clear error.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import { readChartFiles } from '../../src/registry/chartArchive';
import { RegistryClient } from '../../src/registry/client';
import { isRegistryError } from '../../src/registry/errors';
import { startHostile, startRegistry, type HostileServer, type RunningRegistry } from '../support';
import { ARTIFACT_MT, CHART, chartFiles, pushChart, tgz } from '../support/artifacts';

describe('Helm chart files from the real registry', () => {
  let reg: RunningRegistry;
  let client: RegistryClient;
  let bigLayerSize: number;
  before(async () => {
    reg = await startRegistry({ mode: 'plain' });
    await pushChart(reg.pusher, 'charts/demo');
    // values.yaml and README.md first, then 3 MB that does not compress.
    const big = await tgz({ ...chartFiles(), 'demo/files/blob.bin': randomBytes(3 * 1024 * 1024) });
    bigLayerSize = big.length;
    await pushChart(reg.pusher, 'charts/big', big);
    await reg.pusher.pushImage('plain/image', '1.0');
    client = new RegistryClient({ url: reg.url });
  });
  after(async () => {
    await client?.close();
    await reg?.stop();
  });

  test('values.yaml and README.md come out of the .tgz exactly', async () => {
    const r = await readChartFiles(client, 'charts/demo', CHART.version, ['values.yaml', 'README.md']);
    assert.deepEqual(r.files, { 'values.yaml': CHART.values, 'README.md': CHART.readme });
  });

  test('the read stops once both files are in: a 3 MB chart is not downloaded whole', async () => {
    const r = await readChartFiles(client, 'charts/big', CHART.version, ['values.yaml', 'README.md']);
    assert.equal(r.files['values.yaml'], CHART.values);
    assert.equal(r.stoppedEarly, true);
    assert.ok(r.bytesRead < bigLayerSize / 2, `read ${r.bytesRead} of ${bigLayerSize} bytes`);
    // The connection is usable afterwards: the next read works.
    assert.equal((await readChartFiles(client, 'charts/demo', CHART.version, ['README.md'])).files['README.md'], CHART.readme);
  });

  test('an image is not a chart: a clear error, no blob read', async () => {
    await assert.rejects(readChartFiles(client, 'plain/image', '1.0', ['values.yaml']), (e: unknown) => isRegistryError(e, 'invalid') && /plain\/image:1\.0 is not a Helm chart/.test(e.message));
  });
});

describe('a hostile chart layer', () => {
  const LAYER = `sha256:${'e'.repeat(64)}`;
  let hostile: HostileServer;
  let client: RegistryClient;
  let mode: 'endless' | 'garbage';
  const served = { bytes: 0, closed: false };
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: ARTIFACT_MT.helmConfig, digest: `sha256:${'f'.repeat(64)}`, size: 10 },
    layers: [{ mediaType: ARTIFACT_MT.helmChart, digest: LAYER, size: 1000 }],
  });

  /** A tar entry that never ends, gzipped on the fly: random bytes, so the gzip does not shrink them. */
  function endless(res: ServerResponse): void {
    const p = pack();
    const gz = createGzip({ level: 1 });
    const entry = p.entry({ name: 'demo/huge.bin', size: 64 * 1024 * 1024 * 1024 });
    const pump = (): void => {
      while (!served.closed && entry.write(randomBytes(64 * 1024))) served.bytes += 64 * 1024;
      if (!served.closed) entry.once('drain', pump);
    };
    // The client hanging up ends this server's streams; their errors are that, expected.
    for (const s of [p, gz, entry]) s.on('error', () => undefined);
    res.on('close', () => {
      served.closed = true;
      gz.destroy();
    });
    p.pipe(gz).pipe(res);
    pump();
  }

  before(async () => {
    hostile = await startHostile((req, res) => {
      if (req.url === '/v2/') return res.writeHead(200).end('{}');
      if (req.url?.includes('/manifests/')) return res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(manifest);
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      if (mode === 'garbage') return res.end(randomBytes(4096));
      endless(res);
    });
    client = new RegistryClient({ url: hostile.url });
  });
  after(async () => {
    await client?.close();
    await hostile?.stop();
  });

  test('an endless layer is cut at the cap: the request is aborted and the error says so', async () => {
    mode = 'endless';
    const cap = 512 * 1024;
    await assert.rejects(readChartFiles(client, 'charts/evil', '1.0', ['values.yaml'], { cap }), (e: unknown) => isRegistryError(e, 'protocol') && /larger than 0\.5 MB before its values\.yaml; the read was stopped there/.test(e.message));
    while (!served.closed) await new Promise((r) => setTimeout(r, 20));
    // What the server managed to send before the abort: the cap plus what sat in buffers, not gigabytes.
    assert.ok(served.bytes < 16 * cap, `the server wrote ${served.bytes} bytes`);
  });

  test('a layer that is not a gzipped tar is a protocol error in words', async () => {
    mode = 'garbage';
    await assert.rejects(readChartFiles(client, 'charts/evil', '1.0', ['values.yaml']), (e: unknown) => isRegistryError(e, 'protocol') && /not a gzipped tar archive/.test(e.message));
  });
});
