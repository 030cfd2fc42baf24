// Diagnostics on image references in open deploy files. A document is checked DEBOUNCE_MS after
// it stops changing; a newer version of it cancels the older check. The facts come from
// RegistryFacts (one listing per repository, shared by every file; a HEAD only for pins and
// for tags a cut-short listing does not show), so a workspace of many files referring to the
// same images costs one listing per repository.

import * as vscode from 'vscode';
import { boundLookups, classifyFile, diagnose, headLookup, headsNeeded, LOOKUPS_PER_FILE, refIdentity, repositoriesNeeded, scanText, type DeployRef, type Fix, type ImageDiagnostic, type RepositoryFacts, type TagFacts } from '../link/deploy';
import { isConfigured, type DocumentRefs } from '../link/scan';
import type { Log } from '../log';
import type { RegistryFacts } from './facts';
import { DIAGNOSTIC_SOURCE, messageOf, severityOf } from './messages';
import { languageSettings } from './settings';

const DEBOUNCE_MS = 400;

/** What a quick fix needs to know about a diagnostic it was offered for. */
export interface FixEntry {
  range: vscode.Range;
  code: ImageDiagnostic['code'];
  identity: string;
  /** The reference as written when diagnosed: a fix applies only while it still says that. */
  value: string;
  fix?: Fix;
}

interface Pending {
  timer?: NodeJS.Timeout;
  cancel?: vscode.CancellationTokenSource;
}

