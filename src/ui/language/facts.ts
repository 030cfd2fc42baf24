// What completion and diagnostics know about registries, and what it costs. Tag and repository
// listings are the tree's own (one per repository, shared with the Registries view and Find),
// refreshed at most every LISTING_TTL_MS; a caller that cancels stops waiting but never cancels
// a listing others share. HEADs (a pin's tag, a tag a cut-short listing does not show) are
// cached for HEAD_TTL_MS and run a few at a time. Nothing here asks a registry the user has not
// connected, except public Docker Hub anonymously with HEAD only when the setting allows it.

import * as vscode from 'vscode';
import pLimit from 'p-limit';
import type { Connection, ConnectionConfig, RepositoryInfo, TagInfo } from '../../providers/provider';
import { isRegistryError } from '../../registry/errors';
import { isIndexMediaType } from '../../registry/mediaTypes';
import { DOCKER_HUB, normalizeRegistryHost } from '../../registry/reference';
import type { CommandContext } from '../commands/context';
import type { Listing } from '../tree/listing';
import type { Reach, RepositoryFacts, TagFacts } from '../link/deploy';
import { pinStatus } from '../link/pins';
import { connectionForImage } from '../link/targets';
import { loginHost } from '../../providers/loginHost';

export const LISTING_TTL_MS = 5 * 60_000;
const ERROR_RETRY_MS = 30_000;
const HEAD_TTL_MS = 3 * 60_000;
const HEADS_AT_ONCE = 4;
/**
 * Tags completion reads on to, a page at a time, when the registry pages its tag list: most list
 * tags in name order, so the newest versions of a repository with CI tags sit on the last pages.
 */
const COMPLETION_TAGS = 5_000;

/** Public Docker Hub without a stored connection: anonymous, and used for HEAD only. */
const ANONYMOUS_HUB: ConnectionConfig = { id: 'anonymous:dockerhub', provider: 'dockerhub', name: 'Docker Hub (anonymous)', url: DOCKER_HUB };

/** Requests started here, by kind (the bench and the host tests read them). */
export interface FactStats {
  listings: number;
  heads: number;
}

/** Resolves with `work`, or with undefined as soon as the caller gives up; `work` goes on for others. */
export function untilCancelled<T>(work: Promise<T>, token?: vscode.CancellationToken): Promise<T | undefined> {
  if (!token) return work;
  if (token.isCancellationRequested) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const sub = token.onCancellationRequested(() => {
      sub.dispose();
      resolve(undefined);
    });
    work.then(
      (v) => (sub.dispose(), resolve(v)),
      (e: unknown) => (sub.dispose(), reject(e)),
    );
  });
}

export class RegistryFacts {
  readonly stats: FactStats = { listings: 0, heads: 0 };
  private readonly loadedAt = new WeakMap<Listing<unknown>, number>();
  private readonly heads = new Map<string, { at: number; ttl: number; value: Promise<TagFacts> }>();
  private readonly limit = pLimit(HEADS_AT_ONCE);

  constructor(
    private readonly ctx: CommandContext,
    private readonly hubAnonymous: () => boolean,
  ) {}

  /**
   * The connection that serves an image reference and the repository it names there: a pull
   * host with a path (`acme.jfrog.io/docker-local`) takes that path off the reference's repository.
   */
  image(registry: string, repository: string): { config: ConnectionConfig; repository: string } | undefined {
    return connectionForImage(this.ctx, registry, repository);
  }

  /** Connections whose references are written with `registry` as their host (a pull host's path aside). */
  configsAt(registry: string): ConnectionConfig[] {
    const want = normalizeRegistryHost(registry);
    return this.ctx.store.list().filter((c) => loginHost(c) === want);
  }

  reach(registry: string): Reach {
    if (this.configsAt(registry).length) return 'connected';
    return normalizeRegistryHost(registry) === DOCKER_HUB && this.hubAnonymous() ? 'anonymous' : 'none';
  }

  /**
   * A listing's items: at once when loaded (refreshed in the background once older than the
   * TTL), otherwise after its first page arrives. A failed listing (a missing repository, a
   * registry that is down) is asked again only after ERROR_RETRY_MS, not on every keystroke.
   * `fresh`: wait for a due refresh as well.
   */
  private async items<T>(listing: Listing<T>, token?: vscode.CancellationToken, fresh = false): Promise<Listing<T>> {
    const status = listing.status;
    if (status === 'loading') {
      await untilCancelled(listing.load(), token); // joins the load under way
      return listing;
    }
    const now = Date.now();
    // Loaded by the tree (or Find, or the hover): as fresh as now, for our purposes.
    if (status === 'ready' && !this.loadedAt.has(listing)) this.loadedAt.set(listing, now);
    const age = now - (this.loadedAt.get(listing) ?? 0);
    const due = status === 'idle' || (status === 'ready' && age > LISTING_TTL_MS) || (status === 'error' && age > ERROR_RETRY_MS);
    if (!due) return listing;
    this.stats.listings++;
    const load = listing.load().then(() => this.loadedAt.set(listing, Date.now()));
    // Shown now, refreshed behind: a loaded listing, or one seeded from the disk cache.
    if (!fresh && listing.items.length && (status === 'ready' || listing.stale)) return listing;
    await untilCancelled(load, token);
    return listing;
  }

