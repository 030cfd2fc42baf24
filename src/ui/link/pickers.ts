// The LinkPicker the command uses: real QuickPicks.

import * as vscode from 'vscode';
import type { DeployRef, LinkMode } from './deploy';
import type { ConfirmAnswer, ConfirmInfo, LinkPicker, ModeChoice, ProblemChoice, RefChoice } from './flow';
import { groupByFile } from './patterns';

interface RefItem extends vscode.QuickPickItem {
  ref?: DeployRef;
}

interface ConfirmItem extends vscode.QuickPickItem {
  answer?: ConfirmAnswer;
  cancel?: boolean;
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
 * first). Files that do not parse get no rows: in a multi-select QuickPick every row has a
 * checkbox that counts in "N Selected" (extensions cannot make a row unpickable, and a
 * separator shows only above a row), so they are announced in a notification instead.
 */
function refItems(choices: readonly RefChoice[]): RefItem[] {
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
  return items;
}

/** The files that do not parse, once each, with a way to open the first problem. */
function announceProblems(problems: readonly ProblemChoice[]): void {
  if (!problems.length) return;
  const open = vscode.l10n.t('Open {0}', vscode.workspace.asRelativePath(vscode.Uri.parse(problems[0].file)));
  const message =
    problems.length === 1
      ? vscode.l10n.t('Not changed: 1 file does not parse ({0}). Fix it, then link again.', problems[0].text)
      : vscode.l10n.t('Not changed: {0} files do not parse ({1}). Fix them, then link again.', problems.length, problems.map((p) => p.text).join('; '));
  void vscode.window.showWarningMessage(message, open).then(async (choice) => {
    if (choice !== open) return;
    const first = problems[0].problems[0];
    const at = new vscode.Position(Math.max(0, first.line - 1), Math.max(0, first.column - 1));
    await vscode.window.showTextDocument(vscode.Uri.parse(problems[0].file), { preview: false, selection: new vscode.Range(at, at) });
  });
}

/** The confirmation's rows: what to do first, then every change per file. */
function confirmItems(info: ConfirmInfo): ConfirmItem[] {
  const changing = info.changes.filter((c) => c.change.after !== c.change.before);
  const files = new Set(changing.map((c) => c.ref.file)).size;
  const replaced = [...new Set(info.changes.flatMap((c) => c.change.replaced))];
  const items: ConfirmItem[] = [
    {
      label: `$(check) ${vscode.l10n.t('Apply {0} change(s) in {1} file(s)', changing.length, files)}`,
      detail: replaced.length ? `$(warning) ${vscode.l10n.t('replaces {0} with a fixed value', replaced.join(', '))}` : undefined,
      answer: { keepPins: true },
      alwaysShow: true,
    },
  ];
  if (info.pinsKept > 0) {
    items.push({
      label: `$(pin) ${vscode.l10n.t('Apply, dropping the digest pins')}`,
      detail: vscode.l10n.t('{0} pinned reference(s) linked by tag only, as the mode says', info.pinsKept),
      answer: { keepPins: false },
      alwaysShow: true,
    });
  }
  items.push({ label: `$(close) ${vscode.l10n.t('Cancel')}`, alwaysShow: true, cancel: true });
  for (const [file, rows] of groupByFile(info.changes, (c) => c.ref.file)) {
    items.push({ label: vscode.workspace.asRelativePath(vscode.Uri.parse(file)), kind: vscode.QuickPickItemKind.Separator });
    for (const c of rows) items.push({ label: c.label, description: c.description, detail: c.detail });
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
      // Every checked row is listed before anything changes, so a filter that hides a checked row hides no edit.
      qp.placeholder =
        problems.length > 0
          ? vscode.l10n.t('Check the references to change, then press Enter (all are listed again before applying; {0} file(s) not parsed, see the notification)', problems.length)
          : vscode.l10n.t('Check the references to change, then press Enter (all are listed again before applying)');
      const items = refItems(choices);
      qp.items = items;
      qp.selectedItems = items.filter((i) => i.picked);
      announceProblems(problems);
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

    confirm(info: ConfirmInfo) {
      const qp = vscode.window.createQuickPick<ConfirmItem>();
      const changing = info.changes.filter((c) => c.change.after !== c.change.before).length;
      qp.title = vscode.l10n.t('Link {0} by {1}: {2} of {3} picked reference(s) change', info.target, info.mode, changing, info.changes.length);
      qp.placeholder = vscode.l10n.t('Every picked reference, including any the filter hid. Enter applies; Escape changes nothing.');
      qp.ignoreFocusOut = true;
      qp.matchOnDescription = true;
      qp.matchOnDetail = true;
      qp.items = confirmItems(info);
      return new Promise<ConfirmAnswer | undefined>((resolve) => {
        qp.onDidAccept(() => {
          const item = qp.selectedItems[0] ?? qp.activeItems[0];
          // A change row is for reading; only the action rows answer.
          if (item?.cancel) qp.hide();
          if (!item?.answer) return;
          resolve(item.answer);
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
