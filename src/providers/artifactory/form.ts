// Artifactory's connect form and what a filled form becomes. Artifactory serves each Docker
// repository's Registry API at `/artifactory/api/docker/REPO-KEY/v2/`, so a connection is one
// repository key on one Artifactory; images are pulled through one of its Docker access methods
// (repository path `HOST/KEY/image`, the default since Artifactory 7; subdomain
// `KEY.HOST/image`; or a port `HOST:PORT/image`), which the pull host says. A token alone is
// sent as a Bearer token (access tokens); with a user name it is that user's password (an
// identity token or API key, as `docker login` takes them).

import type { DockerConfigEntry } from '../dockerConfig';
import { displayNameField, type FieldError, type FormValues, type ProviderForm } from '../form';
import { bool, keepSecret, str } from '../generic';
import { checkApiUrl, pullHostField, pullHostForForm, readCommonFields, repositoriesField, securityFields } from '../pathRegistry';
import type { ConnectionConfig, ConnectionSecrets, FormResult } from '../provider';
import { impliedPullHost } from '../pullHost';

/** Artifactory's repository key rule: letters, digits, `.`, `_`, `-`; no leading `.`/`-`. */
const REPO_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const DOCKER_API = /\/api\/docker\/([^/]*)(?:\/v2)?\/?$/;

export const artifactoryForm: ProviderForm = {
  id: 'artifactory',
  title: 'JFrog Artifactory',
  description: 'A Docker repository of JFrog Artifactory or the JFrog Platform (SaaS or self-hosted), by its repository key.',
  icon: 'archive',
  help:
    'Sign in with an access token (Administration → User Management → Access Tokens, or your profile’s Generate Token) and leave the user name empty: it is sent as a Bearer token. ' +
    'Or give your user name with an identity token (Edit Profile → Generate an Identity Token), as docker login takes them. The user needs the Read permission on the repository (a permission target); listing its catalog needs Read on the whole repository, otherwise list the images you want under Repositories. ' +
    'The repository key is the name of a Docker repository (local, remote or virtual) under Administration → Repositories, also shown in its Set Me Up dialog. ' +
    'The pull host is what image references start with: HOST/KEY with the repository path method (the default), KEY.HOST with the subdomain method, HOST:PORT with the port method.',
  docsUrl: 'https://jfrog.com/help/r/jfrog-artifactory-documentation/getting-started-with-artifactory-as-a-docker-registry',
  fields: [
    {
      id: 'url',
      label: 'Artifactory address',
      kind: 'text',
      required: true,
      placeholder: 'acme.jfrog.io or https://artifactory.example.com/artifactory',
      help: 'The address you open Artifactory at. The Docker API is reached under /artifactory/api/docker/KEY/v2/ on it.',
    },
    { id: 'repoKey', label: 'Repository key', kind: 'text', required: true, placeholder: 'docker-local', help: 'The key of a Docker repository (Administration → Repositories). A virtual repository shows every repository it aggregates.' },
    {
      id: 'username',
      label: 'User name (optional)',
      kind: 'text',
      placeholder: 'Leave empty for an access token',
      help: 'Empty: the token is an access token, sent as a Bearer token. With a user name: the token is that user’s identity token (or password), as for docker login.',
    },
    { id: 'token', label: 'Access token or identity token', kind: 'password', required: true, secret: true, help: 'Stored in VS Code’s secret storage.' },
    pullHostField(
      'acme.jfrog.io/docker-local',
      'What image references start with. Empty: HOST/KEY (the repository path method). For the subdomain method enter KEY.HOST; for the port method HOST:PORT; behind a reverse proxy, the host it serves Docker on.',
    ),
    repositoriesField('Images to browse, one per line, when your user may not list the repository’s catalog.'),
    ...securityFields('For an Artifactory with a private CA: its PEM certificate.'),
    displayNameField('Defaults to HOST/KEY'),
  ],
};

/** The Artifactory address (`https://host[/context]`) and the repository key of a stored connection. */
export function artifactoryParts(config: Pick<ConnectionConfig, 'url' | 'options'>): { address: string; key: string } {
  const m = DOCKER_API.exec(config.url);
  return m ? { address: config.url.slice(0, m.index), key: decodeURIComponent(m[1]!) } : { address: config.url, key: String(config.options?.repoKey ?? '') };
}

/** `acme.jfrog.io` → `https://acme.jfrog.io/artifactory`; an address with a path keeps it as the context. */
function artifactoryAddress(typed: string): string {
  const text = typed.replace(/\/+$/, '');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return text;
  }
  const context = url.pathname.replace(/\/+$/, '') || '/artifactory';
  return `${/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? `${url.protocol}//` : ''}${url.host}${context}`;
}

