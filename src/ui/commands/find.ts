// Find: a QuickPick over every repository (and loaded tag) the tree knows, which keeps asking
// the servers for more pages while it is open, then reveals the pick in the tree. A catalog
// cut short (a limit, a paging loop) is said in the picker's title: a name missing from the
// list may still exist.

import * as vscode from 'vscode';
import type { ConnectionConfig } from '../../providers/provider';
import { truncationNote } from '../tree/truncated';
import type { CommandContext } from './context';

interface FindItem extends vscode.QuickPickItem {
  connectionId: string;
  repository: string;
  tag?: string;
}

export function registerFind(ctx: CommandContext): vscode.Disposable {
  return vscode.commands.registerCommand('registryExplorer.find', async () => {
    const { store, tree, view } = ctx;
    const configs = store.list();
    if (!configs.length) return vscode.commands.executeCommand('registryExplorer.connect');
    const qp = vscode.window.createQuickPick<FindItem>();
    qp.placeholder = vscode.l10n.t('Find a repository or tag (repository:tag)');
    qp.matchOnDescription = true;
    const ac = new AbortController();

    const build = (): FindItem[] => {
      const items: FindItem[] = [];
      for (const c of configs) {
        const repos = tree.repositories(c).items;
        for (const r of repos) {
          items.push({ label: r.name, description: c.name, iconPath: new vscode.ThemeIcon('package'), connectionId: c.id, repository: r.name });
          const tags = tree.tags(c, r.name);
          if (tags.status === 'ready') {
            for (const t of tags.items) items.push({ label: `${r.name}:${t.name}`, description: c.name, iconPath: new vscode.ThemeIcon('tag'), connectionId: c.id, repository: r.name, tag: t.name });
          }
        }
      }
      return items;
    };
    const update = (): void => {
      const active = qp.activeItems[0];
      qp.items = build();
      if (active) qp.activeItems = qp.items.filter((i) => i.label === active.label && i.connectionId === active.connectionId);
    };
    update();
    qp.busy = true;
    qp.show();

    // Ask every registry for the rest of its catalog while the picker is open.
    const loadAll = (c: ConnectionConfig) => tree.repositories(c).loadAll(ac.signal, update).catch((e: unknown) => ctx.log.debug(`find: ${c.name}: ${ctx.log.safe(e)}`));
    void Promise.all(configs.map(loadAll)).then(() => {
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
    // `repo:` typed: list that repository's tags too.
    qp.onDidChangeValue((value) => {
      const i = value.lastIndexOf(':');
      if (i <= 0) return;
      const repo = value.slice(0, i);
      for (const c of configs) {
        if (tree.repositories(c).byName(repo)) {
          const tags = tree.tags(c, repo);
          if (tags.status === 'idle') void tags.load(ac.signal).then(update);
        }
      }
    });

    const picked = await new Promise<FindItem | undefined>((resolve) => {
      qp.onDidAccept(() => resolve(qp.selectedItems[0]));
      qp.onDidHide(() => resolve(undefined));
    });
    ac.abort();
    qp.dispose();
    if (!picked) return;
    const node = await tree.locate(picked.connectionId, picked.repository, picked.tag);
    tree.redraw();
    if (node) await view.reveal(node, { select: true, focus: true, expand: picked.tag ? false : true });
  });
}
