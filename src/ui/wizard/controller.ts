// The wizard's host-side conversation, without the `vscode` import: panel.ts plugs VS Code
// in through `WizardPort`, tests plug in fakes. Every page message goes through
// `parseFromWebview`; `test`/`save` are validated by the backend first, run one at a time
// with an AbortSignal that Cancel or closing the panel aborts, and always answered (the page
// keeps its form and waits for the answer).

import type { FormField, FormValues, ProviderForm } from '../../providers/form';
import { isSecretField } from '../../../webview/formLogic';
import {
  MAX_FILE_BYTES,
  parseFromWebview,
  type BusyAction,
  type FileContentMessage,
  type InitMessage,
  type SaveConfirmations,
  type SaveResultMessage,
  type TestResultMessage,
  type ToWebview,
} from '../../../webview/protocol';
import type { WizardBackend } from './backend';

/** A stored connection opened for editing, as the commands know it. */
export interface WizardEditing {
  id: string;
  name: string;
  /** Provider kind; defaults to `opts.provider`. */
  provider?: string;
  /** Prefilled values (secrets are dropped even if present). Else `backend.loadEditing`. */
  values?: FormValues;
  /** Secret field ids with a stored value. Else `backend.loadEditing`. */
  storedSecrets?: string[];
}

export interface WizardOptions {
  provider?: string;
  editing?: WizardEditing;
  /** A new connection's form prefilled (a deploy file's "Connect this registry": its host); secret fields are dropped. */
  values?: FormValues;
}

/** Everything the controller needs from VS Code. */
export interface WizardPort {
  post(message: ToWebview): void;
  /** Closes the panel (the controller is disposed through it). */
  close(): void;
  /** Shows the open dialog and reads the file; undefined when the user cancels. */
  pickFile(field: FormField): Promise<{ fileName: string; bytes: Uint8Array } | { fileName: string; error: string } | undefined>;
  openExternal(url: string): void;
  /** Runs `task` under a progress indicator. */
  withProgress<T>(title: string, task: () => Promise<T>): Promise<T>;
  /** After a successful save, e.g. an information message. */
  saved?(message: string | undefined): void;
  /** The panel's title, when the wizard turns to editing another connection. */
  setTitle?(title: string): void;
  /** `vscode.l10n.t`. */
  t(message: string, ...args: (string | number)[]): string;
  /** `vscode.l10n.bundle`, forwarded to the page. */
  l10nBundle?: Record<string, string>;
}

/** The file's text, or why it cannot be used as a form value. */
export function decodeFileText(bytes: Uint8Array, t: WizardPort['t']): { text: string } | { error: string } {
  if (bytes.byteLength > MAX_FILE_BYTES) {
    return { error: t('The file is larger than {0} KiB. Choose the certificate or key file itself.', MAX_FILE_BYTES / 1024) };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { error: t('The file is not UTF-8 text. Choose a PEM or JSON file.') };
  }
  if (text.includes('\u0000')) return { error: t('The file is not a text file. Choose a PEM or JSON file.') };
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text };
}

let sessionCounter = 0;
function newSession(): string {
  sessionCounter += 1;
  return `${Date.now().toString(36)}-${sessionCounter}`;
}

interface Running {
  kind: 'test' | 'save';
  abort: AbortController;
  /** Resolves when Cancel or close wins the race against the backend. */
  cancelled: Promise<void>;
}

export class WizardController {
  private session = newSession();
  private opts: WizardOptions;
  private currentProvider: string | undefined;
  private running: Running | undefined;
  private disposed = false;
  private editingCache: { values: FormValues; storedSecrets: string[] } | undefined;
  /** The stored connection the last Save offered to edit instead: the only id `editExisting` opens. */
  private offeredDuplicate: { id: string; name: string; provider: string } | undefined;

  constructor(
    private readonly backend: WizardBackend,
    private readonly port: WizardPort,
    opts: WizardOptions = {},
  ) {
    this.opts = opts;
  }

