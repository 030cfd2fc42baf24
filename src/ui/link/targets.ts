// What to link: from a tree node, from a typed reference, or picked registry → repository → tag
// from the tree's listings (the palette path).

import * as vscode from 'vscode';
import type { ConnectionConfig } from '../../providers/provider';
import { repositoryOf, splitPullHost } from '../../providers/pullHost';
import { isTag, isValidRepository, parseReference } from '../../registry/reference';
import type { Listing } from '../tree/listing';
import type { Node } from '../tree/nodes';
import { registryHost, settings as treeSettings } from '../tree/provider';
import { formatAge, joinFacts, shortDigest } from '../tree/format';
import { sortTags } from '../tree/sort';
import type { LinkContext, LinkTarget } from './flow';

/** The registry host images of a connection are written with: `ghcr.io`, `127.0.0.1:5000`. */
export async function hostOf(lctx: LinkContext, config: ConnectionConfig): Promise<string> {
  try {
    return (await lctx.tree.connection(config.id)).registryHost;
  } catch {
    return registryHost(config);
  }
}

/**
 * The connected registry that serves an image reference, and the repository it names there:
 * a pull host with a path (`acme.jfrog.io/docker-local`) takes that path off the repository.
 */
export function connectionForImage(lctx: Pick<LinkContext, 'store'>, registry: string, repository: string): { config: ConnectionConfig; repository: string } | undefined {
  const defaultId = lctx.store.defaultId();
  const hits = lctx.store.list().flatMap((config) => {
    const inside = repositoryOf(config, registry, repository);
    return inside === undefined ? [] : [{ config, repository: inside }];
  });
  return hits.find((h) => h.config.id === defaultId) ?? hits[0];
}

export async function targetFromNode(lctx: LinkContext, node: Node): Promise<LinkTarget | undefined> {
  if (node.kind !== 'tag' && node.kind !== 'platform') return undefined;
  const config = lctx.store.get(node.connectionId);
  if (!config) return undefined;
  // As Docker reads the reference: a pull host's path belongs to the repository.
  const { registry, repository } = splitPullHost(await hostOf(lctx, config), node.repository);
  return {
    registry,
    repository,
    tag: node.tag,
    // A platform is linked by its own manifest's digest.
    ...(node.kind === 'platform' ? { digest: node.image.digest } : {}),
    connectionId: config.id,
  };
}

/** A typed reference (`parseReference`), with the connection that serves it when there is one. */
export function targetFromText(lctx: LinkContext, text: string): LinkTarget {
  const ref = parseReference(text);
  const hit = connectionForImage(lctx, ref.registry, ref.repository);
  return { ...ref, ...(hit ? { connectionId: hit.config.id } : {}) };
}

