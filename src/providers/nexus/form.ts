// Nexus Repository's connect form and what a filled form becomes. Nexus 3 serves a Docker
// repository's Registry API at `/repository/NAME/v2/` on its main port, which is what the
// extension browses; `docker pull` cannot use that path and goes through the repository's
// HTTP(S) connector port (`HOST:8443`) or a reverse proxy's host instead: the pull host. One
// repository per connection (a group repository shows every member). Sign-in is Basic: a
// user's password, or a user token (its name code as the user name, its pass code as the
// password).

import type { DockerConfigEntry } from '../dockerConfig';
import { displayNameField, type FieldError, type FormValues, type ProviderForm } from '../form';
import { bool, keepSecret, str } from '../generic';
import { checkApiUrl, pullHostField, pullHostForForm, readCommonFields, repositoriesField, securityFields } from '../pathRegistry';
import type { ConnectionConfig, ConnectionSecrets, FormResult } from '../provider';

/** Nexus repository names: letters, digits, `.`, `_`, `-`; not starting with `.`/`-`. */
const REPO_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}$/;
const REPOSITORY_PATH = /\/repository\/([^/]+)(?:\/v2)?\/?$/;

export const nexusForm: ProviderForm = {
  id: 'nexus',
  title: 'Sonatype Nexus Repository',
  description: 'A Docker repository (hosted, proxy or group) of Nexus Repository 3, by its repository URL.',
  icon: 'database',
  help:
    'Paste the repository’s URL from Nexus (Browse, or Administration → Repositories: the URL column), like https://nexus.example.com/repository/docker-hosted/. ' +
    'Sign in with your Nexus user name and password, or with a user token (your name → User Token → Access user token): its name code is the user name and its pass code the password. ' +
    'The user needs a role with nx-repository-view-docker-NAME-read (and -browse to list the repository’s catalog; without it, list the images you want under Repositories). ' +
    'docker pull reaches Nexus through the repository’s HTTP or HTTPS connector port, or a reverse proxy: enter that as the pull host (like nexus.example.com:8443), since image references start with it.',
  docsUrl: 'https://help.sonatype.com/en/docker-registry.html',
  fields: [
    {
      id: 'url',
      label: 'Repository URL',
      kind: 'text',
      required: true,
      placeholder: 'https://nexus.example.com/repository/docker-hosted/',
      help: 'The repository’s URL as Nexus shows it; its Docker API is under /v2/ there.',
    },
    { id: 'username', label: 'User name or token name code', kind: 'text', required: true, placeholder: 'alice' },
    { id: 'password', label: 'Password or token pass code', kind: 'password', required: true, secret: true, help: 'Stored in VS Code’s secret storage.' },
    pullHostField(
      'nexus.example.com:8443',
      'What image references start with: the repository’s connector (HOST:PORT, Administration → Repositories → the repository → HTTP/HTTPS port) or the host a reverse proxy serves it on. Empty: the host of the repository URL.',
    ),
    repositoriesField('Images to browse, one per line, when your user may not browse the repository (no -browse privilege).'),
    ...securityFields('For a Nexus with a private CA: its PEM certificate.'),
    displayNameField('Defaults to HOST/NAME'),
  ],
};

/** The repository name of a stored connection (`…/repository/NAME`). */
export function nexusRepository(config: Pick<ConnectionConfig, 'url'>): string {
  const m = REPOSITORY_PATH.exec(config.url);
  return m ? decodeURIComponent(m[1]!) : '';
}

function hostOf(url: string): string {
  return url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0]!.toLowerCase();
}

export function nexusFromForm(values: FormValues, previous?: { config: ConnectionConfig; secrets: ConnectionSecrets }): FormResult {
  const errors: FieldError[] = [];
  const insecure = bool(values, 'insecure');
  const typed = str(values, 'url').replace(/\/+$/, '').replace(/\/v2$/, '');
  const m = REPOSITORY_PATH.exec(typed);
  let url = '';
  if (!typed) errors.push({ field: 'url', message: 'Paste the repository’s URL from Nexus, like https://nexus.example.com/repository/docker-hosted/.' });
  else if (!m) {
    errors.push({ field: 'url', message: `“${typed}” is not a Nexus repository URL: it ends in /repository/NAME/ (copy it from Administration → Repositories, the URL column).` });
  } else if (!REPO_NAME.test(decodeURIComponent(m[1]!))) {
    errors.push({ field: 'url', message: `“${m[1]}” is not a Nexus repository name: letters, digits, “.”, “_” and “-”.` });
  } else {
    url = typed;
    checkApiUrl(url, insecure, errors);
  }
  const username = str(values, 'username');
  if (!username) errors.push({ field: 'username', message: 'Enter your Nexus user name, or the name code of your user token.' });
  const prev = previous?.config.provider === 'nexus' && previous.config.username === username ? previous.secrets : undefined;
  const password = keepSecret(values, 'password', prev);
  if (!password) errors.push({ field: 'password', message: 'Enter the password, or the pass code of your user token.' });
  else if (/[\r\n]/.test(password)) errors.push({ field: 'password', message: 'The password contains line breaks. Copy it again and paste it whole.' });
  const common = readCommonFields(values, errors);
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    config: {
      provider: 'nexus',
      name: str(values, 'name') || `${hostOf(url)}/${nexusRepository({ url })}`,
      url,
      username,
      ...(insecure ? { insecure } : {}),
      ...(common.caPem ? { caPem: common.caPem } : {}),
      ...(common.repositories ? { repositories: common.repositories } : {}),
      ...(common.pullHost ? { options: { pullHost: common.pullHost } } : {}),
    },
    secrets: { password: password! },
  };
}

export function nexusToForm(config: ConnectionConfig): FormValues {
  return {
    url: config.url,
    username: config.username ?? '',
    pullHost: pullHostForForm(config),
    repositories: (config.repositories ?? []).join('\n'),
    insecure: !!config.insecure,
    caPem: config.caPem ?? '',
    name: config.name,
  };
}

/**
 * A `docker login` entry usually names the connector (`HOST:PORT`), never the repository behind
 * it, so nothing says a host is a Nexus: the import leaves such entries to Generic v2, which
 * browses the connector's own `/v2/`. Only an entry keyed by a repository URL
 * (`https://HOST/repository/NAME/`, as some tools write it) is ours, pulled through its host.
 */
export function nexusFromDockerConfig(entry: DockerConfigEntry): { config: Omit<ConnectionConfig, 'id'>; secrets: ConnectionSecrets } | undefined {
  const key = entry.serverKey.replace(/\/+$/, '');
  if (!entry.username || !entry.password || !REPOSITORY_PATH.test(key)) return undefined;
  const url = /^https?:\/\//i.test(key) ? key : `https://${key}`;
  return {
    config: { provider: 'nexus', name: `${hostOf(url)}/${nexusRepository({ url })}`, url, username: entry.username },
    secrets: { password: entry.password },
  };
}
