// One form field rendered from its `FormField` description with @vscode-elements controls:
// label tied to the control, help under it, an error slot right below the control.

import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js';
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeTextarea } from '@vscode-elements/elements/dist/vscode-textarea/vscode-textarea.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import type { FormField } from '../src/providers/form';
import { codicon, h } from './dom';
import { t } from './l10n';
import { MAX_VALUE_LENGTH } from './protocol';

export interface FieldView {
  readonly field: FormField;
  /** The whole group (label, control, help, error). */
  readonly root: HTMLElement;
  /** The focusable control. */
  readonly control: HTMLElement;
  get(): string | boolean;
  set(value: string | boolean): void;
  /** `detail`: raw codes and the failed step, behind a "Details" disclosure. */
  setError(message: string | undefined, detail?: string): void;
  hasError(): boolean;
  setVisible(visible: boolean): void;
  isVisible(): boolean;
  /** `file` fields: "Loaded from …" under the control. */
  setFileName(name: string | undefined): void;
  focus(): void;
}

export interface FieldOptions {
  /** DOM id base, unique in the page and safe in a CSS selector. */
  domId: string;
  /** A secret is stored for this field (editing): show the "stored" placeholder. */
  storedSecret: boolean;
  onChange(): void;
  onPickFile(): void;
}

type TextControl = VscodeTextfield | VscodeTextarea;

export function renderField(field: FormField, opts: FieldOptions): FieldView {
  const controlId = `${opts.domId}-control`;
  const errorId = `${opts.domId}-error`;
  const root = h('div', { class: `field field-${field.kind}`, id: opts.domId });
  root.dataset.field = field.id;

  let control: HTMLElement;
  let get: () => string | boolean;
  let set: (v: string | boolean) => void;
  let fileNameEl: HTMLElement | undefined;

  const placeholder = opts.storedSecret ? t('•••• stored — leave empty to keep') : field.placeholder;

  if (field.kind === 'checkbox') {
    const cb = document.createElement('vscode-checkbox') as VscodeCheckbox;
    cb.id = controlId;
    cb.label = field.label;
    cb.addEventListener('change', () => opts.onChange());
    control = cb;
    get = () => cb.checked;
    set = (v) => {
      cb.checked = v === true;
    };
    root.append(cb);
  } else {
    const label = document.createElement('vscode-label');
    label.htmlFor = controlId;
    label.required = field.required === true && !opts.storedSecret;
    label.textContent = field.label;
    root.append(label);

    if (field.kind === 'select') {
      const sel = document.createElement('vscode-single-select') as VscodeSingleSelect;
      sel.id = controlId;
      for (const o of field.options ?? []) {
        const opt = document.createElement('vscode-option');
        opt.value = o.value;
        opt.textContent = o.label;
        sel.append(opt);
      }
      sel.addEventListener('change', () => opts.onChange());
      control = sel;
      get = () => sel.value;
      set = (v) => {
        const value = typeof v === 'string' ? v : '';
        for (const opt of sel.querySelectorAll('vscode-option')) opt.selected = opt.value === value;
        sel.value = value;
        // The options are slotted asynchronously: set again once the select has read them.
        void sel.updateComplete.then(() => {
          if (sel.value !== value) sel.value = value;
        });
      };
      root.append(sel);
    } else {
      let text: TextControl;
      if (field.kind === 'textarea' || field.kind === 'list' || field.kind === 'file') {
        const ta = document.createElement('vscode-textarea') as VscodeTextarea;
        ta.rows = field.kind === 'file' ? 6 : 4;
        ta.resize = 'vertical';
        ta.monospace = field.kind === 'file';
        ta.spellcheck = false;
        text = ta;
      } else {
        const tf = document.createElement('vscode-textfield') as VscodeTextfield;
        tf.type = field.kind === 'password' ? 'password' : field.kind === 'url' ? 'url' : 'text';
        tf.autocomplete = 'off';
        if (field.kind === 'password') tf.setAttribute('spellcheck', 'false');
        text = tf;
      }
      text.id = controlId;
      text.maxLength = MAX_VALUE_LENGTH;
      const ph = placeholder ?? (field.kind === 'list' ? t('One per line') : undefined);
      if (ph) text.placeholder = ph;
      text.addEventListener('input', () => opts.onChange());
      text.addEventListener('change', () => opts.onChange());
      control = text;
      get = () => text.value;
      set = (v) => {
        text.value = typeof v === 'string' ? v : '';
      };
      root.append(text);

      if (field.kind === 'file') {
        const pick = document.createElement('vscode-button') as VscodeButton;
        pick.secondary = true;
        pick.icon = 'folder-opened';
        pick.textContent = t('Choose file…');
        pick.className = 'pick-file';
        pick.addEventListener('click', () => {
          if (!pick.disabled) opts.onPickFile();
        });
        fileNameEl = h('span', { class: 'file-name', attrs: { 'aria-live': 'polite' } });
        root.append(h('div', { class: 'file-row' }, pick, fileNameEl));
      }
    }
  }

  const errorText = h('span', { class: 'field-error-text' });
  const errorDetail = h('div', { class: 'field-error-detail' });
  const errorEl = h('div', { class: 'field-error', id: errorId, attrs: { hidden: true } }, h('div', { class: 'field-error-line' }, codicon('error'), errorText), errorDetail);
  root.append(errorEl);

  if (field.help) {
    const helper = document.createElement('vscode-form-helper');
    helper.append(h('p', {}, field.help));
    root.append(helper);
  }

  const ariaLabel = (error: string | undefined): void => {
    // The controls' inputs live in shadow roots, so aria-describedby cannot reach them; the
    // error goes into the accessible name instead (the inner input's aria-label).
    if ('label' in control && field.kind !== 'checkbox') {
      (control as TextControl | VscodeSingleSelect).label = error ? `${field.label}: ${error}` : field.label;
    }
  };

  return {
    field,
    root,
    control,
    get: () => get(),
    set: (v) => set(v),
    setError(message, detail) {
      const invalid = message !== undefined && message !== '';
      errorText.textContent = invalid ? message : '';
      errorDetail.replaceChildren(...(invalid && detail ? [detailsDisclosure(detail)] : []));
      errorEl.hidden = !invalid;
      root.classList.toggle('invalid', invalid);
      if ('invalid' in control) (control as TextControl | VscodeCheckbox).invalid = invalid;
      ariaLabel(invalid ? message : undefined);
    },
    hasError: () => !errorEl.hidden,
    setVisible(visible) {
      root.hidden = !visible;
    },
    isVisible: () => !root.hidden,
    setFileName(name) {
      if (fileNameEl) fileNameEl.textContent = name ? t('Loaded from {0}', name) : '';
    },
    focus() {
      control.focus();
    },
  };
}

/** A closed "Details" disclosure for raw codes: there for support, out of the sentence. */
export function detailsDisclosure(detail: string): HTMLDetailsElement {
  return h('details', { class: 'error-details' }, h('summary', {}, t('Details')), h('pre', {}, detail));
}
