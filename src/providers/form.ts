// How a provider describes its connect form. The wizard webview renders these descriptions
// and knows nothing about any provider; the host validates what comes back.

export type FieldKind = 'text' | 'password' | 'url' | 'checkbox' | 'textarea' | 'file' | 'select' | 'list';

export interface FormField {
  id: string;
  label: string;
  kind: FieldKind;
  required?: boolean;
  placeholder?: string;
  /** One or two sentences under the field: where to find the value, what it is for. */
  help?: string;
  /** For `select`. */
  options?: { value: string; label: string }[];
  default?: string | boolean;
  /** Stored in SecretStorage, never sent back to the webview after saving. */
  secret?: boolean;
  /** For `file`: the picker's filter, e.g. `{ 'PEM certificate': ['pem', 'crt'] }`; the file's text becomes the value. */
  fileFilters?: Record<string, string[]>;
  /** Shown only when another field has this value. */
  showIf?: { field: string; equals: string | boolean };
}

/**
 * The last field of every form: the name the tree shows. Every provider stores it as `name` and
 * falls back to its own default when it is left empty, which the placeholder states.
 */
export function displayNameField(placeholder: string): FormField {
  return { id: 'name', label: 'Display name', kind: 'text', placeholder };
}

export interface ProviderForm {
  /** Provider kind id: `generic`, `ecr`, `dockerhub`… */
  id: string;
  title: string;
  /** One line under the title in the provider picker. */
  description: string;
  /** Codicon name without `codicon-`. */
  icon: string;
  /** Longer help shown beside the form: permissions needed, where keys live. */
  help?: string;
  docsUrl?: string;
  fields: FormField[];
}

export type FormValues = Record<string, string | boolean>;

export interface FieldError {
  field: string;
  message: string;
}
