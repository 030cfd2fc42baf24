// The Registries view: registry → namespace folders → repository → tag → platforms.
// Children come one screen page at a time with a "Load more" node; errors are nodes with the
// action that fixes them; tag facts arrive lazily and refresh only their own rows.

import * as vscode from 'vscode';
import type { Connection, ConnectionConfig, RepositoryInfo, TagInfo } from '../../providers/provider';
import { isRegistryError, type RegistryError } from '../../registry/errors';
import { formatPlatform } from '../../registry/manifest';
import type { ConnectionManager } from '../connections';
import type { Log } from '../log';
import type { ConnectionStore } from '../store';
import { TagDetailsLoader, type DigestCache, type TagDetails } from './details';
import { formatAge, formatSize, joinFacts, shortDigest } from './format';
import { ChangeBatcher } from './changes';
import { Listing } from './listing';
import { countUnder, levelOf } from './namespaces';
import { FolderNode, LoadMoreNode, MessageNode, PlatformNode, RegistryNode, RepositoryNode, TagNode, type MessageAction, type Node } from './nodes';
import type { ListingCache } from './persist';
import { sortTags, type TagSort } from './sort';
import { truncatedRow } from './truncated';

const VIEW_ID = 'registryExplorer.registries';

export class RegistryTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly batch = new ChangeBatcher<Node>((nodes) => this.changed.fire(nodes));
  private readonly repoListings = new Map<string, Listing<RepositoryInfo>>();
  private readonly tagListings = new Map<string, Listing<TagInfo>>();
  private readonly nodes = new Map<string, Node>();
  readonly details: TagDetailsLoader;
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
        onDetails: (connectionId, repository, tag) => {
          const node = this.nodes.get(new TagNode(connectionId, repository, tag).id);
          if (node) this.batch.add(node);
        },
        onError: (connectionId, repository, tag, e) => this.log.debug(`details of ${repository}:${tag} on ${connectionId}: ${this.log.safe(e)}`),
      },
      settings().concurrency,
    );
    this.subscriptions.push(
      store.onDidChange(() => this.batch.add(undefined)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('registryExplorer.tagSort')) this.batch.add(undefined);
        if (e.affectsConfiguration('registryExplorer.pageSize')) this.refreshAll();
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
        const n = listing ? countUnder(listing.visible().map((r) => r.name), node.path) : 0;
        item.description = n === 1 ? vscode.l10n.t('1 repository') : n ? vscode.l10n.t('{0} repositories', n) : undefined;
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
      case 'platform': {
        const p = node.image;
        const item = new vscode.TreeItem(formatPlatform(p.platform), vscode.TreeItemCollapsibleState.None);
        item.description = joinFacts(shortDigest(p.digest), formatSize(p.size), formatAge(p.created));
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
        const item = new vscode.TreeItem(vscode.l10n.t('Load more…'), vscode.TreeItemCollapsibleState.None);
        item.description = node.remaining;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.command = { command: 'registryExplorer.loadMore', title: vscode.l10n.t('Load more'), arguments: [node] };
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
  resolveTreeItem(item: vscode.TreeItem, node: Node): vscode.TreeItem {
    if (node.kind === 'repository') {
      const count = this.tagCount(node);
      item.tooltip = count ? `${node.name}\n${count}` : node.name;
    }
    return item;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      const defaultId = this.store.defaultId();
      return this.store
        .list()
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
        return (d?.platforms ?? []).map((p) => this.remember(new PlatformNode(node.connectionId, node.repository, node.tag, p)));
      }
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
      case 'platform':
        return this.remember(new TagNode(node.connectionId, node.repository, node.tag));
      case 'loadMore':
      case 'message':
        if (node.repository) return this.remember(new RepositoryNode(node.connectionId, node.repository));
        return parentOfPath(node.connectionId, '');
    }
  }

  // ——— actions the commands call ———

  async loadMore(node: LoadMoreNode): Promise<void> {
    const listing = node.repository ? this.tagListings.get(repoKey(node.connectionId, node.repository)) : this.repoListings.get(node.connectionId);
    if (!listing) return;
    await withViewProgress(async () => {
      try {
        await listing.loadMore();
      } catch (e) {
        void vscode.window.showErrorMessage(vscode.l10n.t('Could not load more: {0}', this.log.safe(e)));
      }
    });
    this.fireFor(node.connectionId, node.repository);
  }

  refresh(connectionId?: string, repository?: string): void {
    if (!connectionId) return this.refreshAll();
    if (repository) {
      this.tagListings.get(repoKey(connectionId, repository))?.reset();
      this.details.forget(connectionId, repository);
      this.fireFor(connectionId, repository);
      return;
    }
    this.repoListings.get(connectionId)?.reset();
    for (const [k, l] of this.tagListings) if (k.startsWith(`${connectionId}\n`)) l.reset();
    this.details.forget(connectionId);
    void this.connections.reset(connectionId).then(() => this.fireFor(connectionId));
  }

  /** Re-render without reloading (after `locate` moved what is on screen). */
  redraw(): void {
    // Now, not batched: the caller reveals a node right after.
    this.batch.add(undefined);
    this.batch.flush();
  }

  refreshAll(): void {
    this.repoListings.clear();
    this.tagListings.clear();
    void this.connections.resetAll().then(() => this.batch.add(undefined));
  }

  /** Forget everything about a removed connection. */
  forget(connectionId: string): void {
    this.repoListings.delete(connectionId);
    for (const k of [...this.tagListings.keys()]) if (k.startsWith(`${connectionId}\n`)) this.tagListings.delete(k);
    this.details.forget(connectionId);
    void this.listingCache.remove(connectionId);
  }

  /** Repository listing of a registry (Find uses it). */
  repositories(config: ConnectionConfig): Listing<RepositoryInfo> {
    let listing = this.repoListings.get(config.id);
    if (!listing) {
      listing = new Listing<RepositoryInfo>(async (signal) => (await this.connections.get(config)).listRepositories(signal), settings().pageSize);
      this.repoListings.set(config.id, listing);
    }
    return listing;
  }

  tags(config: ConnectionConfig, repository: string): Listing<TagInfo> {
    const k = repoKey(config.id, repository);
    let listing = this.tagListings.get(k);
    if (!listing) {
      listing = new Listing<TagInfo>(async (signal) => (await this.connections.get(config)).listTags(repository, signal), settings().pageSize);
      this.tagListings.set(k, listing);
    }
    return listing;
  }

  tagDetails(node: TagNode): TagDetails | undefined {
    return this.details.get(node.connectionId, node.repository, node.tag);
  }

  connection(connectionId: string): Promise<Connection> {
    const config = this.store.get(connectionId);
    if (!config) return Promise.reject(new Error(vscode.l10n.t('That registry is no longer connected.')));
    return this.connections.get(config);
  }

  /** The node for a repository or tag, making sure it is on screen first. */
  async locate(connectionId: string, repository: string, tag?: string): Promise<Node | undefined> {
    const config = this.store.get(connectionId);
    if (!config) return undefined;
    const repos = this.repositories(config);
    const i = repos.items.findIndex((r) => r.name === repository);
    if (i >= 0) repos.showIndex(i);
    if (!tag) return this.remember(new RepositoryNode(connectionId, repository));
    const tags = this.tags(config, repository);
    if (tags.status !== 'ready') await tags.load();
    const sorted = sortTags(tags.items, settings().tagSort, (t) => t.created ?? this.details.get(connectionId, repository, t.name)?.created);
    const j = sorted.findIndex((t) => t.name === tag);
    if (j >= 0) tags.showIndex(j);
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
    item.description = joinFacts(isDefault ? vscode.l10n.t('default') : undefined, c.url !== c.name ? c.url : undefined, staleNote);
    item.tooltip = new vscode.MarkdownString(
      [`**${c.name}**`, '', `${vscode.l10n.t('Address')}: ${c.url}`, `${vscode.l10n.t('Provider')}: ${c.provider}`, c.username ? `${vscode.l10n.t('User')}: ${c.username}` : '', c.insecure ? vscode.l10n.t('Insecure (TLS verification off)') : '']
        .filter(Boolean)
        .join('\n\n'),
    );
    item.iconPath = new vscode.ThemeIcon(isDefault ? 'star-full' : 'server');
    item.contextValue = isDefault ? 'registry.default' : 'registry';
    return withId(item, node);
  }

  private tagItem(node: TagNode): vscode.TreeItem {
    const d = this.details.get(node.connectionId, node.repository, node.tag);
    const listing = this.tagListings.get(repoKey(node.connectionId, node.repository));
    const info = listing?.byName(node.tag);
    const item = new vscode.TreeItem(node.tag, d?.isIndex ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    const digest = d?.digest ?? info?.digest;
    const created = info?.created ?? d?.created;
    const size = info?.size ?? d?.size;
    item.description = digest || created || size !== undefined ? joinFacts(shortDigest(digest), formatAge(created), formatSize(size), d?.isIndex ? (d.platformsNotShown ? vscode.l10n.t('{0}+ platforms', d.platforms?.length ?? 0) : vscode.l10n.t('{0} platforms', d.platforms?.length ?? 0)) : undefined) : '…';
    const config = this.store.get(node.connectionId);
    const host = config ? registryHost(config) : '';
    const lines = [`**${host}/${node.repository}:${node.tag}**`, ''];
    if (digest) lines.push(`${vscode.l10n.t('Digest')}: \`${digest}\``);
    if (created) lines.push(`${vscode.l10n.t('Created')}: ${new Date(created).toLocaleString()} (${formatAge(created)})`);
    if (size !== undefined) lines.push(`${vscode.l10n.t('Size')}: ${formatSize(size)}`);
    if (d?.mediaType) lines.push(`${vscode.l10n.t('Media type')}: \`${d.mediaType}\``);
    if (d?.platforms?.length) lines.push(`${vscode.l10n.t('Platforms')}: ${d.platforms.map((p) => formatPlatform(p.platform)).join(', ')}`);
    if (d?.platformsNotShown) lines.push(vscode.l10n.t('{0} more images in this index are not shown.', d.platformsNotShown));
    item.tooltip = new vscode.MarkdownString(lines.join('\n\n'));
    item.iconPath = new vscode.ThemeIcon(d?.isIndex ? 'layers' : 'tag');
    item.contextValue = d?.isIndex ? 'tag.index' : 'tag';
    return withId(item, node);
  }

  private async registryChildren(config: ConnectionConfig, prefix: string): Promise<Node[]> {
    const listing = this.repositories(config);
    if (listing.status === 'idle') {
      if (!listing.items.length && !prefix) {
        const cached = await this.listingCache.read(config.id);
        if (cached?.names.length) listing.seed(cached.names.map((name) => ({ name })), cached.fetchedAt);
      }
      const loading = listing.load().then(() => {
        if (listing.status === 'ready') void this.listingCache.write(config.id, listing.items.map((r) => r.name));
      });
      if (listing.stale) {
        // Show the cached listing now; the refresh replaces it when it returns.
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

  private repositoryNodes(connectionId: string, listing: Listing<RepositoryInfo>, prefix: string): Node[] {
    const names = listing.visible().map((r) => r.name);
    const level = levelOf(names, prefix);
    const nodes: Node[] = [
      ...level.folders.map((f) => this.remember(new FolderNode(connectionId, f))),
      ...level.repositories.map((r) => this.remember(new RepositoryNode(connectionId, r))),
    ];
    if (!prefix && listing.hasMore) {
      const remaining = listing.hasMoreOnServer ? vscode.l10n.t('{0} shown, more on the server', names.length) : vscode.l10n.t('{0} of {1} shown', names.length, listing.items.length);
      nodes.push(this.remember(new LoadMoreNode(connectionId, undefined, remaining)));
    }
    const cut = prefix ? undefined : truncatedRow(connectionId, undefined, listing);
    if (cut) nodes.push(this.remember(cut));
    return nodes;
  }

  private async tagChildren(node: RepositoryNode): Promise<Node[]> {
    const config = this.store.get(node.connectionId);
    if (!config) return [];
    const listing = this.tags(config, node.name);
    if (listing.status === 'idle' || listing.status === 'loading') {
      // No refresh of the repository row for its new tag count: refreshing an expanded node
      // drops its children's handles until the workbench asks again, and a context-menu command
      // in that window gets no node. The count shows on the next render and in the tooltip.
      await withViewProgress(() => listing.load());
    }
    if (listing.status === 'error') {
      // The catalog listed it, the tag list says it does not exist: every tag was deleted.
      if (isRegistryError(listing.error, 'notFound')) {
        return [this.remember(new MessageNode(node.connectionId, node.name, vscode.l10n.t('No tags'), vscode.l10n.t('The repository has no tags left (the registry answered: {0})', listing.error.message), 'info', 'none'))];
      }
      return [this.remember(errorNode(node.connectionId, node.name, listing.error))];
    }
    const s = settings();
    const sorted = sortTags(listing.items, s.tagSort, (t) => t.created ?? this.details.get(node.connectionId, node.name, t.name)?.created);
    const visible = sorted.slice(0, listing.shown);
    const nodes: Node[] = visible.map((t) => this.remember(new TagNode(node.connectionId, node.name, t.name)));
    if (!visible.length) nodes.push(this.remember(new MessageNode(node.connectionId, node.name, vscode.l10n.t('No tags'), vscode.l10n.t('This repository has no tags.'), 'info', 'none')));
    if (listing.hasMore) {
      const remaining = listing.hasMoreOnServer ? vscode.l10n.t('{0} shown, more on the server', visible.length) : vscode.l10n.t('{0} of {1} shown', visible.length, listing.items.length);
      nodes.push(this.remember(new LoadMoreNode(node.connectionId, node.name, remaining)));
    }
    const cut = truncatedRow(node.connectionId, node.name, listing);
    if (cut) nodes.push(this.remember(cut));
    const needDetails = visible.filter((t) => !(t.digest && t.created && t.size !== undefined)).map((t) => t.name);
    if (needDetails.length) {
      void this.connections.get(config).then((conn) => this.details.request(conn, node.name, needDetails), (e: unknown) => this.log.warn(this.log.safe(e)));
    }
    return nodes;
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
    for (const s of this.subscriptions) s.dispose();
  }
}

export function settings(): { pageSize: number; tagSort: TagSort; concurrency: number } {
  const c = vscode.workspace.getConfiguration('registryExplorer');
  return {
    pageSize: Math.max(10, Math.min(5000, c.get<number>('pageSize', 100))),
    tagSort: c.get<TagSort>('tagSort', 'semver'),
    concurrency: Math.max(1, Math.min(64, c.get<number>('maxConcurrentRequests', 16))),
  };
}

export function registryHost(config: ConnectionConfig): string {
  return config.url.replace(/^https?:\/\//, '').replace(/\/+$/, '');
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

async function withViewProgress<T>(task: () => Promise<T>): Promise<T> {
  return vscode.window.withProgress({ location: { viewId: VIEW_ID } }, task);
}
