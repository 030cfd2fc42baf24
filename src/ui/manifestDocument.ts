// Inspect Manifest: a read-only JSON document served by a content provider, so it opens in
// a normal editor (search, folding, copy) that cannot be edited or saved by accident.

import * as vscode from 'vscode';
import type { ConnectionStore } from './store';
import type { ConnectionManager } from './connections';

export const MANIFEST_SCHEME = 'registry-manifest';

export function manifestUri(connectionId: string, host: string, repository: string, reference: string): vscode.Uri {
  const name = `${host}/${repository}${reference.includes(':') ? '@' : ':'}${reference}`;
  return vscode.Uri.from({ scheme: MANIFEST_SCHEME, path: `/${name}.json`, query: new URLSearchParams({ c: connectionId, r: repository, ref: reference }).toString() });
}

export class ManifestDocumentProvider implements vscode.TextDocumentContentProvider {
  constructor(
    private readonly store: ConnectionStore,
    private readonly connections: ConnectionManager,
  ) {}

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const q = new URLSearchParams(uri.query);
    const config = this.store.get(q.get('c') ?? '');
    if (!config) throw new Error(vscode.l10n.t('That registry is no longer connected.'));
    const ac = new AbortController();
    token.onCancellationRequested(() => ac.abort());
    const conn = await this.connections.get(config);
    const m = await conn.client.getManifest(q.get('r') ?? '', q.get('ref') ?? '', ac.signal);
    return `${JSON.stringify(m.manifest, null, 2)}\n`;
  }
}
