// The Registries view: registry → namespace folders → repository → tag → platforms.
// Children come one screen page at a time with a "Load more" node; errors are nodes with the
// action that fixes them; tag facts arrive lazily and refresh only their own rows.

import * as vscode from 'vscode';
import type { Connection, ConnectionConfig, RepositoryInfo, TagInfo } from '../../providers/provider';
import { knownPullHost, pullHost } from '../../providers/pullHost';
import { isRegistryError, type RegistryError } from '../../registry/errors';
import { formatPlatform } from '../../registry/mediaTypes';
import type { ConnectionManager } from '../connections';
import type { Log } from '../log';
import type { ConnectionStore } from '../store';
import { missingFacts, TagDetailsLoader, type DigestCache, type TagDetails } from './details';
import { formatAge, formatSize, joinFacts, shortDigest } from './format';
import { ChangeBatcher } from './changes';
import { Listing, type PageStats } from './listing';
import { FolderIndex, LevelPaging } from './namespaces';
import { FolderNode, LoadMoreNode, MessageNode, PlatformNode, RegistryNode, RepositoryNode, TagNode, type MessageAction, type Node } from './nodes';
import type { ListingCache } from './persist';
import { artifactIcon, artifactTooltip, artifactWord } from './artifacts';
import type { ReferrersNode } from './referrerNodes';
import { network } from '../network';
import { ReferrerTree, withoutFallbackTags, type Subject } from './referrerTree';
import { ScanLookups, scanTooltip, scanWord } from './scans';
import { dateMovesTag, orderTagsSliced, type TagSort } from './sort';
import { truncatedRow } from './truncated';
import { ScreenWindow, SortedCache } from './window';

const VIEW_ID = 'registryExplorer.registries';
/** A catalog up to this size is fetched whole in the background, so folders show true counts. */
const WHOLE_CATALOG = 10_000;
/** How long the first rows of a registry get to paint before the rest of its catalog is asked for. */
const AFTER_FIRST_PAINT_MS = 300;
/** Operations slower than this are logged at info level (the rest at debug). */
const SLOW_MS = 500;

/** What the tree shows of one repository's tags; kept across a refresh of the listing. */
interface TagView {
  window: ScreenWindow;
  sorted: SortedCache<TagInfo>;
  /** Bumped when a tag gets a date it did not have: the order may change. */
  dates: number;
  /** Tags without a known date in the last sort (date order says so). */
  undated: number;
}

