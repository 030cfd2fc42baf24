// What the Connect Registry wizard needs from the rest of the extension. The panel renders
// `forms()`, checks every page message against them, and calls `validate` before `test` and
// `save`; the backend owns providers, the connection store and the tree.

import type { FieldError, FormValues, ProviderForm } from '../../providers/form';
import type { SaveConfirmations, SaveResultMessage, TestResultMessage } from '../../../webview/protocol';

export type { SaveConfirmations, SaveResultMessage, TestResultMessage };

export interface WizardBackend {
  forms(): ProviderForm[];
  /**
   * Host-side validation (the source of truth; the page's checks are only a convenience).
   * `values` holds only the fields visible under the form's `showIf` rules. An empty list
   * lets `test`/`save` run; errors go back to the page next to their fields (`field: ''`
   * or an unknown id shows the message in the result area instead).
   */
  validate(provider: string, values: FormValues, editingId?: string): FieldError[];
  /**
   * Try the connection without saving it. `signal` aborts when the user presses Cancel or
   * closes the panel. Errors should come back as `{ ok: false, message, steps, fieldErrors }`;
   * a throw is shown as a generic failure with the error's message.
   */
  test(provider: string, values: FormValues, signal: AbortSignal, editingId?: string): Promise<TestResultMessage>;
  /**
   * Store the connection (metadata + secrets apart) and refresh the tree. `editingId`: the
   * stored connection being edited; an empty secret field then means "keep the stored secret".
   * On `ok: true` the panel closes. A registry that is only down right now comes back with
   * `canSaveAnyway`, an already stored one with `duplicate`; `confirm` is the user's answer
   * on the next Save.
   */
  save(provider: string, values: FormValues, signal: AbortSignal, editingId?: string, confirm?: SaveConfirmations): Promise<SaveResultMessage>;
  /**
   * Prefill for editing a stored connection, used when `ConnectWizard.open` gets an `editing`
   * without `values`/`storedSecrets` (e.g. a plain ConnectionConfig): the provider's
   * `toForm(config)` and the ids of secret fields that have a stored value. Never secrets.
   */
  loadEditing?(id: string): Promise<{ values: FormValues; storedSecrets: string[] } | undefined>;
}
