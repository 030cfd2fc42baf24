// A failed connection test, retold for the wizard. The providers write their messages for
// the tree, where the fix is "Reconnect"; inside the wizard the fix is a change to the form
// and another Test. Their raw codes (DEPTH_ZERO_SELF_SIGNED_CERT, ENOTFOUND…) help support,
// not the sentence, so they move to a detail the page shows on demand.
//
// A test step carries only text (TestStep has no RegistryError kind), so the kind is read
// back from the wording the registry and provider layers use. "Save anyway" depends on it,
// so the network and timeout patterns are an allow-list checked after every kind that must
// never be saved unverified (TLS trust, credentials, permissions, an insecure refusal):
// wording nobody listed here is `other`, and `other` is never saved anyway.
// No `vscode` import: the unit tests run it under plain Node with the real messages.

import type { RegistryErrorKind } from '../../registry/errors';

export type FailureKind = 'tls' | 'insecure' | 'credentials' | 'permission' | 'rateLimited' | 'timeout' | 'network' | 'notFound' | 'other';

export interface WizardFailure {
  kind: FailureKind;
  /** One form-oriented sentence: what to change, then Test again. No raw codes. */
  message: string;
  /** The failed step and the raw codes/text, for an expandable "Details". */
  detail?: string;
  /** A few words for the step list ("Unreachable", "Credentials rejected"). */
  status: string;
}

type T = (message: string, ...args: (string | number)[]) => string;

const KINDS: readonly [RegExp, FailureKind][] = [
  [/certificate|\bTLS\b|SSL/i, 'tls'],
  [/plain HTTP|would drop TLS|refused:|; refused|was refused|Refusing to send|downgrade/i, 'insecure'],
  [/rejected the credentials|requires you to sign in|requires credentials|refused the access token|refused an access token|incorrect authentication|invalid (token|key|credentials)|unauthori[sz]ed|not authori[sz]ed|\bexpired\b|no access token/i, 'credentials'],
  [/denied access|permission|forbidden/i, 'permission'],
  [/limiting (API )?requests|rate limit|too many requests/i, 'rateLimited'],
  [/timed out|did not finish answering|stopped answering|read timeout/i, 'timeout'],
  [
    /refused the connection|could not be resolved|closed before the response was complete|^Could not reach |Could not reach (Google’s token service|the ECR API)|had a server error \(HTTP 5\d\d\)|had a server error/i,
    'network',
  ],
  [/not found|does not exist|unknown repository|NAME_UNKNOWN/i, 'notFound'],
];

/** The kind a failure's wording names; `other` when it names none we know. */
export function failureKind(text: string): FailureKind {
  return KINDS.find(([re]) => re.test(text))?.[1] ?? 'other';
}

/** A RegistryError's own kind, where the wizard has the error object rather than its text. */
export function failureKindOf(kind: RegistryErrorKind | undefined, text: string): FailureKind {
  switch (kind) {
    case 'tls':
    case 'insecure':
    case 'rateLimited':
    case 'timeout':
    case 'network':
    case 'notFound':
      return kind;
    case 'unauthorized':
      return 'credentials';
    case 'forbidden':
      return 'permission';
    default:
      return failureKind(text);
  }
}

/** Only a registry that is down right now may be saved without a passing test. */
export function canSaveAnyway(kind: FailureKind): boolean {
  return kind === 'network' || kind === 'timeout';
}

// Raw codes in parentheses: Node/OpenSSL codes (DEPTH_ZERO_SELF_SIGNED_CERT, ENOTFOUND) and
// SDK exception names (UnrecognizedClientException). "(HTTP 503)" is plain words and stays.
const CODE_IN_PARENS = /\s*\((?:code )?([A-Z][A-Z0-9]*_[A-Z0-9_]+|E[A-Z]{4,}|[A-Z][A-Za-z0-9]*(?:Exception|Error))\)/g;

/** Tree wording → wizard wording: the fix is in the form, then another Test. */
function formWording(text: string): string {
  return text
    .replace(/,? then reconnect\./gi, ', then Test again.')
    .replace(/ or reconnect with an account that has it/gi, ' or enter an account that has it')
    .replace(/ Try again, or reconnect\./gi, ' Test again.')
    .replace(/,? or reconnect\b/gi, '')
    .replace(/ to the connection\b/g, ' in the form')
    .replace(/mark the registry insecure/g, 'turn on “Allow insecure”');
}

export function describeFailure(step: { label: string; detail?: string }, t: T, kind?: RegistryErrorKind): WizardFailure {
  const raw = (step.detail ?? step.label).trim();
  const failure = kind ? failureKindOf(kind, raw) : failureKind(raw);
  const codes: string[] = [];
  let sentence = raw.replace(CODE_IN_PARENS, (_m, code: string) => {
    codes.push(code);
    return '';
  });
  // Undici's own text after "Could not reach host:" is for support ("connect EHOSTUNREACH …").
  const reach = /^(Could not reach \S+?): (.+)$/s.exec(sentence);
  if (reach) {
    sentence = `${reach[1]}. ${t('Check the address, then Test again.')}`;
    codes.push(reach[2]!.trim());
  }
  sentence = formWording(sentence).replace(/\s+\./g, '.').replace(/\s{2,}/g, ' ').trim();
  // Without a raw code the sentence is all there is to say; the step is in the step list.
  const detail = codes.length ? `${t('Step: {0}', step.label)}\n${t('Code: {0}', codes.join(', '))}` : undefined;
  return { kind: failure, message: sentence, ...(detail ? { detail } : {}), status: statusOf(failure, t) };
}

function statusOf(kind: FailureKind, t: T): string {
  switch (kind) {
    case 'tls':
      return t('Certificate not trusted');
    case 'insecure':
      return t('Refused as insecure');
    case 'credentials':
      return t('Credentials rejected');
    case 'permission':
      return t('Access denied');
    case 'rateLimited':
      return t('Rate limited');
    case 'timeout':
      return t('Timed out');
    case 'network':
      return t('Unreachable');
    case 'notFound':
      return t('Not found');
    default:
      return t('Failed');
  }
}
