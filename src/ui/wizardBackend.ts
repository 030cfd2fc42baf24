// The wizard's host side logic: validate with the provider, test with a throwaway connection,
// save metadata and secrets apart. Errors are mapped to the field they concern, so the page
// can show them there, and nothing the user typed is lost on failure.

import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { FieldError, FormValues, ProviderForm } from '../providers/form';
import type { Connection, ConnectionConfig, TestStep } from '../providers/provider';
import type { SaveResultMessage, TestResultMessage } from '../../webview/protocol';
import type { ConnectionManager } from './connections';
import type { Log } from './log';
import type { ConnectionStore } from './store';
import type { WizardBackend } from './wizard/backend';
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
    const steps = await this.run(prepared.config, prepared.secrets, signal);
    const failed = steps.find((s) => !s.ok);
    if (failed) this.log.info(`Test of ${prepared.config.url} failed: ${failed.label}: ${failed.detail ?? ''}`);
    return failed
      ? { ok: false, message: failed.detail ?? failed.label, steps, fieldErrors: network().fieldErrorsFor(failed, network().providerFor(provider)!.form) }
      : { ok: true, message: vscode.l10n.t('Connection works.'), steps };
  }

  async save(provider: string, values: FormValues, signal: AbortSignal, editingId?: string): Promise<SaveResultMessage> {
    const prepared = await this.prepare(provider, values, editingId);
    if (!prepared.ok) return { ok: false, message: vscode.l10n.t('Fix the highlighted fields.'), fieldErrors: prepared.errors };
    const steps = await this.run(prepared.config, prepared.secrets, signal);
    const failed = steps.find((s) => !s.ok);
    if (failed) {
      return { ok: false, message: vscode.l10n.t('Not saved: {0}', failed.detail ?? failed.label), fieldErrors: network().fieldErrorsFor(failed, network().providerFor(provider)!.form) };
    }
    await this.store.save(prepared.config, prepared.secrets);
    this.log.info(`Connected ${prepared.config.name} (${prepared.config.provider}, ${prepared.config.url}).`);
    this.onSaved(prepared.config);
    return { ok: true, message: vscode.l10n.t('Saved {0}.', prepared.config.name) };
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

  private async run(config: ConnectionConfig, secrets: Record<string, string>, signal: AbortSignal): Promise<TestStep[]> {
    let conn: Connection | undefined;
    try {
      conn = await this.connections.build(config, secrets);
      return await conn.test(signal);
    } catch (e) {
      return [{ label: vscode.l10n.t('Connect'), ok: false, detail: this.log.safe(e) }];
    } finally {
      await conn?.dispose();
    }
  }
}
