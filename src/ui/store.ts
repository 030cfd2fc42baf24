// Where connections live. Non-secret metadata in globalState (and, for registries a team
// wants to share, in the `registryExplorer.registries` setting); secrets only in
// SecretStorage, one JSON entry per connection id. Nothing else in the extension touches
// either. Registries from workspace settings get ids of their own (settingsRegistries.ts), so
// a secret saved for one connection is never looked up for a registry a workspace defined.

import * as vscode from 'vscode';
import type { ConnectionConfig, ConnectionSecrets } from '../providers/provider';
import { mergeConnections, registriesFromSettings } from './settingsRegistries';

const CONNECTIONS_KEY = 'registryExplorer.connections';
const DEFAULT_KEY = 'registryExplorer.defaultConnection';
const SECRET_PREFIX = 'registryExplorer.secret.';

export class ConnectionStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  // The tree looks a connection up per row; reading the setting each time would be most of
  // that cost. Cleared by the same event that tells VS Code's own configuration it changed.
  private fromSettings?: ReturnType<typeof registriesFromSettings>;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('registryExplorer.registries')) return;
        this.fromSettings = undefined;
        this.changed.fire();
      }),
      // Workspace registries appear only once the folder is trusted.
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.fromSettings = undefined;
        this.changed.fire();
      }),
      context.secrets.onDidChange((e) => {
        if (e.key.startsWith(SECRET_PREFIX)) this.changed.fire();
      }),
    );
  }

  list(): ConnectionConfig[] {
    const stored = this.context.globalState.get<ConnectionConfig[]>(CONNECTIONS_KEY, []);
    return mergeConnections(stored, this.settingsRegistries(), vscode.l10n.t('(workspace)'));
  }

  private settingsRegistries(): ReturnType<typeof registriesFromSettings> {
    return (this.fromSettings ??= registriesFromSettings(vscode.workspace.getConfiguration('registryExplorer').inspect('registries'), vscode.workspace.isTrusted));
  }

  get(id: string): ConnectionConfig | undefined {
    return this.list().find((c) => c.id === id);
  }

  async save(config: ConnectionConfig, secrets: ConnectionSecrets | undefined): Promise<void> {
    // Secrets first: a connection must never appear without the secret it needs.
    if (secrets !== undefined) {
      if (Object.keys(secrets).length) await this.context.secrets.store(SECRET_PREFIX + config.id, JSON.stringify(secrets));
      else await this.context.secrets.delete(SECRET_PREFIX + config.id);
    }
    const stored = this.context.globalState.get<ConnectionConfig[]>(CONNECTIONS_KEY, []);
    const i = stored.findIndex((c) => c.id === config.id);
    const next = i >= 0 ? stored.map((c, j) => (j === i ? config : c)) : [...stored, config];
    await this.context.globalState.update(CONNECTIONS_KEY, next);
    this.changed.fire();
  }

  async remove(id: string): Promise<void> {
    await this.context.secrets.delete(SECRET_PREFIX + id);
    const stored = this.context.globalState.get<ConnectionConfig[]>(CONNECTIONS_KEY, []);
    await this.context.globalState.update(
      CONNECTIONS_KEY,
      stored.filter((c) => c.id !== id),
    );
    if (this.defaultId() === id) await this.context.globalState.update(DEFAULT_KEY, undefined);
    this.changed.fire();
  }

  async secrets(id: string): Promise<ConnectionSecrets> {
    const raw = await this.context.secrets.get(SECRET_PREFIX + id);
    if (!raw) return {};
    try {
      return JSON.parse(raw) as ConnectionSecrets;
    } catch {
      return {};
    }
  }

  defaultId(): string | undefined {
    return this.context.globalState.get<string>(DEFAULT_KEY);
  }

  async setDefault(id: string | undefined): Promise<void> {
    await this.context.globalState.update(DEFAULT_KEY, id);
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
