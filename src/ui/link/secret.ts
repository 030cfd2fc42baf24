// After a link into Kubernetes config: the pull secret the cluster needs for a registry with
// credentials. Either a `kubernetes.io/dockerconfigjson` Secret manifest (modal warning first; it
// opens as an unsaved document, so the credential reaches disk only where the user saves it),
// or a `kubectl create secret docker-registry` command on the clipboard with a placeholder
// password.

import * as vscode from 'vscode';
import { dnsLabel, dockerConfigJsonSecret, kubectlCreateSecretCommand, PASSWORD_PLACEHOLDER } from './deploy';
import type { LinkContext } from './flow';

export interface PullCredentials {
  username: string;
  password?: string;
}

/** The connection's username and password/token, or undefined when it has none. */
export async function pullCredentials(lctx: Pick<LinkContext, 'store'>, connectionId: string): Promise<PullCredentials | undefined> {
  const config = lctx.store.get(connectionId);
  if (!config) return undefined;
  const secrets = await lctx.store.secrets(connectionId);
  const username = config.username ?? secrets.username;
  if (!username) return undefined;
  const password = secrets.password ?? secrets.token ?? secrets.accessToken;
  return { username, ...(password ? { password } : {}) };
}

export function defaultSecretName(registry: string): string {
  return `${dnsLabel(registry.replace(/[:.]/g, '-'))}-pull`.slice(0, 63);
}

interface SecretItem extends vscode.QuickPickItem {
  secret: 'manifest' | 'kubectl';
}

export async function offerPullSecret(lctx: LinkContext, connectionId: string, registry: string): Promise<void> {
  const creds = await pullCredentials(lctx, connectionId);
  if (!creds) {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} is connected without credentials, so the cluster needs no pull secret for it.', registry));
    return;
  }
  const items: SecretItem[] = [
    { secret: 'kubectl', label: vscode.l10n.t('Copy kubectl Command'), description: vscode.l10n.t('kubectl create secret docker-registry, password left as {0}', PASSWORD_PLACEHOLDER), iconPath: new vscode.ThemeIcon('terminal') },
    { secret: 'manifest', label: vscode.l10n.t('Secret Manifest'), description: vscode.l10n.t('kubernetes.io/dockerconfigjson, contains the credential'), iconPath: new vscode.ThemeIcon('key') },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Image pull secret for {0}', registry) });
  if (!pick) return;
  const name = await vscode.window.showInputBox({
    title: vscode.l10n.t('Name of the pull secret'),
    value: defaultSecretName(registry),
    validateInput: (v) => (/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v) && v.length <= 253 ? undefined : vscode.l10n.t('Lower-case letters, digits, - and . (a Kubernetes name).')),
  });
  if (!name) return;
  const hint = vscode.l10n.t('Reference it from the pod spec: imagePullSecrets: [{ name: {0} }].', name);
  if (pick.secret === 'kubectl') {
    await vscode.env.clipboard.writeText(kubectlCreateSecretCommand({ name, registry, username: creds.username, password: '' }));
    void vscode.window.showInformationMessage(vscode.l10n.t('Copied the kubectl command. Replace {0} with the password or token before running it. {1}', PASSWORD_PLACEHOLDER, hint));
    return;
  }
  if (!creds.password) {
    void vscode.window.showWarningMessage(vscode.l10n.t('This connection keeps no password or token that could go into a manifest. Use the kubectl command instead.'));
    return;
  }
  const write = vscode.l10n.t('Show Manifest');
  const ok = await vscode.window.showWarningMessage(
    vscode.l10n.t('The manifest contains your registry credential for {0}', registry),
    {
      modal: true,
      detail: vscode.l10n.t('Base64 is an encoding, not encryption: anyone who can read the file can use the credential. It opens unsaved; do not commit it (use a sealed or external secret for Git).'),
    },
    write,
  );
  if (ok !== write) return;
  const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content: dockerConfigJsonSecret({ name, registry, username: creds.username, password: creds.password }) });
  await vscode.window.showTextDocument(doc, { preview: false });
  void vscode.window.showInformationMessage(hint);
}
