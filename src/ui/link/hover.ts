// Hovering an image reference in deploy config: what the registry says about it (digest, age,
// size, platforms) and newer tags, when a connected registry serves it. Facts come from the
// tree's details (already loaded for tags on screen) or one `imageDetails` call, cached briefly.

import * as vscode from 'vscode';
import { newerVersions, type DeployRef, type FieldLocation, type NewerVersion } from './deploy';
import type { ConnectionConfig } from '../../providers/provider';
import type { ScanSummary } from '../../providers/scanSummary';
import type { ImageDetails } from '../../registry/client';
import { formatPlatform } from '../../registry/mediaTypes';
import { formatAge, formatSize } from '../tree/format';
import { scanTooltip } from '../tree/scans';
import type { LinkContext } from './flow';
import { pinStatus, type PinStatus } from './pins';
import type { DocumentRefs } from './scan';
import { languageSettings } from '../language/settings';
import { linkSettings } from './settings';
import { connectionForImage } from './targets';

const FACTS_TTL_MS = 60_000;

interface RefHit {
  ref: DeployRef;
  field: FieldLocation;
}

/** The ref (and its scalar) at `offset`: on one of its scalars, or anywhere in a block's keys. */
export function refAt(refs: readonly DeployRef[], offset: number): RefHit | undefined {
  for (const ref of refs) {
    const fields = Object.values(ref.fields);
    const on = fields.find((f) => offset >= f.offset && offset <= f.offset + f.source.length);
    if (on) return { ref, field: on };
  }
  for (const ref of refs) {
    if (ref.shape === 'string') continue;
    const fields = Object.values(ref.fields);
    const end = Math.max(...fields.map((f) => f.holderOffset + f.holderSource.length));
    if (offset >= ref.offset && offset <= end) return { ref, field: ref.fields.repository ?? ref.fields.name ?? fields[0] };
  }
  return undefined;
}

interface Facts {
  details: ImageDetails;
  /** For a `tag@digest` pin: where the tag points now. */
  pin?: PinStatus;
  /** Every newer version, majors included: the setting filters them when shown, not when cached. */
  newer: NewerVersion[];
  /** Vulnerability scan where the registry keeps one (ECR, Quay). */
  scan?: ScanSummary;
}

const md = (s: string) => s.replace(/[\\`*_{}[\]()#+!|<>]/g, '\\$&');

const NEWER_SHOWN = 5;

function newerLine(newer: readonly NewerVersion[]): string {
  if (!newer.length) return '';
  return `${md(vscode.l10n.t('Newer tags'))}: ${newer.slice(0, NEWER_SHOWN).map((v) => `\`${v.tag}\``).join(', ')}`;
}

export class ImageHoverProvider implements vscode.HoverProvider {
  private readonly facts = new Map<string, { at: number; value: Promise<Facts> }>();

  constructor(
    private readonly lctx: LinkContext,
    private readonly docs: DocumentRefs,
  ) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    if (!linkSettings(doc.uri).imageHover) return undefined;
    const hit = refAt(this.docs.get(doc), doc.offsetAt(pos));
    const image = hit?.ref.image;
    if (!hit || !image) return undefined;
    const range = new vscode.Range(doc.positionAt(hit.field.offset), doc.positionAt(hit.field.offset + hit.field.source.length));
    const out = new vscode.MarkdownString(undefined, true);
    out.appendMarkdown(`**${md(hit.ref.value)}**\n\n`);
    const served = connectionForImage(this.lctx, image.registry, image.repository);
    if (!served) {
      out.appendMarkdown(md(vscode.l10n.t('{0} is not a connected registry. Connect it (Registry Explorer: Connect Registry) to see the digest, size, platforms and newer tags here.', image.registry)));
      return new vscode.Hover(out, range);
    }
    const { config } = served;
    // The newer-version diagnostic's rules and setting: a new major only when asked for.
    const major = languageSettings(doc.uri).diagnostics.newerMajor;
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort());
    try {
      const f = await this.factsFor(config, served.repository, image.tag, image.digest, ac.signal);
      if (token.isCancellationRequested) return undefined;
      const d = f.details;
      const lines = [
        `${md(vscode.l10n.t('From {0}', config.name))}`,
        `${md(vscode.l10n.t('Digest'))}: \`${d.digest}\``,
        d.created ? `${md(vscode.l10n.t('Created'))}: ${md(new Date(d.created).toLocaleString())} (${md(formatAge(d.created))})` : '',
        d.size !== undefined ? `${md(vscode.l10n.t('Size'))}: ${md(formatSize(d.size))}` : '',
        d.platforms?.length ? `${md(vscode.l10n.t('Platforms'))}: ${md(d.platforms.map((p) => formatPlatform(p.platform)).join(', '))}` : d.platform ? `${md(vscode.l10n.t('Platform'))}: ${md(formatPlatform(d.platform))}` : '',
        f.pin?.moved
          ? `$(warning) ${md(vscode.l10n.t('The tag {0} now points at {1}, not at the pinned digest.', image.tag ?? '', f.pin.current))}`
          : '',
        newerLine(f.newer.filter((v) => major || v.level !== 'major')),
        md(scanTooltip(f.scan) ?? ''),
      ].filter(Boolean);
      out.appendMarkdown(lines.join('\n\n'));
    } catch (e) {
      if (token.isCancellationRequested) return undefined;
      out.appendMarkdown(md(vscode.l10n.t('Could not get the facts from {0}: {1}', config.name, this.lctx.log.safe(e))));
    } finally {
      sub.dispose();
    }
    return new vscode.Hover(out, range);
  }

  private factsFor(config: ConnectionConfig, repository: string, tag: string | undefined, digest: string | undefined, signal: AbortSignal): Promise<Facts> {
    const key = [config.id, repository, tag ?? '', digest ?? ''].join('\n');
    const hit = this.facts.get(key);
    if (hit && Date.now() - hit.at < FACTS_TTL_MS) return hit.value;
    const value = this.load(config, repository, tag, digest, signal);
    this.facts.set(key, { at: Date.now(), value });
    value.catch(() => this.facts.delete(key));
    if (this.facts.size > 200) this.facts.delete(this.facts.keys().next().value!);
    return value;
  }

  private async load(config: ConnectionConfig, repository: string, tag: string | undefined, digest: string | undefined, signal: AbortSignal): Promise<Facts> {
    const { tree } = this.lctx;
    const conn = await tree.connection(config.id);
    const known = !digest && tag ? tree.details.get(config.id, repository, tag) : undefined;
    const newer = async (): Promise<NewerVersion[]> => {
      if (!tag) return [];
      const listing = tree.tags(config, repository);
      if (listing.status !== 'ready') await listing.load();
      return newerVersions(tag, listing.items.map((t) => t.name), { major: true });
    };
    const [details, newest, pin] = await Promise.all([
      known ? Promise.resolve(known) : conn.client.imageDetails(repository, digest ?? tag ?? 'latest', { signal }),
      newer().catch(() => []),
      digest && tag ? pinStatus(conn, repository, tag, digest, signal).catch(() => undefined) : Promise.resolve(undefined),
    ]);
    // The scan the tree holds (ECR's listing, a Quay row on screen), else one request where the provider has them.
    const info = tag ? tree.tags(config, repository).items.find((t) => t.name === tag) : undefined;
    const scan = tree.scans.get(config.id, info, details.digest) ?? (await conn.scanSummary?.(repository, details.digest, signal).catch(() => undefined));
    return { details, newer: newest, ...(pin ? { pin } : {}), ...(scan ? { scan } : {}) };
  }
}
