// Pushes test images through the Registry HTTP API only (no docker CLI): blobs by
// POST + monolithic PUT, manifests by PUT. Contents are deterministic, derived from the
// repository, first tag and options, so a rerun produces the same digests.
import { createHash } from 'node:crypto';
import { Agent, request } from 'undici';
import { mapLimit } from './limit';
import { FULL_ACCEPT, MT } from './mediaTypes';
import { INTERNAL_HEADER, type RunningTokenServer } from './tokenServer';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface PushedImage {
  repo: string;
  tags: string[];
  digest: string;
  mediaType: string;
  manifestSize: number;
  configDigest: string;
  configSize: number;
  layers: { digest: string; size: number }[];
  /** config + layers, as registries report an image's size. */
  totalSize: number;
  platform: Platform;
  created: string;
}

export interface PushedIndex {
  repo: string;
  tags: string[];
  digest: string;
  mediaType: string;
  children: PushedImage[];
  attestationDigest?: string;
}

export interface PushImageOptions {
  os?: string;
  arch?: string;
  variant?: string;
  /** RFC 3339; default DEFAULT_CREATED. */
  created?: string;
  /** One layer per entry, of that many bytes; default [4096, 1024]. */
  layerBytes?: number[];
  format?: 'docker' | 'oci';
}

/** A blob of an artifact: its bytes and the media type its descriptor carries. */
export interface ArtifactBlob {
  mediaType: string;
  data: Buffer;
  annotations?: Record<string, string>;
}

export interface PusherOptions {
  url: string;
  /** PEM trust anchor for an https registry. */
  ca?: string;
  username?: string;
  password?: string;
  /** Token mode: where to fetch push tokens (with username/password as Basic). */
  tokenServer?: RunningTokenServer;
}

export const DEFAULT_CREATED = '2024-01-15T10:00:00Z';
const DEFAULT_CONCURRENCY = 16;
const TOKEN_BATCH = 32;

/** Token mode asks for everything the Pusher may do to a repository, so one token serves all. */
function repoScopes(repo: string): string[] {
  return [`repository:${repo}:pull,push,delete`];
}

interface Blob {
  digest: string;
  size: number;
  data: Buffer;
}

interface Built {
  manifest: Buffer;
  digest: string;
  mediaType: string;
  blobs: Blob[];
  image: Omit<PushedImage, 'repo' | 'tags'>;
}

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function blob(data: Buffer): Blob {
  return { digest: sha256(data), size: data.length, data };
}

/** Random-looking (so nothing dedupes or compresses it away) but reproducible bytes. */
function pseudoRandomBytes(seed: string, size: number): Buffer {
  const h = createHash('sha256').update(seed).digest();
  let a = h.readUInt32LE(0) | 1;
  let b = h.readUInt32LE(4) | 1;
  let c = h.readUInt32LE(8) | 1;
  let d = h.readUInt32LE(12) | 1;
  const out = Buffer.alloc(size);
  let i = 0;
  // xorshift128
  while (i < size) {
    const t = a ^ (a << 11);
    a = b;
    b = c;
    c = d;
    d = (d ^ (d >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    for (let k = 0; k < 4 && i < size; k++, i++) out[i] = (d >>> (k * 8)) & 0xff;
  }
  return out;
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, null, 2));
}

function platformOf(os: string, architecture: string, variant?: string): Platform {
  return variant !== undefined ? { os, architecture, variant } : { os, architecture };
}

