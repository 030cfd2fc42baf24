// Writing to a registry, per the distribution spec's push section: blob existence (HEAD),
// cross-repository mounts, uploads (one streamed PUT, or PATCH chunks then a closing PUT) and
// manifest PUTs. Every request goes through the client's stack, so auth (with push scope),
// redirect rules, the deadline and the registry's limiter apply as they do to reads.
//
// An upload session lives at the URL the registry names in `Location`, relative or absolute.
// That URL is where credentials go next, so it must stay on the registry's own origin: a
// registry naming another server is refused before anything is sent there.

import { createHash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { RegistryClient } from './client';
import { isValidDigest } from './digest';
import { RegistryError, parseErrorBody } from './errors';
import { DEFAULT_DEADLINE_MS, type HttpResponse } from './http';
import { sha256Digest } from './manifest';

/** An upload session: where its next request goes. */
export interface UploadSession {
  repository: string;
  location: URL;
  /** `OCI-Chunk-Min-Length`, when the registry asks chunks to be at least this long. */
  minChunk?: number;
}

export interface BlobDescriptor {
  digest: string;
  size: number;
}

export interface UploadOptions {
  signal?: AbortSignal;
  /** Send PATCH chunks of this many bytes (each held in memory once) instead of one streamed PUT. */
  chunkSize?: number;
  /** Bytes read from the source so far (called per chunk that passed the digest check). */
  onBytes?: (n: number) => void;
}

/** Answers to the small requests of an upload are short; a server that sends more is refused. */
const SMALL_ANSWER = 64 * 1024;

/**
 * The slowest transfer a blob is given time for: a deadline stops a server that drips bytes,
 * and a fixed 60 s would stop a 500 MB layer on a normal line. 128 KiB/s is a 1 Mbit/s link.
 */
const SLOWEST_BYTES_PER_SECOND = 128 * 1024;

/** Time allowed for one exchange that carries `size` bytes of blob. */
export function blobDeadlineMs(size: number): number {
  return DEFAULT_DEADLINE_MS + Math.ceil((size / SLOWEST_BYTES_PER_SECOND) * 1000);
}

/** Whether `repository` holds the blob (HEAD: no bytes move). */
export async function blobExists(client: RegistryClient, repository: string, digest: string, signal?: AbortSignal): Promise<boolean> {
  checkDigest(digest);
  const res = await client.exchange({ method: 'HEAD', path: `/v2/${repository}/blobs/${digest}`, signal });
  if (res.status === 200) return true;
  if (res.status === 404) return false;
  throw refusal(res, `check blob ${short(digest)} in ${repository}`);
}

/**
 * Ask the registry to link a blob it holds in `from` into `repository`. A 202 is its way of
 * saying no (it cannot or will not mount): the upload session it opened instead is returned.
 */
export async function mountBlob(client: RegistryClient, repository: string, digest: string, from: string, signal?: AbortSignal): Promise<'mounted' | UploadSession> {
  checkDigest(digest);
  const path = `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
  const res = await client.exchange({ method: 'POST', path, headers: { 'content-length': '0' }, body: '', signal, maxBodyBytes: SMALL_ANSWER });
  if (res.status === 201) return 'mounted';
  if (res.status === 202) return session(client, repository, res, signal);
  throw refusal(res, `push to ${repository}`);
}

/** Open an upload session (POST). A refusal here is the registry saying "no push" up front. */
export async function startUpload(client: RegistryClient, repository: string, signal?: AbortSignal): Promise<UploadSession> {
  const res = await client.exchange({ method: 'POST', path: `/v2/${repository}/blobs/uploads/`, headers: { 'content-length': '0' }, body: '', signal, maxBodyBytes: SMALL_ANSWER });
  if (res.status !== 202) throw refusal(res, `push to ${repository}`);
  return session(client, repository, res, signal);
}

/** Abandon a session (best effort: the registry also expires it). */
export async function cancelUpload(client: RegistryClient, s: UploadSession): Promise<void> {
  await client.exchange({ method: 'DELETE', url: s.location, maxBodyBytes: SMALL_ANSWER, deadlineMs: 10_000 }).catch(() => undefined);
}

/**
 * Stream `body` (the blob's bytes as they arrive from wherever) into the session. The bytes
 * are hashed and counted on the way: more bytes than the descriptor says, or a different
 * digest, fails the request before the registry can commit it. Memory stays at one chunk
 * (chunked) or the stream buffers (one PUT), whatever the blob's size.
 */
export async function uploadBlob(client: RegistryClient, s: UploadSession, blob: BlobDescriptor, body: Readable, opts: UploadOptions = {}): Promise<void> {
  checkDigest(blob.digest);
  const verified = body.pipe(verifier(blob, opts.onBytes));
  body.on('error', (e) => verified.destroy(e));
  try {
    const chunk = opts.chunkSize ?? (s.minChunk ? Math.max(s.minChunk, 5 * 1024 * 1024) : undefined);
    if (chunk === undefined) {
      const res = await client.exchange({
        method: 'PUT',
        url: withDigest(s.location, blob.digest),
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
        upload: verified,
        signal: opts.signal,
        maxBodyBytes: SMALL_ANSWER,
        deadlineMs: blobDeadlineMs(blob.size),
      });
      if (res.status !== 201) throw refusal(res, `upload blob ${short(blob.digest)} to ${s.repository}`);
      checkStored(res, blob.digest);
      return;
    }
    let location = s.location;
    let offset = 0;
    for await (const part of chunks(verified, Math.max(chunk, s.minChunk ?? 0))) {
      const res = await client.exchange({
        method: 'PATCH',
        url: location,
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(part.length), 'content-range': `${offset}-${offset + part.length - 1}` },
        body: part,
        signal: opts.signal,
        maxBodyBytes: SMALL_ANSWER,
        deadlineMs: blobDeadlineMs(part.length),
      });
      if (res.status !== 202) throw refusal(res, `upload blob ${short(blob.digest)} to ${s.repository}`);
      location = await nextLocation(client, res, s.repository, opts.signal);
      offset += part.length;
    }
    const res = await client.exchange({
      method: 'PUT',
      url: withDigest(location, blob.digest),
      headers: { 'content-length': '0' },
      body: '',
      signal: opts.signal,
      maxBodyBytes: SMALL_ANSWER,
    });
    if (res.status !== 201) throw refusal(res, `upload blob ${short(blob.digest)} to ${s.repository}`);
    checkStored(res, blob.digest);
  } finally {
    if (!verified.destroyed) verified.destroy();
    if (!body.destroyed) body.destroy();
  }
}

/** PUT a manifest under a tag or its digest; returns the digest of the bytes sent. */
export async function putManifest(client: RegistryClient, repository: string, reference: string, raw: Buffer, mediaType: string, signal?: AbortSignal): Promise<string> {
  const digest = sha256Digest(raw);
  if (reference.includes(':') && reference !== digest) {
    throw new RegistryError('invalid', `The manifest's bytes hash to ${digest}, not to the digest ${reference} it was to be stored under.`);
  }
  const res = await client.exchange({
    method: 'PUT',
    path: `/v2/${repository}/manifests/${reference}`,
    headers: { 'content-type': mediaType },
    body: raw,
    signal,
    maxBodyBytes: SMALL_ANSWER,
  });
  if (res.status !== 201 && res.status !== 200) throw refusal(res, `store the manifest ${reference.includes(':') ? short(reference) : reference} in ${repository}`);
  checkStored(res, digest);
  return digest;
}