export class ImageDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('registryExplorer.images');
  private readonly pending = new Map<string, Pending>();
  private readonly fixes = new Map<string, FixEntry[]>();
  /** Per document, the lookups its last check left out ("listings/HEADs"). */
  private readonly bounded = new Map<string, string>();
  private readonly done = new vscode.EventEmitter<vscode.Uri>();
  /** Fired after a document was checked: its diagnostics replaced, or kept while it does not parse (tests wait on it). */
  readonly onDidUpdate = this.done.event;

  constructor(
    private readonly facts: RegistryFacts,
    private readonly docs: DocumentRefs,
    private readonly applies: (doc: vscode.TextDocument) => boolean,
    private readonly log: Log,
  ) {}

  /** Check `doc` once it has been still for a moment (at once with `now`). */
  schedule(doc: vscode.TextDocument, now = false): void {
    if (doc.isClosed || !this.applies(doc)) return;
    const key = doc.uri.toString();
    const p = this.pending.get(key) ?? {};
    clearTimeout(p.timer);
    p.cancel?.cancel();
    p.timer = setTimeout(() => void this.check(doc), now ? 0 : DEBOUNCE_MS);
    this.pending.set(key, p);
  }

  /** Every open deploy document again (settings or connections changed). */
  recheckAll(): void {
    for (const doc of vscode.workspace.textDocuments) this.schedule(doc, true);
  }

  forget(uri: vscode.Uri): void {
    const key = uri.toString();
    const p = this.pending.get(key);
    clearTimeout(p?.timer);
    p?.cancel?.cancel();
    this.pending.delete(key);
    this.fixes.delete(key);
    this.bounded.delete(key);
    this.collection.delete(uri);
  }

  /**
   * The fixes of `doc`'s diagnostics. They stay shown while an edit is being checked again, so
   * their fixes stay offered too, for references that still read the same (`value`).
   */
  entries(doc: vscode.TextDocument): FixEntry[] {
    return this.fixes.get(doc.uri.toString()) ?? [];
  }

  private async check(doc: vscode.TextDocument): Promise<void> {
    const key = doc.uri.toString();
    const p = this.pending.get(key);
    if (!p) return;
    const cancel = new vscode.CancellationTokenSource();
    p.cancel = cancel;
    const version = doc.version;
    try {
      const found = await this.compute(doc, cancel.token);
      if (cancel.token.isCancellationRequested || doc.isClosed || doc.version !== version) return;
      if (found) {
        this.collection.set(doc.uri, found.map((d) => d.diagnostic));
        this.fixes.set(key, found.map((d) => d.entry));
      }
      this.done.fire(doc.uri);
    } catch (e) {
      this.log.debug(`diagnostics: ${vscode.workspace.asRelativePath(doc.uri)}: ${this.log.safe(e)}`);
    } finally {
      cancel.dispose();
      if (p.cancel === cancel) p.cancel = undefined;
    }
  }

  /** The document's diagnostics; undefined to keep the ones shown (the text does not parse right now). */
  private async compute(doc: vscode.TextDocument, token: vscode.CancellationToken): Promise<{ diagnostic: vscode.Diagnostic; entry: FixEntry }[] | undefined> {
    const settings = languageSettings(doc.uri).diagnostics;
    const refs = this.docs.get(doc);
    // Mid-typing (`image: app:` is not YAML yet) the scan finds nothing: the squiggles stay
    // until the text parses again rather than flicker away on every keystroke.
    if (!refs.length && this.unparsable(doc)) return undefined;
    if (!refs.length || !Object.values(settings).some(Boolean)) return [];
    const reach = (registry: string) => this.facts.reach(registry);

    // 1. One listing per distinct repository (shared with every other file and the tree), for
    //    so many repositories at most (LOOKUPS_PER_FILE: a file from a cloned repository decides
    //    how many requests go out with the user's credentials).
    const listed = new Map<string, RepositoryFacts>();
    const listings = boundLookups(repositoriesNeeded(refs, reach), (r) => `${r.registry}\n${r.repository}`);
    await Promise.all(
      listings.kept.map(async ({ registry, repository }) => {
        const hit = this.facts.image(registry, repository);
        const facts = hit ? await this.facts.repository(hit.config, hit.repository, token).catch((): RepositoryFacts => ({ state: 'unknown' })) : { state: 'unknown' as const };
        listed.set(`${registry}\n${repository}`, facts);
      }),
    );
    if (token.isCancellationRequested) return [];
    const repository = (registry: string, name: string): RepositoryFacts => listed.get(`${registry}\n${name}`) ?? { state: 'unknown' };

    // 2. HEADs only where the listing cannot tell.
    const heads = new Map<DeployRef, TagFacts>();
    const asked = boundLookups(headsNeeded({ refs, reach, repository, settings }), headLookup);
    this.noteBound(doc, listings.left, asked.left);
    await Promise.all(
      asked.kept.map(async (ref) => {
        const i = ref.image!;
        // A reference by digest alone: a HEAD of the digest says whether the registry still holds it.
        const facts = await (i.tag ? this.facts.head(i.registry, i.repository, i.tag, i.digest) : this.facts.head(i.registry, i.repository, i.digest!)).catch(() => undefined);
        if (facts) heads.set(ref, facts);
      }),
    );
    if (token.isCancellationRequested) return [];

    return diagnose({ refs, reach, repository, tag: (ref) => heads.get(ref), settings }).map((d) => {
      const range = new vscode.Range(doc.positionAt(d.offset), doc.positionAt(d.offset + d.length));
      const diagnostic = new vscode.Diagnostic(range, messageOf(d), severityOf(d));
      diagnostic.source = DIAGNOSTIC_SOURCE;
      diagnostic.code = d.code;
      return { diagnostic, entry: { range, code: d.code, identity: refIdentity(d.ref), value: d.ref.value, ...(d.fix ? { fix: d.fix } : {}) } };
    });
  }

  /** Said in the log when a file's bound changes, not on every keystroke's check. */
  private noteBound(doc: vscode.TextDocument, listings: number, heads: number): void {
    const key = doc.uri.toString();
    const now = `${listings}/${heads}`;
    if ((this.bounded.get(key) ?? '0/0') === now) return;
    this.bounded.set(key, now);
    if (listings || heads) {
      this.log.info(
        `${vscode.workspace.asRelativePath(doc.uri)}: names more images than one check asks about; ` +
          `${listings} repository listing(s) and ${heads} HEAD(s) past the first ${LOOKUPS_PER_FILE} of each were not asked for, and those references are not checked.`,
      );
    }
  }

  private unparsable(doc: vscode.TextDocument): boolean {
    const text = doc.getText();
    const kind = classifyFile(doc.uri.path, text, { configured: isConfigured(doc) });
    return !!kind && scanText(doc.uri.toString(), text, kind).problems.length > 0;
  }

  dispose(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.cancel?.cancel();
    }
    this.collection.dispose();
    this.done.dispose();
  }
}