function buildImage(seed: string, opts: PushImageOptions): Built {
  const format = opts.format ?? 'docker';
  const platform = platformOf(opts.os ?? 'linux', opts.arch ?? 'amd64', opts.variant);
  const created = opts.created ?? DEFAULT_CREATED;
  const sizes = opts.layerBytes ?? [4096, 1024];
  const layers = sizes.map((n, i) => blob(pseudoRandomBytes(`${seed}|layer${i}|${n}`, n)));
  const config = blob(
    json({
      created,
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant !== undefined ? { variant: platform.variant } : {}),
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['/bin/sh'], Labels: { 'test.seed': seed } },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
      history: layers.map((_, i) => ({ created, created_by: `/bin/sh -c #(nop) layer ${i}` })),
    }),
  );
  const mediaType = format === 'oci' ? MT.ociManifest : MT.dockerManifest;
  const layerType = format === 'oci' ? MT.ociLayer : MT.dockerLayer;
  const manifest = json({
    schemaVersion: 2,
    mediaType,
    config: { mediaType: format === 'oci' ? MT.ociConfig : MT.dockerConfig, size: config.size, digest: config.digest },
    layers: layers.map((l) => ({ mediaType: layerType, size: l.size, digest: l.digest })),
  });
  const digest = sha256(manifest);
  return {
    manifest,
    digest,
    mediaType,
    blobs: [config, ...layers],
    image: {
      digest,
      mediaType,
      manifestSize: manifest.length,
      configDigest: config.digest,
      configSize: config.size,
      layers: layers.map((l) => ({ digest: l.digest, size: l.size })),
      totalSize: config.size + layers.reduce((s, l) => s + l.size, 0),
      platform,
      created,
    },
  };
}

