// The Connect Registry wizard page. It knows no provider: it renders the form descriptions
// the host sends in `init`, checks required fields, and talks to the host only through the
// messages in ./protocol. Form drafts survive the panel being hidden through `setState`,
// minus every secret/password field. Nothing here logs values.

import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-form-helper/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import './styles.css';

import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js';
import type { VscodeProgressBar } from '@vscode-elements/elements/dist/vscode-progress-bar/vscode-progress-bar.js';
import type { FieldError, FormValues, ProviderForm } from '../src/providers/form';
import { codicon, h } from './dom';
import { detailsDisclosure, renderField, type FieldView } from './fields';
import { initialValues, isFieldVisible, persistableValues, requiredErrors, submittedValues } from './formLogic';
import { setL10nBundle, t } from './l10n';
import { renderPicker, type Picker } from './picker';
import { isToWebview, safeHttpsUrl, type BusyAction, type EditingInfo, type InitMessage, type SaveConfirmations, type SaveResultMessage, type TestStep, type ToWebview, type WizardFieldError } from './protocol';
import { connectHost, type Host } from './vscodeApi';

/** What `setState` holds. Secret and password fields are never in it. */
interface Draft {
  v: 1;
  session: string;
  selected?: string;
  values: Record<string, FormValues>;
  fileNames: Record<string, Record<string, string>>;
}

function readDraft(raw: unknown, session: string): Draft | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const d = raw as Partial<Draft>;
  if (d.v !== 1 || d.session !== session || typeof d.values !== 'object' || d.values === null) return undefined;
  return { v: 1, session, selected: typeof d.selected === 'string' ? d.selected : undefined, values: d.values, fileNames: typeof d.fileNames === 'object' && d.fileNames ? d.fileNames : {} };
}

function button(label: string, opts: { secondary?: boolean; icon?: string; id: string }): VscodeButton {
  const b = document.createElement('vscode-button') as VscodeButton;
  b.id = opts.id;
  b.textContent = label;
  b.secondary = opts.secondary === true;
  if (opts.icon) b.icon = opts.icon;
  return b;
}

class WizardPage {
  private forms: ProviderForm[] = [];
  private session = '';
  private editing: EditingInfo | undefined;
  private selected: string | undefined;
  /** Current values per provider, secrets included (memory only). */
  private values = new Map<string, FormValues>();
  private fileNames = new Map<string, Record<string, string>>();
  private views = new Map<string, FieldView>();
  private busy: BusyAction = null;
  /** Set when the page posted test/save, until the result arrives. */
  private pending: BusyAction = null;
  /** What the user confirmed for these values (Save anyway, a second connection); reset by any edit. */
  private confirmed: SaveConfirmations = {};

  private picker: Picker | undefined;
  private pickerSection!: HTMLElement;
  private formSection!: HTMLElement;
  private progress!: VscodeProgressBar;
  private form!: HTMLFormElement;
  private fieldsBox!: HTMLElement;
  private formHeader!: HTMLElement;
  private helpBox!: HTMLElement;
  private testBtn!: VscodeButton;
  private saveBtn!: VscodeButton;
  private cancelBtn!: VscodeButton;
  private status!: HTMLElement;
  private announcer!: HTMLElement;
  private result!: HTMLElement;

  constructor(
    private readonly root: HTMLElement,
    private readonly host: Host,
  ) {
    window.addEventListener('message', (ev: MessageEvent) => {
      if (isToWebview(ev.data)) this.onMessage(ev.data);
    });
    this.host.post({ type: 'ready' });
  }

  private get currentForm(): ProviderForm | undefined {
    return this.forms.find((f) => f.id === this.selected);
  }

  private onMessage(msg: ToWebview): void {
    switch (msg.type) {
      case 'init':
        this.init(msg);
        break;
      case 'busy':
        this.busy = msg.action;
        this.renderBusy();
        break;
      case 'testResult':
        this.pending = null;
        this.renderBusy();
        this.showResult('test', msg.ok, msg.message, msg.steps, msg.detail);
        this.applyFieldErrors(msg.fieldErrors ?? []);
        break;
      case 'saveResult':
        this.pending = null;
        this.renderBusy();
        this.showResult('save', msg.ok, msg.message ?? (msg.ok ? t('Saved.') : t('The connection was not saved.')), undefined, msg.detail, msg.duplicate ? 'warn' : undefined);
        if (!msg.ok) this.showSaveOffers(msg);
        this.applyFieldErrors(msg.fieldErrors ?? []);
        break;
      case 'fileContent':
        this.onFileContent(msg.field, msg.text, msg.fileName, msg.error);
        break;
    }
  }

