import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { buildWizardHtml, escapeHtml, makeNonce, wizardCsp } from '../../../src/ui/wizard/html';

// What VS Code gives as `webview.cspSource`.
const cspSource = 'https://*.vscode-cdn.net';
const base = {
  cspSource,
  nonce: 'AAAAAAAAAAAAAAAAAAAAAA==',
  scriptUri: 'https://x.vscode-cdn.net/ext/dist/webview/main.js',
  styleUri: 'https://x.vscode-cdn.net/ext/dist/webview/main.css',
  codiconUri: 'https://x.vscode-cdn.net/ext/dist/webview/codicon.css',
};

/** The CSP of a page, from its meta tag, as directive → sources. */
function cspOf(html: string): Map<string, string[]> {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(m, 'CSP meta tag present');
  const text = (m[1] as string).replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  const out = new Map<string, string[]>();
  for (const part of text.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out.set(name, sources);
  }
  return out;
}

describe('wizard page CSP', () => {
  test('exact policy', () => {
    assert.equal(
      wizardCsp(cspSource, base.nonce),
      `default-src 'none'; style-src ${cspSource} 'nonce-${base.nonce}'; font-src ${cspSource}; img-src ${cspSource} data:; script-src 'nonce-${base.nonce}'; base-uri 'none'; form-action 'none'`,
    );
  });

  test('the page carries it, with no unsafe sources', () => {
    const csp = cspOf(buildWizardHtml(base));
    assert.deepEqual(csp.get('default-src'), ["'none'"]);
    assert.deepEqual(csp.get('script-src'), [`'nonce-${base.nonce}'`]);
    assert.deepEqual(csp.get('style-src'), [cspSource, `'nonce-${base.nonce}'`]);
    assert.deepEqual(csp.get('font-src'), [cspSource]);
    assert.deepEqual(csp.get('img-src'), [cspSource, 'data:']);
    assert.deepEqual(csp.get('base-uri'), ["'none'"]);
    assert.deepEqual(csp.get('form-action'), ["'none'"]);
    for (const sources of csp.values()) {
      for (const s of sources) {
        assert.doesNotMatch(s, /unsafe|^\*$|^https?:$|^blob:$|^'strict-dynamic'$/, `no broad or unsafe source: ${s}`);
      }
    }
    assert.equal(csp.has('connect-src'), false, 'no network access: default-src none');
  });

  test("cspSource as VS Code for the web gives it: 'self' plus hosts", () => {
    const web = `'self' https://*.vscode-cdn.net http://127.0.0.1:8080`;
    const csp = cspOf(buildWizardHtml({ ...base, cspSource: web }));
    assert.deepEqual(csp.get('style-src'), ["'self'", 'https://*.vscode-cdn.net', 'http://127.0.0.1:8080', `'nonce-${base.nonce}'`]);
    assert.deepEqual(csp.get('font-src'), ["'self'", 'https://*.vscode-cdn.net', 'http://127.0.0.1:8080']);
    assert.doesNotThrow(() => wizardCsp('vscode-webview://abc123 vscode-resource:', base.nonce));
  });

  test('rejects a cspSource or nonce that could inject directives', () => {
    assert.throws(() => wizardCsp("'self' 'unsafe-inline'", base.nonce));
    assert.throws(() => wizardCsp("'unsafe-eval'", base.nonce));
    assert.throws(() => wizardCsp('*', base.nonce));
    assert.throws(() => wizardCsp('https://x,script-src', base.nonce));
    assert.throws(() => wizardCsp('', base.nonce));
    assert.throws(() => wizardCsp("https://x; script-src 'unsafe-inline'", base.nonce));
    assert.throws(() => wizardCsp('https://x\nscript-src *', base.nonce));
    assert.throws(() => wizardCsp(cspSource, 'short'));
    assert.throws(() => wizardCsp(cspSource, "abcdefghijklmnopqrstuv' 'unsafe-inline"));
    assert.throws(() => buildWizardHtml({ ...base, nonce: '' }));
  });

  test('nonces are fresh, long and base64', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const n = makeNonce();
      assert.match(n, /^[A-Za-z0-9+/]{22}==$/);
      assert.ok(!seen.has(n));
      seen.add(n);
      assert.doesNotThrow(() => wizardCsp(cspSource, n));
    }
  });
});

describe('wizard page HTML', () => {
  const html = buildWizardHtml(base);

  test('one module script, with the nonce, from dist/webview', () => {
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    assert.deepEqual(scripts, [`<script type="module" nonce="${base.nonce}" src="${base.scriptUri}">`]);
    assert.doesNotMatch(html, /<script[^>]*>[^<]+<\/script>/, 'no inline script body');
  });

  test('codicon stylesheet has the id vscode-elements looks for; page stylesheet linked', () => {
    assert.match(html, new RegExp(`<link rel="stylesheet" id="vscode-codicon-stylesheet" href="${base.codiconUri}" nonce="${base.nonce}">`));
    assert.match(html, new RegExp(`<link rel="stylesheet" href="${base.styleUri}" nonce="${base.nonce}">`));
  });

  test('no inline styles or event handlers (they would need unsafe-inline)', () => {
    assert.doesNotMatch(html, /<style/);
    assert.doesNotMatch(html, /\sstyle=/);
    assert.doesNotMatch(html, /\son[a-z]+=/i);
  });

  test('attribute values and text are escaped', () => {
    const evil = buildWizardHtml({ ...base, scriptUri: 'https://x/"><script>alert(1)</script>', title: '</title><script>x</script>', lang: 'en" onload="x' });
    assert.doesNotMatch(evil, /<script>alert/);
    assert.doesNotMatch(evil, /<\/title><script>/);
    assert.doesNotMatch(evil, /onload="x/);
    assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  test('lang, title and an app root', () => {
    const de = buildWizardHtml({ ...base, lang: 'de', title: 'Registry verbinden', loadingText: 'Wird geladen…' });
    assert.match(de, /<html lang="de">/);
    assert.match(de, /<title>Registry verbinden<\/title>/);
    assert.match(de, /<div id="app" class="wizard"><p class="loading">Wird geladen…<\/p><\/div>/);
  });
});

describe('page sources', () => {
  const dir = join(__dirname, '..', '..', '..', 'webview');
  const sources = readdirSync(dir).filter((f) => f.endsWith('.ts'));

  test('the page never logs (so it cannot log values)', () => {
    assert.ok(sources.includes('main.ts'));
    for (const f of sources) assert.doesNotMatch(readFileSync(join(dir, f), 'utf8'), /\bconsole\s*\./, f);
  });

  test('the protocol module imports neither vscode nor the DOM', () => {
    const text = readFileSync(join(dir, 'protocol.ts'), 'utf8');
    assert.doesNotMatch(text, /from ['"]vscode['"]|require\(['"]vscode['"]\)/);
    assert.doesNotMatch(text, /\b(document|window|HTMLElement|localStorage)\b/);
    const imports = [...text.matchAll(/^import .* from ['"]([^'"]+)['"]/gm)].map((m) => m[1]);
    assert.deepEqual(imports, ['../src/providers/form']);
  });

  test('no innerHTML: provider text and host messages stay text', () => {
    for (const f of sources) assert.doesNotMatch(readFileSync(join(dir, f), 'utf8'), /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write/, f);
  });
});
