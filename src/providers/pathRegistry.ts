// What Artifactory and Nexus share: the Registry API served under a path of the product's own
// origin (`/artifactory/api/docker/KEY/v2/`, `/repository/NAME/v2/`), listed through that API's
// `_catalog` or a repository list the user gives, and images pulled through another host, port
// or path (the pull host, providers/pullHost.ts). The form fields they share, and the
// connection: the Registry v2 client on the API's base path with the product's error words.

import { parseEndpoint } from '../registry/endpoint';
import { RegistryError, isRegistryError } from '../registry/errors';
import { hideSecrets, reword } from './controlPlane';
import type { FieldError, FormField, FormValues } from './form';
import { checkCaPem, parseRepositoryList, str } from './generic';
import { errorMessage } from './messages';
import type { ConnectionConfig, TestStep } from './provider';
import { configuredPullHost, impliedPullHost, parsePullHost } from './pullHost';

export function pullHostField(placeholder: string, help: string): FormField {
  return { id: 'pullHost', label: 'Pull host (optional)', kind: 'text', placeholder, help };
}

export function repositoriesField(help: string): FormField {
  return { id: 'repositories', label: 'Repositories (optional)', kind: 'list', placeholder: 'team/app\nnginx', help };
}

export function securityFields(caHelp: string): FormField[] {
  return [
    { id: 'insecure', label: 'Allow insecure (skip TLS verification, allow plain HTTP)', kind: 'checkbox', default: false },
    { id: 'caPem', label: 'Custom CA certificate', kind: 'file', help: caHelp, fileFilters: { 'PEM certificate': ['pem', 'crt', 'cer'] } },
  ];
}

/** An API URL with its base path, as the client will read it; what it objects to becomes the field's error. */
export function checkApiUrl(url: string, insecure: boolean, errors: FieldError[], field = 'url'): void {
  try {
    parseEndpoint(url, insecure, { basePath: true });
  } catch (e) {
    errors.push({ field, message: errorMessage(e) });
  }
}

/** The parts of a path registry's form every such provider reads the same way. */
export interface PathFormCommon {
  pullHost?: string;
  repositories?: string[];
  caPem?: string;
}

/** Pull host (when typed: otherwise the product implies it, see pullHost.ts), repository list and CA, with their field errors. */
export function readCommonFields(values: FormValues, errors: FieldError[]): PathFormCommon {
  const typed = str(values, 'pullHost');
  let pullHost: string | undefined;
  if (typed) {
    const parsed = parsePullHost(typed);
    if ('error' in parsed) errors.push({ field: 'pullHost', message: parsed.error });
    else pullHost = parsed.host;
  }
  const repositories = parseRepositoryList(str(values, 'repositories'), errors);
  const caPem = checkCaPem(str(values, 'caPem'), errors);
  return { ...(pullHost ? { pullHost } : {}), ...(repositories ? { repositories } : {}), ...(caPem ? { caPem } : {}) };
}

/** The pull host as the form shows it: the one typed, or empty where the product implies it. */
export function pullHostForForm(config: ConnectionConfig): string {
  const pull = configuredPullHost(config);
  return pull && pull !== impliedPullHost(config) ? pull : '';
}

/** The words a product puts on the Registry API's refusals. */
export interface PathRegistryWords {
  /** 401 after the credentials were tried: wrong, expired or revoked. */
  rejected(): string;
  /** 403 (or a token without the action): the permission missing, and how to get it; `catalog` for the listing. */
  forbidden(catalog: boolean): string;
  /** No such repository on the product (a 404 from `/v2/`, or the product's own "unknown repository" answer). */
  missing(): string;
  /** Matches the product's own "no such repository" answers beside a 404 from `/v2/`. */
  missingPattern?: RegExp;
}

/** A failure of the registry client, in the product's words and without a secret. */
export function pathRegistryError(e: unknown, words: PathRegistryWords, secrets: (string | undefined)[]): unknown {
  if (!isRegistryError(e)) return e;
  if (e.kind === 'unauthorized' && /rejected the credentials|requires you to sign in|requires credentials/.test(e.message)) return reword(e, words.rejected());
  if (e.kind === 'forbidden') return reword(e, words.forbidden(/catalog/.test(e.message)));
  if ((e.status === 404 && /does not serve the Registry API/.test(e.message)) || (words.missingPattern?.test(e.message) ?? false)) {
    // The connection names what is not there: editing it is the fix, not a retry.
    return new RegistryError('invalid', words.missing(), { status: e.status, code: e.code });
  }
  const hidden = hideSecrets(e.message, secrets);
  return hidden ? reword(e, hidden) : e;
}

/** Failed test steps pointed at their form field: a repository not found at `missing`, a refused sign-in at `secret`. */
export function stepFields(steps: TestStep[], fields: { missing: string; secret: string }): TestStep[] {
  return steps.map((s) => {
    if (s.ok || s.field) return s;
    const field = /has no Docker repository/.test(s.detail ?? '') ? fields.missing : /rejected/.test(s.detail ?? '') ? fields.secret : undefined;
    return field ? { ...s, field } : s;
  });
}
