// Harbor's connect form and what a filled form becomes. One user name field serves people and
// robots: Harbor tells them apart by the `robot$` prefix (its default; a robot's full name is
// what the UI shows and what `docker login` takes), so the form does too and words its errors
// and help for whichever it is.

import type { DockerConfigEntry } from '../dockerConfig';
import { displayNameField, type FieldError, type ProviderForm } from '../form';
import { bool, checkAddress, checkCaPem, keepSecret, str } from '../generic';
import type { ConnectionConfig, ConnectionSecrets, FormResult } from '../provider';

/** Lower-case letters, digits and `._-`, starting and ending with a letter or digit (Harbor's project rule). */
const PROJECT = /^[a-z0-9](?:[a-z0-9._-]{0,253}[a-z0-9])?$/;
/** `robot$name` (system level) or `robot$project+name` (project level); the prefix is Harbor's default. */
const ROBOT = /^robot\$(?:([a-z0-9][a-z0-9._-]*)\+)?[a-z0-9][a-z0-9._-]*$/i;

export function isRobot(username: string | undefined): boolean {
  return !!username && username.includes('$');
}

/** The project a project-level robot (`robot$project+name`) belongs to. */
export function robotProject(username: string | undefined): string | undefined {
  const m = username ? ROBOT.exec(username) : null;
  return m?.[1]?.toLowerCase();
}

export function harborProjects(config: ConnectionConfig): string[] {
  const v = config.options?.projects;
  return typeof v === 'string' && v ? v.split(',') : [];
}

export const harborForm: ProviderForm = {
  id: 'harbor',
  title: 'Harbor',
  description: 'A Harbor registry: projects, repositories and artifacts with push dates, sizes and scan results.',
  icon: 'package',
  help:
    'Sign in with your Harbor user name and password. If your Harbor signs in through OIDC (single sign-on), use your CLI secret instead of a password: click your name at the top right → User Profile → CLI secret. ' +
    'Or use a robot account (Administration → Robot Accounts, or a project’s Robot Accounts tab): its full name reads robot$name or robot$project+name, and it needs the “List repository”, “List artifact” and “Pull repository” permissions. ' +
    'Repositories are listed through Harbor’s API, so browsing works without the registry catalog (which Harbor opens to system administrators only).',
  docsUrl: 'https://goharbor.io/docs/main/working-with-projects/project-configuration/create-robot-accounts/',
  fields: [
    { id: 'url', label: 'Harbor address', kind: 'text', required: true, placeholder: 'harbor.example.com', help: 'The host you browse Harbor at, which is also the registry host in image references.' },
    {
      id: 'username',
      label: 'User name or robot account',
      kind: 'text',
      required: true,
      placeholder: 'alice or robot$ci-reader',
      help: 'Your Harbor user name, or a robot account’s full name including robot$ (copy it from Robot Accounts).',
    },
    {
      id: 'password',
      label: 'Password, CLI secret or robot secret',
      kind: 'password',
      required: true,
      secret: true,
      help: 'OIDC users: the CLI secret from User Profile. Robots: the secret shown when the robot was created (Refresh Secret makes a new one). Stored in VS Code’s secret storage.',
    },
    {
      id: 'projects',
      label: 'Projects (optional)',
      kind: 'list',
      placeholder: 'library\nteam-a',
      help: 'Projects to list, one per line. Leave empty to list every project you can see (a project robot lists its own project).',
    },
    { id: 'insecure', label: 'Allow insecure (skip TLS verification, allow plain HTTP)', kind: 'checkbox', default: false },
    { id: 'caPem', label: 'Custom CA certificate', kind: 'file', help: 'For a Harbor with a private CA: its PEM certificate (Administration → Configuration → System Settings → Registry Root Certificate).', fileFilters: { 'PEM certificate': ['pem', 'crt', 'cer'] } },
    displayNameField('Defaults to the address'),
  ],
};

export function harborFromForm(values: Record<string, string | boolean>, previous?: { config: ConnectionConfig; secrets: ConnectionSecrets }): FormResult {
  const errors: FieldError[] = [];
  const url = str(values, 'url').replace(/\/+$/, '');
  const insecure = bool(values, 'insecure');
  if (!url) errors.push({ field: 'url', message: 'Enter the address of your Harbor, for example harbor.example.com.' });
  else checkAddress(url, insecure, errors);
  const username = str(values, 'username');
  if (!username) errors.push({ field: 'username', message: 'Enter your Harbor user name or a robot account’s full name (robot$…).' });
  else if (isRobot(username) && !ROBOT.test(username)) {
    errors.push({ field: 'username', message: `“${username}” is not a robot account name: it reads robot$name or robot$project+name (copy the full name from Robot Accounts).` });
  }
  // A stored secret belongs to the user name it was saved with.
  const prev = previous?.config.provider === 'harbor' && previous.config.username === username ? previous.secrets : undefined;
  const password = keepSecret(values, 'password', prev);
  if (!password) {
    errors.push({ field: 'password', message: isRobot(username) ? `Paste the secret of ${username}.` : 'Enter the password, or the CLI secret if your Harbor signs in through OIDC (User Profile → CLI secret).' });
  } else if (/[\r\n]/.test(password)) {
    errors.push({ field: 'password', message: 'The secret contains line breaks. Copy it again and paste it whole.' });
  }
  const typed = str(values, 'projects')
    .split(/[\n,]/)
    .map((s) => s.trim().replace(/^(https?:\/\/)?[^/]*\/harbor\/projects\//i, '').replace(/\/.*$/, '').toLowerCase())
    .filter(Boolean);
  const bad = typed.filter((p) => !PROJECT.test(p));
  if (bad.length) errors.push({ field: 'projects', message: `Not a Harbor project name: ${bad.slice(0, 3).join(', ')}. Project names are lower case, like library or team-a, one per line.` });
  const caPem = checkCaPem(str(values, 'caPem'), errors);
  if (errors.length) return { ok: false, errors };
  const projects = [...new Set(typed)];
  return {
    ok: true,
    config: {
      provider: 'harbor',
      name: str(values, 'name') || url.replace(/^https?:\/\//, ''),
      url,
      username,
      ...(insecure ? { insecure } : {}),
      ...(caPem ? { caPem } : {}),
      ...(projects.length ? { options: { projects: projects.join(',') } } : {}),
    },
    secrets: { password: password! },
  };
}

export function harborToForm(config: ConnectionConfig): Record<string, string | boolean> {
  return {
    url: config.url,
    username: config.username ?? '',
    projects: harborProjects(config).join('\n'),
    insecure: !!config.insecure,
    caPem: config.caPem ?? '',
    name: config.name,
  };
}

/**
 * A `docker login` to a host that index.ts cannot tell is a Harbor: only robot logins are
 * recognisable by their `$`. Everything else falls back to Generic v2.
 */
export function harborFromDockerConfig(entry: DockerConfigEntry): { config: Omit<ConnectionConfig, 'id'>; secrets: ConnectionSecrets } | undefined {
  if (!entry.username || !entry.password || !ROBOT.test(entry.username)) return undefined;
  const host = entry.registry.toLowerCase();
  return { config: { provider: 'harbor', name: host, url: host, username: entry.username }, secrets: { password: entry.password } };
}
