// Inspect Manifest: a read-only JSON document served by a content provider, so it opens in
// a normal editor (search, folding, copy) that cannot be edited or saved by accident. The same
// scheme serves what lies behind a tag: a referrer's payload (signature, SBOM, in-toto
// statement decoded from its DSSE envelope), a Helm chart's values.yaml and README.md, and a
// CNAB bundle's bundle.json (parameters, credentials, outputs).

import * as vscode from 'vscode';
import { network } from './network';
import type { ConnectionStore } from './store';
import type { ConnectionManager } from './connections';

export const MANIFEST_SCHEME = 'registry-manifest';

export function manifestUri(connectionId: string, host: string, repository: string, reference: string): vscode.Uri {
  const name = `${host}/${repository}${reference.includes(':') ? '@' : ':'}${reference}`;
  return vscode.Uri.from({ scheme: MANIFEST_SCHEME, path: `/${name}.json`, query: new URLSearchParams({ c: connectionId, r: repository, ref: reference }).toString() });
}

export type ArtifactPart = 'payload' | 'values' | 'readme' | 'bundle';

const PART_FILES: Record<ArtifactPart, string> = { payload: 'payload.json', values: 'values.yaml', readme: 'README.md', bundle: 'bundle.json' };

/** A document of what lies behind `reference`; the file name gives it its language. */
export function artifactUri(connectionId: string, host: string, repository: string, reference: string, part: ArtifactPart): vscode.Uri {
  const name = `${host}/${repository}${reference.includes(':') ? '@' : ':'}${reference}`;
  return vscode.Uri.from({ scheme: MANIFEST_SCHEME, path: `/${name}/${PART_FILES[part]}`, query: new URLSearchParams({ c: connectionId, r: repository, ref: reference, part }).toString() });
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
    const repository = q.get('r') ?? '';
    const reference = q.get('ref') ?? '';
    switch (q.get('part') as ArtifactPart | null) {
      case 'payload':
        return `${JSON.stringify(await network().readReferrerPayload(conn.client, repository, reference, ac.signal), null, 2)}\n`;
      case 'bundle':
        return `${JSON.stringify(await network().readBundle(conn.client, repository, reference, ac.signal), null, 2)}\n`;
      case 'values':
      case 'readme': {
        const file = q.get('part') === 'values' ? 'values.yaml' : 'README.md';
        const read = await network().readChartFiles(conn.client, repository, reference, [file], { signal: ac.signal });
        return read.files[file] ?? vscode.l10n.t('# This chart has no {0}.\n', file);
      }
    }
    const m = await conn.client.getManifest(repository, reference, ac.signal);
    return `${JSON.stringify(m.manifest, null, 2)}\n`;
  }
}