export class RegistryTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly refreshed = new vscode.EventEmitter<{ connectionId: string; repository?: string }>();
  /** The user asked for a connection (or one repository) as the registry has it now: what else shows its listings may check again. */
  readonly onDidRefresh = this.refreshed.event;
  private readonly batch = new ChangeBatcher<Node>((nodes) => this.emit(nodes));
  private readonly repoListings = new Map<string, Listing<RepositoryInfo>>();
  private readonly tagListings = new Map<string, Listing<TagInfo>>();
  private readonly nodes = new Map<string, Node>();
  private readonly tagViews = new Map<string, TagView>();
  private readonly levels = new Map<string, LevelPaging>();
  private readonly folderIndexes = new WeakMap<readonly RepositoryInfo[], FolderIndex>();
  /** Connections being rebuilt after a refresh: a reveal waits for them. */
  private readonly resetting = new Map<string, Promise<void>>();
  /** While a reveal runs, change events wait: a stream of them keeps VS Code's reveal from finishing. */
  private held?: { all: boolean; nodes: Map<string, Node> };
  readonly details: TagDetailsLoader;
  /** What refers to a tag's image; fallback-schema tags hidden from each listing, per repository. */
  readonly referrers: ReferrerTree;
  /** Vulnerability scans of the rows on screen, for providers that give them per image (Quay). */
  readonly scans: ScanLookups;
  private readonly hiddenTags = new Map<string, Set<string>>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly store: ConnectionStore,
    private readonly connections: ConnectionManager,
    private readonly listingCache: ListingCache,
    digestCache: DigestCache,
    private readonly log: Log,
  ) {
    this.details = new TagDetailsLoader(
      digestCache,
      {
        onDetails: (connectionId, repository, tag, d) => {
          const node = this.nodes.get(new TagNode(connectionId, repository, tag).id);
          if (node) this.batch.add(node);
          const view = this.tagViews.get(repoKey(connectionId, repository));
          // A date the listing did not have, on a tag that date order moves: sort again (the
          // repository's rows, once per batch). 100,000 versions never re-sort for their dates.
          if (view && d.created && !view.sorted.byName(tag)?.created && dateMovesTag(tag, settings().tagSort)) {
            view.dates++;
            this.fireFor(connectionId, repository);
          }
        },
        onError: (connectionId, repository, tag, e) => {
          this.log.debug(`details of ${repository}:${tag} on ${connectionId}: ${this.log.safe(e)}`);
          // The row stops showing "…" and says why (tagItem).
          const node = this.nodes.get(new TagNode(connectionId, repository, tag).id);
          if (node) this.batch.add(node);
        },
      },
      settings().concurrency,
    );
    this.scans = new ScanLookups((connectionId, repository, tag) => {
      const shown = this.nodes.get(new TagNode(connectionId, repository, tag).id);
      if (shown) this.batch.add(shown);
    }, log);
    this.referrers = new ReferrerTree({
      connection: (id) => this.connection(id),
      changed: (node) => {
        const shown = this.nodes.get(node.id);
        if (shown) this.batch.add(shown);
      },
      hasTag: (id, repository, tag) => this.hasTag(id, repository, tag),
      log,
    });
    this.subscriptions.push(
      store.onDidChange(() => this.batch.add(undefined)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('registryExplorer.tagSort')) this.batch.add(undefined);
        if (e.affectsConfiguration('registryExplorer.pageSize') || e.affectsConfiguration('registryExplorer.showSignatureTags')) {
          this.tagViews.clear();
          this.levels.clear();
          this.repoListings.clear();
          this.tagListings.clear();
          this.batch.add(undefined);
        }
      }),
    );
  }

  // ——— TreeDataProvider ———

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'registry':
        return this.registryItem(node);
      case 'folder': {
        const listing = this.repoListings.get(node.connectionId);
        const item = new vscode.TreeItem(node.path.split('/').pop()!, vscode.TreeItemCollapsibleState.Collapsed);
        const index = listing && this.folderIndex(listing);
        const n = index?.count(node.path) ?? 0;
        // Partial while the server has more pages that may still hold some of its repositories.
        const partial = !!listing && (listing.hasMoreOnServer || !!listing.truncated) && !index?.complete(node.path);
        item.description = !n ? undefined : partial ? vscode.l10n.t('{0}+ repositories', n) : n === 1 ? vscode.l10n.t('1 repository') : vscode.l10n.t('{0} repositories', n);
        item.tooltip = `${node.path}/`;
        item.accessibilityInformation = { label: vscode.l10n.t('{0} folder, {1}', node.path, String(item.description ?? '')) };
        item.iconPath = vscode.ThemeIcon.Folder;
        item.contextValue = 'folder';
        return withId(item, node);
      }
      case 'repository': {
        const item = new vscode.TreeItem(node.name.split('/').pop()!, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = this.tagCount(node);
        item.accessibilityInformation = { label: vscode.l10n.t('{0} repository, {1}', node.name, String(item.description ?? '')) };
        item.iconPath = new vscode.ThemeIcon('package');
        item.contextValue = 'repository';
        return withId(item, node);
      }
      case 'tag':
        return this.tagItem(node);
      case 'referrers':
      case 'referrer':
        return this.referrers.item(node);
      case 'platform': {
        const p = node.image;
        // A platform with its own referrers (BuildKit attestations) expands to them.
        const subject = this.platformSubject(node);
        const item = new vscode.TreeItem(formatPlatform(p.platform), this.referrers.expandable(node, subject) ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.description = joinFacts(this.referrers.badges(node, subject), formatAge(p.created), shortDigest(p.digest), formatSize(p.size));
        item.tooltip = new vscode.MarkdownString(
          [`**${formatPlatform(p.platform)}**`, '', `Digest: \`${p.digest}\``, `Media type: \`${p.mediaType}\``, p.size !== undefined ? `Size: ${formatSize(p.size)}` : '', p.created ? `Created: ${p.created}` : '']
            .filter(Boolean)
            .join('\n\n'),
        );
        item.iconPath = new vscode.ThemeIcon('vm');
        item.contextValue = 'platform';
        return withId(item, node);
      }
      case 'loadMore': {
        const earlier = node.direction === 'earlier';
        const label = earlier ? (node.count === 1 ? vscode.l10n.t('1 earlier tag — Show') : vscode.l10n.t('{0} earlier tags — Show', node.count)) : vscode.l10n.t('Load more…');
        const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
        item.description = node.remaining;
        item.iconPath = new vscode.ThemeIcon(earlier ? 'fold-up' : 'ellipsis');
        item.command = { command: 'registryExplorer.loadMore', title: earlier ? vscode.l10n.t('Show earlier tags') : vscode.l10n.t('Load more'), arguments: [node] };
        item.contextValue = 'loadMore';
        return withId(item, node);
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.tooltip = node.detail;
        item.accessibilityInformation = { label: `${node.text}. ${node.detail}` };
        item.iconPath = new vscode.ThemeIcon(node.severity === 'info' ? 'info' : node.severity, new vscode.ThemeColor(node.severity === 'error' ? 'errorForeground' : node.severity === 'warning' ? 'editorWarning.foreground' : 'foreground'));
        item.contextValue = `message.${node.action}`;
        const command = actionCommand(node.action);
        if (command) item.command = { command, title: node.text, arguments: [node] };
        return withId(item, node);
      }
    }
  }

  /** Hover: the repository's tag count as it is now (its row is not refreshed just for that). */
  resolveTreeItem(item: vscode.TreeItem, node: Node): vscode.ProviderResult<vscode.TreeItem> {
    // Hovering a tag looks up what refers to it; the tooltip waits for that one lookup.
    if (node.kind === 'platform') return this.referrers.lookup(node, this.platformSubject(node)).then(() => item);
    if (node.kind === 'tag') {
      return this.referrers.lookup(node, this.referrerSubject(node)).then(() => {
        item.tooltip = this.tagItem(node).tooltip;
        return item;
      });
    }
    if (node.kind === 'repository') {
      const count = this.tagCount(node);
      item.tooltip = count ? `${node.name}\n${count}` : node.name;
    }
    return item;
  }

  private warmed = false;

  /**
   * A registry on screen will be expanded soon: build its connections meanwhile (the network
   * side loads, secrets are read, no request is made to a registry), so the first expand starts
   * with its request (bench/vscode: both were most of click → first request); then run the HTTP
   * path once against a listener of our own on loopback (src/registry/warmUp.ts), so the first
   * expand does not pay for code that has never run. Once, a moment after the view first shows
   * registries: never during activation, and after the rows have painted.
   */
  private warm(configs: readonly ConnectionConfig[]): void {
    if (this.warmed) return;
    this.warmed = true;
    setTimeout(() => {
      const built = configs.map((c) => this.connections.get(c).catch(() => undefined));
      void Promise.all(built)
        .then(() => network().warmHttpPath())
        .catch((e: unknown) => this.log.debug(`warming the HTTP path: ${this.log.safe(e)}`));
    }, 250).unref?.();
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      const defaultId = this.store.defaultId();
      const configs = this.store.list();
      if (configs.length) this.warm(configs);
      // Their cached listings, read before the first expand asks (persist.ts: ListingCache).
      for (const c of configs) if (!this.repoListings.has(c.id)) this.listingCache.prefetch(c.id);
      return configs
        .sort((a, b) => Number(b.id === defaultId) - Number(a.id === defaultId) || a.name.localeCompare(b.name))
        .map((c) => this.remember(new RegistryNode(c)));
    }
    switch (node.kind) {
      case 'registry':
        return this.registryChildren(node.config, '');
      case 'folder': {
        const config = this.store.get(node.connectionId);
        return config ? this.registryChildren(config, node.path) : [];
      }
      case 'repository':
        return this.tagChildren(node);
      case 'tag': {
        const d = this.details.get(node.connectionId, node.repository, node.tag);
        const platforms = (d?.platforms ?? []).map((p) => this.remember(new PlatformNode(node.connectionId, node.repository, node.tag, p)));
        return [...platforms, ...(await this.referrers.tagChildren(node, this.referrerSubject(node))).map((n) => this.remember(n))];
      }
      case 'referrers':
        return this.referrers.children(node).map((n) => this.remember(n));
      case 'platform':
        return (await this.referrers.tagChildren(node, this.platformSubject(node))).map((n) => this.remember(n));
      default:
        return [];
    }
  }

  getParent(node: Node): Node | undefined {
    const config = (id: string) => this.store.get(id);
    const parentOfPath = (connectionId: string, path: string): Node | undefined => {
      const i = path.lastIndexOf('/');
      if (i < 0) {
        const c = config(connectionId);
        return c ? this.remember(new RegistryNode(c)) : undefined;
      }
      return this.remember(new FolderNode(connectionId, path.slice(0, i)));
    };
    switch (node.kind) {
      case 'registry':
        return undefined;
      case 'folder':
        return parentOfPath(node.connectionId, node.path);
      case 'repository':
        return parentOfPath(node.connectionId, node.name);
      case 'tag':
        return this.remember(new RepositoryNode(node.connectionId, node.repository));
      case 'referrers':
        if (node.onPlatform) return this.nodes.get(`pl:${node.connectionId}:${node.repository}:${node.tag}:${node.subject}`);
        return this.remember(new TagNode(node.connectionId, node.repository, node.tag));
      case 'platform':
        return this.remember(new TagNode(node.connectionId, node.repository, node.tag));
      case 'referrer':
        return this.nodes.get(`rs:${node.connectionId}:${node.repository}:${node.tag}:${node.subject}`) as ReferrersNode | undefined;
      case 'loadMore':
        if (node.repository) return this.remember(new RepositoryNode(node.connectionId, node.repository));
        return node.folder ? this.remember(new FolderNode(node.connectionId, node.folder)) : parentOfPath(node.connectionId, '');
      case 'message':
        if (node.repository) return this.remember(new RepositoryNode(node.connectionId, node.repository));
        return parentOfPath(node.connectionId, '');
    }
  }

  // ——— actions the commands call ———

  async loadMore(node: LoadMoreNode): Promise<void> {
    const config = this.store.get(node.connectionId);
    if (!config) return;
    await withViewProgress(async () => {
      try {
        if (node.repository !== undefined) await this.moreTags(config, node.repository, node.direction);
        else await this.moreRepositories(config, node.folder);
      } catch (e) {
        void vscode.window.showErrorMessage(vscode.l10n.t('Could not load more: {0}', this.log.safe(e)));
      }
    });
  }

  private async moreTags(config: ConnectionConfig, repository: string, direction: 'later' | 'earlier'): Promise<void> {
    const view = this.tagView(config.id, repository);
    if (direction === 'earlier') view.window.earlier();
    else {
      const listing = this.tags(config, repository);
      await listing.ensure(view.window.end + view.window.page);
      view.window.later();
    }
    this.fireFor(config.id, repository);
  }

  private async moreRepositories(config: ConnectionConfig, folder: string): Promise<void> {
    const listing = this.repositories(config);
    const paging = this.paging(config.id);
    const before = listing.items;
    const size = () => {
      const level = this.folderIndex(listing).at(folder);
      return level.folders.length + level.repositories.length;
    };
    // A level whose loaded entries are all on screen asks the server until it has a page more.
    while (size() <= paging.get(folder) && listing.hasMoreOnServer) {
      if (!(await listing.fetchMore())) break;
    }
    paging.more(folder);
    if (listing.items !== before) {
      // New names can land in any folder: every level's rows and counts.
      void this.listingCache.write(config.id, listing.items.map((r) => r.name));
      this.fireFor(config.id);
    } else {
      this.batch.add(folder ? this.nodes.get(new FolderNode(config.id, folder).id) : this.nodes.get(`r:${config.id}`));
    }
  }

  /**
   * Reload from the registry, keeping what the user had on screen: expanded folders, pages
   * loaded, the tag window. The listings keep their items until the reload returns.
   */
  refresh(connectionId?: string, repository?: string): void {
    if (!connectionId) return this.refreshAll();
    if (repository) {
      this.tagListings.get(repoKey(connectionId, repository))?.reset();
      this.details.forget(connectionId, repository);
      this.referrers.forget(connectionId);
      this.fireFor(connectionId, repository);
      this.refreshed.fire({ connectionId, repository });
      return;
    }
    this.repoListings.get(connectionId)?.reset();
    for (const [k, l] of this.tagListings) if (k.startsWith(`${connectionId}\n`)) l.reset();
    this.details.forget(connectionId);
    this.referrers.forget(connectionId);
    this.scans.forget(connectionId);
    const done = this.connections.reset(connectionId).then(() => {
      if (this.resetting.get(connectionId) === done) this.resetting.delete(connectionId);
      this.fireFor(connectionId);
    });
    this.resetting.set(connectionId, done);
    this.refreshed.fire({ connectionId });
  }

  /** Re-render without reloading (after `locate` moved what is on screen). */
  redraw(): void {
    // Now, not batched: the caller reveals a node right after.
    this.batch.add(undefined);
    this.batch.flush();
  }

  refreshAll(): void {
    for (const c of this.store.list()) this.refresh(c.id);
    // Listings of registries no longer connected go; the others reload in place.
    const ids = new Set(this.store.list().map((c) => c.id));
    for (const id of [...this.repoListings.keys()]) if (!ids.has(id)) this.forget(id);
    this.batch.add(undefined);
  }

  /**
   * Run a reveal with the tree's change events held back and sent after it: VS Code's reveal
   * waits for pending refreshes, and details arriving every few milliseconds kept it waiting
   * (Find after a Refresh on a registry with auth never selected its tag).
   */
  async revealing<T>(task: () => Thenable<T>): Promise<T> {
    const outer = !this.held;
    this.held ??= { all: false, nodes: new Map() };
    try {
      return await task();
    } finally {
      if (outer) {
        const held = this.held;
        this.held = undefined;
        if (held.all) this.changed.fire(undefined);
        else if (held.nodes.size) this.changed.fire([...held.nodes.values()]);
      }
    }
  }

  /** Drop everything held in memory, as after a restart (the on-disk caches stay). */
  clearMemory(): void {
    this.listingCache.forgetAhead();
    this.repoListings.clear();
    this.tagListings.clear();
    this.tagViews.clear();
    this.levels.clear();
    void this.connections.resetAll().then(() => this.batch.add(undefined));
  }

  /** Forget everything about a removed connection. */
  forget(connectionId: string): void {
    this.repoListings.delete(connectionId);
    this.levels.delete(connectionId);
    for (const k of [...this.tagListings.keys()]) if (k.startsWith(`${connectionId}\n`)) this.tagListings.delete(k);
    for (const k of [...this.tagViews.keys()]) if (k.startsWith(`${connectionId}\n`)) this.tagViews.delete(k);
    this.details.forget(connectionId);
    void this.listingCache.remove(connectionId);
  }

  /** Whether a repository holds a tag, hidden fallback tags included; undefined while its listing is not whole. */
  private hasTag(connectionId: string, repository: string, tag: string): boolean | undefined {
    const k = repoKey(connectionId, repository);
    if (this.hiddenTags.get(k)?.has(tag)) return true;
    const listing = this.tagListings.get(k);
    if (!listing || listing.status !== 'ready' || listing.hasMoreOnServer || listing.truncated) return undefined;
    return settings().showSignatureTags ? !!this.tagViews.get(k)?.sorted.byName(tag) || undefined : false;
  }

  /** Repository listing of a registry (Find uses it). */
  repositories(config: ConnectionConfig): Listing<RepositoryInfo> {
    let listing = this.repoListings.get(config.id);
    if (!listing) {
      listing = new Listing<RepositoryInfo>(
        async (signal) => (await this.connections.get(config)).listRepositories(signal),
        settings().pageSize,
        undefined,
        (page) => this.logPage(`${config.name}: catalog`, page),
      );
      this.repoListings.set(config.id, listing);
    }
    return listing;
  }

  /** The repositories of a connection whose tags are loaded, without creating a listing for the others (Find). */
  *loadedTagRepositories(connectionId: string): Generator<string> {
    const prefix = `${connectionId}\n`;
    for (const [k, listing] of this.tagListings) if (k.startsWith(prefix) && listing.status === 'ready') yield k.slice(prefix.length);
  }

  tags(config: ConnectionConfig, repository: string): Listing<TagInfo> {
    const k = repoKey(config.id, repository);
    let listing = this.tagListings.get(k);
    if (!listing) {
      listing = new Listing<TagInfo>(
        async (signal) => {
          const first = await (await this.connections.get(config)).listTags(repository, signal);
          if (settings().showSignatureTags) return first;
          const hidden = new Set<string>();
          this.hiddenTags.set(k, hidden);
          return withoutFallbackTags(first, (t) => hidden.add(t));
        },
        settings().pageSize,
        undefined,
        (page) => this.logPage(`${config.name}: tags of ${repository}`, page),
      );
      this.tagListings.set(k, listing);
    }
    return listing;
  }

  /**
   * A repository's loaded tags in the tree's order (Find lists them the same way), at once: the
   * last finished sort, or the listing's own order until the first one finishes. A sort that is
   * due starts in the background; `sortingTags` says when it is done.
   */
  sortedTags(connectionId: string, repository: string): readonly TagInfo[] {
    const listing = this.tagListings.get(repoKey(connectionId, repository));
    if (!listing) return [];
    const view = this.tagView(connectionId, repository);
    if (!this.sortIsCurrent(listing, view)) void this.sorted(connectionId, repository, listing, view).catch(() => undefined);
    return view.sorted.last() ?? listing.items;
  }

  /** The sort of a repository's tags under way, if one is (its end changes `sortedTags`). */
  sortingTags(connectionId: string, repository: string): Promise<unknown> | undefined {
    const listing = this.tagListings.get(repoKey(connectionId, repository));
    if (!listing || listing.status !== 'ready') return undefined;
    const view = this.tagView(connectionId, repository);
    return this.sortIsCurrent(listing, view) ? undefined : this.sorted(connectionId, repository, listing, view);
  }

  /** The image a tag names for its referrers: its details, else the listing's digest (providers that list every fact). */
  private referrerSubject(node: TagNode): Subject | undefined {
    const d = this.details.get(node.connectionId, node.repository, node.tag);
    if (d) return d;
    const info = this.tagViews.get(repoKey(node.connectionId, node.repository))?.sorted.byName(node.tag);
    return info?.digest ? { digest: info.digest, ...(info.artifact ? { artifact: info.artifact } : {}) } : undefined;
  }

  /** A platform's image for its referrers: the index's attestations that name it. */
  private platformSubject(node: PlatformNode): Subject {
    const attestations = this.details.get(node.connectionId, node.repository, node.tag)?.attestations?.filter((a) => a.subject === node.image.digest);
    return { digest: node.image.digest, ...(attestations?.length ? { attestations } : {}) };
  }

  tagDetails(node: TagNode): TagDetails | undefined {
    return this.details.get(node.connectionId, node.repository, node.tag);
  }

  connection(connectionId: string): Promise<Connection> {
    const config = this.store.get(connectionId);
    if (!config) return Promise.reject(new Error(vscode.l10n.t('That registry is no longer connected.')));
    return this.connections.get(config);
  }

  /**
   * The node for a repository or tag, making sure it is on screen first: its folders page to
   * it, and a tag gets a window of one screen page around it (the tags before it are one
   * "earlier tags" row, neither shown nor fetched). Throws, in words for a person, when the
   * registry cannot be listed or the name is not (any more) in it.
   */
  async locate(connectionId: string, repository: string, tag?: string): Promise<Node | undefined> {
    const config = this.store.get(connectionId);
    if (!config) return undefined;
    await this.resetting.get(connectionId);
    const repos = this.repositories(config);
    if (repos.status !== 'ready') await this.loadRepositories(config, repos);
    while (!repos.byName(repository) && repos.hasMoreOnServer) {
      if (!(await repos.fetchMore())) break;
    }
    if (repos.status === 'error') throw repos.error;
    if (repos.byName(repository)) this.showRepository(config.id, repos, repository);
    if (!tag) return this.remember(new RepositoryNode(connectionId, repository));
    const tags = this.tags(config, repository);
    if (tags.status !== 'ready') await tags.load(undefined, tags.items.length);
    if (tags.status === 'error') throw tags.error;
    const view = this.tagView(connectionId, repository);
    await this.sorted(connectionId, repository, tags, view);
    let j = view.sorted.indexOf(tag);
    while (j < 0 && tags.hasMoreOnServer && (await tags.fetchMore())) {
      await this.sorted(connectionId, repository, tags, view);
      j = view.sorted.indexOf(tag);
    }
    if (j < 0) throw new Error(vscode.l10n.t('{0} has no tag “{1}” (any more).', repository, tag));
    view.window.focus(j);
    return this.remember(new TagNode(connectionId, repository, tag));
  }

  // ——— internals ———

  private tagCount(node: RepositoryNode): string | undefined {
    const tags = this.tagListings.get(repoKey(node.connectionId, node.name));
    if (tags?.status !== 'ready') return undefined;
    const n = tags.items.length;
    return tags.hasMoreOnServer || tags.truncated ? vscode.l10n.t('{0}+ tags', n) : n === 1 ? vscode.l10n.t('1 tag') : vscode.l10n.t('{0} tags', n);
  }

  private registryItem(node: RegistryNode): vscode.TreeItem {
    const c = node.config;
    const item = new vscode.TreeItem(c.name, vscode.TreeItemCollapsibleState.Collapsed);
    const isDefault = this.store.defaultId() === c.id;
    const listing = this.repoListings.get(c.id);
    const staleNote = listing?.stale && listing.cachedAt ? vscode.l10n.t('cached {0}, refreshing…', formatAge(new Date(listing.cachedAt).toISOString())) : undefined;
    // A registry under a path (Artifactory, Nexus) is known by where images are pulled from
    // (`HOST/KEY`, a connector port), not by its API's address, which the tooltip keeps.
    const pulledFrom = knownPullHost(c);
    const address = pulledFrom ?? c.url;
    item.description = joinFacts(isDefault ? vscode.l10n.t('default') : undefined, address !== c.name ? address : undefined, staleNote);
    item.tooltip = new vscode.MarkdownString(
      [`**${c.name}**`, '', pulledFrom ? `${vscode.l10n.t('Pulled from')}: ${pulledFrom}` : '', `${vscode.l10n.t('Address')}: ${c.url}`, `${vscode.l10n.t('Provider')}: ${c.provider}`, c.username ? `${vscode.l10n.t('User')}: ${c.username}` : '', c.insecure ? vscode.l10n.t('Insecure (TLS verification off)') : '']
        .filter(Boolean)
        .join('\n\n'),
    );
    item.iconPath = new vscode.ThemeIcon(isDefault ? 'star-full' : 'server');
    item.contextValue = isDefault ? 'registry.default' : 'registry';
    return withId(item, node);
  }

  private tagItem(node: TagNode): vscode.TreeItem {
    const d = this.details.get(node.connectionId, node.repository, node.tag);
    // The row's listing entry, from the sorted view's index (a 100,000-name index of the
    // listing itself would be built on the first row).
    const info = this.tagViews.get(repoKey(node.connectionId, node.repository))?.sorted.byName(node.tag);
    const subject = this.referrerSubject(node);
    const expandable = d?.isIndex || this.referrers.expandable(node, subject);
    const item = new vscode.TreeItem(node.tag, expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    const digest = d?.digest ?? info?.digest;
    const created = info?.created ?? d?.created;
    const size = info?.size ?? d?.size;
    // Most telling first, as the sidebar cuts the end off: age, digest, size.
    const platforms = d?.isIndex ? (d.platformsNotShown ? vscode.l10n.t('{0}+ platforms', d.platforms?.length ?? 0) : vscode.l10n.t('{0} platforms', d.platforms?.length ?? 0)) : undefined;
    // An index's size is its largest platform's (what one pull downloads at most).
    const sizeText = size === undefined ? undefined : d?.isIndex ? vscode.l10n.t('largest {0}', formatSize(size)) : formatSize(size);
    // A provider's own word on the artifact (Harbor: its type, scan summary, signatures) last.
    // What it is (a chart, a signature…) and what vouches for it (signed, SBOM) come first.
    const scan = this.scans.get(node.connectionId, info, digest);
    // Rows whose listing has every fact read no manifest: their kind is the listing's.
    const shown = d?.artifact || !info?.artifact ? d : { artifact: info.artifact };
    const artifact = joinFacts(artifactWord(shown), this.referrers.badges(node, subject), scanWord(scan));
    const failed = !d && !digest ? this.details.failure(node.connectionId, node.repository, node.tag) : undefined;
    item.description = digest || created || size !== undefined ? joinFacts(artifact, formatAge(created), shortDigest(digest), platforms, sizeText, info?.note) : failed ? vscode.l10n.t('details not read') : '…';
    const config = this.store.get(node.connectionId);
    const host = config ? registryHost(config) : '';
    const lines = [`**${host}/${node.repository}:${node.tag}**`, ''];
    if (digest) lines.push(`${vscode.l10n.t('Digest')}: \`${digest}\``);
    if (created) lines.push(`${vscode.l10n.t('Created')}: ${new Date(created).toLocaleString()} (${formatAge(created)})`);
    if (size !== undefined) lines.push(d?.isIndex ? vscode.l10n.t('Size: {0} (the largest platform image; each platform is pulled on its own)', formatSize(size)) : `${vscode.l10n.t('Size')}: ${formatSize(size)}`);
    if (d?.mediaType) lines.push(`${vscode.l10n.t('Media type')}: \`${d.mediaType}\``);
    if (d?.platforms?.length) lines.push(`${vscode.l10n.t('Platforms')}: ${d.platforms.map((p) => formatPlatform(p.platform)).join(', ')}`);
    if (d?.platformsNotShown) lines.push(vscode.l10n.t('{0} more images in this index are not shown.', d.platformsNotShown));
    if (info?.note) lines.push(info.note);
    if (failed) lines.push(vscode.l10n.t('Could not read this tag’s details: {0}. Refresh the repository to try again.', this.log.safe(failed.message)));
    lines.push(...artifactTooltip(shown), ...this.referrers.tooltip(node, subject), ...[scanTooltip(scan)].filter((l): l is string => !!l));
    item.tooltip = new vscode.MarkdownString(lines.join('\n\n'));
    item.iconPath = artifactIcon(shown) ?? (failed ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('editorWarning.foreground')) : new vscode.ThemeIcon(d?.isIndex ? 'layers' : 'tag'));
    item.contextValue = shown?.artifact ? `tag.${shown.artifact.kind}` : d?.isIndex ? 'tag.index' : 'tag';
    return withId(item, node);
  }

  private async registryChildren(config: ConnectionConfig, prefix: string): Promise<Node[]> {
    const listing = this.repositories(config);
    if (listing.status === 'idle') {
      if (!listing.items.length && !prefix) {
        const cached = await this.listingCache.read(config.id);
        if (cached?.names.length) listing.seed(cached.names.map((name) => ({ name })), cached.fetchedAt);
      }
      const loading = this.loadRepositories(config, listing);
      if (listing.stale || listing.items.length) {
        // Show what is known now (the cache, or the listing before a refresh); the reload replaces it.
        void loading.then(() => this.fireFor(config.id));
      } else {
        await withViewProgress(() => loading);
      }
    } else if (listing.status === 'loading' && !listing.stale && !listing.items.length) {
      await listing.load();
    }
    const id = config.id;
    if (listing.status === 'error' && !prefix) {
      return [this.remember(errorNode(id, undefined, listing.error)), ...this.repositoryNodes(id, listing, prefix)];
    }
    const nodes = this.repositoryNodes(id, listing, prefix);
    if (!prefix && listing.status === 'ready' && !listing.items.length) {
      nodes.push(this.remember(new MessageNode(id, undefined, vscode.l10n.t('No repositories'), vscode.l10n.t('The registry lists no repositories for these credentials. If it hides its catalog, add repository names to the connection.'), 'info', 'editConnection')));
    }
    return nodes;
  }

  /**
   * (Re)load a catalog: as many items as were loaded before (a refresh keeps what the user had),
   * then the rest of a catalog up to WHOLE_CATALOG in the background, so folders are whole.
   */
  private async loadRepositories(config: ConnectionConfig, listing: Listing<RepositoryInfo>): Promise<void> {
    await listing.load(undefined, listing.items.length);
    if (listing.status !== 'ready') return;
    // The cache write and the rest of the catalog once the first rows have painted: the
    // registry serving more pages, and this host taking them in, slowed that first paint.
    setTimeout(() => {
      // Gone meanwhile (disconnected, or memory cleared): nothing of it to keep.
      if (this.repoListings.get(config.id) !== listing || listing.status !== 'ready') return;
      void this.listingCache.write(config.id, listing.items.map((r) => r.name));
      if (!listing.hasMoreOnServer || listing.items.length >= WHOLE_CATALOG) return;
      const before = listing.items;
      void listing.ensure(WHOLE_CATALOG).then(
        () => {
          if (listing.items === before) return;
          void this.listingCache.write(config.id, listing.items.map((r) => r.name));
          this.fireFor(config.id);
        },
        (e: unknown) => this.log.debug(`${config.name}: catalog: ${this.log.safe(e)}`),
      );
    }, AFTER_FIRST_PAINT_MS).unref?.();
  }

  private repositoryNodes(connectionId: string, listing: Listing<RepositoryInfo>, prefix: string): Node[] {
    const level = this.folderIndex(listing).at(prefix);
    const total = level.folders.length + level.repositories.length;
    const shown = Math.min(total, this.paging(connectionId).get(prefix));
    const folders = level.folders.slice(0, shown);
    const repositories = level.repositories.slice(0, shown - folders.length);
    const nodes: Node[] = [
      ...folders.map((f) => this.remember(new FolderNode(connectionId, f))),
      ...repositories.map((r) => this.remember(new RepositoryNode(connectionId, r))),
    ];
    const index = this.folderIndex(listing);
    const serverMore = listing.hasMoreOnServer && (!prefix || !index.complete(prefix));
    if (shown < total || serverMore) {
      const remaining = shown < total ? vscode.l10n.t('{0} of {1} shown', shown, total) + (serverMore ? vscode.l10n.t(', more on the server') : '') : vscode.l10n.t('{0} shown, more on the server', shown);
      nodes.push(this.remember(new LoadMoreNode(connectionId, undefined, remaining, prefix)));
    }
    const cut = prefix ? undefined : truncatedRow(connectionId, undefined, listing);
    if (cut) nodes.push(this.remember(cut));
    return nodes;
  }

  private async tagChildren(node: RepositoryNode): Promise<Node[]> {
    const config = this.store.get(node.connectionId);
    if (!config) return [];
    const listing = this.tags(config, node.name);
    // The repository row learns its tag count ("300 tags") from the listing this call loads:
    // it is refreshed once, after the rows (coalesced with the first details). Refreshing an
    // expanded node drops its children's handles until the workbench asks again (changes.ts),
    // so it is once per load, not per page or per detail; the next call finds the listing
    // ready and does not fire again.
    const loadsHere = listing.status === 'idle' || listing.status === 'loading';
    if (loadsHere) await withViewProgress(() => listing.load(undefined, listing.items.length));
    if (listing.status === 'error') {
      // The catalog listed it, the tag list says it does not exist: every tag was deleted.
      if (isRegistryError(listing.error, 'notFound')) {
        return [this.remember(new MessageNode(node.connectionId, node.name, vscode.l10n.t('No tags'), vscode.l10n.t('The repository has no tags left (the registry answered: {0})', listing.error.message), 'info', 'none'))];
      }
      return [this.remember(errorNode(node.connectionId, node.name, listing.error))];
    }
    const view = this.tagView(node.connectionId, node.name);
    const sorting = this.sorted(node.connectionId, node.name, listing, view);
    const sorted = this.sortIsCurrent(listing, view) ? await sorting : await withViewProgress(() => sorting);
    const { start, end } = view.window.clamp(sorted.length);
    const visible = sorted.slice(start, end);
    const nodes: Node[] = [];
    if (start > 0) nodes.push(this.remember(new LoadMoreNode(node.connectionId, node.name, vscode.l10n.t('{0}–{1} of {2} shown', start + 1, end, sorted.length), '', 'earlier', start)));
    for (const t of visible) nodes.push(this.remember(new TagNode(node.connectionId, node.name, t.name)));
    if (!sorted.length) nodes.push(this.remember(new MessageNode(node.connectionId, node.name, vscode.l10n.t('No tags'), vscode.l10n.t('This repository has no tags.'), 'info', 'none')));
    if (end < sorted.length || listing.hasMoreOnServer) {
      const remaining = listing.hasMoreOnServer ? vscode.l10n.t('{0} shown, more on the server', end - start) : vscode.l10n.t('{0}–{1} of {2} shown', start + 1, end, sorted.length);
      nodes.push(this.remember(new LoadMoreNode(node.connectionId, node.name, remaining)));
    }
    if (settings().tagSort === 'date' && view.undated > 0 && sorted.length) {
      const text = view.undated === sorted.length ? vscode.l10n.t('No tag is dated yet') : vscode.l10n.t('{0} of {1} tags not dated yet', view.undated, sorted.length);
      const detail = vscode.l10n.t('Date order sorts by the dates known so far: a tag is dated once its row has been on screen (or the registry lists dates). Undated tags come after the dated ones.');
      nodes.push(this.remember(new MessageNode(node.connectionId, node.name, text, detail, 'info', 'none', 'undated')));
    }
    const cut = truncatedRow(node.connectionId, node.name, listing);
    if (cut) nodes.push(this.remember(cut));
    // Details for the rows on screen only: a window far down a long listing costs one page.
    const needDetails = missingFacts(visible).filter((t) => !this.details.get(node.connectionId, node.name, t) && !this.details.failure(node.connectionId, node.name, t));
    if (needDetails.length) void this.requestDetails(config, node.name, needDetails);
    void this.connections.get(config).then((conn) => this.scans.visible(conn, node.name, visible), () => undefined);
    if (loadsHere && listing.status === 'ready') this.fireFor(node.connectionId, node.name);
    return nodes;
  }

  private async requestDetails(config: ConnectionConfig, repository: string, tags: string[]): Promise<void> {
    const started = performance.now();
    let what = `${config.name}: details of ${tags.length} tag(s) of ${repository}`;
    try {
      const conn = await this.connections.get(config);
      what += conn.tagDetails ? ' (provider API)' : ' (registry)';
      this.log.debug(what);
      await this.details.request(conn, repository, tags);
    } catch (e) {
      this.log.warn(this.log.safe(e));
      return;
    }
    this.timed(what, performance.now() - started);
    // One line for the batch, not one per row: each failed row says it on screen too.
    const failed = tags.map((t) => this.details.failure(config.id, repository, t)).filter((f) => f !== undefined);
    if (failed.length) this.log.warn(`${config.name}: details of ${failed.length} of ${tags.length} tag(s) of ${repository} not read, e.g. ${this.log.safe(failed[0]!.message)}`);
  }

  private logPage(what: string, page: PageStats): void {
    this.timed(`${what}: ${page.first ? 'first page' : 'page'} of ${page.items}`, page.ms, page.more ? ', more on the server' : '');
  }

  /** "what in N ms": at debug level, at info when it was slow. */
  private timed(what: string, ms: number, after = ''): void {
    const line = `${what} in ${Math.round(ms)} ms${after}`;
    if (ms > SLOW_MS) this.log.info(line);
    else this.log.debug(line);
  }

  private folderIndex(listing: Listing<RepositoryInfo>): FolderIndex {
    let index = this.folderIndexes.get(listing.items);
    if (!index) {
      index = new FolderIndex(listing.items.map((r) => r.name));
      this.folderIndexes.set(listing.items, index);
    }
    return index;
  }

  private paging(connectionId: string): LevelPaging {
    let p = this.levels.get(connectionId);
    if (!p) {
      p = new LevelPaging(settings().pageSize);
      this.levels.set(connectionId, p);
    }
    return p;
  }

  /** Page every level on the way to a repository far enough to show it. */
  private showRepository(connectionId: string, listing: Listing<RepositoryInfo>, repository: string): void {
    const index = this.folderIndex(listing);
    const paging = this.paging(connectionId);
    const parts = repository.split('/');
    for (let i = 0; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      const level = index.at(prefix);
      const child = parts.slice(0, i + 1).join('/');
      const pos = i === parts.length - 1 ? level.folders.length + level.repositories.indexOf(child) : level.folders.indexOf(child);
      if (pos >= 0) paging.ensure(prefix, pos);
    }
  }

  private tagView(connectionId: string, repository: string): TagView {
    const k = repoKey(connectionId, repository);
    let view = this.tagViews.get(k);
    if (!view) {
      view = { window: new ScreenWindow(settings().pageSize), sorted: new SortedCache(), dates: 0, undated: 0 };
      this.tagViews.set(k, view);
    }
    return view;
  }

  /**
   * The listing in the tree's order, sorted again only when its items, the order or dates
   * changed, a slice at a time (100,000 tags must not hold up the extension host).
   */
  private sorted(connectionId: string, repository: string, listing: Listing<TagInfo>, view: TagView): Promise<readonly TagInfo[]> {
    const { order, version } = sortInputs(view);
    const known = this.details.ofRepository(connectionId, repository);
    const dateOf = known ? (t: TagInfo) => t.created ?? known.get(t.name)?.created : (t: TagInfo) => t.created;
    return view.sorted.get(listing.items, order, version, async (items, stale) => {
      const started = performance.now();
      const out = await orderTagsSliced(items, order, dateOf, stale);
      view.undated = out.undated;
      this.timed(`sorted ${items.length} tags of ${repository} (${order})`, performance.now() - started);
      return out.tags;
    });
  }

  private sortIsCurrent(listing: Listing<TagInfo>, view: TagView): boolean {
    const { order, version } = sortInputs(view);
    return view.sorted.current(listing.items, order, version);
  }

  private emit(nodes: Node[] | undefined): void {
    if (!this.held) return this.changed.fire(nodes);
    if (!nodes) this.held.all = true;
    else if (!this.held.all) for (const n of nodes) this.held.nodes.set(n.id, n);
  }

  private fireFor(connectionId: string, repository?: string): void {
    const node = repository ? this.nodes.get(new RepositoryNode(connectionId, repository).id) : this.nodes.get(`r:${connectionId}`);
    this.batch.add(node);
  }

  private remember<N extends Node>(node: N): N {
    const existing = this.nodes.get(node.id) as N | undefined;
    if (existing && existing.kind !== 'registry' && existing.kind !== 'loadMore' && existing.kind !== 'message' && existing.kind !== 'platform') return existing;
    this.nodes.set(node.id, node);
    return node;
  }

  dispose(): void {
    this.batch.dispose();
    this.changed.dispose();
    this.refreshed.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}

