// The Connect Registry wizard page in a real browser: the real bundle (dist/webview), the real
// HTML and CSP from src/ui/wizard/html.ts, served from a loopback HTTP server, driven by
// playwright-core in Debian's Chromium. A stub `acquireVsCodeApi` (an inline script carrying
// the page nonce, so it runs under the same CSP) records what the page posts and stores, and
// the test plays the host by posting messages into the page.
//
// Screenshots go to test-artifacts/wizard/*.png (light and dark theme variables).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ProviderForm } from '../../src/providers/form';
import { describeFailure } from '../../src/ui/wizard/failure';
import { buildWizardHtml, makeNonce } from '../../src/ui/wizard/html';
import type { FromWebview, ToWebview } from '../../webview/protocol';
import { onExit, removeDirSync } from '../support/cleanup';
import { repoRoot } from './support/codeServer';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './support/workbench';

const distDir = join(repoRoot, 'dist', 'webview');
const shotsDir = join(repoRoot, 'test-artifacts', 'wizard');

// ---------------------------------------------------------------------------------------
// Fixtures: sample provider forms (the real ones live in src/providers)

const SECRET = 'hunter2-s3cret-value';

const genericForm: ProviderForm = {
  id: 'generic',
  title: 'Generic Registry v2',
  description: 'Any server that speaks the Docker Registry HTTP API v2: distribution, Harbor, Nexus, Zot…',
  icon: 'server',
  help: 'HTTPS is assumed. Plain HTTP is used automatically for localhost; anywhere else it needs “Allow insecure”.\n\nSelf-signed servers: add the CA certificate rather than turning verification off.',
  docsUrl: 'https://distribution.github.io/distribution/spec/api/',
  fields: [
    { id: 'url', label: 'Registry URL', kind: 'url', required: true, placeholder: 'https://registry.example.com', help: 'Host and optional port. Add http:// to force plain HTTP.' },
    { id: 'username', label: 'Username', kind: 'text', placeholder: 'Leave empty for anonymous access' },
    { id: 'password', label: 'Password or access token', kind: 'password', secret: true, help: 'Stored in VS Code’s secret storage, never in settings.' },
    { id: 'insecure', label: 'Allow insecure (skip TLS verification, allow plain HTTP)', kind: 'checkbox', default: false },
    { id: 'caPem', label: 'Custom CA certificate', kind: 'file', placeholder: '-----BEGIN CERTIFICATE-----', help: 'PEM of the CA that signed the registry’s certificate. Choose a file or paste it.', fileFilters: { 'PEM certificate': ['pem', 'crt'] } },
    { id: 'repositories', label: 'Repositories', kind: 'list', help: 'One per line, for registries that do not let you list their catalog.' },
  ],
};

const ecrForm: ProviderForm = {
  id: 'ecr',
  title: 'Amazon ECR',
  description: 'Elastic Container Registry, through an AWS profile or access keys.',
  icon: 'cloud',
  help: 'Needs ecr:GetAuthorizationToken, ecr:DescribeRepositories and ecr:DescribeImages.',
  fields: [
    { id: 'region', label: 'Region', kind: 'text', required: true, placeholder: 'us-east-1' },
    { id: 'auth', label: 'Authentication', kind: 'select', options: [{ value: 'profile', label: 'AWS profile' }, { value: 'keys', label: 'Access keys' }], default: 'profile' },
    { id: 'profile', label: 'Profile', kind: 'text', showIf: { field: 'auth', equals: 'profile' } },
    { id: 'accessKeyId', label: 'Access key ID', kind: 'text', required: true, showIf: { field: 'auth', equals: 'keys' } },
    { id: 'secretAccessKey', label: 'Secret access key', kind: 'password', secret: true, required: true, showIf: { field: 'auth', equals: 'keys' } },
  ],
};

const hubForm: ProviderForm = {
  id: 'dockerhub',
  title: 'Docker Hub',
  description: 'hub.docker.com with a personal access token.',
  icon: 'package',
  fields: [{ id: 'username', label: 'Docker ID', kind: 'text', required: true }],
};

const forms = [genericForm, ecrForm, hubForm];

// ---------------------------------------------------------------------------------------
// Theme variables: what VS Code sets on the webview's <html> (Light Modern / Dark Modern)

