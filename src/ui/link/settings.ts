// The link feature's settings (package.json `registryExplorer.*`).

import * as vscode from 'vscode';
import type { LinkMode } from './deploy';

export const LINK_MODES: readonly LinkMode[] = ['tag@digest', 'digest', 'tag'];

export interface LinkSettings {
  /** Default link mode; the command still offers the choice before applying. */
  mode: LinkMode;
  /** Extra globs (relative to each workspace folder) scanned as deploy config, generically when nothing else fits. */
  deployConfigPaths: string[];
  imageHover: boolean;
  pinnedDigestCheck: boolean;
}

export function linkSettings(scope?: vscode.ConfigurationScope): LinkSettings {
  const c = vscode.workspace.getConfiguration('registryExplorer', scope);
  const mode = c.get<string>('linkMode', 'tag@digest');
  return {
    mode: (LINK_MODES as readonly string[]).includes(mode) ? (mode as LinkMode) : 'tag@digest',
    deployConfigPaths: (c.get<unknown[]>('deployConfigPaths', []) ?? []).filter((p): p is string => typeof p === 'string' && p.trim() !== ''),
    imageHover: c.get<boolean>('imageHover', true),
    pinnedDigestCheck: c.get<boolean>('pinnedDigestCheck', false),
  };
}

/** Files larger than this are not read: deploy config is small, a 5 MB YAML is generated data. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** At most this many candidate files per scan (a monorepo with more gets the first ones, and a note). */
export const MAX_FILES = 20_000;
/** Files read at once. */
export const READ_CONCURRENCY = 16;