  // ---------------------------------------------------------------------------------------
  // init and layout

  private init(msg: InitMessage): void {
    setL10nBundle(msg.l10n);
    this.forms = Array.isArray(msg.forms) ? msg.forms : [];
    this.session = msg.session;
    this.editing = msg.editing;
    this.busy = null;
    this.pending = null;
    const draft = readDraft(this.host.getState(), msg.session);

    this.values.clear();
    this.fileNames.clear();
    for (const form of this.forms) {
      const given = form.id === msg.selected ? msg.values : undefined;
      this.values.set(form.id, initialValues(form, given, draft?.values[form.id]));
      const names = draft?.fileNames[form.id];
      if (names && typeof names === 'object') this.fileNames.set(form.id, { ...names });
    }
    const known = (id: string | undefined): string | undefined => (id && this.forms.some((f) => f.id === id) ? id : undefined);
    this.selected = this.editing ? known(msg.selected) : (known(draft?.selected) ?? known(msg.selected));

    this.renderShell();
    // Tell the host which provider a restored draft shows (it looks up file fields there).
    if (this.selected && !this.editing) this.host.post({ type: 'selectProvider', provider: this.selected });
    if (this.selected) this.showForm(true);
    else this.showPicker();
    this.persist();
  }

  private renderShell(): void {
    this.root.replaceChildren();
    this.progress = document.createElement('vscode-progress-bar') as VscodeProgressBar;
    this.progress.className = 'busy-bar';
    this.progress.indeterminate = true;
    this.progress.hidden = true;

    const title = this.editing ? t('Edit {0}', this.editing.name) : t('Connect Registry');
    const subtitle = this.editing
      ? t('Change the connection’s details, test them, then save. Secret fields left empty keep their stored value.')
      : t('Pick a provider, fill in its details, test the connection, then save.');
    const header = h('header', { class: 'page-header' }, h('h1', {}, title), h('p', { class: 'subtitle' }, subtitle));

    // Step 1: provider picker
    this.picker = renderPicker(this.forms, 'picker-heading', (id) => this.choose(id));
    this.pickerSection = h('section', { class: 'picker-section', attrs: { 'aria-labelledby': 'picker-heading' } }, h('h2', { id: 'picker-heading' }, t('Provider')), this.picker.root);
    this.pickerSection.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape' && this.selected) {
        ev.preventDefault();
        this.showForm(true);
      }
    });

    // Step 2: the chosen provider's form
    this.formHeader = h('div', { class: 'form-header' });
    this.fieldsBox = h('div', { class: 'fields' });
    this.testBtn = button(t('Test Connection'), { id: 'test', secondary: true, icon: 'plug' });
    this.saveBtn = button(t('Save'), { id: 'save' });
    this.cancelBtn = button(t('Cancel'), { id: 'cancel', secondary: true });
    this.status = h('span', { class: 'status', attrs: { role: 'status' } });
    this.result = h('div', { class: 'result', attrs: { hidden: true, role: 'region', 'aria-label': t('Result') } });
    // Always in the document (a live region that appears with its content is not announced).
    this.announcer = h('div', { class: 'visually-hidden', attrs: { role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' } });
    this.testBtn.addEventListener('click', () => this.runTest());
    this.saveBtn.addEventListener('click', () => this.runSave());
    this.cancelBtn.addEventListener('click', () => this.host.post({ type: 'cancel' }));

    this.form = h(
      'form',
      { class: 'provider-form', attrs: { novalidate: true, autocomplete: 'off' } },
      this.fieldsBox,
      h('div', { class: 'actions' }, this.testBtn, this.saveBtn, this.cancelBtn, this.status),
      this.result,
    );
    // Enter in a text field or on a checkbox submits the form: that runs Test.
    this.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.runTest();
    });

    this.helpBox = h('aside', { class: 'help', attrs: { 'aria-labelledby': 'help-heading' } });
    this.formSection = h('section', { class: 'form-section' }, this.formHeader, h('div', { class: 'form-layout' }, this.form, this.helpBox));

    this.root.append(this.progress, header, this.pickerSection, this.formSection, this.announcer);
  }

  private showPicker(): void {
    this.pickerSection.hidden = false;
    this.formSection.hidden = true;
    this.picker?.setSelected(this.selected);
    this.picker?.focus();
  }

  private choose(id: string): void {
    if (this.editing && id !== this.selected) return;
    this.selected = id;
    this.host.post({ type: 'selectProvider', provider: id });
    this.persist();
    this.showForm(true);
  }

  private showForm(focus: boolean): void {
    const form = this.currentForm;
    if (!form) return this.showPicker();
    this.picker?.setSelected(form.id);
    this.pickerSection.hidden = true;
    this.formSection.hidden = false;
    this.renderFormHeader(form);
    this.renderFields(form);
    this.renderHelp(form);
    this.result.hidden = true;
    this.result.replaceChildren();
    this.renderBusy();
    if (focus) {
      const first = [...this.views.values()].find((v) => v.isVisible());
      // Focus once the custom elements have rendered their inner inputs.
      requestAnimationFrame(() => (first ? first.focus() : this.testBtn.focus()));
    }
  }

  private renderFormHeader(form: ProviderForm): void {
    const change = this.editing ? null : button(t('Change Provider'), { id: 'change-provider', secondary: true, icon: 'arrow-left' });
    change?.addEventListener('click', () => this.showPicker());
    this.formHeader.replaceChildren(
      codicon(form.icon, 'form-icon'),
      h('div', { class: 'form-title' }, h('h2', { id: 'form-heading' }, form.title), h('p', { class: 'subtitle' }, form.description)),
      ...(change ? [change] : []),
    );
    this.form.setAttribute('aria-labelledby', 'form-heading');
  }

  private renderFields(form: ProviderForm): void {
    this.views.clear();
    this.fieldsBox.replaceChildren();
    const values = this.values.get(form.id) ?? {};
    const formIndex = this.forms.indexOf(form);
    form.fields.forEach((field, i) => {
      const view = renderField(field, {
        domId: `field-${formIndex}-${i}`,
        storedSecret: this.editing?.storedSecrets.includes(field.id) === true,
        onChange: () => this.onFieldChange(form, view),
        onPickFile: () => this.host.post({ type: 'pickFile', field: field.id }),
      });
      view.set(values[field.id] ?? '');
      view.setFileName(this.fileNames.get(form.id)?.[field.id]);
      this.views.set(field.id, view);
      this.fieldsBox.append(view.root);
    });
    this.updateVisibility(form);
  }

  private renderHelp(form: ProviderForm): void {
    const parts: (Node | null)[] = [h('h2', { id: 'help-heading' }, t('About {0}', form.title))];
    for (const para of (form.help ?? form.description).split(/\n\s*\n/)) parts.push(h('p', {}, para.trim()));
    const docs = safeHttpsUrl(form.docsUrl);
    if (docs) {
      const link = h('a', { class: 'docs-link', attrs: { href: docs } }, codicon('link-external'), ' ', t('Documentation'));
      link.addEventListener('click', (ev) => {
        // VS Code's own handler for links in webviews sits on the window and does not look at
        // defaultPrevented: stop the event so the link opens once, through the host.
        ev.preventDefault();
        ev.stopPropagation();
        this.host.post({ type: 'openLink', url: docs });
      });
      parts.push(h('p', {}, link));
    }
    this.helpBox.replaceChildren(...parts.filter((p): p is Node => p !== null));
  }

  // ---------------------------------------------------------------------------------------
  // values

  private onFieldChange(form: ProviderForm, view: FieldView): void {
    const values = this.values.get(form.id) ?? {};
    values[view.field.id] = view.get();
    this.values.set(form.id, values);
    if (view.field.kind === 'file') {
      const names = this.fileNames.get(form.id);
      if (names && names[view.field.id] !== undefined) {
        delete names[view.field.id];
        view.setFileName(undefined);
      }
    }
    view.setError(undefined);
    // A confirmation was given for the values the user saw, not for new ones.
    this.confirmed = {};
    this.updateVisibility(form);
    this.persist();
  }

  private updateVisibility(form: ProviderForm): void {
    const values = this.values.get(form.id) ?? {};
    for (const view of this.views.values()) view.setVisible(isFieldVisible(form, view.field.id, values));
  }

  /** Reads every control (they are the truth after typing) into the values map. */
  private collect(form: ProviderForm): FormValues {
    const values = this.values.get(form.id) ?? {};
    for (const view of this.views.values()) values[view.field.id] = view.get();
    this.values.set(form.id, values);
    return values;
  }

  private persist(): void {
    const draft: Draft = { v: 1, session: this.session, selected: this.editing ? undefined : this.selected, values: {}, fileNames: {} };
    for (const form of this.forms) {
      const values = this.values.get(form.id);
      if (values) draft.values[form.id] = persistableValues(form, values);
      const names = this.fileNames.get(form.id);
      if (names) draft.fileNames[form.id] = { ...names };
    }
    this.host.setState(draft);
  }

  // ---------------------------------------------------------------------------------------
  // test and save

  private isBusy(): boolean {
    return this.busy !== null || this.pending !== null;
  }

  private runTest(): void {
    this.submit('test');
  }

  private runSave(): void {
    this.confirmed = {};
    this.submit('save');
  }

  private submit(action: 'test' | 'save'): void {
    const form = this.currentForm;
    if (!form || this.isBusy()) return;
    const values = this.collect(form);
    this.persist();
    this.clearErrors();
    const missing = requiredErrors(form, values, {
      storedSecrets: this.editing?.storedSecrets,
      message: (f) => t('{0} is required.', f.label),
    });
    if (missing.length) {
      this.showResult(action, false, missing.length === 1 ? t('Fill in the required field.') : t('Fill in the {0} required fields.', missing.length));
      this.applyFieldErrors(missing);
      return;
    }
    this.pending = action;
    this.result.hidden = true;
    this.renderBusy();
    const confirm = action === 'save' && (this.confirmed.saveAnyway || this.confirmed.duplicateOk) ? { confirm: { ...this.confirmed } } : {};
    this.host.post({ type: action, provider: form.id, values: submittedValues(form, values), ...confirm });
  }

  /** Save again with one more confirmation (keeping the ones already given for these values). */
  private confirmSave(c: SaveConfirmations): void {
    if (this.isBusy()) return;
    this.confirmed = { ...this.confirmed, ...c };
    this.submit('save');
  }

  /** "Save anyway" for a registry that is only down now; "Edit it instead" for one already stored. */
  private showSaveOffers(msg: SaveResultMessage): void {
    const offers: HTMLElement[] = [];
    if (msg.canSaveAnyway) {
      const b = button(t('Save Anyway'), { id: 'save-anyway' });
      b.addEventListener('click', () => this.confirmSave({ saveAnyway: true }));
      offers.push(
        h(
          'div',
          { class: 'offer' },
          h('p', { class: 'offer-note' }, t('If the registry is only down right now, you can save it untested. The Registries view shows it with an error and Retry until it answers.')),
          h('div', { class: 'offer-actions' }, b),
        ),
      );
    }
    const dup = msg.duplicate;
    if (dup && typeof dup.id === 'string') {
      const edit = button(t('Edit “{0}”', dup.name), { id: 'edit-existing' });
      edit.addEventListener('click', () => {
        if (!this.isBusy()) this.host.post({ type: 'editExisting', id: dup.id });
      });
      const again = button(t('Save a Second Connection'), { id: 'save-duplicate', secondary: true });
      again.addEventListener('click', () => this.confirmSave({ duplicateOk: true }));
      offers.push(h('div', { class: 'offer' }, h('div', { class: 'offer-actions' }, edit, again)));
    }
    if (!offers.length) return;
    this.result.append(...offers);
    requestAnimationFrame(() => (offers[0]!.querySelector('vscode-button') as HTMLElement | null)?.focus());
  }

  private renderBusy(): void {
    if (!this.progress) return; // `busy` before `init`
    const action = this.busy ?? this.pending;
    const busy = action !== null;
    this.progress.hidden = !busy;
    this.form.setAttribute('aria-busy', busy ? 'true' : 'false');
    for (const [b, a] of [
      [this.testBtn, 'test'],
      [this.saveBtn, 'save'],
    ] as const) {
      b.disabled = busy;
      b.iconSpin = action === a;
      if (a === 'test') b.icon = action === 'test' ? 'loading' : 'plug';
      else b.icon = action === 'save' ? 'loading' : '';
    }
    for (const pick of this.fieldsBox.querySelectorAll<VscodeButton>('.pick-file')) pick.disabled = busy;
    this.cancelBtn.title = busy ? t('Stop the running operation') : '';
    this.status.textContent = action === 'test' ? t('Testing connection…') : action === 'save' ? t('Saving…') : '';
  }

  private clearErrors(): void {
    for (const view of this.views.values()) view.setError(undefined);
  }

  /** Shows errors next to their fields and focuses the first one; the rest go to the result. */
  private applyFieldErrors(errors: readonly (FieldError | WizardFieldError)[]): void {
    if (!errors.length) return;
    const orphans: WizardFieldError[] = [];
    const messages = new Map<string, string[]>();
    const details = new Map<string, string>();
    for (const e of errors as readonly WizardFieldError[]) {
      if (!e || typeof e.field !== 'string' || typeof e.message !== 'string') continue;
      const view = this.views.get(e.field);
      if (!view || !view.isVisible()) {
        orphans.push(e);
        continue;
      }
      messages.set(e.field, [...(messages.get(e.field) ?? []), e.message]);
      if (typeof e.detail === 'string' && !details.has(e.field)) details.set(e.field, e.detail);
    }
    let first: FieldView | undefined;
    for (const view of this.views.values()) {
      const m = messages.get(view.field.id);
      if (!m) continue;
      view.setError(m.join(' '), details.get(view.field.id));
      first ??= view;
    }
    if (orphans.length) {
      const list = h('ul', { class: 'orphan-errors' }, ...orphans.map((e) => h('li', {}, e.message, typeof e.detail === 'string' ? detailsDisclosure(e.detail) : null)));
      this.result.append(list);
      this.result.hidden = false;
    }
    if (first) {
      const target = first;
      first.root.scrollIntoView({ block: 'nearest' });
      requestAnimationFrame(() => target.focus());
    }
  }

  private showResult(kind: 'test' | 'save', ok: boolean, message: string, steps?: readonly TestStep[], detail?: string, tone?: 'warn'): void {
    // A duplicate is a question, not a failure: a warning, not an error.
    const [icon, iconClass] = ok ? ['pass-filled', 'ok'] : tone === 'warn' ? ['warning', 'warn'] : ['error', 'fail'];
    const head = h(
      'div',
      { class: 'result-head' },
      codicon(icon, iconClass),
      h('span', { class: 'result-message' }, message),
    );
    const children: Node[] = [head];
    if (!ok && typeof detail === 'string' && detail) children.push(detailsDisclosure(detail));
    if (steps?.length) {
      const list = h('ul', { class: 'steps', attrs: { 'aria-label': kind === 'test' ? t('Test steps') : t('Steps') } });
      for (const s of steps) {
        if (!s || typeof s.label !== 'string') continue;
        list.append(
          h(
            'li',
            { class: s.ok ? 'step ok' : 'step fail' },
            codicon(s.ok ? 'check' : 'close', s.ok ? 'ok' : 'fail'),
            h('span', { class: 'visually-hidden' }, s.ok ? t('Passed:') : t('Failed:')),
            h('span', { class: 'step-label' }, s.label),
            s.detail ? h('span', { class: 'step-detail' }, s.detail) : null,
          ),
        );
      }
      children.push(list);
    }
    this.result.className = `result ${ok ? 'ok' : (tone ?? 'fail')}`;
    this.result.replaceChildren(...children);
    this.result.hidden = false;
    const failed = steps?.filter((s) => s && !s.ok).map((s) => s.label) ?? [];
    this.announcer.textContent = failed.length ? `${message} ${t('Failed: {0}', failed.join(', '))}` : message;
  }

  private onFileContent(fieldId: string, text: string, fileName: string, error: string | undefined): void {
    const form = this.currentForm;
    const view = this.views.get(fieldId);
    if (!form || !view) return;
    if (error) {
      view.setError(error);
      view.focus();
      return;
    }
    view.set(text);
    const values = this.values.get(form.id) ?? {};
    values[fieldId] = text;
    this.values.set(form.id, values);
    const names = this.fileNames.get(form.id) ?? {};
    names[fieldId] = fileName;
    this.fileNames.set(form.id, names);
    view.setError(undefined);
    view.setFileName(fileName);
    this.updateVisibility(form);
    this.persist();
    view.focus();
  }
}

const app = document.getElementById('app');
if (app) new WizardPage(app, connectHost());
