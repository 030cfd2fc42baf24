// Scan results on tag rows: from the listing where the provider's API gives them (ECR), or
// asked of the provider per image for the rows on screen (Quay), once per digest, a few at a
// time. Words keep "not scanned", "scan pending" and "no findings" apart.

import * as vscode from 'vscode';
import pLimit from 'p-limit';
import type { Connection, TagInfo } from '../../providers/provider';
import { SEVERITIES, type ScanSummary, type Severity } from '../../providers/scanSummary';
import type { Log } from '../log';

/** Scan lookups in flight per connection: a provider API, not the registry's limiter. */
const CONCURRENCY = 4;

function severityName(s: Severity): string {
  switch (s) {
    case 'critical':
      return vscode.l10n.t('critical');
    case 'high':
      return vscode.l10n.t('high');
    case 'medium':
      return vscode.l10n.t('medium');
    case 'low':
      return vscode.l10n.t('low');
    case 'negligible':
      return vscode.l10n.t('negligible');
    case 'unknown':
      return vscode.l10n.t('unknown');
  }
}

function counted(s: ScanSummary, max: number): string {
  return SEVERITIES.filter((sev) => (s.counts?.[sev] ?? 0) > 0)
    .slice(0, max)
    .map((sev) => `${s.counts![sev]} ${severityName(sev)}`)
    .join(', ');
}

/** The description's word: the two worst severities found, or the state; nothing when never scanned. */
export function scanWord(s: ScanSummary | undefined): string | undefined {
  switch (s?.state) {
    case 'done': {
      const found = counted(s, 2);
      return found ? vscode.l10n.t('scan: {0}', found) : vscode.l10n.t('scan: no findings');
    }
    case 'pending':
      return vscode.l10n.t('scan pending');
    case 'failed':
      return vscode.l10n.t('scan failed');
    case 'unsupported':
      return vscode.l10n.t('not scannable');
    default:
      return undefined;
  }
}

/** The tooltip's line: every severity, who scanned and when, or why there is nothing. */
export function scanTooltip(s: ScanSummary | undefined): string | undefined {
  if (!s) return undefined;
  const by = s.scanner;
  const detail = s.detail ? ` ${s.detail}` : '';
  switch (s.state) {
    case 'done': {
      const found = counted(s, SEVERITIES.length);
      const when = s.completedAt ? ` (${new Date(s.completedAt).toLocaleString()})` : '';
      return found ? vscode.l10n.t('Vulnerability scan by {0}{1}: {2}', by, when, found) : vscode.l10n.t('Vulnerability scan by {0}{1}: no findings', by, when);
    }
    case 'pending':
      return vscode.l10n.t('Vulnerability scan by {0}: pending, not finished yet.', by);
    case 'failed':
      return vscode.l10n.t('Vulnerability scan by {0} failed.{1}', by, detail);
    case 'unsupported':
      return vscode.l10n.t('{0} cannot scan this image.{1}', by, detail);
    case 'notScanned':
      return vscode.l10n.t('Not scanned by {0}.{1}', by, detail);
  }
}

export class ScanLookups {
  private readonly known = new Map<string, ScanSummary>();
  private readonly pending = new Set<string>();
  private readonly limits = new Map<string, ReturnType<typeof pLimit>>();

  constructor(
    private readonly changed: (connectionId: string, repository: string, tag: string) => void,
    private readonly log: Log,
  ) {}

  /** A tag's scan: from its listing entry, else looked up already. */
  get(connectionId: string, info: TagInfo | undefined, digest: string | undefined): ScanSummary | undefined {
    return info?.scan ?? (digest ? this.known.get(key(connectionId, digest)) : undefined);
  }

  /** Ask the provider for the scans of the rows on screen that have a digest and no scan yet. */
  visible(conn: Connection, repository: string, rows: readonly TagInfo[]): void {
    const ask = conn.scanSummary?.bind(conn);
    if (!ask) return;
    const id = conn.config.id;
    let limit = this.limits.get(id);
    if (!limit) this.limits.set(id, (limit = pLimit(CONCURRENCY)));
    for (const row of rows) {
      if (!row.digest || row.scan) continue;
      const k = key(id, row.digest);
      if (this.known.has(k) || this.pending.has(k)) continue;
      this.pending.add(k);
      void limit(() => ask(repository, row.digest!))
        .then(
          (s) => {
            this.known.set(k, s);
            this.changed(id, repository, row.name);
          },
          (e: unknown) => this.log.debug(`scan of ${repository}@${row.digest}: ${this.log.safe(e)}`),
        )
        .finally(() => this.pending.delete(k));
    }
  }

  forget(connectionId: string): void {
    for (const k of [...this.known.keys()]) if (k.startsWith(`${connectionId}\n`)) this.known.delete(k);
  }
}

function key(connectionId: string, digest: string): string {
  return `${connectionId}\n${digest}`;
}