const common = {
  '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-font-weight': 'normal',
  '--vscode-editor-font-family': '"Droid Sans Mono", monospace',
  '--vscode-editor-font-size': '14px',
};
const themes: Record<'light' | 'dark', Record<string, string>> = {
  light: {
    ...common,
    '--vscode-foreground': '#3b3b3b',
    '--vscode-editor-background': '#ffffff',
    '--vscode-editor-foreground': '#3b3b3b',
    '--vscode-descriptionForeground': '#717171',
    '--vscode-errorForeground': '#f85149',
    '--vscode-focusBorder': '#005fb8',
    '--vscode-button-background': '#005fb8',
    '--vscode-button-foreground': '#ffffff',
    '--vscode-button-hoverBackground': '#0258a8',
    '--vscode-button-border': '#0000001a',
    '--vscode-button-secondaryBackground': '#e5e5e5',
    '--vscode-button-secondaryForeground': '#3b3b3b',
    '--vscode-button-secondaryHoverBackground': '#cccccc',
    '--vscode-settings-textInputBackground': '#ffffff',
    '--vscode-settings-textInputForeground': '#3b3b3b',
    '--vscode-settings-textInputBorder': '#cecece',
    '--vscode-settings-dropdownBackground': '#ffffff',
    '--vscode-settings-dropdownForeground': '#3b3b3b',
    '--vscode-settings-dropdownBorder': '#cecece',
    '--vscode-settings-dropdownListBorder': '#cecece',
    '--vscode-settings-checkboxBackground': '#f8f8f8',
    '--vscode-settings-checkboxForeground': '#3b3b3b',
    '--vscode-settings-checkboxBorder': '#cecece',
    '--vscode-checkbox-background': '#f8f8f8',
    '--vscode-checkbox-border': '#cecece',
    '--vscode-input-placeholderForeground': '#767676',
    '--vscode-inputValidation-errorBackground': '#f2dede',
    '--vscode-inputValidation-errorBorder': '#be1100',
    '--vscode-inputValidation-errorForeground': '#3b3b3b',
    '--vscode-textLink-foreground': '#005fb8',
    '--vscode-textLink-activeForeground': '#005fb8',
    '--vscode-widget-border': '#e5e5e5',
    '--vscode-panel-border': '#e5e5e5',
    '--vscode-welcomePage-tileBackground': '#f3f3f3',
    '--vscode-welcomePage-tileHoverBackground': '#ececec',
    '--vscode-textBlockQuote-background': '#f8f8f8',
    '--vscode-textBlockQuote-border': '#e5e5e5',
    '--vscode-editorWidget-background': '#f8f8f8',
    '--vscode-list-hoverBackground': '#f2f2f2',
    '--vscode-list-activeSelectionBackground': '#e8e8e8',
    '--vscode-list-activeSelectionForeground': '#000000',
    '--vscode-testing-iconPassed': '#388a34',
    '--vscode-testing-iconFailed': '#f14c4c',
    '--vscode-progressBar-background': '#005fb8',
    '--vscode-icon-foreground': '#3b3b3b',
  },
  dark: {
    ...common,
    '--vscode-foreground': '#cccccc',
    '--vscode-editor-background': '#1f1f1f',
    '--vscode-editor-foreground': '#cccccc',
    '--vscode-descriptionForeground': '#9d9d9d',
    '--vscode-errorForeground': '#f85149',
    '--vscode-focusBorder': '#0078d4',
    '--vscode-button-background': '#0078d4',
    '--vscode-button-foreground': '#ffffff',
    '--vscode-button-hoverBackground': '#026ec1',
    '--vscode-button-border': '#ffffff12',
    '--vscode-button-secondaryBackground': '#313131',
    '--vscode-button-secondaryForeground': '#cccccc',
    '--vscode-button-secondaryHoverBackground': '#3c3c3c',
    '--vscode-settings-textInputBackground': '#313131',
    '--vscode-settings-textInputForeground': '#cccccc',
    '--vscode-settings-textInputBorder': '#3c3c3c',
    '--vscode-settings-dropdownBackground': '#313131',
    '--vscode-settings-dropdownForeground': '#cccccc',
    '--vscode-settings-dropdownBorder': '#3c3c3c',
    '--vscode-settings-dropdownListBorder': '#454545',
    '--vscode-settings-checkboxBackground': '#313131',
    '--vscode-settings-checkboxForeground': '#cccccc',
    '--vscode-settings-checkboxBorder': '#3c3c3c',
    '--vscode-checkbox-background': '#313131',
    '--vscode-checkbox-border': '#3c3c3c',
    '--vscode-input-placeholderForeground': '#989898',
    '--vscode-inputValidation-errorBackground': '#5a1d1d',
    '--vscode-inputValidation-errorBorder': '#be1100',
    '--vscode-inputValidation-errorForeground': '#cccccc',
    '--vscode-textLink-foreground': '#4daafc',
    '--vscode-textLink-activeForeground': '#4daafc',
    '--vscode-widget-border': '#313131',
    '--vscode-panel-border': '#2b2b2b',
    '--vscode-welcomePage-tileBackground': '#2b2b2b',
    '--vscode-welcomePage-tileHoverBackground': '#262626',
    '--vscode-textBlockQuote-background': '#2b2b2b',
    '--vscode-textBlockQuote-border': '#616161',
    '--vscode-editorWidget-background': '#202020',
    '--vscode-list-hoverBackground': '#2a2d2e',
    '--vscode-list-activeSelectionBackground': '#04395e',
    '--vscode-list-activeSelectionForeground': '#ffffff',
    '--vscode-testing-iconPassed': '#73c991',
    '--vscode-testing-iconFailed': '#f14c4c',
    '--vscode-progressBar-background': '#0078d4',
    '--vscode-icon-foreground': '#cccccc',
  },
};

