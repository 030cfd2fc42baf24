// The Connect Registry wizard panel: one WebviewPanel at a time, serving the page built by
// html.ts from dist/webview, with the conversation handled by WizardController. The panel
// is not kept alive while hidden (retainContextWhenHidden: false): the page keeps its draft
// with setState (never secrets) and asks for `init` again when it comes back.

import * as vscode from 'vscode';
import type { FormField } from '../../providers/form';
import type { WizardBackend } from './backend';
import { WizardController, type WizardOptions, type WizardPort } from './controller';
import { buildWizardHtml, makeNonce } from './html';
import { MAX_FILE_BYTES } from '../../../webview/protocol';

export type { WizardEditing, WizardOptions } from './controller';

const VIEW_TYPE = 'registryExplorer.connectWizard';

export class ConnectWizard implements vscode.Disposable {
  private static current: ConnectWizard | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private readonly controller: WizardController;
  private disposed = false;

  /** Opens the wizard, or reveals it (restarting it when asked for another provider or connection). */
  static open(context: vscode.ExtensionContext, backend: WizardBackend, opts?: WizardOptions): ConnectWizard {
    const existing = ConnectWizard.current;
    if (existing && !existing.disposed) {
      if (existing.controller.differsFrom(opts)) {
        existing.panel.title = titleFor(opts);
        void existing.controller.reset(opts ?? {});
      }
      existing.panel.reveal(undefined, false);
      return existing;
    }
    const root = vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, titleFor(opts), vscode.ViewColumn.Active, {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [root],
      retainContextWhenHidden: false,
      enableFindWidget: false,
    });
    ConnectWizard.current = new ConnectWizard(panel, root, backend, opts ?? {});
    return ConnectWizard.current;
  }

  /** The open wizard, if any (tests, and commands that want to close it). */
  static get instance(): ConnectWizard | undefined {
    return ConnectWizard.current;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly root: vscode.Uri,
    backend: WizardBackend,
    opts: WizardOptions,
  ) {
    const webview = panel.webview;
    const port: WizardPort = {
      post: (message) => {
        void webview.postMessage(message);
      },
      close: () => this.dispose(),
      pickFile: (field) => pickFile(field),
      openExternal: (url) => {
        const uri = vscode.Uri.parse(url, true);
        if (uri.scheme === 'https') void vscode.env.openExternal(uri);
      },
      withProgress: (title, task) => Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, task)),
      saved: (message) => {
        if (message) void vscode.window.showInformationMessage(message);
      },
      setTitle: (title) => {
        this.panel.title = title;
      },
      t: (message, ...args) => vscode.l10n.t(message, ...args),
      l10nBundle: vscode.l10n.bundle,
    };
    this.controller = new WizardController(backend, port, opts);

    webview.html = this.html();
    this.disposables.push(
      webview.onDidReceiveMessage((msg: unknown) => this.controller.handle(msg)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private html(): string {
    const webview = this.panel.webview;
    const uri = (file: string): string => webview.asWebviewUri(vscode.Uri.joinPath(this.root, file)).toString();
    return buildWizardHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: uri('main.js'),
      styleUri: uri('main.css'),
      codiconUri: uri('codicon.css'),
      title: vscode.l10n.t('Connect Registry'),
      lang: vscode.env.language,
      loadingText: vscode.l10n.t('Loading…'),
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (ConnectWizard.current === this) ConnectWizard.current = undefined;
    this.controller.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function titleFor(opts: WizardOptions | undefined): string {
  return opts?.editing ? vscode.l10n.t('Edit {0}', opts.editing.name) : vscode.l10n.t('Connect Registry');
}

async function pickFile(field: FormField): Promise<{ fileName: string; bytes: Uint8Array } | { fileName: string; error: string } | undefined> {
  const filters: Record<string, string[]> = { ...(field.fileFilters ?? {}) };
  filters[vscode.l10n.t('All files')] = ['*'];
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    canSelectFolders: false,
    canSelectMany: false,
    filters,
    openLabel: vscode.l10n.t('Use File'),
    title: field.label,
  });
  const uri = picked?.[0];
  if (!uri) return undefined;
  const fileName = uri.path.split('/').pop() ?? uri.path;
  const stat = await vscode.workspace.fs.stat(uri);
  if (stat.size > MAX_FILE_BYTES) {
    return { fileName, error: vscode.l10n.t('The file is larger than {0} KiB. Choose the certificate or key file itself.', MAX_FILE_BYTES / 1024) };
  }
  return { fileName, bytes: await vscode.workspace.fs.readFile(uri) };
}