// ——— internals ———

function short(digest: string): string {
  return digest.length > 19 ? `${digest.slice(0, 19)}…` : digest;
}

function checkDigest(digest: string): void {
  if (!isValidDigest(digest)) throw new RegistryError('protocol', 'A blob was named by something that is not a digest (algorithm:hex); it was not copied.');
}

function withDigest(location: URL, digest: string): URL {
  const u = new URL(location);
  u.searchParams.set('digest', digest);
  return u;
}

async function session(client: RegistryClient, repository: string, res: HttpResponse, signal?: AbortSignal): Promise<UploadSession> {
  const location = await nextLocation(client, res, repository, signal);
  const min = Number(res.headers.get('oci-chunk-min-length'));
  return { repository, location, ...(Number.isSafeInteger(min) && min > 0 ? { minChunk: min } : {}) };
}

/** The session's next URL from `Location`: resolved against the answering URL, kept on the registry's origin. */
async function nextLocation(client: RegistryClient, res: HttpResponse, repository: string, signal?: AbortSignal): Promise<URL> {
  const value = res.headers.get('location');
  const host = res.url.host;
  if (!value) throw new RegistryError('protocol', `${host} opened an upload to ${repository} without saying where to send it (no Location header).`, { status: res.status });
  let target: URL;
  try {
    target = new URL(value, res.url);
  } catch {
    throw new RegistryError('protocol', `${host} named an upload location for ${repository} that is not a URL.`, { status: res.status });
  }
  const base = await client.baseUrl(signal);
  if (target.origin !== base.origin) {
    throw new RegistryError(
      'protocol',
      `${host} named an upload location on another server (${target.host}); refused: blobs and credentials for ${base.host} go only to ${base.host}.`,
      { status: res.status },
    );
  }
  return target;
}

