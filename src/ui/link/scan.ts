// Finding image references in the workspace: `findFiles` for the deploy globs (VS Code applies
// `files.exclude`; `search.exclude` and the deploy layer's own excludes go into the exclude
// glob), plus the configured `registryExplorer.deployConfigPaths`. Open documents are read
// from their TextDocument, so unsaved changes count; other files through `workspace.fs`, a few
// at a time, and never when larger than MAX_FILE_BYTES.

import * as vscode from 'vscode';
import pLimit from 'p-limit';
import {
  classifyFile,
  DEPLOY_FILE_EXCLUDE_GLOB,
  DEPLOY_FILE_GLOBS,
  scanText,
  type DeployKind,
  type DeployProblem,
  type DeployRef,
  type ScanResult,
} from './deploy';
import type { ImageReference } from '../../registry/reference';
import { combineExcludes, enabledPatterns } from './patterns';
import { linkSettings, MAX_FILE_BYTES, MAX_FILES, READ_CONCURRENCY } from './settings';

export interface ScannedFile {
  uri: vscode.Uri;
  kind: DeployKind;
}

export interface WorkspaceScan {
  /** Every reference found, `file` being the document's URI string. */
  refs: DeployRef[];
  /** Files that do not parse: listed to the user and never edited. */
  problems: DeployProblem[];
  /** The deploy files (refs or problems or neither), by URI string. */
  files: Map<string, ScannedFile>;
  /** How many candidate files were looked at. */
  candidates: number;
  /** Files not read (too large, unreadable), as workspace-relative paths. */
  skipped: string[];
  /** More candidates than MAX_FILES: the scan saw only the first ones. */
  truncated: boolean;
}

export interface ScanOptions {
  /** Marks refs to the same registry and repository as `matches`. */
  target?: ImageReference;
  token?: vscode.CancellationToken;
  /** Called as files are read: (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** The exclude glob given to `findFiles` (files.exclude is applied by VS Code on top). */
function excludeGlob(): string {
  const search = vscode.workspace.getConfiguration('search').get<Record<string, unknown>>('exclude');
  return combineExcludes([DEPLOY_FILE_EXCLUDE_GLOB, ...enabledPatterns(search)]) ?? DEPLOY_FILE_EXCLUDE_GLOB;
}

/** The configured deploy-config globs, one RelativePattern per workspace folder. */
export function configuredPatterns(): vscode.RelativePattern[] {
  const { deployConfigPaths } = linkSettings();
  return (vscode.workspace.workspaceFolders ?? []).flatMap((f) => deployConfigPaths.map((p) => new vscode.RelativePattern(f, p)));
}

export function isConfigured(doc: vscode.TextDocument): boolean {
  const patterns = configuredPatterns();
  return patterns.length > 0 && vscode.languages.match(patterns.map((pattern) => ({ pattern })), doc) > 0;
}

/** The refs of an open document as it is now, unsaved changes included; none when it is not deploy config. */
function scanDocument(doc: vscode.TextDocument): DeployRef[] {
  const text = doc.getText();
  const kind = classifyFile(doc.uri.path, text, { configured: isConfigured(doc) });
  return kind ? scanText(doc.uri.toString(), text, kind).refs : [];
}

const SCAN_CACHE = 20;

/** Per-document scans, by version, shared by the hover, the CodeLens and its update command: the same text is scanned once. */
export class DocumentRefs {
  private readonly cache = new Map<string, { version: number; refs: DeployRef[] }>();
  get(doc: vscode.TextDocument): DeployRef[] {
    const key = doc.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === doc.version) return hit.refs;
    const refs = scanDocument(doc);
    this.cache.delete(key);
    this.cache.set(key, { version: doc.version, refs });
    if (this.cache.size > SCAN_CACHE) this.cache.delete(this.cache.keys().next().value!);
    return refs;
  }
  forget(uri: vscode.Uri): void {
    this.cache.delete(uri.toString());
  }
}

const decoder = new TextDecoder('utf-8');

/** Kubernetes manifests and generic files without the word are not worth parsing. */
function mayHoldImages(kind: DeployKind, text: string): boolean {
  return kind === 'kubernetes' || kind === 'generic' ? text.includes('image') : true;
}

export async function scanWorkspace(opts: ScanOptions = {}): Promise<WorkspaceScan> {
  const token = opts.token;
  const result: WorkspaceScan = { refs: [], problems: [], files: new Map(), candidates: 0, skipped: [], truncated: false };
  if (!vscode.workspace.workspaceFolders?.length) return result;

  const exclude = excludeGlob();
  const [byGlob, byConfig] = await Promise.all([
    Promise.all(DEPLOY_FILE_GLOBS.map((g) => vscode.workspace.findFiles(g, exclude, MAX_FILES, token))),
    Promise.all(configuredPatterns().map((p) => vscode.workspace.findFiles(p, exclude, MAX_FILES, token))),
  ]);
  if (token?.isCancellationRequested) throw new vscode.CancellationError();
  const candidates = new Map<string, { uri: vscode.Uri; configured: boolean }>();
  for (const uri of byGlob.flat()) candidates.set(uri.toString(), { uri, configured: false });
  for (const uri of byConfig.flat()) candidates.set(uri.toString(), { uri, configured: true });
  result.truncated = byGlob.some((l) => l.length >= MAX_FILES) || candidates.size > MAX_FILES;
  const list = [...candidates.values()].sort((a, b) => a.uri.toString().localeCompare(b.uri.toString())).slice(0, MAX_FILES);
  result.candidates = list.length;

  const open = new Map(vscode.workspace.textDocuments.filter((d) => !d.isClosed).map((d) => [d.uri.toString(), d]));
  const limit = pLimit(READ_CONCURRENCY);
  let done = 0;
  const scanned = await Promise.all(
    list.map((c) =>
      limit(async (): Promise<{ key: string; uri: vscode.Uri; kind: DeployKind; scan: ScanResult } | undefined> => {
        if (token?.isCancellationRequested) return undefined;
        const key = c.uri.toString();
        try {
          let text: string;
          const doc = open.get(key);
          if (doc) {
            text = doc.getText();
          } else {
            const stat = await vscode.workspace.fs.stat(c.uri);
            if (stat.size > MAX_FILE_BYTES) {
              result.skipped.push(vscode.workspace.asRelativePath(c.uri));
              return undefined;
            }
            const bytes = await vscode.workspace.fs.readFile(c.uri);
            if (bytes.includes(0)) return undefined; // binary
            text = decoder.decode(bytes);
          }
          const kind = classifyFile(c.uri.path, text, { configured: c.configured });
          if (!kind || !mayHoldImages(kind, text)) return undefined;
          return { key, uri: c.uri, kind, scan: scanText(key, text, kind, opts.target ? { target: opts.target } : {}) };
        } catch {
          result.skipped.push(vscode.workspace.asRelativePath(c.uri));
          return undefined;
        } finally {
          opts.onProgress?.(++done, list.length);
        }
      }),
    ),
  );
  if (token?.isCancellationRequested) throw new vscode.CancellationError();
  for (const s of scanned) {
    if (!s) continue;
    result.files.set(s.key, { uri: s.uri, kind: s.kind });
    result.refs.push(...s.scan.refs);
    result.problems.push(...s.scan.problems);
  }
  return result;
}

/** `k8s/web.yaml:12` for a ref or problem's URI string and 1-based line. */
export function fileLine(file: string, line: number): string {
  return `${vscode.workspace.asRelativePath(vscode.Uri.parse(file))}:${line}`;
}
