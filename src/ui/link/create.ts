// No deploy config in the workspace: offer a starter one (Kubernetes Deployment + Service, a
// Compose file, or a Kustomize overlay) with the image filled in, created through one
// WorkspaceEdit (createFile + insert, so it is undoable) in a folder the user picks.

import * as vscode from 'vscode';
import { createDeployConfig, type CreateKind } from './deploy';
import { formatReference, type ImageReference } from '../../registry/reference';
import { LinkFlowError, targetText } from './flow';

const CREATE_KINDS: { kind: CreateKind; label: () => string }[] = [
  { kind: 'kubernetes', label: () => vscode.l10n.t('Kubernetes Deployment + Service') },
  { kind: 'compose', label: () => vscode.l10n.t('Compose File') },
  { kind: 'kustomize', label: () => vscode.l10n.t('Kustomize Overlay') },
];

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates the starter files for `image` under `folder` and returns their URIs, the one to open
 * first at index 0. Refuses (LinkFlowError, nothing created) when any of them exists already.
 */
export async function createDeployFiles(kind: CreateKind, image: ImageReference, folder: vscode.Uri): Promise<vscode.Uri[]> {
  const name = image.repository.split('/').pop() ?? 'app';
  const { files } = createDeployConfig(kind, formatReference(image), name);
  const uris = files.map((f) => vscode.Uri.joinPath(folder, ...f.path.split('/')));
  for (const uri of uris) {
    if (await exists(uri)) {
      throw new LinkFlowError(vscode.l10n.t('{0} already exists. Nothing was created; pick another folder or link into the existing file.', vscode.workspace.asRelativePath(uri)));
    }
  }
  const edit = new vscode.WorkspaceEdit();
  files.forEach((f, i) => {
    edit.createFile(uris[i], { overwrite: false, ignoreIfExists: false });
    edit.insert(uris[i], new vscode.Position(0, 0), f.text);
  });
  if (!(await vscode.workspace.applyEdit(edit))) {
    throw new LinkFlowError(vscode.l10n.t('VS Code could not create the files in {0}. Nothing was created; check that the folder is writable.', folder.fsPath || folder.toString()));
  }
  // The file that names the image: the Kustomize overlay is the last one.
  return kind === 'kustomize' ? [uris[uris.length - 1], ...uris.slice(0, -1)] : uris;
}

interface FolderItem extends vscode.QuickPickItem {
  uri?: vscode.Uri;
}

/** A workspace folder (the first is the default), or any folder through the open dialog. */
async function pickFolder(): Promise<vscode.Uri | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const browse = async () =>
    (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: vscode.l10n.t('Create Here'), ...(folders[0] ? { defaultUri: folders[0].uri } : {}) }))?.[0];
  if (!folders.length) return browse();
  const items: FolderItem[] = [
    ...folders.map((f, i) => ({ label: f.name, description: i === 0 ? vscode.l10n.t('workspace folder (default)') : vscode.l10n.t('workspace folder'), iconPath: vscode.ThemeIcon.Folder, uri: f.uri })),
    { label: vscode.l10n.t('Choose Another Folder…'), iconPath: new vscode.ThemeIcon('folder-opened') },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Create the deploy config in…'), placeHolder: vscode.l10n.t('Folder for the new files') });
  if (!pick) return undefined;
  return pick.uri ?? browse();
}

/** The command's offer when the scan found no image reference. */
export async function offerCreate(image: ImageReference, scanned: { candidates: number; problems: number }): Promise<void> {
  const lead =
    scanned.problems > 0
      ? vscode.l10n.t('No image reference found in the workspace ({0} file(s) could not be parsed and were left alone).', scanned.problems)
      : vscode.l10n.t('No deploy config with an image reference found in the workspace ({0} YAML file(s) looked at).', scanned.candidates);
  const labels = CREATE_KINDS.map((k) => k.label());
  const choice = await vscode.window.showInformationMessage(`${lead} ${vscode.l10n.t('Create one for {0}?', targetText(image))}`, ...labels);
  const kind = CREATE_KINDS.find((k) => k.label() === choice)?.kind;
  if (!kind) return;
  const folder = await pickFolder();
  if (!folder) return;
  const uris = await createDeployFiles(kind, image, folder);
  await vscode.window.showTextDocument(uris[0], { preview: false });
  void vscode.window.showInformationMessage(
    uris.length === 1
      ? vscode.l10n.t('Created {0} (not saved yet).', vscode.workspace.asRelativePath(uris[0]))
      : vscode.l10n.t('Created {0} files under {1} (not saved yet).', uris.length, vscode.workspace.asRelativePath(folder)),
  );
}
