// Secrets never reach a log line. The redactor knows every secret value the extension has
// loaded (registered as they are read from SecretStorage) and the shapes credentials take on
// the wire, and scrubs both from anything written to the output channel.

const PATTERNS: [RegExp, string][] = [
  [/(authorization["']?\s*[:=]\s*["']?)(basic|bearer)\s+[A-Za-z0-9._~+/=-]+/gi, '$1$2 [REDACTED]'],
  [/\b(Basic|Bearer)\s+[A-Za-z0-9._~+/-]{8,}=*/g, '$1 [REDACTED]'],
  [/(\/\/)[^/\s:@]+:[^/\s@]+@/g, '$1[REDACTED]@'],
  [/((?:password|passwd|token|secret|refresh_token|access_token|identitytoken)["']?\s*[:=]\s*["']?)[^"'\s&,}]+/gi, '$1[REDACTED]'],
  [/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/g, '[REDACTED-JWT]'],
];

export class Redactor {
  private readonly secrets = new Set<string>();
  /** Longest first, so a secret that contains another is replaced whole; kept until `add`. */
  private ordered?: string[];

  /** Remember a secret value (Basic's base64 form is caught by PATTERNS). */
  add(value: string | undefined): void {
    if (!value || value.length < 4 || this.secrets.has(value)) return;
    this.secrets.add(value);
    this.ordered = undefined;
  }

  addAll(values: Record<string, string>): void {
    for (const v of Object.values(values)) this.add(v);
  }

  redact(text: string): string {
    let out = text;
    for (const s of (this.ordered ??= [...this.secrets].sort((a, b) => b.length - a.length))) {
      if (out.includes(s)) out = out.split(s).join('[REDACTED]');
    }
    for (const [re, rep] of PATTERNS) out = out.replace(re, rep);
    return out;
  }
}
