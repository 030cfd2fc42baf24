// Page strings. The host sends `vscode.l10n.bundle` in `init`; without it (English, or no
// translation shipped) the English source text is used. Keys are the English messages, the
// same convention as `vscode.l10n.t`, so one l10n bundle serves host and page.

let bundle: Readonly<Record<string, string>> = {};

export function setL10nBundle(b: Record<string, string> | undefined): void {
  bundle = b && typeof b === 'object' ? b : {};
}

/** `t('Loaded {0}', name)`: translation lookup, then `{n}` placeholders. */
export function t(message: string, ...args: (string | number)[]): string {
  const translated = Object.prototype.hasOwnProperty.call(bundle, message) ? bundle[message] : undefined;
  const text = typeof translated === 'string' ? translated : message;
  return text.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] !== undefined ? String(args[Number(i)]) : m));
}
