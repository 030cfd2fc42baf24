// Find: a QuickPick over every repository (and loaded tag) the tree knows, which keeps asking
// the servers for more pages while it is open, then reveals the pick in the tree. The picker is
// given the best few hundred matches of what was typed, never everything (matching happens in
// tree/search.ts), so it stays interactive with 100,000 tags loaded. A catalog cut short (a
// limit, a paging loop) is said in the picker's title: a name missing from the list may still
// exist. A pick that cannot be shown says why. Loaded on the command's first use (find.ts; in
// the bundle dist/find.js), not at activation.

import * as vscode from 'vscode';
import type { ConnectionConfig } from '../../providers/provider';
import { revealNode } from '../tree/reveal';
import { rankSources, splitQuery, type RankSource } from '../tree/search';
import { truncationNote } from '../tree/truncated';
import type { CommandContext } from './context';

/** At most this many rows at a time; "more matches" adds as many again. */
const ROWS = 300;
/** A reveal that has not finished by then is reported rather than left hanging. */

/** What Find reveals; also the command's argument, to reveal without the picker. */
export interface FindTarget {
  connectionId: string;
  repository: string;
  tag?: string;
}

interface FindItem extends vscode.QuickPickItem {
  target?: FindTarget;
  /** The "more matches" row. */
  more?: boolean;
}

interface Candidate {
  name: string;
  config: ConnectionConfig;
  repository: string;
  tag?: string;
}