/** A registry that answers with a digest other than the one sent stored something else. */
function checkStored(res: HttpResponse, digest: string): void {
  const got = res.headers.get('docker-content-digest');
  if (got && isValidDigest(got) && got !== digest && got.startsWith(digest.slice(0, digest.indexOf(':') + 1))) {
    throw new RegistryError('protocol', `${res.url.host} stored ${short(got)} where ${short(digest)} was sent.`);
  }
}

/** A registry's refusal, in the words of what was being done and what to do about it. */
export function refusal(res: HttpResponse, doing: string): RegistryError {
  const { code, message } = parseErrorBody(res.body);
  const host = res.url.host;
  const detail = message ? ` (${message})` : '';
  const opts = { status: res.status, code };
  if (res.status === 401 || res.status === 403 || code === 'DENIED') {
    return new RegistryError('forbidden', `${host} refused to let you ${doing}${detail}. The credentials of this connection may only read: reconnect with an account or token that can push.`, opts);
  }
  if (res.status === 404) return new RegistryError('notFound', `${host} could not ${doing}: not found${detail}.`, opts);
  if (res.status === 405) return new RegistryError('forbidden', `${host} does not accept pushes here (HTTP 405${detail}): it may be a read-only mirror or pull-through cache.`, opts);
  if (res.status === 413) return new RegistryError('protocol', `${host} refused to ${doing}: too large for it (HTTP 413${detail}).`, opts);
  if (res.status >= 500) return new RegistryError('network', `${host} had a server error (HTTP ${res.status}) trying to ${doing}${detail}. Try again shortly.`, opts);
  return new RegistryError('protocol', `${host} answered HTTP ${res.status} when asked to ${doing}${detail}.`, opts);
}

/** Hashes and counts the bytes passing through; fails on one byte too many or a wrong digest. */
function verifier(blob: BlobDescriptor, onBytes?: (n: number) => void): Transform {
  const algorithm = blob.digest.slice(0, blob.digest.indexOf(':'));
  const hash = algorithm === 'sha256' || algorithm === 'sha512' ? createHash(algorithm) : undefined;
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      seen += chunk.length;
      if (seen > blob.size) return done(new RegistryError('protocol', `The source sent more than the ${blob.size} bytes of blob ${short(blob.digest)}; the copy of it was stopped.`));
      hash?.update(chunk);
      onBytes?.(chunk.length);
      done(null, chunk);
    },
    flush(done: TransformCallback) {
      if (seen !== blob.size) return done(new RegistryError('protocol', `The source sent ${seen} of the ${blob.size} bytes of blob ${short(blob.digest)}; the copy of it was stopped.`));
      if (hash && `${algorithm}:${hash.digest('hex')}` !== blob.digest) {
        return done(new RegistryError('protocol', `The source sent bytes that do not match blob ${short(blob.digest)}; nothing was stored under that digest.`));
      }
      done();
    },
  });
}

/** The stream regrouped into buffers of `size` bytes (the last one shorter). */
async function* chunks(stream: Readable, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let held = 0;
  for await (const c of stream) {
    let buf = c as Buffer;
    while (held + buf.length >= size) {
      const take = size - held;
      parts.push(buf.subarray(0, take));
      yield Buffer.concat(parts);
      parts = [];
      held = 0;
      buf = buf.subarray(take);
    }
    if (buf.length) {
      parts.push(buf);
      held += buf.length;
    }
  }
  if (held) yield Buffer.concat(parts);
}