// ---------------------------------------------------------------------------------------
// The stub host page

/** Runs before the bundle, with the page nonce. Keeps setState in sessionStorage so a reload
 *  behaves like VS Code re-showing a hidden panel. */
function stubScript(theme: Record<string, string>, themeKind: string): string {
  return `
(() => {
  const vars = ${JSON.stringify(theme)};
  for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
  document.documentElement.dataset.vscodeThemeKind = ${JSON.stringify(themeKind)};
  window.__posted = [];
  window.__states = [];
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi called twice');
    acquired = true;
    return {
      postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
      getState: () => { const s = sessionStorage.getItem('vscode-state'); return s === null ? undefined : JSON.parse(s); },
      setState: (s) => { const j = JSON.stringify(s); sessionStorage.setItem('vscode-state', j); window.__states.push(j); return s; },
    };
  };
  window.__host = (m) => window.postMessage(m, '*');
})();
`;
}

function pageHtml(origin: string, theme: 'light' | 'dark'): string {
  const nonce = makeNonce();
  const html = buildWizardHtml({
    cspSource: origin,
    nonce,
    scriptUri: `${origin}/dist/main.js`,
    styleUri: `${origin}/dist/main.css`,
    codiconUri: `${origin}/dist/codicon.css`,
  });
  const stub = stubScript(themes[theme], theme === 'dark' ? 'vscode-dark' : 'vscode-light');
  assert.ok(!stub.includes('</script'));
  return html.replace('<script type="module"', `<script nonce="${nonce}">${stub}</script>\n<script type="module"`);
}

/** Paths the page asked for that the server does not have (should stay empty). */
const notFound: string[] = [];

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.map': 'application/json' };

function serve(): Promise<{ server: Server; origin: string }> {
  return new Promise((resolveServer) => {
    let origin = '';
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', origin);
      const theme = url.pathname === '/dark.html' ? 'dark' : url.pathname === '/light.html' ? 'light' : undefined;
      if (theme) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(pageHtml(origin, theme));
        return;
      }
      if (url.pathname.startsWith('/dist/')) {
        const name = basename(url.pathname);
        const file = join(distDir, name);
        const ext = name.slice(name.lastIndexOf('.'));
        if (url.pathname === `/dist/${name}` && TYPES[ext] && existsSync(file)) {
          res.writeHead(200, { 'content-type': TYPES[ext] as string });
          res.end(readFileSync(file));
          return;
        }
      }
      // Chromium asks for /favicon.ico on its own.
      if (url.pathname !== '/favicon.ico') notFound.push(url.pathname);
      res.writeHead(404).end();
    });
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      if (addr === null || typeof addr === 'string') throw new Error('no address');
      origin = `http://127.0.0.1:${addr.port}`;
      resolveServer({ server, origin });
    });
  });
}

// ---------------------------------------------------------------------------------------
// Helpers driving the page

declare global {
  interface Window {
    __posted: FromWebview[];
    __states: string[];
    __violations: string[];
    __host(m: ToWebview): void;
  }
}

async function posted(page: Page): Promise<FromWebview[]> {
  return page.evaluate(() => window.__posted);
}

async function waitPosted(page: Page, type: FromWebview['type'], count = 1): Promise<FromWebview> {
  await page.waitForFunction(([t, n]) => window.__posted.filter((m) => m.type === t).length >= (n as number), [type, count] as const);
  const all = (await posted(page)).filter((m) => m.type === type);
  return all[count - 1] as FromWebview;
}

async function host(page: Page, m: ToWebview): Promise<void> {
  await page.evaluate((msg) => window.__host(msg), m);
}

/** Which field's control has focus (via the shadow host, which delegates focus). */
async function focusedField(page: Page): Promise<string | undefined> {
  return page.evaluate(() => (document.activeElement?.closest('.field') as HTMLElement | null)?.dataset.field);
}

/** Focus `selector`, wait until it really has the focus, then press `key`. */
async function focusThen(page: Page, selector: string, key: string): Promise<void> {
  await page.locator(selector).focus();
  await page.waitForFunction((sel) => !!document.activeElement?.closest(sel), selector);
  await page.keyboard.press(key);
}

async function waitFocus(page: Page, id: string): Promise<void> {
  await page.waitForFunction((fid) => (document.activeElement?.closest('.field') as HTMLElement | null)?.dataset.field === fid, id);
}

async function fieldValue(page: Page, id: string): Promise<string | boolean> {
  return page.evaluate((fid) => {
    const c = document.querySelector(`.field[data-field="${fid}"]`)?.querySelector('vscode-textfield, vscode-textarea, vscode-checkbox, vscode-single-select') as
      | (HTMLElement & { value?: string; checked?: boolean; tagName: string })
      | null;
    if (!c) throw new Error(`no control for ${fid}`);
    return c.tagName === 'VSCODE-CHECKBOX' ? c.checked === true : (c.value ?? '');
  }, id);
}

