// Commands on registries: connect (wizard), edit, test, disconnect, refresh, default, load more.

import * as vscode from 'vscode';
import type { ConnectionConfig } from '../../providers/provider';
import { openWizard as openWizardPanel } from '../wizard/open';
import { RegistryNode, type LoadMoreNode, type MessageNode, type Node } from '../tree/nodes';
import type { CommandContext } from './context';
import { network } from '../network';

/** A registry from a node, or asked for with a QuickPick when run from the palette. */
export async function pickConnection(ctx: CommandContext, node: Node | undefined, placeHolder: string): Promise<ConnectionConfig | undefined> {
  if (node && 'connectionId' in node) return ctx.store.get(node.connectionId);
  const all = ctx.store.list();
  if (!all.length) {
    const connect = vscode.l10n.t('Connect Registry');
    if ((await vscode.window.showInformationMessage(vscode.l10n.t('No registry is connected yet.'), connect)) === connect) {
      await vscode.commands.executeCommand('registryExplorer.connect');
    }
    return undefined;
  }
  if (all.length === 1) return all[0];
  const picked = await vscode.window.showQuickPick(
    all.map((c) => ({ label: c.name, description: c.url, detail: network().providerFor(c.provider)?.form.title, config: c })),
    { placeHolder },
  );
  return picked?.config;
}

/** `registryExplorer.hasDefault` for the palette's Unset Default Registry. */
function syncDefaultContext(ctx: CommandContext): vscode.Disposable {
  const sync = (): void => void vscode.commands.executeCommand('setContext', 'registryExplorer.hasDefault', !!ctx.store.defaultId() && !!ctx.store.get(ctx.store.defaultId()!));
  sync();
  return ctx.store.onDidChange(sync);
}

export function registerRegistryCommands(ctx: CommandContext): vscode.Disposable[] {
  const { store, tree, log } = ctx;
  const openWizard = (provider?: string, editing?: ConnectionConfig, values?: Record<string, string>): void => {
    openWizardPanel(ctx.extension, ctx.wizard, {
      ...(provider ? { provider } : {}),
      ...(editing ? { editing } : {}),
      ...(values ? { values } : {}),
    });
  };
  /** Prefilled form values from a caller (a deploy file's "Connect this registry"): strings only. */
  const valuesFrom = (v: unknown): Record<string, string> | undefined =>
    typeof v === 'object' && v !== null ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string')) : undefined;

  return [
    vscode.commands.registerCommand('registryExplorer.connect', (provider?: unknown, values?: unknown) => openWizard(typeof provider === 'string' ? provider : undefined, undefined, valuesFrom(values))),
    vscode.commands.registerCommand('registryExplorer.editConnection', async (node?: Node) => {
      const config = await pickConnection(ctx, node, vscode.l10n.t('Which registry connection do you want to edit?'));
      if (config) openWizard(config.provider, config);
    }),
    vscode.commands.registerCommand('registryExplorer.testConnection', async (node?: Node) => {
      const config = await pickConnection(ctx, node, vscode.l10n.t('Which registry do you want to test?'));
      if (!config) return;
      const steps = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Testing {0}…', config.name), cancellable: true },
        async (_p, token) => {
          const ac = new AbortController();
          token.onCancellationRequested(() => ac.abort());
          const conn = await ctx.connections.build(config);
          try {
            return await conn.test(ac.signal);
          } finally {
            await conn.dispose();
          }
        },
      );
      const failed = steps.find((s) => !s.ok);
      const summary = steps.map((s) => `${s.ok ? '✓' : '✗'} ${s.label}${s.detail ? ` — ${s.detail}` : ''}`).join('\n');
      log.info(`Test ${config.name}:\n${summary}`);
      if (failed) {
        const edit = vscode.l10n.t('Edit Connection');
        if ((await vscode.window.showErrorMessage(vscode.l10n.t('{0}: {1}', config.name, log.safe(failed.detail ?? failed.label)), { detail: summary }, edit)) === edit) openWizard(config.provider, config);
      } else {
        void vscode.window.showInformationMessage(vscode.l10n.t('{0}: connection works. {1}', config.name, steps.map((s) => s.label).join('; ')));
      }
    }),
    vscode.commands.registerCommand('registryExplorer.disconnect', async (node?: Node) => {
      const config = await pickConnection(ctx, node, vscode.l10n.t('Which registry do you want to disconnect?'));
      if (!config) return;
      if (config.options?.fromSettings) {
        void vscode.window.showWarningMessage(vscode.l10n.t('{0} is defined in the “registryExplorer.registries” setting; remove it there.', config.name));
        await store.remove(config.id); // its stored secret, if any
        return;
      }
      const disconnect = vscode.l10n.t('Disconnect');
      const answer = await vscode.window.showWarningMessage(
        vscode.l10n.t('Disconnect {0}?', config.name),
        { modal: true, detail: vscode.l10n.t('Its stored credentials are deleted from VS Code’s secret storage.') },
        disconnect,
      );
      if (answer !== disconnect) return;
      await ctx.connections.reset(config.id);
      tree.forget(config.id);
      await store.remove(config.id);
      log.info(`Disconnected ${config.name}.`);
    }),
    vscode.commands.registerCommand('registryExplorer.refresh', (node?: Node) => {
      if (!node) return tree.refresh();
      if (node.kind === 'repository') return tree.refresh(node.connectionId, node.name);
      if ('connectionId' in node) return tree.refresh(node.connectionId);
    }),
    vscode.commands.registerCommand('registryExplorer.retry', (node?: MessageNode) => {
      if (node) tree.refresh(node.connectionId, node.repository);
    }),
    vscode.commands.registerCommand('registryExplorer.setDefault', async (node?: Node) => {
      const config = await pickConnection(ctx, node, vscode.l10n.t('Which registry should be the default?'));
      if (!config) return;
      // Set Default on the default registry toggles it off: there is no other way to have none.
      await store.setDefault(store.defaultId() === config.id ? undefined : config.id);
      void ctx.view.reveal(new RegistryNode(config), { select: true, focus: false });
    }),
    vscode.commands.registerCommand('registryExplorer.unsetDefault', async () => {
      const id = store.defaultId();
      if (!id) return;
      await store.setDefault(undefined);
      const config = store.get(id);
      if (config) log.info(`${config.name} is no longer the default registry.`);
    }),
    syncDefaultContext(ctx),
    vscode.commands.registerCommand('registryExplorer.loadMore', (node?: LoadMoreNode) => (node ? tree.loadMore(node) : undefined)),
  ];
}
