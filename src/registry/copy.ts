// Copy an image (a single manifest, or an index with every platform, optionally with what
// refers to it) from one repository to another, on the same registry or another, with no
// Docker daemon: plan (read the manifests, list the blobs), then execute.
//
// Order is what keeps a destination consistent: blobs first (HEAD to skip what is there,
// mounted within one registry, otherwise streamed from source to destination several at a
// time), then manifests by digest, children before the index that names them, and the tag
// last. So a tag never points at a half-copied image, and a cancelled or failed copy leaves
// no new tag: only blobs and untagged manifests, which the registry's garbage collection
// reclaims. Across registries, push permission is checked with an upload POST before any
// bytes move, so read-only credentials fail at once, in words.

import pLimit from 'p-limit';
import type { RegistryClient } from './client';
import { RegistryError, isRegistryError, type RegistryErrorKind } from './errors';
import { formatPlatform, isIndex, isAttestation, type Descriptor, type ImageManifest } from './manifest';
import { findReferrers } from './referrers';
import { blobDeadlineMs, blobExists, cancelUpload, mountBlob, putManifest, startUpload, uploadBlob, type UploadSession } from './upload';

export interface CopySource {
  client: RegistryClient;
  repository: string;
  /** Tag or digest. */
  reference: string;
}

export interface CopyTarget {
  client: RegistryClient;
  repository: string;
  /** The tag to write last; without one the image is stored by digest only. */
  tag?: string;
}

export interface CopyOptions {
  /** Signatures, SBOMs and attestations that refer to the image (referrers API or cosign tags). */
  referrers?: boolean;
  /** Blobs in flight at once (default 4); each request also waits for its registry's limiter. */
  concurrency?: number;
  /** Upload in PATCH chunks of this size instead of one streamed PUT per blob. */
  chunkSize?: number;
  signal?: AbortSignal;
  onProgress?: (p: CopyProgress) => void;
}

export interface PlannedManifest {
  digest: string;
  mediaType: string;
  raw: Buffer;
  /** Which part of the image it is, for progress. */
  part: string;
}

export interface PlannedBlob {
  digest: string;
  size: number;
  mediaType: string;
  /** The first part (platform, "referrers") that uses it. */
  part: string;
}

export interface CopyPlan {
  digest: string;
  mediaType: string;
  /** Children before the index, referrers after; the top manifest last. */
  manifests: PlannedManifest[];
  blobs: PlannedBlob[];
  /** Fallback tags of referrers (`sha256-HEX.sig`…), with the manifest each names. */
  referrerTags: { tag: string; manifest: PlannedManifest }[];
  /** Platforms (or "image" for a single one), then "attestations", "referrers". */
  parts: string[];
  totalBytes: number;
}

export interface PartProgress {
  part: string;
  bytesDone: number;
  bytesTotal: number;
  blobsDone: number;
  blobsTotal: number;
}

export interface CopyProgress {
  phase: 'blobs' | 'manifests' | 'tag' | 'done';
  bytesDone: number;
  bytesTotal: number;
  blobsDone: number;
  blobsTotal: number;
  /** Bytes that actually travelled (skipped and mounted blobs move none). */
  bytesMoved: number;
  parts: PartProgress[];
}

export interface CopySummary {
  blobsTotal: number;
  blobsCopied: number;
  blobsMounted: number;
  blobsSkipped: number;
  bytesMoved: number;
  manifestsPut: number;
  /** Tags written (referrer tags, then the image's tag). */
  tags: string[];
}

export interface CopyResult extends CopySummary {
  digest: string;
  mediaType: string;
}

/** A copy that stopped: what was done before it did, and the reason (`cause`). */
export class CopyError extends RegistryError {
  constructor(
    kind: RegistryErrorKind,
    message: string,
    readonly copied: CopySummary,
    cause: unknown,
  ) {
    super(kind, message, { cause, ...(isRegistryError(cause) ? { status: cause.status, code: cause.code } : {}) });
  }
}

/** A hostile index cannot turn one copy into thousands of requests. */
const MAX_MANIFESTS = 256;
const MAX_DEPTH = 2;

