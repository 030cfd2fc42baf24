// Settings that decide where a secret is sent (provider API endpoints, the proxy) count only
// when the user set them. A cloned repository's .vscode/settings.json is whoever wrote it: if
// it could point `apiEndpoints.ghcr` at its own host, the user's GitHub token would go there.
// package.json scopes these settings `application` (VS Code then ignores workspace values);
// reading them here through `inspect()`, taking the default and user values only, is the
// second lock, so a scope changed by mistake (or a VS Code that honours it differently) still
// leaks nothing. Pure: the `vscode` import is types only, so unit tests run it under Node.

import type { ProxySettings } from '../registry/dispatcher';

/** The parts of `WorkspaceConfiguration.inspect()` this module reads. */
export interface Inspected<T> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

/** The user's value, else the default; workspace and folder values are never looked at. */
export function userValue<T>(inspected: Inspected<T> | undefined): T | undefined {
  return inspected?.globalValue !== undefined ? inspected.globalValue : inspected?.defaultValue;
}

/** `registryExplorer.apiEndpoints` from user settings: only non-empty string values. */
export function apiEndpointsFrom(inspected: Inspected<unknown> | undefined): Record<string, string> | undefined {
  const value = userValue(inspected);
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== '');
  return entries.length ? Object.fromEntries(entries) : undefined;
}

/** VS Code's `http.proxy`, `http.proxyStrictSSL` and `http.noProxy`, from user settings only. */
export function proxyFrom(proxy: Inspected<unknown> | undefined, strict: Inspected<unknown> | undefined, noProxyList: Inspected<unknown> | undefined): ProxySettings | undefined {
  const p = userValue(proxy);
  const url = typeof p === 'string' && p.trim() ? p.trim() : undefined;
  const strictSSL = userValue(strict) !== false;
  const n = userValue(noProxyList);
  const noProxy = Array.isArray(n) ? n.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : [];
  if (!url && strictSSL && !noProxy.length) return undefined;
  return { ...(url ? { url } : {}), strictSSL, ...(noProxy.length ? { noProxy: noProxy.join(',') } : {}) };
}
