// Drives the VS Code workbench served by code-server in Debian's Chromium through playwright-core.
//
//   const wb = await startWorkbench({ workspace });          // code-server + browser + ready
//   await wb.openView('Registry Explorer');
//   await wb.runCommand('Registry Explorer: Add Registry');
//   await wb.quickPick.pick('Docker Hub');
//   await expect-ish: await wb.treeItem('library/nginx').waitFor();
//   await wb.screenshot('add-registry');                     // test-artifacts/e2e/add-registry.png
//   await wb.close();                                         // browser and server
//
// Lower level: launchBrowser() and openWorkbench(url) for a server you started yourself.
import * as assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { artifactsDir, E2E_VSCODE, startCodeServer, type CodeServer, type StartCodeServerOptions } from './codeServer';
import { trackForFailures } from './failureDump';

/**
 * True on the newest VS Code (E2E_VSCODE=newest). Every difference of the newer workbench the
 * tests meet is handled here, behind this one switch, not in the tests.
 */
export const NEWER_WORKBENCH = E2E_VSCODE === 'newest';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Flags that keep Debian's Chromium headless, offline and quiet on this kind of machine. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Console errors the workbench always prints on this setup; they stay in the log file only. */
export const IGNORED_CONSOLE_ERRORS: RegExp[] = [
  /vsda/, // VS Code's signing module, absent from code-server (404)
  // VS Code 1.139's default account (Copilot, settings sync) asks for GitHub sessions at startup
  // and gives up after 5 s when the built-in github-authentication extension is slow to register
  // (a busy machine); nothing of ours uses authentication providers.
  ...(NEWER_WORKBENCH ? [/Timed out waiting for authentication provider 'github' to register/] : []),
];

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Browser console errors and page errors seen so far. */
  consoleErrors: string[];
  /** File that receives every console message and page error. */
  consoleLog: string;
  close(): Promise<void>;
}

let browserSerial = 0;