/** Read every manifest the copy needs (verified by digest) and list the blobs. */
export async function planCopy(source: CopySource, opts: Pick<CopyOptions, 'referrers' | 'signal'> = {}): Promise<CopyPlan> {
  const { client, repository } = source;
  const signal = opts.signal;
  const manifests: PlannedManifest[] = [];
  const blobs = new Map<string, PlannedBlob>();
  const parts: string[] = [];
  const seen = new Set<string>();

  const visit = async (reference: string, part: string, depth: number): Promise<PlannedManifest> => {
    if (seen.size >= MAX_MANIFESTS) {
      throw new RegistryError('protocol', `${repository}:${source.reference} names more than ${MAX_MANIFESTS} manifests; it was not copied.`);
    }
    const m = await client.getManifest(repository, reference, signal);
    const planned: PlannedManifest = { digest: m.digest, mediaType: m.mediaType, raw: m.raw, part };
    if (seen.has(m.digest)) return planned;
    seen.add(m.digest);
    if (isIndex(m.manifest)) {
      if (depth >= MAX_DEPTH) throw new RegistryError('protocol', `${repository}:${source.reference} nests image indexes deeper than ${MAX_DEPTH}; it was not copied.`);
      for (const d of m.manifest.manifests) {
        const childPart = depth === 0 ? partOf(d) : part;
        if (!parts.includes(childPart)) parts.push(childPart);
        // By digest, so the bytes are verified against what the index names.
        await visit(d.digest, childPart, depth + 1);
      }
    } else {
      const image = m.manifest as ImageManifest;
      for (const b of [image.config, ...image.layers]) {
        if (b && !blobs.has(b.digest)) blobs.set(b.digest, { digest: b.digest, size: b.size, mediaType: b.mediaType, part });
      }
    }
    manifests.push(planned);
    return planned;
  };

  const top = await visit(source.reference, 'image', 0);
  if (!parts.length) parts.push('image');
  const referrerTags: CopyPlan['referrerTags'] = [];
  if (opts.referrers) {
    const found = await findReferrers(client, repository, top.digest, { signal });
    const tags = new Set<string>();
    for (const r of found.items) {
      // BuildKit attestations are entries of the index, copied with it.
      if (r.source === 'index') continue;
      if (!parts.includes('referrers')) parts.push('referrers');
      await visit(r.digest, 'referrers', 1);
      if (r.tag) tags.add(r.tag);
    }
    for (const tag of tags) {
      const m = await client.getManifest(repository, tag, signal);
      const known = manifests.find((x) => x.digest === m.digest);
      const manifest = known ?? (await visit(tag, 'referrers', 1));
      referrerTags.push({ tag, manifest });
    }
  }
  // The top manifest goes last, after everything it (and its referrers) names.
  const at = manifests.indexOf(manifests.find((x) => x.digest === top.digest)!);
  manifests.push(...manifests.splice(at, 1));
  const list = [...blobs.values()];
  return { digest: top.digest, mediaType: top.mediaType, manifests, blobs: list, referrerTags, parts, totalBytes: list.reduce((s, b) => s + b.size, 0) };
}

/** Copy what `plan` lists from `source` to `target`. */
export async function executeCopy(plan: CopyPlan, source: CopySource, target: CopyTarget, opts: CopyOptions = {}): Promise<CopyResult> {
  const dst = target.client;
  const summary: CopySummary = { blobsTotal: plan.blobs.length, blobsCopied: 0, blobsMounted: 0, blobsSkipped: 0, bytesMoved: 0, manifestsPut: 0, tags: [] };
  const progress = new Progress(plan, opts.onProgress);
  // One failure stops the other transfers; the caller's cancel does too.
  const stop = new AbortController();
  const onCancel = (): void => stop.abort();
  opts.signal?.addEventListener('abort', onCancel, { once: true });
  const signal = stop.signal;
  const sameRegistry = source.client === dst || (await source.client.baseUrl(opts.signal)).href === (await dst.baseUrl(opts.signal)).href;
  try {
    if (!sameRegistry && plan.blobs.length) {
      // The registry says "no push" here, before a byte is read from the source.
      await cancelUpload(dst, await startUpload(dst, target.repository, signal));
    }
    const limit = pLimit(opts.concurrency ?? 4);
    let failure: unknown;
    await Promise.all(
      plan.blobs.map((b) =>
        limit(async () => {
          if (signal.aborted) return;
          try {
            await copyBlob(b);
          } catch (e) {
            failure ??= e;
            stop.abort();
          }
        }),
      ),
    );
    if (failure !== undefined) throw failure;
    throwIfCancelled(signal);

    progress.phase('manifests');
    for (const m of plan.manifests) {
      throwIfCancelled(signal);
      const last = m === plan.manifests.at(-1);
      // The top manifest is written once, under its tag (or its digest when there is none).
      if (last && target.tag) break;
      await putManifest(dst, target.repository, m.digest, m.raw, m.mediaType, signal);
      summary.manifestsPut++;
    }
    progress.phase('tag');
    for (const { tag, manifest } of plan.referrerTags) {
      throwIfCancelled(signal);
      await putManifest(dst, target.repository, tag, manifest.raw, manifest.mediaType, signal);
      summary.tags.push(tag);
    }
    if (target.tag) {
      throwIfCancelled(signal);
      const top = plan.manifests.at(-1)!;
      await putManifest(dst, target.repository, target.tag, top.raw, top.mediaType, signal);
      summary.manifestsPut++;
      summary.tags.push(target.tag);
    }
    progress.phase('done');
    return { digest: plan.digest, mediaType: plan.mediaType, ...summary };
  } catch (e) {
    throw stopped(e, summary, target, opts.signal?.aborted === true);
  } finally {
    opts.signal?.removeEventListener('abort', onCancel);
  }

  async function copyBlob(b: PlannedBlob): Promise<void> {
    let session: UploadSession | undefined;
    if (sameRegistry) {
      if (source.repository === target.repository) {
        summary.blobsSkipped++;
        return progress.blobDone(b, 0);
      }
      const mounted = await mountBlob(dst, target.repository, b.digest, source.repository, signal);
      if (mounted === 'mounted') {
        summary.blobsMounted++;
        return progress.blobDone(b, 0);
      }
      session = mounted;
    } else if (await blobExists(dst, target.repository, b.digest, signal)) {
      summary.blobsSkipped++;
      return progress.blobDone(b, 0);
    }
    session ??= await startUpload(dst, target.repository, signal);
    try {
      const res = await source.client.exchange({ method: 'GET', path: `/v2/${source.repository}/blobs/${b.digest}`, streamBody: true, signal, deadlineMs: blobDeadlineMs(b.size) });
      if (res.status !== 200 || !res.stream) {
        throw new RegistryError(res.status === 404 ? 'notFound' : 'protocol', `${res.url.host} did not send blob ${b.digest.slice(0, 19)}… of ${source.repository} (HTTP ${res.status}).`, { status: res.status });
      }
      let moved = 0;
      await uploadBlob(dst, session, b, res.stream, {
        signal,
        chunkSize: opts.chunkSize,
        onBytes: (n) => {
          moved += n;
          summary.bytesMoved += n;
          progress.bytes(b, n);
        },
      });
      summary.blobsCopied++;
      progress.blobDone(b, moved);
    } catch (e) {
      await cancelUpload(dst, session);
      throw e;
    }
  }
}

