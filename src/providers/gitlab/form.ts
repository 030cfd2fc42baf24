// GitLab's connect form and what a filled form becomes. The REST API host and the registry host
// are separate fields because self-managed instances often serve the registry elsewhere
// (`registry.example.com`, `gitlab.example.com:5050`); gitlab.com's registry is
// registry.gitlab.com. Two kinds of credential, because they reach different things: an access
// token (personal, project or group) reaches the REST API, which lists repositories; a deploy
// token reaches the registry only, so its connection lists the repositories the user names.

import type { DockerConfigEntry } from '../dockerConfig';
import { displayNameField, type FieldError, type ProviderForm } from '../form';
import { bool, checkAddress, checkCaPem, keepSecret, parseRepositoryList, str } from '../generic';
import type { ConnectionConfig, ConnectionSecrets, FormResult } from '../provider';

export const GITLAB_COM = 'gitlab.com';
export const GITLAB_COM_REGISTRY = 'registry.gitlab.com';
/** What the registry is told as the user name when an access token's owner is not given: GitLab reads the token, not the name. */
export const TOKEN_USERNAME = 'registry-explorer';
/** A group or project: a numeric id, or a full path of `[A-Za-z0-9_.-]` segments. */
const PATH = /^(?:\d+|[A-Za-z0-9_][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*)$/;
/** `gitlab+deploy-token-12` is what GitLab generates; a custom name is allowed too. */
const DEPLOY_USER = /^[A-Za-z0-9_.+-]+$/;

export type GitLabAuth = 'token' | 'deploy';

export function isGitLabComHost(host: string): boolean {
  return host.trim().toLowerCase().replace(/^https?:\/\//, '').split('/')[0] === GITLAB_COM_REGISTRY;
}

export function gitlabAuth(config: ConnectionConfig): GitLabAuth {
  return config.options?.auth === 'deploy' ? 'deploy' : 'token';
}

function listOption(config: ConnectionConfig, key: string): string[] {
  const v = config.options?.[key];
  return typeof v === 'string' && v ? v.split(',') : [];
}

export const gitlabGroups = (config: ConnectionConfig): string[] => listOption(config, 'groups');
export const gitlabProjects = (config: ConnectionConfig): string[] => listOption(config, 'projects');

/** The REST API's origin from what the user typed (`gitlab.com` → `https://gitlab.com`). */
export function gitlabApiOrigin(config: ConnectionConfig): string {
  const v = config.options?.apiUrl;
  const host = typeof v === 'string' && v ? v : GITLAB_COM;
  return /^https?:\/\//i.test(host) ? host.replace(/\/+$/, '') : `https://${host.replace(/\/+$/, '')}`;
}

export const gitlabForm: ProviderForm = {
  id: 'gitlab',
  title: 'GitLab Container Registry',
  description: 'gitlab.com or self-managed GitLab: the registries of the groups and projects you choose.',
  icon: 'git-merge',
  help:
    'To browse, use a personal, project or group access token with the read_api scope (to list repositories and tags) and read_registry (to read images; add write_registry to delete). ' +
    'Create one under User Settings → Access tokens, or a project’s or group’s Settings → Access tokens (role Reporter or higher). ' +
    'A deploy token (Settings → Repository → Deploy tokens, scope read_registry) reaches the registry only: GitLab’s API does not accept it, so list the repositories you want by hand. ' +
    'Tokens are kept in VS Code’s secret storage.',
  docsUrl: 'https://docs.gitlab.com/ee/user/packages/container_registry/authenticate_with_container_registry.html',
  fields: [
    { id: 'apiUrl', label: 'GitLab address', kind: 'text', default: GITLAB_COM, placeholder: 'gitlab.com or gitlab.example.com', help: 'The host you open GitLab at; its REST API is under /api/v4.' },
    {
      id: 'registryUrl',
      label: 'Registry address',
      kind: 'text',
      placeholder: 'registry.gitlab.com',
      help: 'Where images are pulled from: registry.gitlab.com for gitlab.com. On a self-managed GitLab, copy it from a project’s Deploy → Container Registry page (often registry.HOST or HOST:5050).',
    },
    {
      id: 'auth',
      label: 'Sign in with',
      kind: 'select',
      default: 'token',
      options: [
        { value: 'token', label: 'Personal, project or group access token' },
        { value: 'deploy', label: 'Deploy token (registry only)' },
      ],
    },
    { id: 'token', label: 'Token', kind: 'password', required: true, secret: true, placeholder: 'glpat-…', help: 'Access token: scopes read_api and read_registry. Deploy token: scope read_registry.' },
    {
      id: 'username',
      label: 'User name',
      kind: 'text',
      placeholder: 'Optional for access tokens',
      help: 'Access tokens: optional, GitLab identifies you by the token. Deploy tokens: the token’s user name, like gitlab+deploy-token-12.',
    },
    {
      id: 'groups',
      label: 'Groups',
      kind: 'list',
      placeholder: 'my-group\nmy-group/subgroup',
      help: 'Groups whose registries to list, one per line: the path after gitlab.com/ or the numeric group ID. Subgroups are included.',
      showIf: { field: 'auth', equals: 'token' },
    },
    {
      id: 'projects',
      label: 'Projects',
      kind: 'list',
      placeholder: 'my-group/my-project',
      help: 'Projects whose registries to list, one per line: the full path or the numeric project ID.',
      showIf: { field: 'auth', equals: 'token' },
    },
    {
      id: 'repositories',
      label: 'Repositories',
      kind: 'list',
      placeholder: 'my-group/my-project\nmy-group/my-project/api',
      help: 'The image repositories to browse, one per line, as in registry.gitlab.com/PATH (a deploy token cannot list them).',
      showIf: { field: 'auth', equals: 'deploy' },
    },
    { id: 'insecure', label: 'Allow insecure (skip TLS verification, allow plain HTTP)', kind: 'checkbox', default: false },
    { id: 'caPem', label: 'Custom CA certificate', kind: 'file', help: 'For a self-managed GitLab with a private CA: its PEM certificate.', fileFilters: { 'PEM certificate': ['pem', 'crt', 'cer'] } },
    displayNameField('Defaults to the registry address'),
  ],
};

function paths(text: string, field: string, what: string, errors: FieldError[]): string[] {
  const list = text
    .split(/[\n,]/)
    .map((s) => s.trim().replace(/^(https?:\/\/)?[^/]*gitlab[^/]*\//i, '').replace(/\/-\/.*$/, '').replace(/\/+$/, ''))
    .filter(Boolean);
  const bad = list.filter((p) => !PATH.test(p));
  if (bad.length) errors.push({ field, message: `Not a ${what} path or ID: ${bad.slice(0, 3).join(', ')}. Use the path after gitlab.com/ (like my-group/sub) or the numeric ID, one per line.` });
  return [...new Set(list)];
}

export function gitlabFromForm(values: Record<string, string | boolean>, previous?: { config: ConnectionConfig; secrets: ConnectionSecrets }): FormResult {
  const errors: FieldError[] = [];
  const insecure = bool(values, 'insecure');
  const apiHost = (str(values, 'apiUrl') || GITLAB_COM).replace(/\/+$/, '').replace(/\/api\/v4$/, '');
  checkAddress(apiHost, insecure, errors, 'apiUrl');
  const bareApi = apiHost.replace(/^https?:\/\//i, '').toLowerCase();
  let registryUrl = str(values, 'registryUrl').replace(/\/+$/, '');
  if (!registryUrl && bareApi === GITLAB_COM) registryUrl = GITLAB_COM_REGISTRY;
  if (!registryUrl) errors.push({ field: 'registryUrl', message: 'Enter the registry address of your GitLab: a project’s Deploy → Container Registry page shows it (often registry.HOST or HOST:5050).' });
  else checkAddress(registryUrl, insecure, errors, 'registryUrl');
  const auth: GitLabAuth = str(values, 'auth') === 'deploy' ? 'deploy' : 'token';
  const prev = previous?.config.provider === 'gitlab' && gitlabAuth(previous.config) === auth ? previous.secrets : undefined;
  const token = keepSecret(values, 'token', prev)?.trim();
  if (!token) errors.push({ field: 'token', message: auth === 'deploy' ? 'Paste the deploy token (Settings → Repository → Deploy tokens).' : 'Paste an access token with read_api and read_registry (User Settings → Access tokens).' });
  else if (/\s/.test(token)) errors.push({ field: 'token', message: 'The token contains spaces or line breaks. Copy it again and paste it whole.' });
  const username = str(values, 'username');
  if (username && !DEPLOY_USER.test(username)) errors.push({ field: 'username', message: `“${username}” is not a GitLab user name.` });
  let groups: string[] = [];
  let projects: string[] = [];
  let repositories: string[] | undefined;
  if (auth === 'deploy') {
    if (!username) errors.push({ field: 'username', message: 'Enter the deploy token’s user name, shown when it was created (like gitlab+deploy-token-12).' });
    repositories = parseRepositoryList(str(values, 'repositories'), errors);
    if (!repositories && !errors.some((e) => e.field === 'repositories')) {
      errors.push({ field: 'repositories', message: 'A deploy token cannot list repositories: name the ones to browse, one per line (like my-group/my-project).' });
    }
  } else {
    groups = paths(str(values, 'groups'), 'groups', 'group', errors);
    projects = paths(str(values, 'projects'), 'projects', 'project', errors);
    if (!groups.length && !projects.length && !errors.some((e) => e.field === 'groups' || e.field === 'projects')) {
      errors.push({ field: 'groups', message: 'Name at least one group or project whose registry to list (the path after gitlab.com/).' });
    }
  }
  const caPem = checkCaPem(str(values, 'caPem'), errors);
  if (errors.length) return { ok: false, errors };
  const options: Record<string, string> = { apiUrl: apiHost, auth };
  if (groups.length) options.groups = groups.join(',');
  if (projects.length) options.projects = projects.join(',');
  return {
    ok: true,
    config: {
      provider: 'gitlab',
      name: str(values, 'name') || registryUrl.replace(/^https?:\/\//, ''),
      url: registryUrl,
      ...(username ? { username } : {}),
      ...(insecure ? { insecure } : {}),
      ...(caPem ? { caPem } : {}),
      ...(repositories ? { repositories } : {}),
      options,
    },
    secrets: { token: token! },
  };
}

export function gitlabToForm(config: ConnectionConfig): Record<string, string | boolean> {
  const api = config.options?.apiUrl;
  return {
    apiUrl: typeof api === 'string' ? api : GITLAB_COM,
    registryUrl: config.url,
    auth: gitlabAuth(config),
    username: config.username ?? '',
    groups: gitlabGroups(config).join('\n'),
    projects: gitlabProjects(config).join('\n'),
    repositories: (config.repositories ?? []).join('\n'),
    insecure: !!config.insecure,
    caPem: config.caPem ?? '',
    name: config.name,
  };
}

/**
 * A `docker login registry.gitlab.com`: a deploy token (its user name `gitlab+deploy-token-N`,
 * or a `gldt-` token) or an access token. Neither says what to list, so the connection asks
 * for it (an "Edit connection" error) on first use; the credentials and hosts are right.
 */
export function gitlabFromDockerConfig(entry: DockerConfigEntry): { config: Omit<ConnectionConfig, 'id'>; secrets: ConnectionSecrets } | undefined {
  if (!entry.username || !entry.password || !isGitLabComHost(entry.registry)) return undefined;
  const deploy = /^gitlab\+deploy-token/i.test(entry.username) || entry.password.startsWith('gldt-');
  return {
    config: { provider: 'gitlab', name: GITLAB_COM_REGISTRY, url: GITLAB_COM_REGISTRY, username: entry.username, options: { apiUrl: GITLAB_COM, auth: deploy ? 'deploy' : 'token' } },
    secrets: { token: entry.password },
  };
}