type TreeSettings = { pageSize: number; tagSort: TagSort; concurrency: number; showSignatureTags: boolean };
let settingsRead: TreeSettings | undefined;
let settingsWatched = false;

/**
 * The tree's settings, read once until one of them changes: every tag row asks (a
 * getConfiguration per row was a tenth of a millisecond, 100 rows at a time).
 */
export function settings(): TreeSettings {
  if (!settingsWatched) {
    settingsWatched = true;
    // Fired as the extension host takes the new values in, before anyone can read them.
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('registryExplorer')) settingsRead = undefined;
    });
  }
  return (settingsRead ??= readSettings());
}

function readSettings(): TreeSettings {
  const c = vscode.workspace.getConfiguration('registryExplorer');
  return {
    pageSize: Math.max(10, Math.min(5000, c.get<number>('pageSize', 100))),
    tagSort: c.get<TagSort>('tagSort', 'semver'),
    concurrency: Math.max(1, Math.min(64, c.get<number>('maxConcurrentRequests', 16))),
    showSignatureTags: c.get<boolean>('showSignatureTags', false),
  };
}

/** The reference prefix of a connection's images (its pull host: see providers/pullHost.ts). */
export function registryHost(config: ConnectionConfig): string {
  return pullHost(config);
}

/** What a repository's sorted order depends on besides its items: the order, and the dates it knows (name order uses none). */
function sortInputs(view: TagView): { order: TagSort; version: number } {
  const order = settings().tagSort;
  return { order, version: order === 'name' ? 0 : view.dates };
}