  async repositories(config: ConnectionConfig, token?: vscode.CancellationToken): Promise<readonly RepositoryInfo[]> {
    return (await this.items(this.ctx.tree.repositories(config), token)).items;
  }

  /** Tags to complete from: the listing, read on to COMPLETION_TAGS names (shared with the tree, so it goes on for it when this caller gives up). */
  async tags(config: ConnectionConfig, repository: string, token?: vscode.CancellationToken): Promise<readonly TagInfo[]> {
    const listing = await this.items(this.ctx.tree.tags(config, repository), token);
    if (listing.status === 'ready' && listing.hasMoreOnServer && listing.items.length < COMPLETION_TAGS) {
      await untilCancelled(listing.ensure(COMPLETION_TAGS).catch(() => false), token);
    }
    return listing.items;
  }

  /** What the registry says about a repository, for diagnostics: listed, missing, or unknown (failed, cancelled). */
  async repository(config: ConnectionConfig, repository: string, token?: vscode.CancellationToken): Promise<RepositoryFacts> {
    const listing = await this.items(this.ctx.tree.tags(config, repository), token, true);
    if (token?.isCancellationRequested) return { state: 'unknown' };
    if (listing.status === 'error') return isRegistryError(listing.error, 'notFound') ? { state: 'missing' } : { state: 'unknown' };
    if (listing.status !== 'ready') return { state: 'unknown' };
    return { state: 'listed', tags: listing.items, complete: !listing.hasMoreOnServer && !listing.truncated };
  }

  /** The digest a tag points at, from what is known or one HEAD. */
  async digestOf(config: ConnectionConfig, repository: string, tag: string, signal?: AbortSignal): Promise<string> {
    const listed = this.ctx.tree.tags(config, repository).byName(tag)?.digest ?? this.ctx.tree.details.get(config.id, repository, tag)?.digest;
    if (listed) return listed;
    this.stats.heads++;
    return (await (await this.ctx.tree.connection(config.id)).client.headManifest(repository, tag, signal)).digest;
  }

  /** A HEAD of `registry/repository:tag` as a reference names it: whether it exists, and for a pin whether the tag moved. Cached. */
  head(registry: string, named: string, tag: string, pinned?: string): Promise<TagFacts> {
    const reach = this.reach(registry);
    const served = reach === 'connected' ? this.image(registry, named) : reach === 'anonymous' ? { config: ANONYMOUS_HUB, repository: named } : undefined;
    if (!served) return Promise.reject(new Error('not connected'));
    const { config, repository } = served;
    const key = [config.id, repository, tag, pinned ?? ''].join('\n');
    const hit = this.heads.get(key);
    if (hit && Date.now() - hit.at < hit.ttl) return hit.value;
    const value = this.limit(async (): Promise<TagFacts> => {
      this.stats.heads++;
      const conn: Connection = reach === 'connected' ? await this.ctx.tree.connection(config.id) : await this.ctx.connections.get(config);
      try {
        if (!pinned) return { exists: true, digest: (await conn.client.headManifest(repository, tag)).digest };
        if (reach === 'anonymous') {
          // HEAD only: an index that differs may still hold the pinned platform image, and
          // finding out would take a GET (a counted pull), so it is not called moved.
          const head = await conn.client.headManifest(repository, tag);
          return { exists: true, digest: head.digest, moved: head.digest !== pinned && !isIndexMediaType(head.mediaType) };
        }
        const s = await pinStatus(conn, repository, tag, pinned);
        return { exists: true, digest: s.current, moved: s.moved };
      } catch (e) {
        if (isRegistryError(e, 'notFound')) return { exists: false };
        throw e;
      }
    });
    const entry = { at: Date.now(), ttl: HEAD_TTL_MS, value };
    this.heads.set(key, entry);
    // A failure (registry down, refused) is not asked again on every check either, only sooner.
    value.catch(() => (entry.ttl = ERROR_RETRY_MS));
    if (this.heads.size > 500) this.heads.delete(this.heads.keys().next().value!);
    return value;
  }

  /** Forget HEADs (a connection changed, a quick fix rewrote a pin); of one connection, or one of its repositories, after a Refresh of it. */
  clear(connectionId?: string, repository?: string): void {
    if (connectionId === undefined) return this.heads.clear();
    const prefix = repository === undefined ? `${connectionId}\n` : `${connectionId}\n${repository}\n`;
    for (const k of [...this.heads.keys()]) if (k.startsWith(prefix)) this.heads.delete(k);
  }
}
