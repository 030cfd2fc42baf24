// What refers to a tag's image, for the tree: looked up when the tag is expanded or hovered
// (never for rows merely on screen), through the registry's client and so its limiter, once
// per digest and connection (a digest's referrers change rarely; Refresh forgets them).
// Badges (signed, SBOM, provenance) follow on the tag row once known.

import * as vscode from 'vscode';
import type { Connection, Page, TagInfo } from '../../providers/provider';
import { fallbackSubject, fallbackTags } from '../../registry/fallbackTags';
import type { Referrers } from '../../registry/referrers';
import { network } from '../network';
import type { Log } from '../log';
import { kindIcon, kindName } from './artifacts';
import type { ArtifactKind } from '../../registry/artifactKind';
import { badgesOf } from '../../registry/badges';
import { formatAge, formatSize, joinFacts, shortDigest } from './format';
import type { PlatformNode, TagNode } from './nodes';
import { ReferrerNode, ReferrersNode } from './referrerNodes';

/** The image a tag names, as far as the tree knows it: its details, or only the listing's digest (Harbor, ECR). */
export interface Subject {
  digest: string;
  attestations?: readonly { digest: string; subject?: string }[];
  artifact?: { kind: ArtifactKind };
}

/** A row whose image can have referrers: a tag, or a platform of a multi-arch tag. */
export type ReferrerRow = TagNode | PlatformNode;

export interface ReferrerTreeDeps {
  connection(connectionId: string): Promise<Connection>;
  /** The row whose referrers arrived, to refresh. */
  changed(node: ReferrerRow): void;
  /** Whether the repository holds a tag (hidden fallback tags included); undefined: not known. */
  hasTag(connectionId: string, repository: string, tag: string): boolean | undefined;
  log: Log;
}

export class ReferrerTree {
  private readonly known = new Map<string, Referrers>();
  private readonly pending = new Map<string, Promise<Referrers | undefined>>();
  private readonly failed = new Map<string, string>();

  constructor(private readonly deps: ReferrerTreeDeps) {}

  /** Referrers of the tag's image, when looked up already. */
  get(node: ReferrerRow, d: Subject | undefined): Referrers | undefined {
    return d ? this.known.get(key(node.connectionId, d.digest)) : undefined;
  }

  /** Whether the tag row should expand to referrers (known ones, or ones its listing or index shows). */
  expandable(node: ReferrerRow, d: Subject | undefined): boolean {
    if (!d) return false;
    const r = this.get(node, d);
    if (r) return r.items.length > 0;
    if (d.attestations?.length) return true;
    return fallbackTags(d.digest).some((t) => this.deps.hasTag(node.connectionId, node.repository, t.tag) === true);
  }

  /** Start a lookup (hover, expand); the row refreshes when it returns. */
  lookup(node: ReferrerRow, d: Subject | undefined): Promise<Referrers | undefined> {
    if (!d || d.artifact?.kind === 'signature' || d.artifact?.kind === 'sbom' || d.artifact?.kind === 'attestation') return Promise.resolve(undefined);
    const k = key(node.connectionId, d.digest);
    const known = this.known.get(k);
    if (known) return Promise.resolve(known);
    let job = this.pending.get(k);
    if (!job) {
      job = (async () => {
        try {
          const conn = await this.deps.connection(node.connectionId);
          const found = await network().findReferrers(conn.client, node.repository, d.digest, {
            hasTag: (t) => this.deps.hasTag(node.connectionId, node.repository, t),
            attestations: d.attestations,
            // The provider's list where it has one; if it fails (a policy without the permission), the registry's.
            ...(conn.referrers
              ? {
                  provider: () =>
                    conn.referrers!(node.repository, d.digest).catch((e: unknown) => {
                      this.deps.log.debug(`provider referrers of ${node.repository}@${d.digest}: ${this.deps.log.safe(e)}`);
                      return undefined;
                    }),
                }
              : {}),
          });
          this.known.set(k, found);
          this.failed.delete(k);
          return found;
        } catch (e) {
          this.failed.set(k, this.deps.log.safe(e));
          this.deps.log.debug(`referrers of ${node.repository}@${d.digest}: ${this.deps.log.safe(e)}`);
          return undefined;
        } finally {
          this.pending.delete(k);
          this.deps.changed(node);
        }
      })();
      this.pending.set(k, job);
    }
    return job;
  }

  /** The group row under a tag, once its referrers are known (looked up now when they are not). */
  async tagChildren(node: ReferrerRow, d: Subject | undefined): Promise<ReferrersNode[]> {
    if (!d) return [];
    const r = await this.lookup(node, d);
    return r?.items.length ? [new ReferrersNode(node.connectionId, node.repository, node.tag, d.digest, node.kind === 'platform')] : [];
  }

  children(node: ReferrersNode): ReferrerNode[] {
    const r = this.known.get(key(node.connectionId, node.subject));
    return (r?.items ?? []).map((ref) => new ReferrerNode(node.connectionId, node.repository, node.tag, node.subject, ref));
  }

