// The wizard's host side logic: validate with the provider, test with a throwaway connection,
// save metadata and secrets apart. Errors are mapped to the field they concern, so the page
// can show them there, and nothing the user typed is lost on failure.

import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { FieldError, FormValues, ProviderForm } from '../providers/form';
import type { Connection, ConnectionConfig, TestStep } from '../providers/provider';
import type { SaveConfirmations, SaveResultMessage, TestResultMessage, WizardFieldError } from '../../webview/protocol';
import { isRegistryError, type RegistryErrorKind } from '../registry/errors';
import type { ConnectionManager } from './connections';
import type { Log } from './log';
import type { ConnectionStore } from './store';
import type { WizardBackend } from './wizard/backend';
import { findDuplicate } from './wizard/duplicates';
import { canSaveAnyway, describeFailure, type WizardFailure } from './wizard/failure';
import { network } from './network';

export class ConnectionWizardBackend implements WizardBackend {
  constructor(
    private readonly store: ConnectionStore,
    private readonly connections: ConnectionManager,
    private readonly log: Log,
    private readonly onSaved: (config: ConnectionConfig) => void,
  ) {}

  forms(): ProviderForm[] {
    return network().allProviders().map((p) => p.form);
  }

  async loadEditing(id: string): Promise<{ values: FormValues; storedSecrets: string[] } | undefined> {
    const config = this.store.get(id);
    const p = config && network().providerFor(config.provider);
    if (!config || !p) return undefined;
    const secrets = await this.store.secrets(id);
    const secretFields = new Set(p.form.fields.filter((f) => f.secret).map((f) => f.id));
    return { values: p.toForm(config), storedSecrets: Object.keys(secrets).filter((k) => secretFields.has(k) && secrets[k]) };
  }

  validate(provider: string, values: FormValues, editingId?: string): FieldError[] {
    const p = network().providerFor(provider);
    if (!p) return [{ field: '', message: vscode.l10n.t('Unknown provider.') }];
    const previous = editingId ? this.store.get(editingId) : undefined;
    const r = p.fromForm(values, previous ? { config: previous, secrets: {} } : undefined);
    return r.ok ? [] : r.errors;
  }

  async test(provider: string, values: FormValues, signal: AbortSignal, editingId?: string): Promise<TestResultMessage> {
    const prepared = await this.prepare(provider, values, editingId);
    if (!prepared.ok) return { ok: false, message: vscode.l10n.t('Fix the highlighted fields.'), fieldErrors: prepared.errors };
    const run = await this.run(prepared.config, prepared.secrets, signal);
    const failed = this.failure(provider, run, prepared.config.url);
    if (!failed) return { ok: true, message: vscode.l10n.t('Connection works.'), steps: run.steps };
    const { failure, fieldErrors, steps } = failed;
    // Said once: next to the field it concerns, else in the summary.
    return fieldErrors.length
      ? { ok: false, message: vscode.l10n.t('The test failed. Fix the highlighted field, then Test again.'), steps, fieldErrors }
      : { ok: false, message: failure.message, ...(failure.detail ? { detail: failure.detail } : {}), steps };
  }

