// Live connections, one per stored connection, built on first use and rebuilt when the
// connection or the proxy settings change. Each keeps its registry client (and so its
// keep-alive pool and token cache) across tree expansions. The settings that decide where
// requests (and so credentials) go, provider API endpoints and the proxy, are read from user
// settings only (userSettings.ts): a workspace cannot redirect them.

import * as vscode from 'vscode';
import type { Connection, ConnectionConfig, ProviderContext } from '../providers/provider';
import type { ProxySettings } from '../registry/dispatcher';
import type { Log } from './log';
import { network } from './network';
import type { ConnectionStore } from './store';
import { apiEndpointsFrom, proxyFrom } from './userSettings';

/** VS Code scopes `http.proxy` application/machine itself; reading user values only is our own lock. */
export function proxyFromSettings(): ProxySettings | undefined {
  const http = vscode.workspace.getConfiguration('http');
  return proxyFrom(http.inspect('proxy'), http.inspect('proxyStrictSSL'), http.inspect('noProxy'));
}

/** `registryExplorer.apiEndpoints` as the user set it (application-scoped, and workspace values ignored). */
export function apiEndpointsFromSettings(): Record<string, string> | undefined {
  return apiEndpointsFrom(vscode.workspace.getConfiguration('registryExplorer').inspect('apiEndpoints'));
}

export class ConnectionManager implements vscode.Disposable {
  private readonly live = new Map<string, { config: string; connection: Promise<Connection> }>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly store: ConnectionStore,
    private readonly log: Log,
    private readonly version: string,
    /** Provider API base URLs (tests, self-hosted variants): the `registryExplorer.apiEndpoints` setting. */
    private readonly overrides: () => Record<string, string> | undefined = apiEndpointsFromSettings,
  ) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('http') || e.affectsConfiguration('registryExplorer.apiEndpoints')) void this.resetAll();
      }),
    );
  }

  context(): ProviderContext {
    return {
      proxy: proxyFromSettings(),
      userAgent: `registry-explorer/${this.version} (vscode ${vscode.version})`,
      log: (m) => this.log.debug(m),
      apiBaseUrls: this.overrides(),
    };
  }

  /** The live connection for a stored one; rebuilt when its metadata changed. */
  get(config: ConnectionConfig): Promise<Connection> {
    const key = JSON.stringify(config);
    const existing = this.live.get(config.id);
    if (existing && existing.config === key) return existing.connection;
    if (existing) void existing.connection.then((c) => c.dispose(), () => undefined);
    const connection = this.build(config);
    this.live.set(config.id, { config: key, connection });
    connection.catch(() => this.live.delete(config.id));
    return connection;
  }

  /** Build a throwaway connection (wizard "Test connection"), not cached. */
  async build(config: ConnectionConfig, secrets?: Record<string, string>): Promise<Connection> {
    const provider = network().providerFor(config.provider);
    if (!provider) throw new Error(vscode.l10n.t('Unknown registry provider “{0}”. Update the extension or remove this connection.', config.provider));
    const s = secrets ?? (await this.store.secrets(config.id));
    this.log.redactor.addAll(s);
    return provider.connect(config, s, this.context());
  }

  async reset(id: string): Promise<void> {
    const existing = this.live.get(id);
    this.live.delete(id);
    if (existing) await existing.connection.then((c) => c.dispose(), () => undefined);
  }

  async resetAll(): Promise<void> {
    await Promise.all([...this.live.keys()].map((id) => this.reset(id)));
  }

  dispose(): void {
    void this.resetAll();
    for (const s of this.subscriptions) s.dispose();
  }
}