async function fieldError(page: Page, id: string): Promise<string | undefined> {
  return page.evaluate((fid) => {
    const el = document.querySelector(`.field[data-field="${fid}"] .field-error`) as HTMLElement | null;
    return el && !el.hidden ? (el.querySelector('.field-error-text')?.textContent ?? '').trim() : undefined;
  }, id);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.screenshot({ path: join(shotsDir, `${name}.png`), fullPage: true });
}

async function openPage(browser: Browser, origin: string, theme: 'light' | 'dark', viewport = { width: 1120, height: 860 }) {
  const context = await browser.newContext({ viewport, colorScheme: theme });
  const page = await context.newPage();
  const consoleLines: string[] = [];
  const pageErrors: string[] = [];
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${origin}/${theme}.html`);
  await waitPosted(page, 'ready');
  return { context, page, consoleLines, pageErrors };
}

type OpenedPage = Awaited<ReturnType<typeof openPage>>;

/** `fn` on a fresh page in its own browser context, which is closed afterwards. */
async function withPage(browser: Browser, origin: string, theme: 'light' | 'dark', fn: (p: OpenedPage) => Promise<void>, viewport?: { width: number; height: number }): Promise<void> {
  const opened = await openPage(browser, origin, theme, viewport);
  try {
    await fn(opened);
  } finally {
    await opened.context.close();
  }
}

async function init(page: Page, extra: Partial<Extract<ToWebview, { type: 'init' }>> = {}): Promise<void> {
  await host(page, { type: 'init', session: 's1', forms, ...extra });
}

async function pressTab(page: Page, times = 1): Promise<void> {
  for (let i = 0; i < times; i++) await page.keyboard.press('Tab');
}

// ---------------------------------------------------------------------------------------

describe('Connect Registry wizard page (Chromium, real bundle, real CSP)', { timeout: 120_000 }, () => {
  let browser: Browser;
  let server: Server;
  let origin: string;
  let profile: string;
  let unregister: () => void = () => undefined;

  before(async () => {
    if (!existsSync(join(distDir, 'main.js')) || !existsSync(join(distDir, 'main.css'))) {
      const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'inherit' });
      assert.equal(r.status, 0, 'build');
    }
    mkdirSync(shotsDir, { recursive: true });
    ({ server, origin } = await serve());
    profile = mkdtempSync(join(tmpdir(), 'wizard-chromium-'));
    unregister = onExit(() => removeDirSync(profile));
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
      env: { ...process.env, HOME: profile, XDG_CONFIG_HOME: join(profile, 'xdg') } as Record<string, string>,
      timeout: 30_000,
    });
  });

  after(async () => {
    await browser?.close();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    if (profile) removeDirSync(profile);
    unregister();
  });

  for (const theme of ['light', 'dark'] as const) {
    test(`${theme}: pick, fill by keyboard, required errors, failing test keeps the form, errors by their fields, no secret in state`, () =>
      withPage(browser, origin, theme, async ({ page, consoleLines, pageErrors }) => {
        await init(page);

        // --- the picker: a listbox, keyboard navigable, focus on the first card
        await page.waitForSelector('[role="listbox"] [role="option"]');
        assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'option');
        assert.equal(await page.locator('[role="option"]').count(), 3);
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('ArrowDown');
        assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.provider), 'dockerhub');
        await page.keyboard.press('Home');
        assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.provider), 'generic');
        await shot(page, `${theme}-1-picker`);
        await page.keyboard.press('Enter');
        assert.deepEqual(await waitPosted(page, 'selectProvider'), { type: 'selectProvider', provider: 'generic' });

        // --- the form; focus lands on the first field
        await page.waitForSelector('.field[data-field="url"] vscode-textfield');
        await waitFocus(page, 'url');
        // Labels tied to inputs: the inner input of each text control has the field label as its name.
        const names = await page.evaluate(() =>
          [...document.querySelectorAll('.field vscode-textfield, .field vscode-textarea')].map((el) => el.shadowRoot?.querySelector('input, textarea')?.getAttribute('aria-label')),
        );
        assert.deepEqual(names, ['Registry URL', 'Username', 'Password or access token', 'Custom CA certificate', 'Repositories']);
        assert.equal(await page.evaluate(() => document.querySelector('.field[data-field="password"] vscode-textfield')?.shadowRoot?.querySelector('input')?.type), 'password');
        assert.equal(await page.evaluate(() => document.querySelector('.field[data-field="url"] vscode-textfield')?.shadowRoot?.querySelector('input')?.type), 'url');

        // --- Enter with the required URL empty: error next to it, focus stays there, nothing posted
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => !(document.querySelector('.field[data-field="url"] .field-error') as HTMLElement).hidden);
        assert.equal(await fieldError(page, 'url'), 'Registry URL is required.');
        assert.equal(await focusedField(page), 'url');
        assert.equal((await posted(page)).filter((m) => m.type === 'test').length, 0);
        await shot(page, `${theme}-2-required`);

        // --- fill everything by keyboard
        await page.keyboard.type('https://registry.example.com:5000');
        assert.equal(await fieldError(page, 'url'), undefined, 'typing clears the error');
        await pressTab(page);
        assert.equal(await focusedField(page), 'username');
        await page.keyboard.type('alice');
        await pressTab(page);
        assert.equal(await focusedField(page), 'password');
        await page.keyboard.type(SECRET);
        await pressTab(page);
        assert.equal(await focusedField(page), 'insecure');
        await page.keyboard.press('Space');
        await pressTab(page);
        assert.equal(await focusedField(page), 'caPem');
        await page.keyboard.type('-----BEGIN CERTIFICATE-----');
        await pressTab(page); // "Choose file…"
        assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('pick-file')), true);
        await pressTab(page);
        assert.equal(await focusedField(page), 'repositories');
        await page.keyboard.type('team/app');
        await page.keyboard.press('Enter'); // a newline in a textarea, not a submit
        await page.keyboard.type('library/nginx');
        assert.equal((await posted(page)).filter((m) => m.type === 'test').length, 0);
        await pressTab(page);
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'test');
        await page.keyboard.press('Enter'); // Test connection

        const filled = {
          url: 'https://registry.example.com:5000',
          username: 'alice',
          password: SECRET,
          insecure: true,
          caPem: '-----BEGIN CERTIFICATE-----',
          repositories: 'team/app\nlibrary/nginx',
        };
        assert.deepEqual(await waitPosted(page, 'test'), { type: 'test', provider: 'generic', values: filled });

        // --- busy: progress shown, Test and Save disabled
        await host(page, { type: 'busy', action: 'test' });
        await page.waitForSelector('vscode-progress-bar.busy-bar:not([hidden])');
        assert.equal(await page.evaluate(() => (document.getElementById('save') as HTMLElement & { disabled: boolean }).disabled), true);
        assert.match(await page.locator('.status').innerText(), /Testing connection/);
        await shot(page, `${theme}-3-busy`);

        // --- the failing result, with a field error for the password
        await host(page, {
          type: 'testResult',
          ok: false,
          message: 'The registry rejected the credentials.',
          steps: [
            { label: 'Reach https://registry.example.com:5000/v2/', ok: true, detail: 'Registry API v2, token auth' },
            { label: 'Sign in as alice', ok: false, detail: '401 Unauthorized from the token service' },
          ],
          fieldErrors: [{ field: 'password', message: 'The registry rejected these credentials.' }],
        });
        await host(page, { type: 'busy', action: null });
        await page.waitForSelector('.result.fail .steps');
        await waitFocus(page, 'password');

        for (const [id, v] of Object.entries(filled)) assert.deepEqual(await fieldValue(page, id), v, `${id} kept`);
        assert.equal(await fieldError(page, 'password'), 'The registry rejected these credentials.');
        for (const id of ['url', 'username', 'insecure', 'caPem', 'repositories']) assert.equal(await fieldError(page, id), undefined);
        // The error sits right under the password control, before the next field.
        // (No named functions inside evaluate: tsx would wrap them in a `__name` helper the page lacks.)
        const [control, error, next] = await page.evaluate(() =>
          ['.field[data-field="password"] vscode-textfield', '.field[data-field="password"] .field-error', '.field[data-field="insecure"]'].map((sel) =>
            (document.querySelector(sel) as HTMLElement).getBoundingClientRect().toJSON(),
          ),
        );
        const geometry = { control, error, next } as Record<'control' | 'error' | 'next', DOMRect>;
        assert.ok(geometry.error.top >= geometry.control.bottom - 2 && geometry.error.top <= geometry.control.bottom + 4, 'error directly under the control');
        assert.ok(geometry.error.bottom <= geometry.next.top, 'error before the next field');
        assert.ok(Math.abs(geometry.error.left - geometry.control.left) < 2, 'aligned with the control');
        // The error is in the control's accessible name.
        assert.match(
          (await page.evaluate(() => document.querySelector('.field[data-field="password"] vscode-textfield')?.shadowRoot?.querySelector('input')?.getAttribute('aria-label'))) ?? '',
          /rejected these credentials/,
        );
        // Steps with ✓ and ✗ codicons.
        assert.deepEqual(
          await page.evaluate(() => [...document.querySelectorAll('.steps .step')].map((li) => [li.querySelector('.codicon')?.classList.contains('codicon-check'), li.querySelector('.step-label')?.textContent])),
          [
            [true, 'Reach https://registry.example.com:5000/v2/'],
            [false, 'Sign in as alice'],
          ],
        );
        assert.equal(await page.evaluate(() => (document.getElementById('save') as HTMLElement & { disabled: boolean }).disabled), false);
        assert.equal(
          await page.evaluate(() => document.querySelector('[role="status"][aria-live="polite"].visually-hidden')?.textContent),
          'The registry rejected the credentials. Failed: Sign in as alice',
          'the result is announced',
        );
        await shot(page, `${theme}-4-test-failed`);

        // --- no secret in setState, ever; the non-secret values are there
        const states = await page.evaluate(() => window.__states);
        assert.ok(states.length > 3);
        for (const s of states) assert.ok(!s.includes(SECRET), 'secret in setState');
        const last = JSON.parse(states.at(-1) as string);
        assert.deepEqual(last.values.generic, { url: filled.url, username: 'alice', insecure: true, caPem: filled.caPem, repositories: filled.repositories });
        // The page logs nothing (certainly not values).
        assert.ok(!consoleLines.some((l) => l.includes(SECRET) || l.includes('alice')), consoleLines.join('\n'));
        assert.deepEqual(notFound, [], 'every resource the page wanted exists in dist/webview');
        assert.deepEqual(consoleLines.filter((l) => /^(error|warning)/.test(l) && !/favicon|404 \(Not Found\)/.test(l)), []);
        assert.deepEqual(pageErrors, []);

        // --- Save failing on the URL: the error moves there, values stay
        await page.keyboard.press('Shift+Tab'); // leave the password field…
        await page.locator('#save').focus();
        await page.keyboard.press('Enter');
        const save = await waitPosted(page, 'save');
        assert.deepEqual(save, { type: 'save', provider: 'generic', values: filled });
        await host(page, { type: 'saveResult', ok: false, message: 'Not saved: the registry did not answer.', fieldErrors: [{ field: 'url', message: 'Could not reach registry.example.com:5000.' }, { field: '', message: 'Unknown provider.' }] });
        await waitFocus(page, 'url');
        assert.equal(await fieldError(page, 'url'), 'Could not reach registry.example.com:5000.');
        assert.equal(await fieldError(page, 'password'), undefined);
        assert.match(await page.locator('.result').innerText(), /Unknown provider\./, 'errors for no field go to the result');
        for (const [id, v] of Object.entries(filled)) assert.deepEqual(await fieldValue(page, id), v, `${id} kept after save failure`);

        // --- the real CSP let everything load: no violations, shadow styles adopted, codicon font in use
        assert.deepEqual(await page.evaluate(() => window.__violations), []);
        assert.ok(await page.evaluate(() => (document.querySelector('vscode-textfield')?.shadowRoot?.adoptedStyleSheets.length ?? 0) > 0), 'constructable stylesheets work');
        assert.ok(await page.evaluate(() => document.fonts.check('16px codicon')), 'codicon font loaded');
        const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
        assert.equal(bg, theme === 'dark' ? 'rgb(31, 31, 31)' : 'rgb(255, 255, 255)', 'theme background');
      }),
    );
  }

  test('showIf, select by keyboard, Change Provider, docs link, file picking', () =>
    withPage(browser, origin, 'dark', async ({ page }) => {
      await init(page, { selected: 'ecr' });
      await page.waitForSelector('.field[data-field="region"] vscode-textfield');
      await waitFocus(page, 'region');
      const visible = () => page.evaluate(() => [...document.querySelectorAll<HTMLElement>('.field')].filter((f) => !f.hidden).map((f) => f.dataset.field));
      assert.deepEqual(await visible(), ['region', 'auth', 'profile']);

      await page.keyboard.type('eu-west-1');
      await pressTab(page);
      assert.equal(await focusedField(page), 'auth');
      // vscode-single-select: open with Space, move down, choose with Enter.
      await page.keyboard.press('Space');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => !(document.querySelector('.field[data-field="accessKeyId"]') as HTMLElement).hidden);
      assert.deepEqual(await visible(), ['region', 'auth', 'accessKeyId', 'secretAccessKey']);

      // Required errors for the now-visible fields only; focus on the first.
      await page.locator('#test').focus();
      await page.keyboard.press('Enter');
      await waitFocus(page, 'accessKeyId');
      assert.equal(await fieldError(page, 'accessKeyId'), 'Access key ID is required.');
      assert.equal(await fieldError(page, 'secretAccessKey'), 'Secret access key is required.');
      assert.equal(await fieldError(page, 'profile'), undefined);
      await shot(page, 'dark-5-showif-required');

      // Change Provider goes back to the picker with ECR selected; Escape returns.
      await page.locator('#change-provider').focus();
      await page.keyboard.press('Enter');
      await page.waitForSelector('.picker-section:not([hidden])');
      assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.provider), 'ecr');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-selected')), 'true');
      await page.keyboard.press('Home');
      await page.keyboard.press('Enter');
      await page.waitForSelector('.field[data-field="url"]');
      assert.equal(await page.locator('.form-header h2').innerText(), 'Generic Registry v2');
      // Back to ECR: what was typed there is still there.
      await page.locator('#change-provider').click();
      await page.locator('[data-provider="ecr"]').click();
      await page.waitForSelector('.field[data-field="region"]');
      assert.equal(await fieldValue(page, 'region'), 'eu-west-1');
      assert.equal(await fieldValue(page, 'auth'), 'keys');

      // The docs link goes through the host.
      await page.locator('#change-provider').click();
      await page.locator('[data-provider="generic"]').click();
      // The form renders after the click: focus the link of the form that is there, and make
      // sure the focus held before pressing Enter (on a busy machine a late render took it).
      await page.waitForSelector('.field[data-field="url"]');
      await focusThen(page, '.docs-link', 'Enter');
      assert.deepEqual(await waitPosted(page, 'openLink'), { type: 'openLink', url: 'https://distribution.github.io/distribution/spec/api/' });

      // Choose file… asks the host; its answer fills the textarea.
      await focusThen(page, '.pick-file', 'Enter');
      assert.deepEqual(await waitPosted(page, 'pickFile'), { type: 'pickFile', field: 'caPem' });
      await host(page, { type: 'fileContent', field: 'caPem', text: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', fileName: 'ca.pem' });
      await page.waitForFunction(() => document.querySelector('.file-name')?.textContent === 'Loaded from ca.pem');
      assert.equal(await fieldValue(page, 'caPem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      await host(page, { type: 'fileContent', field: 'caPem', text: '', fileName: 'huge.pem', error: 'The file is larger than 1024 KiB.' });
      await page.waitForFunction(() => !(document.querySelector('.field[data-field="caPem"] .field-error') as HTMLElement).hidden);
      assert.equal(await fieldError(page, 'caPem'), 'The file is larger than 1024 KiB.');
      assert.equal(await fieldValue(page, 'caPem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', 'a failed pick keeps the old value');

      // A passing test result.
      await page.locator('.field[data-field="url"] vscode-textfield').focus();
      await page.keyboard.type('localhost:5000');
      await page.keyboard.press('Enter');
      await waitPosted(page, 'test');
      await host(page, { type: 'testResult', ok: true, message: 'Connection works.', steps: [{ label: 'Reach http://localhost:5000/v2/', ok: true }, { label: 'List the catalog', ok: true, detail: '12 repositories' }] });
      await page.waitForSelector('.result.ok');
      await shot(page, 'dark-6-test-passed');

      // Cancel posts cancel.
      await page.locator('#cancel').focus();
      await page.keyboard.press('Enter');
      await waitPosted(page, 'cancel');
      assert.deepEqual(await page.evaluate(() => window.__violations), []);
    }),
  );

  test('hiding the panel (a reload) keeps the draft but not secrets; a new session starts clean', () =>
    withPage(browser, origin, 'light', async ({ page }) => {
      await init(page, { selected: 'generic' });
      await waitFocus(page, 'url');
      await page.keyboard.type('r.example');
      await pressTab(page);
      await page.keyboard.type('bob');
      await pressTab(page);
      await page.keyboard.type(SECRET);

      await page.reload();
      await waitPosted(page, 'ready');
      await init(page, { selected: 'generic' });
      await page.waitForSelector('.field[data-field="url"] vscode-textfield');
      assert.equal(await fieldValue(page, 'url'), 'r.example');
      assert.equal(await fieldValue(page, 'username'), 'bob');
      assert.equal(await fieldValue(page, 'password'), '', 'secrets are not restored');
      assert.ok(!(await page.evaluate(() => sessionStorage.getItem('vscode-state') ?? '')).includes(SECRET));

      await page.reload();
      await waitPosted(page, 'ready');
      await init(page, { selected: 'generic', session: 's2' });
      await page.waitForSelector('.field[data-field="url"] vscode-textfield');
      assert.equal(await fieldValue(page, 'url'), '');
    }),
  );

  test('editing: title, fixed provider, stored secret placeholder, narrow layout', () =>
    withPage(browser, origin, 'light', async ({ page }) => {
      await init(page, {
        selected: 'ecr',
        values: { region: 'us-east-1', auth: 'keys', accessKeyId: 'AKIAEXAMPLE' },
        editing: { id: 'ecr-1', name: 'Prod ECR', storedSecrets: ['secretAccessKey'] },
      });
      await page.waitForSelector('.field[data-field="secretAccessKey"]:not([hidden])');
      assert.equal(await page.locator('h1').innerText(), 'Edit Prod ECR');
      assert.equal(await page.locator('#change-provider').count(), 0);
      const placeholder = await page.evaluate(() => document.querySelector('.field[data-field="secretAccessKey"] vscode-textfield')?.shadowRoot?.querySelector('input')?.placeholder);
      assert.equal(placeholder, '•••• stored — leave empty to keep');
      assert.equal(await fieldValue(page, 'secretAccessKey'), '');
      // Empty stored secret is not "missing".
      await page.locator('#save').focus();
      await page.keyboard.press('Enter');
      assert.deepEqual(await waitPosted(page, 'save'), { type: 'save', provider: 'ecr', values: { region: 'us-east-1', auth: 'keys', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: '' } });
      await host(page, { type: 'busy', action: 'save' });
      await shot(page, 'light-7-editing-narrow');
      await host(page, { type: 'saveResult', ok: true, message: 'Saved Prod ECR.' });
      await host(page, { type: 'busy', action: null });
      await page.waitForSelector('.result.ok');
    }),
  );

  test('an error is said once, raw codes only under Details; Save Anyway and the duplicate offer', () =>
    withPage(browser, origin, 'light', async ({ page }) => {
      const t = (m: string, ...a: (string | number)[]) => m.replace(/\{(\d+)\}/g, (_x, i: string) => String(a[Number(i)]));
      await init(page, { selected: 'generic' });
      await page.waitForSelector('.field[data-field="url"] vscode-textfield');
      await page.locator('.field[data-field="url"] input').fill('https://127.0.0.1:5001');
      await page.locator('#test').click();
      await waitPosted(page, 'test');

      // What the backend sends for a self-signed certificate (describeFailure, as wizardBackend.ts uses it).
      const raw = 'The certificate of 127.0.0.1:5001 is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT). Add its CA certificate to the connection, or mark the registry insecure if you trust this network.';
      const tls = describeFailure({ label: 'Reach https://127.0.0.1:5001', detail: raw }, t);
      await host(page, {
        type: 'testResult',
        ok: false,
        message: 'The test failed. Fix the highlighted field, then Test again.',
        steps: [{ label: 'Reach https://127.0.0.1:5001', ok: false, detail: tls.status }],
        fieldErrors: [{ field: 'caPem', message: tls.message, detail: tls.detail! }],
      });
      await page.waitForSelector('.result.fail .steps');
      const sentence = await fieldError(page, 'caPem');
      assert.ok(sentence?.startsWith('The certificate of 127.0.0.1:5001 is not trusted.'), sentence);
      const text = await page.evaluate(() => document.body.innerText);
      assert.equal(text.split('is not trusted').length - 1, 1, `the error once:\n${text}`);
      assert.doesNotMatch(text, /reconnect/i);
      assert.doesNotMatch(text, /DEPTH_ZERO_SELF_SIGNED_CERT/, 'the raw code is not in visible text while Details is closed');
      assert.equal(await page.locator('.step.fail .step-detail').innerText(), 'Certificate not trusted');
      const details = page.locator('.field[data-field="caPem"] details.error-details');
      assert.equal(await details.getAttribute('open'), null);
      await details.locator('summary').click();
      assert.match(await details.locator('pre').innerText(), /Code: DEPTH_ZERO_SELF_SIGNED_CERT/);
      await shot(page, 'light-8-error-once-details');

      // Save on a registry that does not answer: the summary offers Save Anyway with its note.
      await page.locator('#save').click();
      assert.equal((await waitPosted(page, 'save')).type, 'save');
      assert.equal((await waitPosted(page, 'save') as { confirm?: unknown }).confirm, undefined);
      await host(page, { type: 'saveResult', ok: false, message: 'Not saved: 127.0.0.1:5001 refused the connection. Is the registry running, and is the port right?', canSaveAnyway: true });
      const anyway = page.locator('#save-anyway');
      await anyway.waitFor();
      assert.match(await page.locator('.result .offer-note').innerText(), /shows it with an error and Retry/);
      await shot(page, 'light-9-save-anyway');
      await anyway.click();
      assert.deepEqual((await waitPosted(page, 'save', 2) as { confirm?: unknown }).confirm, { saveAnyway: true });

      // Already connected: Edit it instead, or a second connection (which keeps Save Anyway given).
      await host(page, { type: 'saveResult', ok: false, message: '“Team registry” already connects to this registry. Edit it instead, or save a second connection.', duplicate: { id: 'generic-1', name: 'Team registry' } });
      await page.locator('#edit-existing').waitFor();
      assert.equal(await page.locator('#edit-existing').innerText(), 'Edit “Team registry”');
      await shot(page, 'light-10-duplicate');
      await page.locator('#save-duplicate').click();
      assert.deepEqual((await waitPosted(page, 'save', 3) as { confirm?: unknown }).confirm, { saveAnyway: true, duplicateOk: true });
      await host(page, { type: 'saveResult', ok: false, message: 'again', duplicate: { id: 'generic-1', name: 'Team registry' } });
      await page.locator('#edit-existing').click();
      assert.deepEqual(await waitPosted(page, 'editExisting'), { type: 'editExisting', id: 'generic-1' });

      // An edit withdraws the confirmations: they were for the values the user saw.
      await page.locator('.field[data-field="url"] input').fill('https://127.0.0.1:5002');
      await page.locator('#save').click();
      assert.equal((await waitPosted(page, 'save', 4) as { confirm?: unknown }).confirm, undefined);
    }),
  );
});