  get editingId(): string | undefined {
    return this.opts.editing?.id;
  }

  /** Whether `open()` with these options should restart the wizard rather than just reveal it. */
  differsFrom(opts: WizardOptions | undefined): boolean {
    if (!opts || (opts.provider === undefined && opts.editing === undefined)) return false;
    return (
      opts.editing?.id !== this.opts.editing?.id ||
      (opts.provider ?? opts.editing?.provider) !== (this.opts.provider ?? this.opts.editing?.provider) ||
      JSON.stringify(opts.values ?? null) !== JSON.stringify(this.opts.values ?? null)
    );
  }

  /** Starts a new session with new options (re-opened for another provider or connection). */
  async reset(opts: WizardOptions): Promise<void> {
    this.abortRunning();
    this.opts = opts;
    this.session = newSession();
    this.editingCache = undefined;
    this.offeredDuplicate = undefined;
    this.currentProvider = undefined;
    await this.sendInit();
  }

  dispose(): void {
    this.disposed = true;
    this.abortRunning();
  }

  private post(message: ToWebview): void {
    if (!this.disposed) this.port.post(message);
  }

  private forms(): ProviderForm[] {
    return this.backend.forms();
  }

  private selectedProvider(): string | undefined {
    return this.opts.editing?.provider ?? this.opts.provider;
  }

  private async editingSnapshot(forms: ProviderForm[]): Promise<{ values: FormValues; storedSecrets: string[] } | undefined> {
    const editing = this.opts.editing;
    if (!editing) return undefined;
    if (!this.editingCache) {
      let values = editing.values;
      let storedSecrets = editing.storedSecrets;
      if ((!values || !storedSecrets) && this.backend.loadEditing) {
        const loaded = await this.backend.loadEditing(editing.id);
        values ??= loaded?.values;
        storedSecrets ??= loaded?.storedSecrets;
      }
      this.editingCache = { values: values ?? {}, storedSecrets: storedSecrets ?? [] };
    }
    // Secrets never reach the page, whatever the caller passed.
    const form = forms.find((f) => f.id === this.selectedProvider());
    const safe: FormValues = {};
    for (const [k, v] of Object.entries(this.editingCache.values)) {
      const field = form?.fields.find((f) => f.id === k);
      if (!field || isSecretField(field)) continue;
      safe[k] = v;
    }
    return { values: safe, storedSecrets: this.editingCache.storedSecrets.filter((id) => form?.fields.some((f) => f.id === id)) };
  }

  private async sendInit(): Promise<void> {
    const forms = this.forms();
    const selected = this.selectedProvider();
    const known = selected !== undefined && forms.some((f) => f.id === selected);
    const editing = await this.editingSnapshot(forms);
    const init: InitMessage = { type: 'init', session: this.session, forms };
    if (known) init.selected = selected;
    if (editing && this.opts.editing) {
      init.values = editing.values;
      init.editing = { id: this.opts.editing.id, name: this.opts.editing.name, storedSecrets: editing.storedSecrets };
    } else if (known && this.opts.values) {
      const form = forms.find((f) => f.id === selected)!;
      init.values = Object.fromEntries(Object.entries(this.opts.values).filter(([k]) => form.fields.some((f) => f.id === k && !isSecretField(f))));
    }
    if (this.port.l10nBundle) init.l10n = this.port.l10nBundle;
    if (known) this.currentProvider = selected;
    this.post(init);
    this.post({ type: 'busy', action: this.running?.kind ?? null });
  }

