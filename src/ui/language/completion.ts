// Completion of image references in deploy files: registry hosts of connected registries, then
// their repositories, then tags (newest first by the tree's tag order, with digest, age and
// size when known), then a tag's digest. Items come from the tree's listings: at once when
// loaded, after the first page otherwise. The caller cancelling (typing on) stops the wait,
// never the listing. A registry that is not connected completes nothing and is never asked.

import * as vscode from 'vscode';
import type { ConnectionConfig, TagInfo } from '../../providers/provider';
import { referenceOf } from '../../providers/pullHost';
import { isTag, isValidRepository } from '../../registry/reference';
import type { CommandContext } from '../commands/context';
import { formatAge, formatSize, joinFacts, shortDigest } from '../tree/format';
import { registryHost, settings as treeSettings } from '../tree/provider';
import { sortTags } from '../tree/sort';
import { classifyFile, completionSite, type CompletionSite } from '../link/deploy';
import { isConfigured } from '../link/scan';
import type { RegistryFacts } from './facts';
import { languageSettings } from './settings';

const SUGGEST = { title: '', command: 'editor.action.triggerSuggest' };

/** `0000042`: VS Code sorts by sortText, and the order is ours. */
const order = (i: number) => String(i).padStart(7, '0');

export class ImageCompletionProvider implements vscode.CompletionItemProvider {
  constructor(
    private readonly ctx: CommandContext,
    private readonly facts: RegistryFacts,
  ) {}

  async provideCompletionItems(doc: vscode.TextDocument, pos: vscode.Position, token: vscode.CancellationToken): Promise<vscode.CompletionList | undefined> {
    if (!languageSettings(doc.uri).completion) return undefined;
    const text = doc.getText();
    const kind = classifyFile(doc.uri.path, text, { configured: isConfigured(doc) });
    if (!kind) return undefined;
    const configs = this.ctx.store.list();
    const hosts = new Map(configs.map((c) => [registryHost(c), c]));
    const site = completionSite(text, doc.offsetAt(pos), kind, new Set(hosts.keys()));
    if (!site) return undefined;
    const range = new vscode.Range(doc.positionAt(site.start), doc.positionAt(site.end));
    const items = await this.items(site, hosts, range, token);
    return items && new vscode.CompletionList(items, false);
  }

  private async items(site: CompletionSite, hosts: Map<string, ConnectionConfig>, range: vscode.Range, token: vscode.CancellationToken): Promise<vscode.CompletionItem[] | undefined> {
    if (site.part === 'host') {
      return [...hosts].map(([host, config], i) => {
        const item = new vscode.CompletionItem({ label: host, description: config.name }, vscode.CompletionItemKind.Module);
        item.range = range;
        item.sortText = order(i);
        if (site.reference) {
          item.insertText = `${host}/`;
          item.command = SUGGEST;
        }
        return item;
      });
    }
    if (site.part === 'repository') return this.repositoryItems(this.facts.configsAt(site.registry!), site, range, token);
    // The reference's repository names the connection's (`docker-local/app` → `app` under HOST/docker-local).
    const hit = this.facts.image(site.registry!, site.repository!);
    if (!hit) return undefined;
    try {
      if (site.part === 'tag') return await this.tagItems(hit.config, hit.repository, range, token);
      return await this.digestItems(hit.config, hit.repository, site.tag, range, token);
    } catch (e) {
      this.ctx.log.debug(`completion: ${hit.config.name}: ${this.ctx.log.safe(e)}`);
      return undefined;
    }
  }

  /** Every connection written with this host (Artifactory keys under one host among them), the default's names first. */
  private async repositoryItems(configs: ConnectionConfig[], site: CompletionSite, range: vscode.Range, token: vscode.CancellationToken): Promise<vscode.CompletionItem[] | undefined> {
    if (!configs.length) return undefined;
    const defaultId = this.ctx.store.defaultId();
    configs.sort((a, b) => Number(b.id === defaultId) - Number(a.id === defaultId));
    const lists = await Promise.all(
      configs.map((config) =>
        this.facts.repositories(config, token).then(
          (repos) => ({ config, repos }),
          (e: unknown) => (this.ctx.log.debug(`completion: ${config.name}: ${this.ctx.log.safe(e)}`), { config, repos: [] }),
        ),
      ),
    );
    // `image:` goes on to the tag; Kustomize newName and Helm repository hold the name only.
    const more = site.field === 'image';
    const seen = new Set<string>();
    const items: vscode.CompletionItem[] = [];
    for (const { config, repos } of lists) {
      for (const r of repos) {
        // As Docker reads it: a pull host's path leads the repository (`docker-local/app`).
        const name = referenceOf(config, r.name).repository;
        // Names go into the user's file: only what a reference can hold (a server's `a\n  evil: x` never).
        if (!isValidRepository(r.name) || !isValidRepository(name) || seen.has(name)) continue;
        seen.add(name);
        const item = new vscode.CompletionItem({ label: name, description: config.name }, vscode.CompletionItemKind.Folder);
        item.range = range;
        item.sortText = order(items.length);
        if (r.tagCount !== undefined) item.detail = vscode.l10n.t('{0} tags', r.tagCount);
        if (more) {
          item.insertText = `${name}:`;
          item.command = SUGGEST;
        }
        items.push(item);
      }
    }
    return items;
  }

  private async tagItems(config: ConnectionConfig, repository: string, range: vscode.Range, token: vscode.CancellationToken): Promise<vscode.CompletionItem[]> {
    const tags = (await this.facts.tags(config, repository, token)).filter((t) => isTag(t.name));
    const details = (t: TagInfo) => this.ctx.tree.details.get(config.id, repository, t.name);
    return sortTags(tags, treeSettings().tagSort, (t) => t.created ?? details(t)?.created).map((t, i) => {
      const d = details(t);
      const digest = t.digest ?? d?.digest;
      const item = new vscode.CompletionItem({ label: t.name, description: joinFacts(shortDigest(digest), formatAge(t.created ?? d?.created)) || undefined }, vscode.CompletionItemKind.Value);
      item.range = range;
      item.sortText = order(i);
      item.detail = joinFacts(`${repository}:${t.name}`, formatSize(t.size ?? d?.size)) || undefined;
      if (digest) item.documentation = new vscode.MarkdownString(`\`${digest}\``);
      return item;
    });
  }

  private async digestItems(config: ConnectionConfig, repository: string, tag: string | undefined, range: vscode.Range, token: vscode.CancellationToken): Promise<vscode.CompletionItem[] | undefined> {
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort());
    try {
      const digest = tag ? await this.facts.digestOf(config, repository, tag, ac.signal) : undefined;
      if (!digest) return undefined;
      const item = new vscode.CompletionItem({ label: digest, description: vscode.l10n.t('digest of {0}', tag!) }, vscode.CompletionItemKind.Constant);
      item.range = range;
      return [item];
    } finally {
      sub.dispose();
    }
  }
}