function parseOrError(text: string): string | undefined {
  try {
    parseReference(text);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Shows `qp` and resolves with the accepted item (or undefined when hidden). */
function accepted<I extends vscode.QuickPickItem>(qp: vscode.QuickPick<I>, valid: (i: I) => boolean = () => true): Promise<I | undefined> {
  return new Promise((resolve) => {
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0] ?? qp.activeItems[0];
      if (item && valid(item)) {
        resolve(item);
        qp.hide();
      }
    });
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
}

interface RegistryItem extends vscode.QuickPickItem {
  config?: ConnectionConfig;
  typed?: string;
  invalid?: boolean;
}

/** Palette path: registry (or a typed reference) → repository → tag. */
export async function pickTarget(lctx: LinkContext): Promise<LinkTarget | undefined> {
  const configs = lctx.store.list();
  const qp = vscode.window.createQuickPick<RegistryItem>();
  qp.title = vscode.l10n.t('Link Image into Deploy Config');
  qp.placeholder = configs.length
    ? vscode.l10n.t('Pick a registry, or type an image reference (registry/repository:tag)')
    : vscode.l10n.t('Type an image reference (registry/repository:tag), or connect a registry first');
  const base: RegistryItem[] = configs.map((c) => ({ label: c.name, description: registryHost(c), iconPath: new vscode.ThemeIcon('server'), config: c }));
  qp.items = base;
  qp.onDidChangeValue((value) => {
    const t = value.trim();
    if (!t || !/[/:@.]/.test(t)) {
      qp.items = base;
      return;
    }
    const problem = parseOrError(t);
    const typed: RegistryItem = problem
      ? { label: `$(error) ${problem}`, alwaysShow: true, invalid: true }
      : { label: vscode.l10n.t('Link {0}', t), description: vscode.l10n.t('typed image reference'), iconPath: new vscode.ThemeIcon('link'), alwaysShow: true, typed: t };
    qp.items = [typed, ...base];
  });
  const first = await accepted(qp, (i) => !i.invalid);
  qp.dispose();
  if (!first) return undefined;
  if (first.typed) return targetFromText(lctx, first.typed);
  const config = first.config!;

  const repository = await pickRepository(lctx, config);
  if (!repository) return undefined;
  const tag = await pickTag(lctx, config, repository);
  if (!tag) return undefined;
  return { ...splitPullHost(await hostOf(lctx, config), repository), tag, connectionId: config.id };
}

interface NameItem extends vscode.QuickPickItem {
  name: string;
}

interface ListedPick<T extends { name: string }> {
  title: string;
  placeholder: string;
  /** The listing's rows, in the order to show them. */
  rows(items: readonly T[]): NameItem[];
  /** Whether a typed name that is not listed may be used (shown first, with `notListed`). */
  valid(typed: string): boolean;
  notListed: string;
  /** After the last page (the listing may have ended in error). */
  loaded?(qp: vscode.QuickPick<NameItem>): void;
  /** What the debug log calls the listing when loading throws. */
  what: string;
}

/**
 * A QuickPick over a tree listing that fills in as pages arrive; a typed name that is not
 * listed (yet) can be used too. Leaving the pick stops the loading.
 */
async function pickListed<T extends { name: string }>(lctx: LinkContext, listing: Listing<T>, o: ListedPick<T>): Promise<string | undefined> {
  const qp = vscode.window.createQuickPick<NameItem>();
  qp.title = o.title;
  qp.placeholder = o.placeholder;
  const ac = new AbortController();
  const update = () => {
    const items = o.rows(listing.items);
    const typed = qp.value.trim();
    if (typed && o.valid(typed) && !listing.items.some((i) => i.name === typed)) {
      items.unshift({ label: typed, description: o.notListed, alwaysShow: true, name: typed });
    }
    qp.items = items;
  };
  qp.onDidChangeValue(update);
  update();
  qp.busy = true;
  void listing
    .loadAll(ac.signal, update)
    .then(() => o.loaded?.(qp))
    .catch((e: unknown) => lctx.log.debug(`link: ${o.what}: ${lctx.log.safe(e)}`))
    .finally(() => {
      update();
      qp.busy = false;
    });
  const picked = await accepted(qp);
  ac.abort();
  qp.dispose();
  return picked?.name;
}

function pickRepository(lctx: LinkContext, config: ConnectionConfig): Promise<string | undefined> {
  const listing = lctx.tree.repositories(config);
  return pickListed(lctx, listing, {
    title: vscode.l10n.t('Link Image into Deploy Config: repository in {0}', config.name),
    placeholder: vscode.l10n.t('Pick a repository (or type its name)'),
    rows: (repos) => repos.map((r) => ({ label: r.name, iconPath: new vscode.ThemeIcon('package'), name: r.name })),
    valid: isValidRepository,
    notListed: vscode.l10n.t('not listed; use this name'),
    loaded: (qp) => {
      if (listing.status === 'error') qp.placeholder = vscode.l10n.t('Could not list repositories ({0}); type the repository name', lctx.log.safe(listing.error));
    },
    what: `repositories of ${config.name}`,
  });
}

function pickTag(lctx: LinkContext, config: ConnectionConfig, repository: string): Promise<string | undefined> {
  const details = (name: string) => lctx.tree.details.get(config.id, repository, name);
  return pickListed(lctx, lctx.tree.tags(config, repository), {
    title: vscode.l10n.t('Link Image into Deploy Config: tag of {0}', repository),
    placeholder: vscode.l10n.t('Pick a tag (or type one)'),
    rows: (tags) =>
      sortTags(tags, treeSettings().tagSort, (t) => t.created ?? details(t.name)?.created).map((t) => {
        const d = details(t.name);
        return { label: t.name, description: joinFacts(shortDigest(t.digest ?? d?.digest), formatAge(t.created ?? d?.created)) || undefined, iconPath: new vscode.ThemeIcon('tag'), name: t.name };
      }),
    valid: isTag,
    notListed: vscode.l10n.t('not listed; use this tag'),
    what: `tags of ${repository}`,
  });
}
