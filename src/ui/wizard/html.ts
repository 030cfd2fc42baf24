// The wizard page's HTML. Free of the `vscode` import so tests can build the exact page the
// panel serves; the panel passes `webview.cspSource` and `asWebviewUri(...)` strings.
//
// Content Security Policy, and why it needs no 'unsafe-inline' anywhere:
//   default-src 'none'                 everything not listed below is refused (connect, frames,
//                                      media, workers, objects, manifests…)
//   style-src  <cspSource> 'nonce-N'   our stylesheet and codicon.css are files under
//                                      dist/webview. Lit and @vscode-elements style their shadow
//                                      roots with constructable stylesheets (adoptedStyleSheets,
//                                      CSSStyleSheet.replaceSync), which CSP does not govern, and
//                                      set dynamic styles through the CSSOM (`el.style.x = …`,
//                                      also allowed) instead of `style="…"` attributes.
//                                      vscode-icon adds a <link> to codicon.css inside each
//                                      shadow root, allowed by <cspSource> (and it copies the
//                                      nonce of our <link id="vscode-codicon-stylesheet">). The
//                                      nonce is kept for Lit's fallback path (it writes <style
//                                      nonce> when adoptedStyleSheets is unavailable).
//   font-src   <cspSource>             codicon.ttf
//   img-src    <cspSource> data:       codicon/SVG data URIs some components use
//   script-src 'nonce-N'               exactly our one module script; no eval (Lit needs none)
//   base-uri 'none', form-action 'none'  the page never navigates or submits anywhere
// The e2e test loads this page in Chromium and fails on any `securitypolicyviolation`.

export interface WizardHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** A fresh random nonce per page load (see `makeNonce`). */
  nonce: string;
  /** `dist/webview/main.js` as a webview URI. */
  scriptUri: string;
  /** `dist/webview/main.css` as a webview URI. */
  styleUri: string;
  /** `dist/webview/codicon.css` as a webview URI. */
  codiconUri: string;
  /** Document title (already localized). */
  title?: string;
  /** BCP 47 language tag, `vscode.env.language`. */
  lang?: string;
  /** Shown while the script loads and when scripts are off (already localized). */
  loadingText?: string;
}

const NONCE_RE = /^[A-Za-z0-9+/_-]{16,}={0,2}$/;
// One source expression of `webview.cspSource`: a scheme or host source, or 'self' (VS Code
// for the web gives e.g. `'self' https://*.vscode-cdn.net`). No other quoted keyword (no
// 'unsafe-…'), no ';' or ',' that would start another directive, no bare '*'.
const CSP_SOURCE_TOKEN_RE = /^(?:'self'|[A-Za-z][A-Za-z0-9+.-]*:(?:\/\/[^\s;,'"]+)?|[^\s;,'"]+)$/;

function checkCspSource(cspSource: string): void {
  const tokens = cspSource.trim().split(/[ \t]+/);
  // eslint-disable-next-line no-control-regex
  const ok = tokens.length > 0 && !/[\u0000-\u001f\u007f]/.test(cspSource) && tokens.every((t) => t !== '*' && CSP_SOURCE_TOKEN_RE.test(t));
  if (!ok) throw new Error('wizardCsp: unexpected characters in cspSource');
}

/** 128 random bits, base64. */
export function makeNonce(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

export function wizardCsp(cspSource: string, nonce: string): string {
  checkCspSource(cspSource);
  cspSource = cspSource.trim().split(/[ \t]+/).join(' ');
  if (!NONCE_RE.test(nonce)) throw new Error('wizardCsp: the nonce must be at least 16 base64 characters');
  return [
    `default-src 'none'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
    `base-uri 'none'`,
    `form-action 'none'`,
  ].join('; ');
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function buildWizardHtml(o: WizardHtmlOptions): string {
  const csp = wizardCsp(o.cspSource, o.nonce);
  const a = escapeHtml;
  const title = o.title ?? 'Connect Registry';
  const loading = o.loadingText ?? 'Loading…';
  return `<!DOCTYPE html>
<html lang="${a(o.lang ?? 'en')}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${a(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${a(title)}</title>
<link rel="stylesheet" id="vscode-codicon-stylesheet" href="${a(o.codiconUri)}" nonce="${a(o.nonce)}">
<link rel="stylesheet" href="${a(o.styleUri)}" nonce="${a(o.nonce)}">
</head>
<body>
<div id="app" class="wizard"><p class="loading">${a(loading)}</p></div>
<script type="module" nonce="${a(o.nonce)}" src="${a(o.scriptUri)}"></script>
</body>
</html>
`;
}
