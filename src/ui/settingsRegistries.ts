// Registries defined in the `registryExplorer.registries` setting, and how they join the
// connections the user saved. The setting may come from two places that deserve different
// trust:
//   - user settings: the user's own, like a saved connection (id `settings:URL`, as before);
//   - workspace settings: whoever wrote the repository. Such a registry is shown (sharing a
//     team's registries is what the setting is for) but it is anonymous: its id is its own
//     namespace, `workspace:PROVIDER:URL`, so the only secret it can ever be given is one the
//     user entered for exactly that provider and address (Edit Connection, which then saves it
//     as the user's own connection). It never takes `insecure` (a workspace must not turn off
//     TLS verification for the user) nor provider options (an ECR or Google entry with options
//     could ask for the machine's ambient cloud credentials). In an untrusted workspace it is
//     not shown at all (the setting is also a `restrictedConfigurations` entry).
// Pure, so unit tests run it under Node.

import type { ConnectionConfig } from '../providers/provider';
import type { Inspected } from './userSettings';

export const USER_PREFIX = 'settings:';
export const WORKSPACE_PREFIX = 'workspace:';

interface Entry {
  name?: unknown;
  url?: unknown;
  provider?: unknown;
  username?: unknown;
  insecure?: unknown;
  repositories?: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

function entries(value: unknown): Entry[] {
  return Array.isArray(value) ? value.filter((e): e is Entry => typeof e === 'object' && e !== null && str((e as Entry).url) !== undefined) : [];
}

function toConfig(e: Entry, fromWorkspace: boolean): ConnectionConfig {
  const url = str(e.url)!;
  const provider = str(e.provider) ?? 'generic';
  const username = str(e.username);
  const repositories = Array.isArray(e.repositories) ? e.repositories.filter((r): r is string => typeof r === 'string' && r !== '') : [];
  return {
    id: fromWorkspace ? `${WORKSPACE_PREFIX}${provider}:${url}` : `${USER_PREFIX}${url}`,
    provider,
    name: str(e.name) ?? url,
    url,
    ...(username ? { username } : {}),
    ...(!fromWorkspace && e.insecure === true ? { insecure: true } : {}),
    ...(repositories.length ? { repositories } : {}),
    options: fromWorkspace ? { fromSettings: true, fromWorkspace: true } : { fromSettings: true },
  };
}

/** The registries of the setting: the user's, then (in a trusted workspace) the workspace's. */
export function registriesFromSettings(inspected: Inspected<unknown> | undefined, workspaceTrusted: boolean): { user: ConnectionConfig[]; workspace: ConnectionConfig[] } {
  const user = entries(inspected?.globalValue ?? inspected?.defaultValue).map((e) => toConfig(e, false));
  const workspace = workspaceTrusted ? [...entries(inspected?.workspaceValue), ...entries(inspected?.workspaceFolderValue)].map((e) => toConfig(e, true)) : [];
  return { user, workspace };
}

/**
 * Saved connections first, then the user's settings registries, then the workspace's. A
 * workspace registry naming a provider and address the user already has is dropped (the
 * user's own entry serves it); one that borrows the name of a user's connection is told
 * apart by a suffix, so nobody edits the wrong one.
 */
export function mergeConnections(stored: readonly ConnectionConfig[], settings: { user: ConnectionConfig[]; workspace: ConnectionConfig[] }, workspaceSuffix: string): ConnectionConfig[] {
  const out: ConnectionConfig[] = [...stored];
  const ids = new Set(out.map((c) => c.id));
  for (const c of settings.user) {
    if (ids.has(c.id)) continue;
    ids.add(c.id);
    out.push(c);
  }
  const owned = new Set(out.map((c) => `${c.provider}\n${c.url}`));
  const names = new Set(out.map((c) => c.name));
  for (const c of settings.workspace) {
    if (ids.has(c.id) || owned.has(`${c.provider}\n${c.url}`)) continue;
    ids.add(c.id);
    out.push(names.has(c.name) ? { ...c, name: `${c.name} ${workspaceSuffix}` } : c);
  }
  return out;
}
