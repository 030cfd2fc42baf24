// Import from Docker Config: show what `docker login` left behind, import the chosen ones.

import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { DockerConfigEntry } from '../../providers/dockerConfig';
import { connectedLoginHosts } from '../../providers/loginHost';
import { network } from '../network';
import type { CommandContext } from './context';

interface EntryItem extends vscode.QuickPickItem {
  entry: DockerConfigEntry;
}

export function registerImportDockerConfig(ctx: CommandContext): vscode.Disposable {
  return vscode.commands.registerCommand('registryExplorer.importDockerConfig', async () => {
    const { dockerConfigPath, readDockerConfigFile, connectionFromDockerEntry } = network();
    const path = dockerConfigPath();
    let entries: DockerConfigEntry[];
    let skipped: string[];
    try {
      ({ entries, skipped } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Reading {0}…', path) }, () => readDockerConfigFile(path)));
    } catch (e) {
      const connect = vscode.l10n.t('Connect Registry');
      if ((await vscode.window.showWarningMessage(ctx.log.safe(e), connect)) === connect) await vscode.commands.executeCommand('registryExplorer.connect');
      return;
    }
    for (const e of entries) {
      ctx.log.redactor.add(e.password);
      ctx.log.redactor.add(e.identityToken);
    }
    // Malformed entries were left out; say so (the reasons never quote a value).
    for (const why of skipped) ctx.log.warn(why);
    const skippedNote = skipped.length ? vscode.l10n.t(' {0} malformed entries were skipped (details in the log).', skipped.length) : '';
    if (!entries.length) {
      void vscode.window.showInformationMessage(vscode.l10n.t('{0} lists no registries.', path) + skippedNote);
      return;
    }
    // Entries are keyed by the host `docker login` named: compare it with each connection's.
    const connected = connectedLoginHosts(ctx.store.list());
    const items: EntryItem[] = entries.map((entry) => ({
      label: entry.registry,
      description: [entry.username ?? (entry.identityToken ? vscode.l10n.t('identity token') : vscode.l10n.t('no credentials')), entry.helper ? vscode.l10n.t('via docker-credential-{0}', entry.helper) : undefined, connected.has(entry.registry) ? vscode.l10n.t('already connected') : undefined]
        .filter(Boolean)
        .join(' · '),
      detail: entry.error ? `$(warning) ${entry.error}` : undefined,
      picked: !connected.has(entry.registry) && !entry.error,
      entry,
    }));
    const picked = await vscode.window.showQuickPick(items, {
      canPickMany: true,
      title: vscode.l10n.t('Import from Docker Config'),
      placeHolder: vscode.l10n.t('Found {0} registries in {1}. Choose the ones to connect; credentials go to secret storage.', entries.length, path) + skippedNote,
    });
    if (!picked?.length) return;
    for (const { entry } of picked) {
      const { config, secrets } = connectionFromDockerEntry(entry);
      await ctx.store.save({ ...config, id: `${config.provider}-${randomUUID()}` }, secrets);
    }
    ctx.log.info(`Imported ${picked.length} registr${picked.length === 1 ? 'y' : 'ies'} from ${path}.`);
    void vscode.window.showInformationMessage(vscode.l10n.t('Imported {0} registries from the Docker config.', picked.length));
  });
}