export function artifactoryFromForm(values: FormValues, previous?: { config: ConnectionConfig; secrets: ConnectionSecrets }): FormResult {
  const errors: FieldError[] = [];
  const insecure = bool(values, 'insecure');
  let typed = str(values, 'url');
  let key = str(values, 'repoKey');
  // A pasted Docker API URL (…/api/docker/KEY/v2/) names the key too.
  const pasted = DOCKER_API.exec(typed.replace(/\/+$/, ''));
  if (pasted) {
    key ||= decodeURIComponent(pasted[1]!);
    typed = typed.replace(/\/+$/, '').slice(0, pasted.index);
  }
  if (!typed) errors.push({ field: 'url', message: 'Enter the address of your Artifactory, for example acme.jfrog.io or https://artifactory.example.com/artifactory.' });
  if (!key) errors.push({ field: 'repoKey', message: 'Enter the key of the Docker repository (Administration → Repositories), for example docker-local.' });
  else if (!REPO_KEY.test(key)) errors.push({ field: 'repoKey', message: `“${key}” is not an Artifactory repository key: letters, digits, “.”, “_” and “-”, as listed under Administration → Repositories.` });
  const address = typed ? artifactoryAddress(typed) : '';
  const url = `${address}/api/docker/${key}`;
  if (typed && !errors.some((e) => e.field === 'repoKey')) checkApiUrl(url, insecure, errors);
  const username = str(values, 'username');
  const prev = previous?.config.provider === 'artifactory' && (previous.config.username ?? '') === username ? previous.secrets : undefined;
  const token = keepSecret(values, 'token', prev)?.trim();
  if (!token) errors.push({ field: 'token', message: username ? `Paste the identity token of ${username} (Edit Profile → Generate an Identity Token).` : 'Paste an access token (Administration → User Management → Access Tokens), or give your user name with an identity token.' });
  else if (/\s/.test(token)) errors.push({ field: 'token', message: 'The token contains spaces or line breaks. Copy it again and paste it whole.' });
  const common = readCommonFields(values, errors);
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    config: {
      provider: 'artifactory',
      name: str(values, 'name') || impliedPullHost({ provider: 'artifactory', url })!,
      url,
      ...(username ? { username } : {}),
      ...(insecure ? { insecure } : {}),
      ...(common.caPem ? { caPem: common.caPem } : {}),
      ...(common.repositories ? { repositories: common.repositories } : {}),
      options: { repoKey: key, ...(common.pullHost ? { pullHost: common.pullHost } : {}) },
    },
    secrets: { token: token! },
  };
}

export function artifactoryToForm(config: ConnectionConfig): FormValues {
  const { address, key } = artifactoryParts(config);
  return {
    url: address,
    repoKey: key,
    username: config.username ?? '',
    pullHost: pullHostForForm(config),
    repositories: (config.repositories ?? []).join('\n'),
    insecure: !!config.insecure,
    caPem: config.caPem ?? '',
    name: config.name,
  };
}

/**
 * A `docker login` to a JFrog Platform host (`*.jfrog.io`): with the repository path method the
 * login host is the platform and the repository key comes with each image, so the entry says
 * nothing about which repository to browse. It becomes a connection whose key the user still
 * names (Edit connection), with the credentials in place.
 */
export function artifactoryFromDockerConfig(entry: DockerConfigEntry): { config: Omit<ConnectionConfig, 'id'>; secrets: ConnectionSecrets } | undefined {
  const token = entry.password ?? entry.identityToken;
  if (!token) return undefined;
  const host = entry.registry.toLowerCase().replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  // The subdomain method: KEY.acme.jfrog.io names the key.
  const sub = /^([a-z0-9_][a-z0-9_-]*)\.([a-z0-9-]+\.jfrog\.io)$/.exec(host);
  const platform = sub ? sub[2]! : host;
  const key = sub ? sub[1]! : '';
  const address = `https://${platform}/artifactory`;
  const user = entry.username && entry.username !== '<token>' ? entry.username : undefined;
  return {
    config: {
      provider: 'artifactory',
      name: key ? `${platform}/${key}` : platform,
      url: `${address}/api/docker/${key}`,
      ...(user ? { username: user } : {}),
      // The subdomain method pulls from the login host; the path method's HOST/KEY is implied once a key is set.
      options: { repoKey: key, ...(key ? { pullHost: host } : {}) },
    },
    secrets: { token },
  };
}