/** The command: the picker, or with a target straight to the reveal. */
export async function find(ctx: CommandContext, target?: FindTarget): Promise<unknown> {
  if (target?.connectionId && target.repository) return reveal(ctx, target);
  const { store, tree } = ctx;
  const configs = store.list();
  if (!configs.length) return vscode.commands.executeCommand('registryExplorer.connect');
  const qp = vscode.window.createQuickPick<FindItem>();
  qp.placeholder = vscode.l10n.t('Find a repository or tag (repository:tag)');
  // We match and order; VS Code only shows. Every row is `alwaysShow` so its own filter hides
  // nothing, and tag rows are labelled by the tag alone so it leaves their order alone.
  qp.matchOnDescription = false;
  qp.matchOnDetail = false;
  const ac = new AbortController();
  let limit = ROWS;
  const several = configs.length > 1;

  // What is searched: lists the tree already holds, each with where its items come from. No
  // object per item (20,000 repositories, 100,000 tags) is made per keystroke or catalog page.
  interface Origin {
    config: ConnectionConfig;
    /** Set for a list of one repository's tags. */
    repository?: string;
  }
  type Named = { name: string };
  const tagSource = (c: ConnectionConfig, repository: string, withRepository: boolean): [RankSource<Named>, Origin] => [
    { items: tree.sortedTags(c.id, repository), text: withRepository ? (t) => `${repository}:${t.name}` : (t) => t.name },
    { config: c, repository },
  ];

  const build = (): FindItem[] => {
    const q = splitQuery(qp.value);
    const lists: [RankSource<Named>, Origin][] = [];
    if (q.tag !== undefined) {
      // `repo:tag`: that repository's tags, in the tree's order, the typed tag text first.
      for (const c of configs) if (tree.repositories(c).byName(q.repository)) lists.push(tagSource(c, q.repository, false));
    } else {
      // Registry by registry, each in its catalog's order: equally good matches keep it.
      for (const c of configs) lists.push([{ items: tree.repositories(c).items, text: (r) => r.name }, { config: c }]);
      // Only the tag listings that exist: asking tree.tags() for each of 20,000 repositories
      // would create (and keep) a listing for every one, on every keystroke.
      if (q.repository) for (const c of configs) for (const repository of tree.loadedTagRepositories(c.id)) lists.push(tagSource(c, repository, true));
    }
    const hits = rankSources(
      lists.map(([source]) => source),
      q.tag ?? q.repository,
      limit,
    );
    const ranked = {
      more: hits.more,
      items: hits.items.map(({ source, item }): Candidate => {
        const { config, repository } = lists[source]![1];
        return repository === undefined ? { name: item.name, config, repository: item.name } : { name: item.name, config, repository, tag: item.name };
      }),
    };
    const items: FindItem[] = ranked.items.map((c) => ({
      label: c.tag ?? c.name,
      description: c.tag !== undefined ? (several ? `${c.repository} · ${c.config.name}` : c.repository) : c.config.name,
      iconPath: new vscode.ThemeIcon(c.tag === undefined ? 'package' : 'tag'),
      alwaysShow: true,
      target: { connectionId: c.config.id, repository: c.repository, ...(c.tag !== undefined ? { tag: c.tag } : {}) },
    }));
    if (ranked.more > 0) items.push({ label: vscode.l10n.t('$(ellipsis) {0} more matches — show more', ranked.more), alwaysShow: true, more: true });
    return items;
  };
  const same = (a: FindItem, b: FindItem) => !!a.target && !!b.target && a.target.connectionId === b.target.connectionId && a.target.repository === b.target.repository && a.target.tag === b.target.tag;
  // `top`: the user typed, so the best match is the active row; otherwise (pages arriving)
  // the row the user moved to stays active.
  const update = (top = false): void => {
    const active = qp.activeItems[0];
    qp.items = build();
    const keep = !top && active ? qp.items.find((i) => same(i, active)) : undefined;
    qp.activeItems = keep ? [keep] : qp.items.slice(0, 1);
  };
  update(true);
  qp.busy = true;
  qp.show();

  // Ask every registry for the rest of its catalog while the picker is open.
  const loadAll = (c: ConnectionConfig) =>
    tree
      .repositories(c)
      .loadAll(ac.signal, () => update())
      .catch((e: unknown) => ctx.log.debug(`find: ${c.name}: ${ctx.log.safe(e)}`));
  void Promise.all(configs.map(loadAll)).then(() => {
    if (ac.signal.aborted) return;
    update();
    qp.busy = false;
    const cut = configs.flatMap((c) => {
      const listing = tree.repositories(c);
      return listing.truncated ? [vscode.l10n.t('{0}: {1}', c.name, truncationNote(listing.truncated, listing.items.length))] : [];
    });
    if (cut.length) {
      qp.title = cut.join(' ');
      ctx.log.warn(`find: ${cut.join(' ')}`);
    }
  });
  qp.onDidChangeValue((value) => {
    limit = ROWS;
    update(true);
    // `repo:` typed: list that repository's tags too, again once they are loaded and sorted
    // (a sort of 100,000 tags runs in slices; meanwhile they are ranked in the listing's order).
    const q = splitQuery(value);
    if (q.tag === undefined) return;
    for (const c of configs) {
      if (tree.repositories(c).byName(q.repository)) {
        const tags = tree.tags(c, q.repository);
        const sorted = tags.status === 'idle' ? tags.load(ac.signal).then(() => tree.sortingTags(c.id, q.repository)) : tree.sortingTags(c.id, q.repository);
        if (sorted) void sorted.then(() => !ac.signal.aborted && update(true), () => undefined);
      }
    }
  });

  const picked = await new Promise<FindTarget | undefined>((resolve) => {
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0] ?? qp.activeItems[0];
      if (item?.more) {
        limit += ROWS;
        update();
        return;
      }
      resolve(item?.target);
    });
    qp.onDidHide(() => resolve(undefined));
  });
  ac.abort();
  qp.dispose();
  if (picked) return reveal(ctx, picked);
  return false;
}

/** Bring the target on screen and select it; says why when it cannot. True when it is selected. */
async function reveal(ctx: CommandContext, target: FindTarget): Promise<boolean> {
  const { tree, log } = ctx;
  const name = target.tag ? `${target.repository}:${target.tag}` : target.repository;
  const started = performance.now();
  try {
    const node = await vscode.window.withProgress({ location: { viewId: 'registryExplorer.registries' } }, () => tree.locate(target.connectionId, target.repository, target.tag));
    if (!node) throw new Error(vscode.l10n.t('That registry is no longer connected.'));
    tree.redraw();
    await revealNode(ctx, node, { select: true, focus: true, expand: target.tag ? false : true }, name);
    const ms = performance.now() - started;
    const line = `find: revealed ${name} in ${Math.round(ms)} ms`;
    if (ms > 1000) log.info(line);
    else log.debug(line);
    return true;
  } catch (e) {
    log.warn(`find: could not reveal ${name}: ${log.safe(e)}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('Could not show {0} in the Registries view: {1}', name, log.safe(e)));
    return false;
  }
}

