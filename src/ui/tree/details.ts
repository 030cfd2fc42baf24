// Tag facts (digest, size, created, platforms) fetched lazily for the tags on screen only.
// A provider whose API gives a tag's facts (`Connection.tagDetails`: GitLab) is asked for them,
// one call per tag on screen, and the registry is not asked at all. Otherwise:
//   1. HEAD the tag's manifest for its digest (cheap; not a pull on Docker Hub);
//   2. a digest seen before — in this session or a previous one — is answered from the cache,
//      since what a digest names never changes;
//   3. otherwise one fetch per digest (manifest + config), shared by every tag that points at it.
// At most `concurrency` tags per registry are in progress here, and the registry client keeps
// its own limit on requests in flight (an index's children, configs, pings included), so a
// 5,000-tag repository or a 5,000-entry index never floods the server. No `vscode` import:
// the tree wires persistence and refreshes.

import pLimit, { type LimitFunction } from 'p-limit';
import type { Connection, TagInfo } from '../../providers/provider';
import type { ImageDetails } from '../../registry/client';

export type TagDetails = ImageDetails;

/** The tags whose listing entry lacks a fact the row shows (Harbor's listing has them all). */
export function missingFacts(tags: readonly TagInfo[]): string[] {
  return tags.filter((t) => !(t.digest && t.created && t.size !== undefined)).map((t) => t.name);
}

export interface DigestCache {
  get(digest: string): TagDetails | undefined | Promise<TagDetails | undefined>;
  set(digest: string, details: TagDetails): void;
}

export class MemoryDigestCache implements DigestCache {
  readonly map = new Map<string, TagDetails>();
  get(digest: string): TagDetails | undefined {
    return this.map.get(digest);
  }
  set(digest: string, details: TagDetails): void {
    this.map.set(digest, details);
  }
}

export interface DetailsEvents {
  onDetails(connectionId: string, repository: string, tag: string, details: TagDetails): void;
  onError(connectionId: string, repository: string, tag: string, error: unknown): void;
}

/** A tag whose details could not be read: why, and when (it is asked again after a while). */
export interface DetailsFailure {
  message: string;
  at: number;
}

/**
 * How long a failed tag is left alone. The row says its details failed; scrolling, collapsing
 * and expanding within this time do not ask a failing registry again, a Refresh does at once.
 */
export const RETRY_FAILED_AFTER_MS = 30_000;

export class TagDetailsLoader {
  /** Per repository (connection id + repository), per tag: sorting 100,000 tags looks each up. */
  private readonly byRepository = new Map<string, Map<string, TagDetails>>();
  private readonly failures = new Map<string, DetailsFailure>();
  /** Counts forgets; a request remembers the count it started at. */
  private epoch = 0;
  /** When a connection (`ID\n`) or one of its repositories (`ID\nREPO\n`) was last forgotten. */
  private readonly forgottenAt = new Map<string, number>();
  private readonly pending = new Map<string, Promise<void>>();
  private readonly byDigest = new Map<string, Promise<TagDetails>>();
  private readonly limits = new Map<string, LimitFunction>();
  /** Tags whose details were asked of a registry (a HEAD each): tests and the log count them. */
  heads = 0;
  /** Tags whose details were asked of the provider's API (`Connection.tagDetails`). */
  providerCalls = 0;

  constructor(
    private readonly cache: DigestCache,
    private readonly events: DetailsEvents,
    private readonly concurrency = 16,
    private readonly now: () => number = Date.now,
  ) {}

  /** Why a tag has no details, while its failure is recent enough to be left alone. */
  failure(connectionId: string, repository: string, tag: string): DetailsFailure | undefined {
    const f = this.failures.get(key(connectionId, repository, tag));
    return f && this.now() - f.at < RETRY_FAILED_AFTER_MS ? f : undefined;
  }

  get(connectionId: string, repository: string, tag: string): TagDetails | undefined {
    return this.byRepository.get(repoKey(connectionId, repository))?.get(tag);
  }

  /** Every tag of a repository with details so far (undefined: none). */
  ofRepository(connectionId: string, repository: string): ReadonlyMap<string, TagDetails> | undefined {
    return this.byRepository.get(repoKey(connectionId, repository));
  }