  /** One message from the page. Never throws. */
  async handle(raw: unknown): Promise<void> {
    if (this.disposed) return;
    const forms = this.forms();
    const msg = parseFromWebview(raw, forms);
    if (!msg) {
      // Answer a malformed test/save so the page does not wait forever; drop anything else.
      const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
      if (type === 'test') this.post({ type: 'testResult', ok: false, message: this.port.t('The wizard sent an invalid request. Reopen it and try again.') });
      if (type === 'save') this.post({ type: 'saveResult', ok: false, message: this.port.t('The wizard sent an invalid request. Reopen it and try again.') });
      return;
    }
    try {
      switch (msg.type) {
        case 'ready':
          await this.sendInit();
          return;
        case 'selectProvider':
          if (!this.opts.editing) this.currentProvider = msg.provider;
          return;
        case 'test':
          await this.run('test', msg.provider, msg.values);
          return;
        case 'save':
          await this.run('save', msg.provider, msg.values, msg.confirm);
          return;
        case 'editExisting': {
          const offered = this.offeredDuplicate;
          if (!offered || offered.id !== msg.id || this.running) return;
          this.port.setTitle?.(this.port.t('Edit {0}', offered.name));
          await this.reset({ editing: { id: offered.id, name: offered.name, provider: offered.provider } });
          return;
        }
        case 'pickFile':
          await this.pickFile(msg.field, forms);
          return;
        case 'openLink':
          this.port.openExternal(msg.url);
          return;
        case 'cancel':
          if (this.running) this.abortRunning();
          else this.port.close();
          return;
      }
    } catch {
      // The port's own failures (a closed panel…): nothing useful to tell the page.
    }
  }

  private abortRunning(): void {
    this.running?.abort.abort();
  }

  private async run(kind: 'test' | 'save', provider: string, values: FormValues, confirm?: SaveConfirmations): Promise<void> {
    const t = this.port.t;
    if (this.running) return; // the page disables the buttons; a second request is noise
    const session = this.session;
    // A reset (re-opened for something else) while this runs: its answer is for nobody.
    const answer = (r: TestResultMessage | SaveResultMessage): void => {
      if (this.session === session) this.answer(kind, r);
    };
    if (this.opts.editing && this.selectedProvider() && provider !== this.selectedProvider()) {
      answer({ ok: false, message: t('The provider of a stored connection cannot change.') });
      return;
    }
    this.currentProvider = provider;
    const editingId = this.opts.editing?.id;

    let errors;
    try {
      errors = this.backend.validate(provider, values, editingId);
    } catch (e) {
      answer({ ok: false, message: t('The form could not be checked: {0}', messageOf(e)) });
      return;
    }
    if (errors.length) {
      answer({ ok: false, message: t('Fix the highlighted fields.'), fieldErrors: errors });
      return;
    }

    const abort = new AbortController();
    let onAbort: () => void = () => undefined;
    const cancelled = new Promise<void>((resolve) => {
      onAbort = () => resolve();
      abort.signal.addEventListener('abort', onAbort, { once: true });
    });
    const running: Running = { kind, abort, cancelled };
    this.running = running;
    this.postBusy(kind);
    const title = kind === 'test' ? t('Testing registry connection…') : t('Saving registry connection…');
    try {
      const work = this.port.withProgress<TestResultMessage | SaveResultMessage>(title, () =>
        kind === 'test' ? this.backend.test(provider, values, abort.signal, editingId) : this.backend.save(provider, values, abort.signal, editingId, confirm),
      );
      const outcome = await Promise.race([work.then((r) => ({ r })), cancelled.then(() => undefined)]);
      if (!outcome || abort.signal.aborted) {
        work.catch(() => undefined);
        answer({ ok: false, message: kind === 'test' ? t('Test cancelled.') : t('Save cancelled. Nothing was saved.') });
        return;
      }
      const result = kind === 'test' ? cleanTest(outcome.r as TestResultMessage) : cleanSave(outcome.r as SaveResultMessage);
      if (kind === 'save' && this.session === session) {
        const dup = (result as SaveResultMessage).duplicate;
        this.offeredDuplicate = dup ? { ...dup, provider } : undefined;
      }
      answer(result);
      if (kind === 'save' && result.ok) {
        this.port.saved?.(result.message);
        this.running = undefined;
        this.port.close();
      }
    } catch (e) {
      if (abort.signal.aborted) answer({ ok: false, message: kind === 'test' ? t('Test cancelled.') : t('Save cancelled. Nothing was saved.') });
      else answer({ ok: false, message: kind === 'test' ? t('The test failed: {0}', messageOf(e)) : t('The connection was not saved: {0}', messageOf(e)) });
    } finally {
      abort.signal.removeEventListener('abort', onAbort);
      if (this.running === running) {
        this.running = undefined;
        this.postBusy(null);
      }
    }
  }