/** Launches Chromium (own profile and XDG_CONFIG_HOME in a temp dir) with one page. */
export async function launchBrowser(opts: { viewport?: { width: number; height: number }; name?: string } = {}): Promise<BrowserSession> {
  const profile = mkdtempSync(join(tmpdir(), 'regx-chromium-'));
  mkdirSync(join(profile, 'xdg-config'), { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    // playwright-core adds its own --user-data-dir (a temp dir) for a non-persistent launch.
    args: CHROMIUM_ARGS,
    env: { ...process.env, XDG_CONFIG_HOME: join(profile, 'xdg-config'), HOME: profile } as Record<string, string>,
    timeout: 30_000,
  });
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1400, height: 900 } });
  const page = await context.newPage();
  mkdirSync(join(artifactsDir, 'logs'), { recursive: true });
  const consoleLog = join(artifactsDir, 'logs', `browser-${opts.name ?? 'session'}-${process.pid}-${++browserSerial}.log`);
  writeFileSync(consoleLog, '');
  const consoleErrors: string[] = [];
  const write = (line: string) => {
    try {
      appendFileSync(consoleLog, line + '\n');
    } catch {
      /* best effort */
    }
  };
  page.on('console', (msg) => {
    const text = msg.text().replace(/^%c\s*(\w+)\s+color: #\w+\s*/, '$1 ');
    const url = msg.location()?.url;
    const where = url ? ` (${url})` : '';
    write(`[${msg.type()}] ${text}${where}`);
    if (msg.type() === 'error' && !IGNORED_CONSOLE_ERRORS.some((re) => re.test(text + where))) consoleErrors.push(text + where);
  });
  page.on('requestfailed', (req) => write(`[requestfailed] ${req.url()} ${req.failure()?.errorText ?? ''}`));
  page.on('pageerror', (err) => {
    write(`[pageerror] ${err.stack ?? err.message}`);
    consoleErrors.push(`pageerror: ${err.message}`);
  });
  let closed = false;
  return {
    browser,
    context,
    page,
    consoleErrors,
    consoleLog,
    close: async () => {
      if (closed) return;
      closed = true;
      await browser.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface QuickPick {
  /** The quick input widget (command palette, quick pick, input box). */
  widget: Locator;
  /** Its text input. */
  input: Locator;
  /** Visible rows of its list. */
  rows: Locator;
  /** Waits until the quick input is open. */
  waitOpen(timeout?: number): Promise<void>;
  /** Waits until it has closed. */
  waitClosed(timeout?: number): Promise<void>;
  /** Replaces the input's text (like a user typing it). */
  type(text: string): Promise<void>;
  /** Labels of the visible items. */
  items(): Promise<string[]>;
  /** The row whose label is `label` (exact string, or a RegExp). */
  item(label: string | RegExp): Locator;
  /** Clicks the item with this label (waits for it). */
  pick(label: string | RegExp): Promise<void>;
  /** Presses Enter in the input (accepts the focused item or the typed value). */
  enter(): Promise<void>;
  /** The validation / message text under the input, if any. */
  message(): Promise<string>;
}

export interface WorkbenchTimings {
  /** Date.now() when openWorkbench navigated. */
  navigationStartedAt?: number;
  /** From navigation start until .monaco-workbench was visible. */
  workbenchVisibleMs?: number;
  /** From navigation start until ready() returned. */
  readyMs?: number;
}

export interface Workbench extends BrowserSession {
  /** The code-server behind it, when started by startWorkbench(). */
  server?: CodeServer;
  /** Measured by ready() (the first call, from openWorkbench, counts from navigation). */
  timings: WorkbenchTimings;
  /** Waits until the workbench is interactive (called by openWorkbench). */
  ready(timeout?: number): Promise<void>;
  /** Shows the view container whose activity bar item's title starts with `title`. */
  openView(title: string): Promise<void>;
  /** Runs 'Category: Title' through F1 (the command palette). */
  runCommand(title: string): Promise<void>;
  /** A tree item by accessible name (substring, case-insensitive, unless exact or RegExp). */
  treeItem(name: string | RegExp, opts?: { exact?: boolean }): Locator;
  /** Expands a tree item (a click toggles, so only a collapsed one is clicked); throws if it stays collapsed. */
  expand(name: string | RegExp, opts?: { exact?: boolean }): Promise<void>;
  /**
   * Collapses an expanded tree item. The tree draws only the rows inside its viewport: a row
   * below a long expanded registry is not in the page at all until that one is collapsed.
   */
  collapse(name: string | RegExp, opts?: { exact?: boolean }): Promise<void>;
  /** Right-clicks a tree item and runs the context-menu entry labelled `action`. */
  contextMenu(name: string | RegExp, action: string, opts?: { onOpen?: () => Promise<unknown> }): Promise<void>;
  /** The content frame of a webview (nth visible one; default the first). */
  webview(nth?: number): FrameLocator;
  quickPick: QuickPick;
  /** Texts of the visible notification toasts (newest VS Code: of the notification center). */
  notifications(): Promise<string[]>;
  /** Waits for a toast whose text matches. */
  waitForNotification(text: string | RegExp, timeout?: number): Promise<string>;
  /** The button labelled `label` (exact) of the notification whose text matches `text`. */
  notificationButton(text: string | RegExp, label: string): Locator;
  /** Closes every visible toast. */
  clearNotifications(): Promise<void>;
  /** Saves test-artifacts/e2e/NAME(.png) and returns the path. */
  screenshot(name: string): Promise<string>;
}

/** Opens `url` in a fresh browser and waits for the workbench. `beforeLoad` runs before navigation. */
export async function openWorkbench(
  url: string,
  opts: { beforeLoad?: (page: Page) => Promise<void>; readyTimeout?: number; name?: string; viewport?: { width: number; height: number } } = {},
): Promise<Workbench> {
  const session = await launchBrowser({ name: opts.name ?? 'workbench', ...(opts.viewport ? { viewport: opts.viewport } : {}) });
  const wb = workbenchFor(session);
  try {
    if (opts.beforeLoad) await opts.beforeLoad(session.page);
    wb.timings.navigationStartedAt = Date.now();
    await session.page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await wb.ready(opts.readyTimeout);
  } catch (e) {
    await wb.screenshot(`${opts.name ?? 'workbench'}-not-ready`).catch(() => undefined);
    await session.close();
    throw e;
  }
  return wb;
}

/** Starts code-server on `workspace` (extension loaded from source) and opens the workbench. */
export async function startWorkbench(opts: StartCodeServerOptions & { name?: string; readyTimeout?: number }): Promise<Workbench> {
  const server = await startCodeServer(opts);
  let wb: Workbench;
  try {
    wb = await openWorkbench(server.url, {
      ...(opts.name ? { name: opts.name } : {}),
      ...(opts.readyTimeout ? { readyTimeout: opts.readyTimeout } : {}),
    });
  } catch (e) {
    await server.stop();
    throw e;
  }
  const closeBrowser = wb.close;
  wb.server = server;
  wb.close = async () => {
    await closeBrowser();
    await server.stop();
  };
  return wb;
}

/** Wraps a page that shows (or will show) the workbench with the helpers. */
export function workbenchFor(session: BrowserSession): Workbench {
  const { page } = session;
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  const rows = widget.locator('.monaco-list-row');

  const quickPick: QuickPick = {
    widget,
    input,
    rows,
    waitOpen: async (timeout = 10_000) => {
      await input.waitFor({ state: 'visible', timeout });
    },
    waitClosed: async (timeout = 10_000) => {
      await widget.waitFor({ state: 'hidden', timeout });
    },
    type: async (text) => {
      await quickPick.waitOpen();
      await input.fill(text);
    },
    items: async () => {
      const labels = await rows.locator('.quick-input-list-entry .label-name').allTextContents();
      return labels.map((l) => l.trim());
    },
    item: (label) => {
      const re = typeof label === 'string' ? new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) : label;
      return rows.filter({ has: page.locator('.label-name', { hasText: re }) }).first();
    },
    pick: async (label) => {
      const row = quickPick.item(label);
      await row.waitFor({ state: 'visible', timeout: 10_000 });
      await row.click();
    },
    enter: async () => {
      await input.press('Enter');
    },
    message: async () => {
      const m = widget.locator('.quick-input-message');
      return (await m.isVisible()) ? ((await m.textContent()) ?? '').trim() : '';
    },
  };

  // VS Code 1.139 under the smoke-test driver (needed there for the extension-development
  // payload) shows no toasts at all: notifications are read, and their buttons clicked, in the
  // notification center, opened from the status bar's bell when needed.
  const center = page.locator('.notifications-center');
  const toasts = NEWER_WORKBENCH ? center.locator('.notification-list-item') : page.locator('.notifications-toasts .notification-toast');
  const showNotifications = async () => {
    if (!NEWER_WORKBENCH || (await center.isVisible())) return;
    await page.locator('.part.statusbar [id="status.notifications"] a, .part.statusbar [id="status.notifications"]').first().click();
    await center.waitFor({ state: 'visible', timeout: 5_000 });
  };
  const textRe = (text: string | RegExp) => (typeof text === 'string' ? new RegExp(escapeRegExp(text)) : text);
  const timings: WorkbenchTimings = {};

  const wb: Workbench = {
    ...session,
    timings,
    ready: async (timeout = 60_000) => {
      const deadline = Date.now() + timeout;
      const left = () => Math.max(1000, deadline - Date.now());
      const t0 = timings.navigationStartedAt ?? Date.now();
      await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: left() });
      timings.workbenchVisibleMs = Date.now() - t0;
      await page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout: left() });
      await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: left() });
      // The explorer shows the opened folder's section once the remote file system answers, i.e.
      // the connection to code-server is up and the extension host is being started.
      await page.locator('.part.sidebar .pane-header[aria-label^="Explorer Section"], .part.sidebar .pane-header').first()
        .waitFor({ state: 'visible', timeout: left() });
      timings.readyMs = Date.now() - t0;
    },
    openView: async (title) => {
      const li = page.locator(`.part.activitybar li.action-item:has(> a.action-label[aria-label^="${cssString(title)}"])`).first();
      await li.waitFor({ state: 'visible', timeout: 15_000 });
      const selected = (await li.getAttribute('aria-selected')) === 'true';
      // Clicking the active container's item would hide the side bar: only click when needed.
      if (!(selected && (await page.locator('.part.sidebar').isVisible()))) await li.locator('a.action-label').click();
      await page
        .locator('.part.sidebar .composite.title h2')
        .filter({ hasText: new RegExp(escapeRegExp(title), 'i') })
        .first()
        .waitFor({ state: 'visible', timeout: 15_000 });
    },
    runCommand: async (title) => {
      // Close whatever quick input is open, then F1.
      if (await input.isVisible()) {
        await page.keyboard.press('Escape');
        await quickPick.waitClosed();
      }
      await page.keyboard.press('F1');
      await quickPick.waitOpen();
      await input.fill(`>${title}`);
      const row = quickPick.item(new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`, 'i'));
      await row.waitFor({ state: 'visible', timeout: 15_000 });
      await row.click();
    },
    treeItem: (name, opts = {}) => page.getByRole('treeitem', { name, ...(opts.exact ? { exact: true } : {}) }),
    expand: async (name, opts = {}) => {
      const row = wb.treeItem(name, opts);
      await row.waitFor({ timeout: 30_000 }).catch(async (e: unknown) => {
        await wb.screenshot(`fail-expand-${String(name).replace(/[^a-z0-9]+/gi, '-')}`);
        throw e;
      });
      for (let i = 0; i < 50 && (await row.getAttribute('aria-expanded')) !== 'true'; i++) {
        if (i % 10 === 0) await row.click();
        await page.waitForTimeout(200);
      }
      // The pointer would stay on the row and its tooltip would open over the rows below it.
      await page.mouse.move(1, 1);
      assert.equal(await row.getAttribute('aria-expanded'), 'true', `${String(name)} did not expand`);
    },
    collapse: async (name, opts = {}) => {
      const row = wb.treeItem(name, opts);
      await row.waitFor({ timeout: 30_000 });
      for (let i = 0; i < 50 && (await row.getAttribute('aria-expanded')) === 'true'; i++) {
        if (i % 10 === 0) await row.click();
        await page.waitForTimeout(200);
      }
      await page.mouse.move(1, 1);
      assert.equal(await row.getAttribute('aria-expanded'), 'false', `${String(name)} did not collapse`);
    },
    contextMenu: async (name, action, opts = {}) => {
      await wb.treeItem(name).click({ button: 'right', timeout: 20_000 });
      const menu = page.locator('.context-view .monaco-menu');
      const entry = menu.locator('.action-label', { hasText: action });
      await entry.waitFor({ timeout: 10_000 });
      await opts.onOpen?.();
      // VS Code's menu listens for mouse-up only ~100 ms after it opened (menu.ts: "avoid
      // accidental clicks"); a click before that, likely on a busy machine, is ignored and the
      // menu stays open. Click until the menu has closed.
      for (let i = 0; i < 20 && (await menu.isVisible()); i++) {
        await entry.click({ timeout: 5_000 }).catch(() => undefined);
        await menu.waitFor({ state: 'hidden', timeout: 500 }).catch(() => undefined);
      }
      if (await menu.isVisible()) {
        await wb.screenshot(`fail-context-menu-${action.replace(/[^a-z0-9]+/gi, '-')}`);
        throw new Error(`the context menu entry “${action}” did not run`);
      }
    },
    webview: (nth = 0) =>
      page.locator('iframe.webview.ready:visible').nth(nth).contentFrame().locator('iframe#active-frame').contentFrame(),
    quickPick,
    notifications: async () => {
      await showNotifications().catch(() => undefined);
      const texts = await toasts.locator('.notification-list-item-message').allInnerTexts();
      return texts.map((t) => t.trim());
    },
    waitForNotification: async (text, timeout = 15_000) => {
      const msg = toasts.locator('.notification-list-item-message', { hasText: textRe(text) }).first();
      await showNotifications();
      await msg.waitFor({ state: 'visible', timeout });
      return ((await msg.innerText()) ?? '').trim();
    },
    clearNotifications: async () => {
      if (NEWER_WORKBENCH) {
        await showNotifications().catch(() => undefined);
        if (await center.isVisible()) await center.locator('.codicon-notifications-clear-all').first().click().catch(() => undefined);
        // The (now empty) notification center would stay over the editors' lower right corner.
        if (await center.isVisible()) await center.locator('.codicon-notifications-hide').first().click().catch(() => undefined);
        return;
      }
      for (let i = 0; i < 20 && (await toasts.count()) > 0; i++) {
        const toast = toasts.first();
        await toast.hover().catch(() => undefined);
        const close = toast.locator('.codicon-notifications-clear, .codicon-close').first();
        if (await close.isVisible().catch(() => false)) await close.click().catch(() => undefined);
        else await page.keyboard.press('Escape');
        await page.waitForTimeout(100);
      }
    },
    notificationButton: (text, label) =>
      toasts
        .filter({ has: page.locator('.notification-list-item-message', { hasText: textRe(text) }) })
        .first()
        .locator('.monaco-button', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) })
        .first(),
    screenshot: async (name) => {
      mkdirSync(artifactsDir, { recursive: true });
      const file = join(artifactsDir, name.endsWith('.png') ? name : `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
  };
  // A failing test prints what this window showed (failureDump.ts) while it is still open.
  const untrack = trackForFailures(wb);
  const closeSession = wb.close;
  wb.close = async () => {
    untrack();
    await closeSession();
  };
  return wb;
}

/** The text control of a Connect wizard field (inside `wb.webview()`). */
function formControl(form: FrameLocator, field: string): Locator {
  return form.locator(`.field[data-field="${field}"] input, .field[data-field="${field}"] textarea`).first();
}

export async function fill(form: FrameLocator, field: string, value: string): Promise<void> {
  await formControl(form, field).fill(value);
}

export async function fieldValue(form: FrameLocator, field: string): Promise<string> {
  return formControl(form, field).inputValue();
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function cssString(s: string): string {
  return s.replace(/["\\]/g, '\\$&');
}