/** A BuildKit-style provenance/SBOM manifest: unknown/unknown, one in-toto layer. */
function buildAttestation(seed: string, subject: string): Built {
  const statement = blob(
    json({
      _type: 'https://in-toto.io/Statement/v0.1',
      predicateType: 'https://slsa.dev/provenance/v0.2',
      subject: [{ name: seed, digest: { sha256: subject.replace(/^sha256:/, '') } }],
      predicate: { builder: { id: 'registry-explorer-testbed' } },
    }),
  );
  const config = blob(json({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [statement.digest] } }));
  const manifest = json({
    schemaVersion: 2,
    mediaType: MT.ociManifest,
    config: { mediaType: MT.ociConfig, size: config.size, digest: config.digest },
    layers: [{ mediaType: MT.inToto, size: statement.size, digest: statement.digest, annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' } }],
  });
  const digest = sha256(manifest);
  return {
    manifest,
    digest,
    mediaType: MT.ociManifest,
    blobs: [config, statement],
    image: {
      digest,
      mediaType: MT.ociManifest,
      manifestSize: manifest.length,
      configDigest: config.digest,
      configSize: config.size,
      layers: [{ digest: statement.digest, size: statement.size }],
      totalSize: config.size + statement.size,
      platform: { os: 'unknown', architecture: 'unknown' },
      created: DEFAULT_CREATED,
    },
  };
}

function asList(tags: string | string[]): string[] {
  return typeof tags === 'string' ? [tags] : [...tags];
}

function header(res: Res, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export class Pusher {
  readonly url: string;
  private readonly agent: Agent;
  private readonly basic: string | undefined;
  private readonly tokenServer: RunningTokenServer | undefined;
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(opts: PusherOptions) {
    this.url = opts.url.replace(/\/+$/, '');
    // Own keep-alive pool: 16-24 parallel pushes reuse their connections instead of
    // paying a TCP (and TLS) handshake per blob.
    this.agent = new Agent({ keepAliveTimeout: 10_000, ...(opts.ca !== undefined ? { connect: { ca: opts.ca } } : {}) });
    this.basic =
      opts.username !== undefined ? `Basic ${Buffer.from(`${opts.username}:${opts.password ?? ''}`).toString('base64')}` : undefined;
    this.tokenServer = opts.tokenServer;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  // ---- public API ----

  async pushImage(repo: string, tags: string | string[], opts: PushImageOptions = {}): Promise<PushedImage> {
    const list = asList(tags);
    const seed = `${repo}|${list[0] ?? ''}|${opts.format ?? 'docker'}|${opts.os ?? ''}/${opts.arch ?? ''}/${opts.variant ?? ''}`;
    const built = buildImage(seed, opts);
    await this.pushBuilt(repo, built, list);
    return { repo, tags: list, ...built.image };
  }

  async pushIndex(
    repo: string,
    tags: string | string[],
    platforms: { os: string; arch: string; variant?: string }[],
    opts: { format: 'oci' | 'docker'; attestation?: boolean },
  ): Promise<PushedIndex> {
    const list = asList(tags);
    const children: PushedImage[] = [];
    const entries: Record<string, unknown>[] = [];
    for (const p of platforms) {
      const seed = `${repo}|${list[0] ?? ''}|index-${opts.format}|${p.os}/${p.arch}/${p.variant ?? ''}`;
      const built = buildImage(seed, { os: p.os, arch: p.arch, variant: p.variant, format: opts.format });
      await this.pushBuilt(repo, built, []);
      children.push({ repo, tags: [], ...built.image });
      entries.push({ mediaType: built.mediaType, size: built.manifest.length, digest: built.digest, platform: built.image.platform });
    }
    let attestationDigest: string | undefined;
    if (opts.attestation) {
      if (opts.format !== 'oci') throw new Error('pushIndex: attestation entries exist only in OCI indexes');
      const subject = children[0];
      if (!subject) throw new Error('pushIndex: attestation needs at least one platform');
      const att = buildAttestation(`${repo}|${list[0] ?? ''}`, subject.digest);
      await this.pushBuilt(repo, att, []);
      attestationDigest = att.digest;
      entries.push({
        mediaType: att.mediaType,
        size: att.manifest.length,
        digest: att.digest,
        platform: { architecture: 'unknown', os: 'unknown' },
        annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': subject.digest },
      });
    }
    const mediaType = opts.format === 'oci' ? MT.ociIndex : MT.dockerList;
    const body = json({ schemaVersion: 2, mediaType, manifests: entries });
    const digest = sha256(body);
    for (const ref of list.length > 0 ? list : [digest]) await this.putManifest(repo, ref, body, mediaType);
    return { repo, tags: list, digest, mediaType, children, ...(attestationDigest !== undefined ? { attestationDigest } : {}) };
  }

  /**
   * Any OCI manifest (an artifact: a chart, a signature, an SBOM with a `subject`…) from its
   * blobs; `fields` go into the manifest as given (artifactType, subject, annotations).
   */
  async pushArtifact(repo: string, refs: string[], parts: { config: ArtifactBlob; layers: ArtifactBlob[]; fields?: Record<string, unknown> }): Promise<{ digest: string; size: number; manifest: Buffer }> {
    const config = blob(parts.config.data);
    const layers = parts.layers.map((l) => ({ ...l, blob: blob(l.data) }));
    const manifest = json({
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      ...parts.fields,
      config: { mediaType: parts.config.mediaType, size: config.size, digest: config.digest },
      layers: layers.map((l) => ({ mediaType: l.mediaType, size: l.blob.size, digest: l.blob.digest, ...(l.annotations ? { annotations: l.annotations } : {}) })),
    });
    await Promise.all([config, ...layers.map((l) => l.blob)].map((b) => this.uploadBlob(repo, b)));
    const digest = sha256(manifest);
    for (const ref of refs.length > 0 ? refs : [digest]) await this.putManifest(repo, ref, manifest, MT.ociManifest);
    return { digest, size: manifest.length, manifest };
  }

  /** An OCI index as given (its children pushed before), under `refs` or its digest. */
  async pushIndexDocument(repo: string, refs: string[], index: Record<string, unknown>): Promise<{ digest: string; size: number }> {
    const body = json({ schemaVersion: 2, mediaType: MT.ociIndex, ...index });
    const digest = sha256(body);
    for (const ref of refs.length > 0 ? refs : [digest]) await this.putManifest(repo, ref, body, MT.ociIndex);
    return { digest, size: body.length };
  }

  async tag(repo: string, fromDigest: string, tags: string[]): Promise<void> {
    const res = await this.call('GET', `/v2/${repo}/manifests/${fromDigest}`, repoScopes(repo), { headers: { accept: FULL_ACCEPT } });
    this.expect(res, [200], 'GET', `/v2/${repo}/manifests/${fromDigest}`);
    const mediaType = header(res, 'content-type') ?? MT.dockerManifest;
    for (const t of tags) await this.putManifest(repo, t, res.body, mediaType);
  }

  async pushManyTags(repo: string, count: number, opts: { concurrency?: number; prefix?: string } = {}): Promise<string[]> {
    const tags = Array.from({ length: count }, (_, i) => manyTagName(i, count, opts.prefix));
    if (count === 0) return tags;
    const built = buildImage(`${repo}|many-tags`, { layerBytes: [512] });
    await this.pushBuilt(repo, built, [tags[0]!]);
    await mapLimit(tags.slice(1), opts.concurrency ?? DEFAULT_CONCURRENCY, (t) => this.putManifest(repo, t, built.manifest, built.mediaType));
    return tags;
  }

  async pushManyRepos(names: string[], opts: { concurrency?: number; tag?: string } = {}): Promise<void> {
    const [first, ...rest] = names;
    if (first === undefined) return;
    const tag = opts.tag ?? 'latest';
    const built = buildImage('many-repos', { layerBytes: [256] });
    await this.pushBuilt(first, built, [tag]);
    // In token mode one token covers a batch of repositories: signing a token per repository
    // (RSA) cost more CPU than the pushes themselves.
    const batchScopes = (i: number): string[] => [
      ...rest.slice(i - (i % TOKEN_BATCH), i - (i % TOKEN_BATCH) + TOKEN_BATCH).map((r) => `repository:${r}:pull,push`),
      `repository:${first}:pull`,
    ];
    await mapLimit(rest, opts.concurrency ?? DEFAULT_CONCURRENCY, async (repo, i) => {
      const scopes = batchScopes(i);
      await Promise.all(built.blobs.map((b) => this.mountBlob(repo, first, b, scopes)));
      await this.putManifest(repo, tag, built.manifest, built.mediaType, scopes);
    });
  }

  async deleteManifest(repo: string, digest: string): Promise<void> {
    const path = `/v2/${repo}/manifests/${digest}`;
    this.expect(await this.call('DELETE', path, repoScopes(repo)), [202], 'DELETE', path);
  }

  // ---- plumbing ----

  private async pushBuilt(repo: string, built: Built, refs: string[]): Promise<void> {
    await Promise.all(built.blobs.map((b) => this.uploadBlob(repo, b)));
    for (const ref of refs.length > 0 ? refs : [built.digest]) await this.putManifest(repo, ref, built.manifest, built.mediaType);
  }

  private async uploadBlob(repo: string, b: Blob): Promise<void> {
    const scopes = repoScopes(repo);
    const head = await this.call('HEAD', `/v2/${repo}/blobs/${b.digest}`, scopes);
    if (head.status === 200) return;
    const path = `/v2/${repo}/blobs/uploads/`;
    const start = await this.call('POST', path, scopes, { headers: { 'content-length': '0' } });
    this.expect(start, [202], 'POST', path);
    await this.finishUpload(repo, start, b, scopes);
  }

  /** Cross-repository mount; falls back to an upload if the registry answers 202 instead. */
  private async mountBlob(repo: string, from: string, b: Blob, scopes: string[]): Promise<void> {
    const path = `/v2/${repo}/blobs/uploads/?mount=${encodeURIComponent(b.digest)}&from=${encodeURIComponent(from)}`;
    const res = await this.call('POST', path, scopes, { headers: { 'content-length': '0' } });
    if (res.status === 201) return;
    this.expect(res, [202], 'POST', path);
    await this.finishUpload(repo, res, b, scopes);
  }

  private async finishUpload(repo: string, start: Res, b: Blob, scopes: string[]): Promise<void> {
    const location = header(start, 'location');
    if (!location) throw new Error(`upload to ${repo}: no Location header`);
    const target = new URL(location, this.url);
    target.searchParams.set('digest', b.digest);
    const res = await this.call('PUT', target.toString(), scopes, {
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(b.size) },
      body: b.data,
    });
    this.expect(res, [201], 'PUT', `${repo} blob ${b.digest}`);
  }

  private async putManifest(repo: string, ref: string, body: Buffer, mediaType: string, scopes = repoScopes(repo)): Promise<void> {
    const path = `/v2/${repo}/manifests/${ref}`;
    const res = await this.call('PUT', path, scopes, { headers: { 'content-type': mediaType }, body });
    this.expect(res, [201], 'PUT', path);
    const got = header(res, 'docker-content-digest');
    if (got !== undefined && got !== sha256(body)) throw new Error(`PUT ${path}: registry says ${got}, body hashes to ${sha256(body)}`);
  }

  private expect(res: Res, ok: number[], method: string, what: string): void {
    if (!ok.includes(res.status)) {
      throw new Error(`${method} ${what} -> ${res.status} (wanted ${ok.join('/')}): ${res.body.toString('utf8').slice(0, 500)}`);
    }
  }

  /**
   * One request with the right credentials. In token mode a 401 (expired or short-lived
   * token) drops the cached token and retries once; bodies are Buffers, so that is safe.
   */
  private async call(
    method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE',
    pathOrUrl: string,
    scopes: string[],
    opts: { headers?: Record<string, string>; body?: Buffer } = {},
  ): Promise<Res> {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${this.url}${pathOrUrl}`;
    for (let attempt = 0; ; attempt++) {
      const auth = await this.authorization(scopes);
      const res = await request(url, {
        method,
        dispatcher: this.agent,
        headers: { ...(opts.headers ?? {}), ...(auth !== undefined ? { authorization: auth } : {}) },
        body: opts.body,
      });
      const body = method === 'HEAD' ? Buffer.alloc(0) : Buffer.from(await res.body.arrayBuffer());
      if (method === 'HEAD') await res.body.dump();
      if (res.statusCode === 401 && this.tokenServer && attempt === 0) {
        this.tokens.delete(scopes.join(' '));
        continue;
      }
      return { status: res.statusCode, headers: res.headers, body };
    }
  }

  private async authorization(scopes: string[]): Promise<string | undefined> {
    if (!this.tokenServer) return this.basic;
    const key = scopes.join(' ');
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return `Bearer ${cached.token}`;
    // Parallel pushes to one repository share one fetch.
    let p = this.inflight.get(key);
    if (!p) {
      p = this.fetchToken(key, scopes).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return `Bearer ${await p}`;
  }

  private async fetchToken(key: string, scopes: string[]): Promise<string> {
    const ts = this.tokenServer!;
    const u = new URL(ts.realm);
    u.searchParams.set('service', ts.service);
    for (const s of scopes) u.searchParams.append('scope', s);
    const res = await request(u, {
      dispatcher: this.agent,
      headers: { [INTERNAL_HEADER]: 'pusher', ...(this.basic !== undefined ? { authorization: this.basic } : {}) },
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`push token for ${key}: ${res.statusCode} ${text.slice(0, 300)}`);
    const parsed = JSON.parse(text) as { token?: string; access_token?: string; expires_in?: number };
    const token = parsed.token ?? parsed.access_token;
    if (!token) throw new Error(`push token for ${key}: no token in response`);
    // Refresh a little early; a test may set expires_in very low, and the registry has leeway.
    const ttl = Math.max(1, (parsed.expires_in ?? 60) - 5);
    this.tokens.set(key, { token, expiresAt: Date.now() + ttl * 1000 });
    return token;
  }
}

/** v1.0.0 … v1.9.99, v2.0.0 … (semver-sortable), or PREFIX + zero-padded index. */
export function manyTagName(i: number, count: number, prefix?: string): string {
  if (prefix !== undefined) return `${prefix}${String(i).padStart(Math.max(4, String(count - 1).length), '0')}`;
  return `v${1 + Math.floor(i / 1000)}.${Math.floor(i / 100) % 10}.${i % 100}`;
}
