// Commands on what lies behind a tag: open a referrer's payload, show a Helm chart's
// values.yaml or README or a CNAB bundle's bundle.json (read-only documents), link a chart
// into a Chart.yaml. The real registrations behind artifacts.ts: the entry point of
// dist/artifacts.js.

import * as vscode from 'vscode';
import { artifactUri } from '../manifestDocument';
import { chartDependencyFor, DEPLOY_FILE_EXCLUDE_GLOB, linkChartDependency } from '../link/deploy';
import { registryHost } from '../tree/provider';
import type { Node, TagNode } from '../tree/nodes';
import type { ReferrerNode } from '../tree/referrerNodes';
import type { CommandContext } from './context';

export function registerArtifactCommands(ctx: CommandContext): vscode.Disposable[] {
  const { store, tree, log } = ctx;

  const hostOf = (connectionId: string): string => {
    const config = store.get(connectionId);
    return config ? registryHost(config) : '';
  };

  const failed = (what: string) => (e: unknown) => {
    log.error(`${what}: ${log.safe(e)}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('{0} failed: {1}', what, log.safe(e)));
  };

  const open = async (uri: vscode.Uri, language: string, title: string): Promise<void> => {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, async () => {
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.languages.setTextDocumentLanguage(doc, language);
      await vscode.window.showTextDocument(doc, { preview: true });
    });
  };

  const selected = <K extends Node['kind']>(n: Node | undefined, kind: K): Extract<Node, { kind: K }> | undefined => {
    const node = n ?? ctx.view.selection[0];
    if (node?.kind === kind) return node as Extract<Node, { kind: K }>;
    void vscode.window.showInformationMessage(kind === 'referrer' ? vscode.l10n.t('Select a signature, SBOM or attestation under a tag first.') : vscode.l10n.t('Select a Helm chart tag in the Registries view first.'));
    return undefined;
  };

  /** The chart facts of a tag: from the tree's details, or fetched now. */
  const chartOf = async (node: TagNode) => {
    const known = tree.tagDetails(node);
    const d = known ?? (await (await tree.connection(node.connectionId)).client.imageDetails(node.repository, node.tag));
    if (d.artifact?.kind !== 'helm' || !d.chart) throw new Error(vscode.l10n.t('{0}:{1} is not a Helm chart.', node.repository, node.tag));
    return d.chart;
  };

  const showChartPart = (part: 'values' | 'readme') => async (n?: Node) => {
    const node = selected(n, 'tag');
    if (!node) return;
    const file = part === 'values' ? 'values.yaml' : 'README.md';
    await open(artifactUri(node.connectionId, hostOf(node.connectionId), node.repository, node.tag, part), part === 'values' ? 'yaml' : 'markdown', vscode.l10n.t('Reading {0} of {1}:{2}…', file, node.repository, node.tag)).catch(
      failed(vscode.l10n.t('Show {0}', file)),
    );
  };

  const linkChart = async (n?: Node): Promise<void> => {
    const node = selected(n, 'tag');
    if (!node) return;
    try {
      const chart = await chartOf(node);
      const dep = chartDependencyFor(hostOf(node.connectionId), node.repository, chart.name, chart.version);
      const files = await vscode.workspace.findFiles('**/Chart.yaml', DEPLOY_FILE_EXCLUDE_GLOB, 200);
      if (!files.length) {
        void vscode.window.showWarningMessage(vscode.l10n.t('No Chart.yaml in this workspace. Open the folder of the chart that should depend on {0} {1}.', chart.name, chart.version));
        return;
      }
      const target =
        files.length === 1
          ? files[0]
          : (await vscode.window.showQuickPick(files.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f })), { title: vscode.l10n.t('Add {0} {1} to which Chart.yaml?', chart.name, chart.version) }))?.uri;
      if (!target) return;
      const doc = await vscode.workspace.openTextDocument(target);
      const result = linkChartDependency(doc.getText(), dep);
      if (result.action === 'unchanged') {
        void vscode.window.showInformationMessage(vscode.l10n.t('{0} already depends on {1} {2} from {3}.', vscode.workspace.asRelativePath(target), chart.name, chart.version, dep.repository));
        return;
      }
      const edit = new vscode.WorkspaceEdit();
      for (const e of result.edits) edit.replace(target, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.newText);
      if (!(await vscode.workspace.applyEdit(edit))) throw new Error(vscode.l10n.t('VS Code did not apply the edit to {0}.', vscode.workspace.asRelativePath(target)));
      await vscode.window.showTextDocument(doc, { preview: false });
      log.info(`Linked chart ${chart.name} ${chart.version} (${dep.repository}) into ${vscode.workspace.asRelativePath(target)}: ${result.action}.`);
      const message = result.action === 'added' ? vscode.l10n.t('Added {0} {1} to the dependencies of {2}. Run helm dependency update to fetch it.', chart.name, chart.version, vscode.workspace.asRelativePath(target)) : vscode.l10n.t('Updated {0} to {1} in {2}. Run helm dependency update to fetch it.', chart.name, chart.version, vscode.workspace.asRelativePath(target));
      void vscode.window.showInformationMessage(message);
    } catch (e) {
      failed(vscode.l10n.t('Link chart'))(e);
    }
  };

  return [
    vscode.commands.registerCommand('registryExplorer.openReferrer', async (n?: Node) => {
      const node = selected(n, 'referrer') as ReferrerNode | undefined;
      if (!node) return;
      const uri = artifactUri(node.connectionId, hostOf(node.connectionId), node.repository, node.referrer.digest, 'payload');
      await open(uri, 'json', vscode.l10n.t('Reading {0}…', node.referrer.digest.slice(0, 19))).catch(failed(vscode.l10n.t('Open referrer')));
    }),
    vscode.commands.registerCommand('registryExplorer.showChartValues', showChartPart('values')),
    vscode.commands.registerCommand('registryExplorer.showChartReadme', showChartPart('readme')),
    vscode.commands.registerCommand('registryExplorer.linkChart', linkChart),
    vscode.commands.registerCommand('registryExplorer.showBundle', async (n?: Node) => {
      const node = selected(n, 'tag');
      if (!node) return;
      const uri = artifactUri(node.connectionId, hostOf(node.connectionId), node.repository, node.tag, 'bundle');
      await open(uri, 'json', vscode.l10n.t('Reading the bundle of {0}:{1}…', node.repository, node.tag)).catch(failed(vscode.l10n.t('Show bundle')));
    }),
  ];
}
