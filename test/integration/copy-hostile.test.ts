// A hostile destination for a copy: the source is the real registry, the destination a
// scriptable server that asks for Basic credentials and then answers uploads badly (a
// Location on another server, a redirect of the upload elsewhere, an endless answer, a
// Location that is not a URL). Each test asserts what the other server received (nothing),
// that no tag was written, and what the user is told.

import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { RegistryClient } from '../../src/registry/client';
import { CopyError, copyImage } from '../../src/registry/copy';
import { staticCredentials } from '../../src/registry/credentials';
import { RegistryError } from '../../src/registry/errors';
import { MT, sha256, startHostile, startRegistry, type HostileServer, type RunningRegistry } from '../support';

const PASSWORD = 'H0stile-Dest-Pa55-91';

type Upload = (req: IncomingMessage, res: ServerResponse, other: HostileServer) => unknown;

/** A registry front that wants Basic, has no blobs, and answers upload requests with `upload`. */
async function hostileDestination(upload: Upload, other: HostileServer): Promise<HostileServer> {
  return startHostile((req, res) => {
    if (!req.headers.authorization) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="hostile"', 'content-type': 'application/json' });
      return res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    }
    const path = (req.url ?? '').split('?')[0]!;
    if (path === '/v2/') return res.end('{}');
    if (req.method === 'HEAD' && path.includes('/blobs/')) {
      res.writeHead(404);
      return res.end();
    }
    if (path.includes('/blobs/uploads/')) return upload(req, res, other);
    res.writeHead(500);
    return res.end();
  });
}

describe('a hostile copy destination (or source)', () => {
  let src: RunningRegistry;
  const servers: HostileServer[] = [];
  const clients: RegistryClient[] = [];

  before(async () => {
    src = await startRegistry({ mode: 'plain' });
    await src.pusher.pushImage('app/one', 'v1', { layerBytes: [20_000], format: 'oci' });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(servers.map((s) => s.stop()));
    await src?.stop();
  });

  async function copyTo(upload: Upload): Promise<{ err: unknown; dest: HostileServer; other: HostileServer }> {
    const other = await startHostile((_req, res) => res.end('{}'));
    const dest = await hostileDestination(upload, other);
    servers.push(other, dest);
    const from = new RegistryClient({ url: src.url });
    const to = new RegistryClient({ url: dest.url, credentials: staticCredentials({ kind: 'basic', username: 'u', password: PASSWORD }), requestDeadlineMs: 5000 });
    clients.push(from, to);
    const err = await copyImage({ client: from, repository: 'app/one', reference: 'v1' }, { client: to, repository: 'prod/one', tag: 'v1' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    return { err, dest, other };
  }

  const noTag = (dest: HostileServer) => !dest.requests.some((r) => r.method === 'PUT' && r.url.includes('/manifests/'));
  const noSecret = (e: unknown) => !`${String(e)} ${JSON.stringify(e)}`.includes(PASSWORD) && !`${String(e)}`.includes(Buffer.from(`u:${PASSWORD}`).toString('base64'));

  test('an upload Location on another server: refused before anything is sent there', async () => {
    const { err, dest, other } = await copyTo((_req, res, o) => {
      res.writeHead(202, { location: `${o.url}/v2/prod/one/blobs/uploads/steal` });
      res.end();
    });
    assert.ok(err instanceof CopyError, String(err));
    assert.equal(err.kind, 'protocol');
    assert.match(err.message, /upload location on another server \(127\.0\.0\.1:\d+\); refused/);
    assert.match(err.message, /“v1” was not written/);
    assert.equal(other.requests.length, 0, 'the other server received nothing');
    assert.ok(noTag(dest));
    assert.ok(noSecret(err));
  });

  test('an upload PUT redirected to another server: the bytes and credentials never reach it', async () => {
    const { err, dest, other } = await copyTo((req, res, o) => {
      if (req.method === 'POST' || req.method === 'DELETE') {
        res.writeHead(req.method === 'POST' ? 202 : 204, { location: '/v2/prod/one/blobs/uploads/abc' });
        return res.end();
      }
      res.writeHead(307, { location: `${o.url}/collect` });
      return res.end();
    });
    assert.ok(err instanceof CopyError, String(err));
    assert.match(err.message, /redirected an upload to 127\.0\.0\.1:\d+; refused/);
    assert.equal(other.requests.length, 0);
    assert.ok(noTag(dest));
    assert.ok(noSecret(err));
    // The session was abandoned (DELETE), as a polite client does.
    assert.ok(dest.requests.some((r) => r.method === 'DELETE' && r.url.startsWith('/v2/prod/one/blobs/uploads/abc')));
  });

  test('an endless answer to the upload POST is cut at its cap and reported', async () => {
    const { err, dest } = await copyTo((_req, res) => {
      res.writeHead(202, { location: '/v2/prod/one/blobs/uploads/x', 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    assert.ok(err instanceof CopyError, String(err));
    assert.match(err.message, /larger than the 65536 bytes allowed/);
    assert.ok(noTag(dest));
  });

  test('a source streaming a blob without end: stopped one byte past its size, no tag at the destination', async () => {
    const layer = Buffer.from('ten bytes!');
    const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MT.ociManifest,
        config: { mediaType: MT.ociConfig, digest: sha256(config), size: config.length },
        layers: [{ mediaType: MT.ociLayer, digest: sha256(layer), size: layer.length }],
      }),
    );
    let sent = 0;
    const source = await startHostile((req, res) => {
      const path = (req.url ?? '').split('?')[0]!;
      if (path === '/v2/') return res.end('{}');
      if (path.endsWith('/manifests/v1')) {
        res.writeHead(200, { 'content-type': MT.ociManifest, 'docker-content-digest': sha256(manifest) });
        return res.end(manifest);
      }
      if (path.endsWith(`/blobs/${sha256(config)}`)) return res.end(config);
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const pump = (): void => {
        while (!res.destroyed && sent < 512 * 1024 * 1024 && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    servers.push(source);
    const dest = await startRegistry({ mode: 'plain' });
    const from = new RegistryClient({ url: source.url });
    const to = new RegistryClient({ url: dest.url });
    clients.push(from, to);
    try {
      const err = await copyImage({ client: from, repository: 'evil/one', reference: 'v1' }, { client: to, repository: 'prod/one', tag: 'v1' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof CopyError, String(err));
      assert.match(err.message, /more than the 10 bytes of blob/);
      assert.match(err.message, /“v1” was not written/);
      assert.ok(sent < 64 * 1024 * 1024, `the endless blob was cut early (${sent} bytes sent)`);
      await assert.rejects(to.headManifest('prod/one', 'v1'), (e: unknown) => e instanceof RegistryError && e.kind === 'notFound');
    } finally {
      await dest.stop();
    }
  });

  test('a Location that is not a URL: a protocol error naming the registry, no tag', async () => {
    const { err, dest } = await copyTo((_req, res) => {
      res.writeHead(202, { location: 'http://[not-a-host' });
      res.end();
    });
    assert.ok(err instanceof CopyError, String(err));
    assert.match(err.message, /upload location for prod\/one that is not a URL/);
    assert.ok(noTag(dest));
  });
});
