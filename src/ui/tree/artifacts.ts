// How a tag row says what it holds: a codicon, a word for the description, lines for the
// tooltip. Read from the details the tree fetched anyway (artifactKind.ts), or from what the
// provider's listing said (listedKind.ts); no request here.

import * as vscode from 'vscode';
import type { ArtifactKind } from '../../registry/artifactKind';
import type { TagDetails } from './details';

/** What these functions read: a tag's details, or only the kind its listing gave. */
type Shown = Pick<TagDetails, 'artifact' | 'chart'> | undefined;

const ICONS: Record<ArtifactKind, string> = {
  image: 'tag',
  helm: 'compass', // Helm's logo is a ship's wheel
  cnab: 'briefcase',
  wasm: 'circuit-board',
  signature: 'verified',
  sbom: 'checklist',
  attestation: 'workspace-trusted',
  artifact: 'file-binary',
};

export function kindName(kind: ArtifactKind): string {
  switch (kind) {
    case 'image':
      return vscode.l10n.t('image');
    case 'helm':
      return vscode.l10n.t('Helm chart');
    case 'cnab':
      return vscode.l10n.t('CNAB bundle');
    case 'wasm':
      return vscode.l10n.t('WASM module');
    case 'signature':
      return vscode.l10n.t('signature');
    case 'sbom':
      return vscode.l10n.t('SBOM');
    case 'attestation':
      return vscode.l10n.t('attestation');
    case 'artifact':
      return vscode.l10n.t('OCI artifact');
  }
}

export function kindIcon(kind: ArtifactKind): string {
  return ICONS[kind];
}

/** The codicon of a tag row; undefined for images (the row keeps its tag/layers icon). */
export function artifactIcon(d: Shown): vscode.ThemeIcon | undefined {
  const kind = d?.artifact?.kind;
  return kind && kind !== 'image' ? new vscode.ThemeIcon(ICONS[kind]) : undefined;
}

/** "Helm chart 1.2.0", "signature": the first word of a non-image row's description. */
export function artifactWord(d: Shown): string | undefined {
  const kind = d?.artifact?.kind;
  if (!kind || kind === 'image') return undefined;
  if (d.chart) return `${kindName(kind)} ${d.chart.version}`;
  return kindName(kind);
}

/** Tooltip lines: the kind, what decided it, a chart's Chart.yaml facts. */
export function artifactTooltip(d: Shown): string[] {
  const a = d?.artifact;
  if (!a || a.kind === 'image') return [];
  const lines = [`${vscode.l10n.t('Kind')}: ${kindName(a.kind)}`];
  if (a.artifactType) lines.push(`${vscode.l10n.t('Artifact type')}: \`${a.artifactType}\``);
  if (a.subject) lines.push(`${vscode.l10n.t('Refers to')}: \`${a.subject}\``);
  if (a.predicateTypes?.length) lines.push(`${vscode.l10n.t('Predicate')}: ${a.predicateTypes.map((p) => `\`${p}\``).join(', ')}`);
  const c = d.chart;
  if (c) {
    lines.push(`${vscode.l10n.t('Chart')}: ${c.name} ${c.version}${c.appVersion ? ` (${vscode.l10n.t('app {0}', c.appVersion)})` : ''}`);
    if (c.description) lines.push(c.description);
  }
  return lines;
}
