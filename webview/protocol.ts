// The typed messages between the Connect Registry wizard page and its host panel. This is
// the only module both sides import for the conversation, so it imports neither `vscode` nor
// the DOM: it runs in the extension host, in the webview and under plain Node in tests.
//
// The page is untrusted from the host's point of view (it renders provider text and could
// be scripted by anything that gets code into it), so the host runs every incoming message
// through `parseFromWebview`, which accepts only the exact shapes below and returns a fresh
// copy. Host → page messages are built by our own code and only sanity-checked on the page.

import type { FieldError, FormValues, ProviderForm } from '../src/providers/form';

export type { FieldError, FormValues, ProviderForm };

// ---------------------------------------------------------------------------------------
// Limits (shared, so the page can refuse early what the host would refuse anyway)

/** Longest accepted value, in UTF-16 code units (the host caps picked files at 1 MiB too). */
export const MAX_VALUE_LENGTH = 1024 * 1024;
/** Most values in one message. */
export const MAX_FIELDS = 200;
/** All values of one message together. */
export const MAX_TOTAL_LENGTH = 4 * 1024 * 1024;
/** Provider and field ids. */
export const MAX_ID_LENGTH = 128;
/** Links the page may ask the host to open. */
export const MAX_URL_LENGTH = 2048;
/** Picked files bigger than this are refused with a message, not read. */
export const MAX_FILE_BYTES = 1024 * 1024;

// ---------------------------------------------------------------------------------------
// Host → page

export interface EditingInfo {
  /** The stored connection's id. */
  id: string;
  /** Its display name, for the page title. */
  name: string;
  /**
   * Field ids that have a stored secret. The page shows "•••• stored — leave empty to keep"
   * in them and never receives the secret itself.
   */
  storedSecrets: string[];
}

export interface InitMessage {
  type: 'init';
  /**
   * Identifies one opening of the wizard. The page keeps its draft (`setState`) under this
   * id: a reload of the same session restores the draft, a new session starts clean.
   */
  session: string;
  forms: ProviderForm[];
  /** Provider to show first (skips the picker). Fixed while editing. */
  selected?: string;
  /** Prefilled values (editing): never secrets. */
  values?: FormValues;
  editing?: EditingInfo;
  /** `vscode.l10n.bundle`: translations of the page's strings, keyed by the English text. */
  l10n?: Record<string, string>;
}

export interface TestStep {
  label: string;
  ok: boolean;
  /** A short status ("Unreachable"); the full error is in the field or the summary, once. */
  detail?: string;
}

/** An error next to a field, with raw codes kept apart for an expandable "Details". */
export interface WizardFieldError extends FieldError {
  detail?: string;
}

/** The `testResult` payload: what `WizardBackend.test` returns. */
export interface TestResultMessage {
  ok: boolean;
  /** The summary. When the error concerns a field, it is shown there and this only points to it. */
  message: string;
  /** Raw codes and the failed step, for the summary's "Details". */
  detail?: string;
  steps?: TestStep[];
  fieldErrors?: WizardFieldError[];
}

/** The `saveResult` payload: what `WizardBackend.save` returns. */
export interface SaveResultMessage {
  ok: boolean;
  message?: string;
  detail?: string;
  fieldErrors?: WizardFieldError[];
  /** The registry did not answer (network or timeout only): the page offers "Save anyway". */
  canSaveAnyway?: boolean;
  /** The same provider, address and user is already stored: the page offers to edit it. */
  duplicate?: { id: string; name: string };
}

/** What the user confirmed on a second Save. */
export interface SaveConfirmations {
  /** Save although the registry did not answer. */
  saveAnyway?: boolean;
  /** Save a second connection to a registry that is already stored. */
  duplicateOk?: boolean;
}

export interface FileContentMessage {
  field: string;
  /** The file's text ('' when `error` is set). */
  text: string;
  /** Base name only, for "Loaded from …". */
  fileName: string;
  /** Why the file was not loaded (too big, not text…); shown next to the field. */
  error?: string;
}

export type BusyAction = 'test' | 'save' | null;

export type ToWebview =
  | InitMessage
  | ({ type: 'testResult' } & TestResultMessage)
  | ({ type: 'saveResult' } & SaveResultMessage)
  | ({ type: 'fileContent' } & FileContentMessage)
  | { type: 'busy'; action: BusyAction };

// ---------------------------------------------------------------------------------------
// Page → host

export type FromWebview =
  | { type: 'ready' }
  | { type: 'selectProvider'; provider: string }
  | { type: 'test'; provider: string; values: FormValues }
  | { type: 'save'; provider: string; values: FormValues; confirm?: SaveConfirmations }
  | { type: 'editExisting'; id: string }
  | { type: 'pickFile'; field: string }
  | { type: 'openLink'; url: string }
  | { type: 'cancel' };

export type FromWebviewType = FromWebview['type'];

// ---------------------------------------------------------------------------------------
// Runtime validation of page → host messages

type Obj = Record<string, unknown>;

