// The LinkPicker the command uses: real QuickPicks.

import * as vscode from 'vscode';
import type { DeployRef, LinkMode } from './deploy';
import type { LinkPicker, ModeChoice, ProblemChoice, RefChoice } from './flow';
import { groupByFile } from './patterns';

interface RefItem extends vscode.QuickPickItem {
  ref?: DeployRef;
  /** A file that does not parse: shown, but unchecked again at once when checked. */
  problem?: boolean;
}

interface ModeItem extends vscode.QuickPickItem {
  mode: LinkMode;
  available: boolean;
}

const MODE_DESCRIPTIONS: Record<LinkMode, () => string> = {
  'tag@digest': () => vscode.l10n.t('pinned to this image, tag kept for people and update bots'),
  digest: () => vscode.l10n.t('pinned to this exact image'),
  tag: () => vscode.l10n.t('follows the tag when it moves'),
};

/**
 * Rows per file (a separator names the file; files with references to the same repository
 * first), then the files that do not parse: listed, never checkable for long (see below).
 */
function refItems(choices: readonly RefChoice[], problems: readonly ProblemChoice[]): RefItem[] {
  const files = groupByFile(choices, (c) => c.ref.file);
  const order = [...files.entries()].sort(
    ([fa, a], [fb, b]) => Number(b.some((c) => c.ref.matches)) - Number(a.some((c) => c.ref.matches)) || fa.localeCompare(fb),
  );
  const items: RefItem[] = [];
  for (const [file, rows] of order) {
    items.push({ label: vscode.workspace.asRelativePath(vscode.Uri.parse(file)), kind: vscode.QuickPickItemKind.Separator });
    for (const c of [...rows].sort((x, y) => x.ref.offset - y.ref.offset)) {
      items.push({ label: c.label, description: c.description, detail: c.detail, picked: c.picked, ref: c.ref });
    }
  }
  if (problems.length) {
    items.push({ label: vscode.l10n.t('Not changed: these files do not parse'), kind: vscode.QuickPickItemKind.Separator });
    for (const p of problems) items.push({ label: `$(error) ${p.text}`, description: vscode.l10n.t('fix the file, then link again'), problem: true });
  }
  return items;
}

export function quickPickPicker(): LinkPicker {
  return {
    references(choices, problems, info) {
      const qp = vscode.window.createQuickPick<RefItem>();
      qp.canSelectMany = true;
      qp.matchOnDescription = true;
      qp.matchOnDetail = true;
      qp.ignoreFocusOut = true;
      const files = new Set(choices.map((c) => c.ref.file)).size;
      qp.title = vscode.l10n.t('Link {0}: {1} reference(s) in {2} file(s)', info.target, choices.length, files);
      qp.placeholder =
        problems.length > 0
          ? vscode.l10n.t('Check the references to change, then press Enter ({0} file(s) that do not parse are listed last)', problems.length)
          : vscode.l10n.t('Check the references to change, then press Enter');
      const items = refItems(choices, problems);
      qp.items = items;
      qp.selectedItems = items.filter((i) => i.picked);
      qp.onDidChangeSelection((selected) => {
        if (selected.some((i) => i.problem)) qp.selectedItems = selected.filter((i) => !i.problem);
      });
      return new Promise<DeployRef[] | undefined>((resolve) => {
        qp.onDidAccept(() => {
          // Enter with nothing checked takes the highlighted row.
          const chosen = qp.selectedItems.length ? qp.selectedItems : qp.activeItems.filter((i) => i.ref);
          resolve(chosen.map((i) => i.ref).filter((r): r is DeployRef => !!r));
          qp.hide();
        });
        qp.onDidHide(() => {
          resolve(undefined);
          qp.dispose();
        });
        qp.show();
      });
    },

    mode(choices: ModeChoice[], initial: LinkMode) {
      const qp = vscode.window.createQuickPick<ModeItem>();
      qp.title = vscode.l10n.t('Link by tag, digest, or both');
      qp.placeholder = vscode.l10n.t('How the reference is written (default from the registryExplorer.linkMode setting: {0})', initial);
      qp.ignoreFocusOut = true;
      const items: ModeItem[] = choices.map((c) => ({
        label: c.mode,
        description: MODE_DESCRIPTIONS[c.mode]() + (c.mode === initial ? ` · ${vscode.l10n.t('default')}` : ''),
        detail: c.available ? c.detail : `$(warning) ${c.detail}`,
        mode: c.mode,
        available: c.available,
      }));
      qp.items = items;
      const active = items.find((i) => i.mode === initial && i.available) ?? items.find((i) => i.available);
      if (active) qp.activeItems = [active];
      return new Promise<LinkMode | undefined>((resolve) => {
        qp.onDidAccept(() => {
          const item = qp.selectedItems[0] ?? qp.activeItems[0];
          // An unavailable mode is still accepted: the flow then explains why it cannot link.
          resolve(item?.mode);
          qp.hide();
        });
        qp.onDidHide(() => {
          resolve(undefined);
          qp.dispose();
        });
        qp.show();
      });
    },
  };
}