  async save(provider: string, values: FormValues, signal: AbortSignal, editingId?: string, confirm: SaveConfirmations = {}): Promise<SaveResultMessage> {
    const prepared = await this.prepare(provider, values, editingId);
    if (!prepared.ok) return { ok: false, message: vscode.l10n.t('Fix the highlighted fields.'), fieldErrors: prepared.errors };
    const config = prepared.config;
    if (!confirm.duplicateOk) {
      // Workspace entries are not the user's to edit here; only their own connections count.
      const same = findDuplicate(config, this.store.list().filter((c) => !c.id.startsWith('workspace:')), editingId);
      if (same) {
        return {
          ok: false,
          message: config.username
            ? vscode.l10n.t('“{0}” already connects to this registry as {1}. Edit it instead, or save a second connection.', same.name, config.username)
            : vscode.l10n.t('“{0}” already connects to this registry. Edit it instead, or save a second connection.', same.name),
          duplicate: { id: same.id, name: same.name },
        };
      }
    }
    const run = await this.run(config, prepared.secrets, signal);
    const failed = this.failure(provider, run, config.url);
    if (failed && !(confirm.saveAnyway && canSaveAnyway(failed.failure.kind))) {
      const { failure, fieldErrors } = failed;
      const detail = failure.detail ? { detail: failure.detail } : {};
      if (canSaveAnyway(failure.kind)) {
        // The error goes to the summary (not the address field): the offer sits right under it.
        return { ok: false, message: vscode.l10n.t('Not saved: {0}', failure.message), ...detail, canSaveAnyway: true };
      }
      return fieldErrors.length
        ? { ok: false, message: vscode.l10n.t('Not saved. Fix the highlighted field, then Save again.'), fieldErrors }
        : { ok: false, message: vscode.l10n.t('Not saved: {0}', failure.message), ...detail };
    }
    await this.store.save(config, prepared.secrets);
    this.log.info(`Connected ${config.name} (${config.provider}, ${config.url})${failed ? ' without a passing test: it did not answer' : ''}.`);
    this.onSaved(config);
    return {
      ok: true,
      message: failed
        ? vscode.l10n.t('Saved {0} without testing it: it did not answer. The Registries view shows it with Retry until it does.', config.name)
        : vscode.l10n.t('Saved {0}.', config.name),
    };
  }

  /** The first failed step, retold for the form, with the field it concerns. */
  private failure(
    provider: string,
    run: { steps: TestStep[]; kind?: RegistryErrorKind },
    url: string,
  ): { failure: WizardFailure; fieldErrors: WizardFieldError[]; steps: TestStep[] } | undefined {
    const failed = run.steps.find((s) => !s.ok);
    if (!failed) return undefined;
    this.log.info(`Test of ${url} failed: ${failed.label}: ${failed.detail ?? ''}`);
    const failure = describeFailure(failed, (m, ...a) => vscode.l10n.t(m, ...a), run.kind);
    const form = network().providerFor(provider)!.form;
    const fieldErrors = network()
      .fieldErrorsFor(failed, form)
      .map((e) => ({ field: e.field, message: failure.message, ...(failure.detail ? { detail: failure.detail } : {}) }));
    const steps = run.steps.map((s) => (s === failed ? { label: s.label, ok: false, detail: failure.status } : s));
    return { failure, fieldErrors, steps };
  }

  private async prepare(
    provider: string,
    values: FormValues,
    editingId?: string,
  ): Promise<{ ok: true; config: ConnectionConfig; secrets: Record<string, string> } | { ok: false; errors: FieldError[] }> {
    const p = network().providerFor(provider);
    if (!p) return { ok: false, errors: [{ field: '', message: vscode.l10n.t('Unknown provider.') }] };
    const previous = editingId ? this.store.get(editingId) : undefined;
    const previousSecrets = previous ? await this.store.secrets(previous.id) : undefined;
    const r = p.fromForm(values, previous && previousSecrets ? { config: previous, secrets: previousSecrets } : undefined);
    if (!r.ok) return r;
    this.log.redactor.addAll(r.secrets);
    const id = previous?.id ?? `${provider}-${randomUUID()}`;
    return { ok: true, config: { ...r.config, id }, secrets: r.secrets };
  }

  private async run(config: ConnectionConfig, secrets: Record<string, string>, signal: AbortSignal): Promise<{ steps: TestStep[]; kind?: RegistryErrorKind }> {
    let conn: Connection | undefined;
    try {
      conn = await this.connections.build(config, secrets);
      return { steps: await conn.test(signal) };
    } catch (e) {
      return { steps: [{ label: vscode.l10n.t('Connect'), ok: false, detail: this.log.safe(e) }], ...(isRegistryError(e) ? { kind: e.kind } : {}) };
    } finally {
      await conn?.dispose();
    }
  }
}