function plainObject(v: unknown): v is Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Exactly these own keys (all required unless listed in `optional`). */
function hasExactKeys(o: Obj, required: readonly string[], optional: readonly string[] = []): boolean {
  const keys = Object.keys(o);
  if (Object.getOwnPropertySymbols(o).length > 0) return false;
  for (const k of required) if (!Object.prototype.hasOwnProperty.call(o, k)) return false;
  return keys.every((k) => required.includes(k) || optional.includes(k));
}

function isId(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH;
}

/** An https URL without credentials, or undefined. */
export function safeHttpsUrl(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_URL_LENGTH) return undefined;
  // No whitespace or control characters anywhere: URL parsing would silently strip some.
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(v)) return undefined;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.hostname === '' || url.username !== '' || url.password !== '') return undefined;
  return url.href;
}

function parseValues(v: unknown, form: ProviderForm): FormValues | undefined {
  if (!plainObject(v)) return undefined;
  if (Object.getOwnPropertySymbols(v).length > 0) return undefined;
  const keys = Object.keys(v);
  if (keys.length > MAX_FIELDS) return undefined;
  const out: FormValues = {};
  let total = 0;
  for (const key of keys) {
    const field = form.fields.find((f) => f.id === key);
    if (!field) return undefined;
    const value = v[key];
    if (field.kind === 'checkbox') {
      if (typeof value !== 'boolean') return undefined;
    } else {
      if (typeof value !== 'string' || value.length > MAX_VALUE_LENGTH) return undefined;
      total += value.length;
      if (total > MAX_TOTAL_LENGTH) return undefined;
    }
    // defineProperty: a field called `__proto__` stays an ordinary own key.
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function parseConfirm(v: unknown): SaveConfirmations | undefined {
  if (!plainObject(v) || !hasExactKeys(v, [], ['saveAnyway', 'duplicateOk'])) return undefined;
  const out: SaveConfirmations = {};
  for (const key of ['saveAnyway', 'duplicateOk'] as const) {
    if (v[key] === undefined) continue;
    if (typeof v[key] !== 'boolean') return undefined;
    if (v[key]) out[key] = true;
  }
  return out;
}

/**
 * Validates one message from the page. Returns a fresh, exactly-shaped copy, or undefined
 * for anything else: unknown types, extra or missing keys, non-plain objects, values that
 * are not string/boolean (boolean exactly for checkbox fields), values for fields the
 * provider does not have, oversized values, unknown provider ids, `pickFile` for a field
 * that is not a `file` field, links that are not https.
 */
export function parseFromWebview(msg: unknown, forms: readonly ProviderForm[]): FromWebview | undefined {
  try {
    return parse(msg, forms);
  } catch {
    // Getters, proxies and other hostile objects that throw while being read.
    return undefined;
  }
}

function parse(msg: unknown, forms: readonly ProviderForm[]): FromWebview | undefined {
  if (!plainObject(msg)) return undefined;
  const type = msg.type;
  const formOf = (id: unknown): ProviderForm | undefined => (isId(id) ? forms.find((f) => f.id === id) : undefined);
  switch (type) {
    case 'ready':
    case 'cancel':
      return hasExactKeys(msg, ['type']) ? { type } : undefined;
    case 'selectProvider': {
      if (!hasExactKeys(msg, ['type', 'provider'])) return undefined;
      const form = formOf(msg.provider);
      return form ? { type, provider: form.id } : undefined;
    }
    case 'test': {
      if (!hasExactKeys(msg, ['type', 'provider', 'values'])) return undefined;
      const form = formOf(msg.provider);
      if (!form) return undefined;
      const values = parseValues(msg.values, form);
      return values ? { type, provider: form.id, values } : undefined;
    }
    case 'save': {
      if (!hasExactKeys(msg, ['type', 'provider', 'values'], ['confirm'])) return undefined;
      const form = formOf(msg.provider);
      if (!form) return undefined;
      const values = parseValues(msg.values, form);
      if (!values) return undefined;
      if (msg.confirm === undefined) return { type, provider: form.id, values };
      const confirm = parseConfirm(msg.confirm);
      return confirm ? { type, provider: form.id, values, confirm } : undefined;
    }
    case 'editExisting':
      return hasExactKeys(msg, ['type', 'id']) && isId(msg.id) ? { type, id: msg.id } : undefined;
    case 'pickFile': {
      if (!hasExactKeys(msg, ['type', 'field']) || !isId(msg.field)) return undefined;
      const field = msg.field;
      const known = forms.some((f) => f.fields.some((x) => x.id === field && x.kind === 'file'));
      return known ? { type, field } : undefined;
    }
    case 'openLink': {
      if (!hasExactKeys(msg, ['type', 'url'])) return undefined;
      const url = safeHttpsUrl(msg.url);
      return url ? { type, url } : undefined;
    }
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------
// Light check of host → page messages (the host is trusted; this guards against other
// frames' postMessage noise reaching the page's handler)

const TO_WEBVIEW_TYPES: ReadonlySet<string> = new Set(['init', 'testResult', 'saveResult', 'fileContent', 'busy']);

export function isToWebview(msg: unknown): msg is ToWebview {
  return plainObject(msg) && typeof msg.type === 'string' && TO_WEBVIEW_TYPES.has(msg.type);
}