  private postBusy(action: BusyAction): void {
    this.post({ type: 'busy', action });
  }

  private answer(kind: 'test' | 'save', result: TestResultMessage | SaveResultMessage): void {
    if (kind === 'test') this.post({ type: 'testResult', ...(result as TestResultMessage) });
    else this.post({ type: 'saveResult', ...(result as SaveResultMessage) });
  }

  private async pickFile(fieldId: string, forms: ProviderForm[]): Promise<void> {
    const current = forms.find((f) => f.id === this.currentProvider);
    const field = current?.fields.find((f) => f.id === fieldId && f.kind === 'file') ?? forms.flatMap((f) => f.fields).find((f) => f.id === fieldId && f.kind === 'file');
    if (!field) return;
    let picked;
    try {
      picked = await this.port.pickFile(field);
    } catch (e) {
      this.post({ type: 'fileContent', field: fieldId, text: '', fileName: '', error: this.port.t('The file could not be read: {0}', messageOf(e)) });
      return;
    }
    if (!picked) return;
    let message: FileContentMessage;
    if ('error' in picked) message = { field: fieldId, text: '', fileName: picked.fileName, error: picked.error };
    else {
      const decoded = decodeFileText(picked.bytes, this.port.t);
      message = 'error' in decoded ? { field: fieldId, text: '', fileName: picked.fileName, error: decoded.error } : { field: fieldId, text: decoded.text, fileName: picked.fileName };
    }
    this.post({ type: 'fileContent', ...message });
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function str(v: unknown, max = 4000): string | undefined {
  return typeof v === 'string' ? (v.length > max ? v.slice(0, max) + '…' : v) : undefined;
}

function cleanErrors(v: unknown): { field: string; message: string; detail?: string }[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out = v.flatMap((e) =>
    e && typeof e === 'object' && typeof e.field === 'string' && typeof e.message === 'string'
      ? [{ field: e.field, message: str(e.message) as string, ...(typeof e.detail === 'string' ? { detail: str(e.detail) } : {}) }]
      : [],
  );
  return out.length ? out : undefined;
}

/** Copies only the known fields of the backend's answer (the page renders it as text). */
function cleanTest(r: TestResultMessage): TestResultMessage {
  const out: TestResultMessage = { ok: r?.ok === true, message: str(r?.message) ?? '' };
  if (Array.isArray(r?.steps)) {
    out.steps = r.steps.flatMap((s) =>
      s && typeof s === 'object' && typeof s.label === 'string' ? [{ label: str(s.label) as string, ok: s.ok === true, ...(typeof s.detail === 'string' ? { detail: str(s.detail) } : {}) }] : [],
    );
  }
  const detail = str(r?.detail);
  if (detail !== undefined) out.detail = detail;
  const fe = cleanErrors(r?.fieldErrors);
  if (fe) out.fieldErrors = fe;
  return out;
}

function cleanSave(r: SaveResultMessage): SaveResultMessage {
  const out: SaveResultMessage = { ok: r?.ok === true };
  const m = str(r?.message);
  if (m !== undefined) out.message = m;
  const detail = str(r?.detail);
  if (detail !== undefined) out.detail = detail;
  const fe = cleanErrors(r?.fieldErrors);
  if (fe) out.fieldErrors = fe;
  if (!out.ok && r?.canSaveAnyway === true) out.canSaveAnyway = true;
  const dup = r?.duplicate;
  if (!out.ok && dup && typeof dup.id === 'string' && typeof dup.name === 'string') out.duplicate = { id: dup.id, name: str(dup.name, 200) as string };
  return out;
}