/** Plan and execute in one call. */
export async function copyImage(source: CopySource, target: CopyTarget, opts: CopyOptions = {}): Promise<CopyResult> {
  return executeCopy(await planCopy(source, opts), source, target, opts);
}

/** The same manifest under another tag of the same repository: no blob moves. */
export async function retag(client: RegistryClient, repository: string, reference: string, tag: string, signal?: AbortSignal): Promise<string> {
  const m = await client.getManifest(repository, reference, signal);
  return putManifest(client, repository, tag, m.raw, m.mediaType, signal);
}

// ——— internals ———

function partOf(d: Descriptor): string {
  if (isAttestation(d)) return 'attestations';
  return d.platform ? formatPlatform(d.platform) : 'image';
}

function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new RegistryError('cancelled', 'The copy was cancelled.');
}

function mib(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The error that ends a copy, saying what had been done and that nothing was tagged. */
function stopped(e: unknown, s: CopySummary, target: CopyTarget, cancelled: boolean): CopyError {
  const done = s.blobsCopied + s.blobsMounted + s.blobsSkipped;
  const moved = `${done} of ${s.blobsTotal} blobs were in place in ${target.repository} (${s.blobsCopied} copied, ${mib(s.bytesMoved)} moved; ${s.blobsMounted} mounted; ${s.blobsSkipped} already there)`;
  const tagged = target.tag && !s.tags.includes(target.tag) ? ` The tag “${target.tag}” was not written.` : '';
  const extra = s.tags.length ? ` Tags written: ${s.tags.join(', ')}.` : '';
  if (cancelled || isRegistryError(e, 'cancelled')) {
    return new CopyError('cancelled', `The copy was cancelled: ${moved}.${tagged}${extra}`, s, e);
  }
  const reason = isRegistryError(e) ? e.message : String((e as Error)?.message ?? e);
  return new CopyError(isRegistryError(e) ? e.kind : 'network', `${reason} The copy stopped: ${moved}.${tagged}${extra}`, s, e);
}

/** Counts for the progress callback, per part and overall. */
class Progress {
  private readonly state: CopyProgress;
  private readonly byPart = new Map<string, PartProgress>();

  constructor(
    plan: CopyPlan,
    private readonly report?: (p: CopyProgress) => void,
  ) {
    for (const part of plan.parts) this.byPart.set(part, { part, bytesDone: 0, bytesTotal: 0, blobsDone: 0, blobsTotal: 0 });
    for (const b of plan.blobs) {
      const p = this.byPart.get(b.part) ?? { part: b.part, bytesDone: 0, bytesTotal: 0, blobsDone: 0, blobsTotal: 0 };
      p.bytesTotal += b.size;
      p.blobsTotal++;
      this.byPart.set(b.part, p);
    }
    this.state = { phase: 'blobs', bytesDone: 0, bytesTotal: plan.totalBytes, blobsDone: 0, blobsTotal: plan.blobs.length, bytesMoved: 0, parts: [...this.byPart.values()] };
    this.emit();
  }

  bytes(b: PlannedBlob, n: number): void {
    this.state.bytesDone += n;
    this.state.bytesMoved += n;
    this.byPart.get(b.part)!.bytesDone += n;
    this.emit();
  }

  /** A blob in place; `moved` of its bytes were already counted while streaming. */
  blobDone(b: PlannedBlob, moved: number): void {
    const part = this.byPart.get(b.part)!;
    this.state.bytesDone += b.size - moved;
    part.bytesDone += b.size - moved;
    part.blobsDone++;
    this.state.blobsDone++;
    this.emit();
  }

  phase(phase: CopyProgress['phase']): void {
    this.state.phase = phase;
    this.emit();
  }

  private emit(): void {
    this.report?.({ ...this.state, parts: this.state.parts.map((p) => ({ ...p })) });
  }
}
