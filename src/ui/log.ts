// The extension's LogOutputChannel, behind the redactor: every line passes through it.

import * as vscode from 'vscode';
import { Redactor } from './redactor';

export class Log implements vscode.Disposable {
  readonly redactor = new Redactor();
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel('Registry Explorer', { log: true });
  }

  trace(msg: string): void {
    this.channel.trace(this.redactor.redact(msg));
  }
  debug(msg: string): void {
    this.channel.debug(this.redactor.redact(msg));
  }
  info(msg: string): void {
    this.channel.info(this.redactor.redact(msg));
  }
  warn(msg: string): void {
    this.channel.warn(this.redactor.redact(msg));
  }
  error(msg: string | Error): void {
    this.channel.error(this.redactor.redact(msg instanceof Error ? msg.message : msg));
  }

  /** A message safe to show a person: redacted like the log. */
  safe(e: unknown): string {
    return this.redactor.redact(e instanceof Error ? e.message : String(e));
  }

  dispose(): void {
    this.channel.dispose();
  }
}