  /** "signed · SBOM · provenance" for the tag's description; undefined until looked up. */
  badges(node: ReferrerRow, d: Subject | undefined): string | undefined {
    const r = this.get(node, d);
    if (!r?.items.length) return undefined;
    const b = badgesOf(r.items);
    const words = [b.signed ? vscode.l10n.t('signed') : undefined, b.sbom ? vscode.l10n.t('SBOM') : undefined, b.provenance ? vscode.l10n.t('provenance') : undefined].filter(Boolean);
    return words.length ? words.join(', ') : undefined;
  }

  /** Tooltip lines for the tag: what refers to it, or why that is not known. */
  tooltip(node: ReferrerRow, d: Subject | undefined): string[] {
    if (!d) return [];
    const r = this.get(node, d);
    const failed = this.failed.get(key(node.connectionId, d.digest));
    if (failed) return [vscode.l10n.t('Referrers could not be read: {0}', failed)];
    if (!r) return [];
    if (!r.items.length) return [r.api ? vscode.l10n.t('Nothing refers to this image (no signature, SBOM or attestation).') : vscode.l10n.t('No signature, SBOM or attestation found (this registry has no referrers API; its fallback tags were checked).')];
    const counts = new Map<string, number>();
    for (const i of r.items) counts.set(kindName(i.kind), (counts.get(kindName(i.kind)) ?? 0) + 1);
    return [`${vscode.l10n.t('Referrers')}: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}`];
  }

  item(node: ReferrersNode | ReferrerNode): vscode.TreeItem {
    if (node.kind === 'referrers') {
      const items = this.known.get(key(node.connectionId, node.subject))?.items ?? [];
      const label = items.length === 1 ? vscode.l10n.t('1 referrer') : vscode.l10n.t('{0} referrers', items.length);
      const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
      item.description = [...new Set(items.map((i) => kindName(i.kind)))].join(', ');
      item.tooltip = vscode.l10n.t('Signatures, SBOMs and attestations that refer to {0}', node.subject);
      item.accessibilityInformation = { label: `${label}: ${String(item.description)}` };
      item.iconPath = new vscode.ThemeIcon('references');
      item.contextValue = 'referrers';
      item.id = node.id;
      return item;
    }
    const r = node.referrer;
    const item = new vscode.TreeItem(kindName(r.kind), vscode.TreeItemCollapsibleState.None);
    item.description = joinFacts(r.predicateTypes?.[0] ? shortPredicate(r.predicateTypes[0]) : r.artifactType, formatAge(r.created), shortDigest(r.digest), formatSize(r.size));
    const source = r.source === 'api' ? vscode.l10n.t('the referrers API') : r.source === 'provider' ? vscode.l10n.t('the provider’s API') : r.source === 'index' ? vscode.l10n.t('the image index (BuildKit)') : vscode.l10n.t('the tag {0}', r.tag ?? '');
    item.tooltip = new vscode.MarkdownString(
      [`**${kindName(r.kind)}**`, '', `${vscode.l10n.t('Digest')}: \`${r.digest}\``, r.artifactType ? `${vscode.l10n.t('Artifact type')}: \`${r.artifactType}\`` : '', ...(r.predicateTypes ?? []).map((p) => `${vscode.l10n.t('Predicate')}: \`${p}\``), `${vscode.l10n.t('Found through')}: ${source}`]
        .filter(Boolean)
        .join('\n\n'),
    );
    item.accessibilityInformation = { label: `${kindName(r.kind)}, ${String(item.description)}` };
    item.iconPath = new vscode.ThemeIcon(kindIcon(r.kind));
    item.contextValue = 'referrer';
    item.command = { command: 'registryExplorer.openReferrer', title: vscode.l10n.t('Open'), arguments: [node] };
    item.id = node.id;
    return item;
  }

  /** Forget a connection's referrers (Refresh). */
  forget(connectionId: string): void {
    const prefix = `${connectionId}\n`;
    for (const m of [this.known, this.failed]) for (const k of [...m.keys()]) if (k.startsWith(prefix)) m.delete(k);
  }
}

/** `https://slsa.dev/provenance/v1` → `slsa.dev/provenance/v1`. */
function shortPredicate(p: string): string {
  return p.replace(/^https?:\/\//, '');
}

function key(connectionId: string, digest: string): string {
  return `${connectionId}\n${digest}`;
}

/**
 * A tag listing page without the fallback-schema tags (`sha256-HEX.sig`…), which are grouped
 * under the tag they sign instead; each hidden name is handed to `hide`. Later pages likewise.
 */
export function withoutFallbackTags(page: Page<TagInfo>, hide: (tag: string) => void): Page<TagInfo> {
  const items = page.items.filter((t) => {
    if (fallbackSubject(t.name) === undefined) return true;
    hide(t.name);
    return false;
  });
  const more = page.more;
  return { items, ...(more ? { more: async (signal?: AbortSignal) => withoutFallbackTags(await more(signal), hide) } : {}) };
}
