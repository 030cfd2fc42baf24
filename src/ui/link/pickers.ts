// The LinkPicker the command uses: real QuickPicks.

import * as vscode from 'vscode';
import type { DeployRef, LinkMode } from '../../deploy';
import type { LinkPicker, ModeChoice, ProblemChoice, RefChoice } from './flow';

interface RefItem extends vscode.QuickPickItem {
  ref?: DeployRef;
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

export function refItems(choices: readonly RefChoice[], problems: readonly ProblemChoice[]): RefItem[] {
  const items: RefItem[] = [];
  const same = choices.filter((c) => c.ref.matches);
  const other = choices.filter((c) => !c.ref.matches);
  const row = (c: RefChoice): RefItem => ({ label: c.label, description: c.description, detail: c.detail, picked: c.picked, ref: c.ref });
  if (same.length) items.push({ label: vscode.l10n.t('Same repository'), kind: vscode.QuickPickItemKind.Separator }, ...same.map(row));
  if (other.length) items.push({ label: vscode.l10n.t('Other images'), kind: vscode.QuickPickItemKind.Separator }, ...other.map(row));
  // Separators cannot be picked: files that do not parse are named, and never edited.
  for (const p of problems) items.push({ label: vscode.l10n.t('Not changed (does not parse): {0}', p.text), kind: vscode.QuickPickItemKind.Separator });
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
      qp.title = vscode.l10n.t('Link {0}', info.target);
      qp.placeholder =
        problems.length > 0
          ? vscode.l10n.t('Choose the references to change ({0} in {1} file(s); {2} file problem(s) listed at the end), then press Enter', choices.length, files, problems.length)
          : vscode.l10n.t('Choose the references to change ({0} in {1} file(s)), then press Enter', choices.length, files);
      const items = refItems(choices, problems);
      qp.items = items;
      qp.selectedItems = items.filter((i) => i.picked);
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