function repoKey(connectionId: string, repository: string): string {
  return `${connectionId}\n${repository}`;
}

function withId(item: vscode.TreeItem, node: Node): vscode.TreeItem {
  item.id = node.id;
  return item;
}

function actionCommand(action: MessageAction): string | undefined {
  switch (action) {
    case 'retry':
      return 'registryExplorer.retry';
    case 'reconnect':
    case 'editConnection':
      return 'registryExplorer.editConnection';
    default:
      return undefined;
  }
}

export function errorNode(connectionId: string, repository: string | undefined, error: unknown): MessageNode {
  const e = isRegistryError(error) ? error : undefined;
  const detail = error instanceof Error ? error.message : String(error);
  const head = (err: RegistryError | undefined): [string, MessageAction] => {
    switch (err?.kind) {
      case 'unauthorized':
        return [vscode.l10n.t('Unauthorized — Reconnect'), 'reconnect'];
      case 'forbidden':
        return [vscode.l10n.t('Access denied — Reconnect'), 'reconnect'];
      case 'tls':
        return [vscode.l10n.t('Certificate not trusted — Edit connection (add CA / allow insecure)'), 'editConnection'];
      case 'insecure':
      case 'invalid':
        return [vscode.l10n.t('Connection settings refused — Edit connection'), 'editConnection'];
      case 'rateLimited':
        return [err.resetAt ? vscode.l10n.t('Rate limited until {0} — Retry', err.resetAt.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })) : vscode.l10n.t('Rate limited — Retry'), 'retry'];
      case 'notFound':
        return [repository ? vscode.l10n.t('Repository not found — Retry') : vscode.l10n.t('No catalog — Edit connection to add repository names'), repository ? 'retry' : 'editConnection'];
      case 'timeout':
        return [vscode.l10n.t('Timed out — Retry'), 'retry'];
      case 'protocol':
        return [vscode.l10n.t('Registry answered unexpectedly — Retry'), 'retry'];
      default:
        return [vscode.l10n.t('Unreachable — Retry'), 'retry'];
    }
  };
  const [text, action] = head(e);
  return new MessageNode(connectionId, repository, text, detail, 'error', action);
}

/** How long a load runs before the view shows its progress bar. */
const PROGRESS_AFTER_MS = 150;

/**
 * The view's progress bar for a load that takes a while. One that ends sooner shows none: the
 * tree already marks the row it is expanding, a bar that only flashes tells nothing, and
 * starting one (a message to the workbench, its first render in the window) delayed the rows it
 * waited for (bench/vscode).
 */
async function withViewProgress<T>(task: () => Promise<T>): Promise<T> {
  const work = task();
  let settled = false;
  const timer = setTimeout(() => {
    if (!settled) void vscode.window.withProgress({ location: { viewId: VIEW_ID } }, () => work.then(() => undefined, () => undefined));
  }, PROGRESS_AFTER_MS);
  try {
    return await work;
  } finally {
    settled = true;
    clearTimeout(timer);
  }
}