  /** Queue the tags that have no details yet; already known or in flight ones cost nothing. */
  request(conn: Connection, repository: string, tags: readonly string[], signal?: AbortSignal): Promise<void> {
    const id = conn.config.id;
    const limit = this.limitFor(id);
    const jobs: Promise<void>[] = [];
    for (const tag of tags) {
      const k = key(id, repository, tag);
      if (this.get(id, repository, tag) || this.failure(id, repository, tag)) continue;
      let job = this.pending.get(k);
      if (!job) {
        const started = this.epoch;
        const current = () => [scope(id), scope(id, repository)].every((p) => (this.forgottenAt.get(p) ?? 0) <= started);
        job = this.load(conn, repository, tag, limit, signal)
          .then(
            (d) => {
              // Facts read before a Refresh may be the tag's old ones: the request after it says.
              if (!current()) return;
              const rk = repoKey(id, repository);
              let tags = this.byRepository.get(rk);
              if (!tags) this.byRepository.set(rk, (tags = new Map()));
              tags.set(tag, d);
              this.failures.delete(k);
              this.events.onDetails(id, repository, tag, d);
            },
            (e: unknown) => {
              // Asked before a Refresh (whose connection it closed, say): the failure is that
              // request's, not the tag's; the rows ask again.
              if (current()) this.failures.set(k, { message: e instanceof Error ? e.message : String(e), at: this.now() });
              this.events.onError(id, repository, tag, e);
            },
          )
          .finally(() => {
            if (this.pending.get(k) === job) this.pending.delete(k);
          });
        this.pending.set(k, job);
      }
      jobs.push(job);
    }
    return Promise.all(jobs).then(() => undefined);
  }

  /** Forget a connection's tags (refresh): digests stay cached, they are immutable. */
  forget(connectionId: string, repository?: string): void {
    const prefix = scope(connectionId, repository);
    for (const k of [...this.byRepository.keys()]) if (`${k}\n`.startsWith(prefix)) this.byRepository.delete(k);
    for (const k of [...this.failures.keys()]) if (k.startsWith(prefix)) this.failures.delete(k);
    // What is in flight was asked before the refresh: the next request starts its own.
    for (const k of [...this.pending.keys()]) if (k.startsWith(prefix)) this.pending.delete(k);
    this.forgottenAt.set(prefix, ++this.epoch);
  }

  private async load(conn: Connection, repository: string, tag: string, limit: LimitFunction, signal?: AbortSignal): Promise<TagDetails> {
    if (conn.tagDetails) {
      const d = await this.fromProvider(conn, repository, tag, limit, signal);
      if (d) return d;
    }
    const head = await limit(() => {
      this.heads++;
      return conn.client.headManifest(repository, tag, signal);
    });
    const cached = await this.cache.get(head.digest);
    if (cached) return cached;
    let shared = this.byDigest.get(head.digest);
    if (!shared) {
      // One slot here for the whole image; its children queue on the client's request limiter.
      shared = limit(() => conn.client.imageDetails(repository, head.digest, { signal })).then((d) => {
        this.cache.set(d.digest, d);
        return d;
      });
      this.byDigest.set(head.digest, shared);
      shared.then(
        () => this.byDigest.delete(head.digest),
        () => this.byDigest.delete(head.digest),
      );
    }
    return shared;
  }

  /**
   * The provider's facts. They lack what only the manifest says (media type, platforms), so an
   * image already read from a registry, by digest, is preferred; provider facts are never put
   * in the digest cache, which holds whole manifests' facts. Undefined when the API gave no
   * digest: the registry is asked then, as for any other provider.
   */
  private async fromProvider(conn: Connection, repository: string, tag: string, limit: LimitFunction, signal?: AbortSignal): Promise<TagDetails | undefined> {
    const info = await limit(() => {
      this.providerCalls++;
      return conn.tagDetails!(repository, tag, signal);
    });
    if (!info.digest) return undefined;
    const cached = await this.cache.get(info.digest);
    if (cached) return cached;
    return { digest: info.digest, mediaType: '', isIndex: false, ...(info.created ? { created: info.created } : {}), ...(info.size !== undefined ? { size: info.size } : {}) };
  }

  private limitFor(connectionId: string): LimitFunction {
    let l = this.limits.get(connectionId);
    if (!l) {
      l = pLimit(this.concurrency);
      this.limits.set(connectionId, l);
    }
    return l;
  }
}

function repoKey(connectionId: string, repository: string): string {
  return `${connectionId}\n${repository}`;
}

/** The key prefix of a connection's entries, or of one of its repositories'. */
function scope(connectionId: string, repository?: string): string {
  return repository === undefined ? `${connectionId}\n` : `${connectionId}\n${repository}\n`;
}

function key(connectionId: string, repository: string, tag: string): string {
  return `${connectionId}\n${repository}\n${tag}`;
}
