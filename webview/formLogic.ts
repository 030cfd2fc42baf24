// Pure rules over a provider's form description, shared by the page and the host (no DOM,
// no `vscode`): default values, `showIf` visibility, required-field checks, and which values
// may be persisted in the webview's state (never secrets).

import type { FieldError, FormField, FormValues, ProviderForm } from '../src/providers/form';

/** The value a field starts with when nothing was given. */
export function defaultValue(field: FormField): string | boolean {
  if (field.kind === 'checkbox') return field.default === true;
  if (typeof field.default === 'string') return field.default;
  if (field.kind === 'select') return field.options?.[0]?.value ?? '';
  return '';
}

/** Every field of the form with a value of the right type: `given` where it fits, else the default. */
export function initialValues(form: ProviderForm, ...given: (FormValues | undefined)[]): FormValues {
  const out: FormValues = {};
  for (const field of form.fields) {
    let value = defaultValue(field);
    for (const source of given) {
      if (!source || !Object.prototype.hasOwnProperty.call(source, field.id)) continue;
      const v = source[field.id];
      if (field.kind === 'checkbox' ? typeof v === 'boolean' : typeof v === 'string') value = v as string | boolean;
    }
    if (field.kind === 'select' && typeof value === 'string' && field.options?.length && !field.options.some((o) => o.value === value)) {
      value = defaultValue(field);
    }
    Object.defineProperty(out, field.id, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Whether a field is shown: its `showIf` field has the wanted value and is itself shown.
 * A `showIf` that names a missing field, or a cycle, hides the field.
 */
export function isFieldVisible(form: ProviderForm, fieldId: string, values: FormValues): boolean {
  const seen = new Set<string>();
  let field = form.fields.find((f) => f.id === fieldId);
  while (field) {
    if (!field.showIf) return true;
    if (seen.has(field.id)) return false;
    seen.add(field.id);
    const { field: other, equals } = field.showIf;
    const otherField = form.fields.find((f) => f.id === other);
    if (!otherField) return false;
    const current = Object.prototype.hasOwnProperty.call(values, other) ? values[other] : defaultValue(otherField);
    if (current !== equals) return false;
    field = otherField;
  }
  return false;
}

export function visibleFields(form: ProviderForm, values: FormValues): FormField[] {
  return form.fields.filter((f) => isFieldVisible(form, f.id, values));
}

/** The values of the visible fields only: what the page sends for test and save. */
export function submittedValues(form: ProviderForm, values: FormValues): FormValues {
  const out: FormValues = {};
  for (const field of visibleFields(form, values)) {
    const v = Object.prototype.hasOwnProperty.call(values, field.id) ? values[field.id] : defaultValue(field);
    Object.defineProperty(out, field.id, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export function isSecretField(field: FormField): boolean {
  return field.secret === true || field.kind === 'password';
}

/** The values that may go into `vscode.setState`: everything but secret and password fields. */
export function persistableValues(form: ProviderForm, values: FormValues): FormValues {
  const out: FormValues = {};
  for (const field of form.fields) {
    if (isSecretField(field) || !Object.prototype.hasOwnProperty.call(values, field.id)) continue;
    Object.defineProperty(out, field.id, { value: values[field.id], enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export interface RequiredCheckOptions {
  /** Secret fields with a stored value: empty means "keep", so they are not missing. */
  storedSecrets?: readonly string[];
  /** The message for a missing field (the page localizes it). */
  message?: (field: FormField) => string;
}

/** Required visible fields that are empty (whitespace-only counts as empty), in form order. */
export function requiredErrors(form: ProviderForm, values: FormValues, opts: RequiredCheckOptions = {}): FieldError[] {
  const message = opts.message ?? ((f: FormField) => `${f.label} is required.`);
  const errors: FieldError[] = [];
  for (const field of visibleFields(form, values)) {
    if (!field.required) continue;
    const v = values[field.id];
    const missing = field.kind === 'checkbox' ? v !== true : typeof v !== 'string' || v.trim() === '';
    if (!missing) continue;
    if (isSecretField(field) && opts.storedSecrets?.includes(field.id)) continue;
    errors.push({ field: field.id, message: message(field) });
  }
  return errors;
}
