// When an e2e test fails, what the person at the screen would have seen, printed with the
// failure: CI keeps the test output, not test-artifacts/. For every workbench still open, the
// Registries tree's rows on screen (label, level, expanded), the notifications, the browser's
// last console errors, and the end of the extension's own log (the LogOutputChannel's file in the server's user data), plus a
// screenshot named for the test. One hook on the root test, so every e2e file that opens a
// workbench gets it by importing the support code.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'node:test';
import type { Page } from 'playwright-core';

export interface Dumpable {
  page: Page;
  consoleErrors: string[];
  server?: { userDataDir: string };
  screenshot(name: string): Promise<string>;
}

const open = new Set<Dumpable>();

export function trackForFailures(wb: Dumpable): () => void {
  open.add(wb);
  return () => open.delete(wb);
}

const LOG_LINES = 40;

/** The newest "Registry Explorer.log" under a user data dir's logs (one per window session). */
export function extensionLogFile(userDataDir: string): string | undefined {
  const found: { file: string; mtime: number }[] = [];
  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(dir, n);
      if (n === 'Registry Explorer.log') found.push({ file: p, mtime: statSync(p).mtimeMs });
      else if (depth < 5 && statSync(p, { throwIfNoEntry: false })?.isDirectory()) walk(p, depth + 1);
    }
  };
  walk(join(userDataDir, 'logs'), 0);
  return found.sort((a, b) => b.mtime - a.mtime)[0]?.file;
}

async function describeScreen(wb: Dumpable, testName: string): Promise<string[]> {
  const out: string[] = [];
  const shot = await wb.screenshot(`fail-${testName.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`).catch(() => undefined);
  if (shot) out.push(`screenshot: ${shot}`);
  const rows = await wb.page
    .evaluate(() =>
      [...document.querySelectorAll('.part.sidebar .monaco-list-row[role="treeitem"]')].map(
        (r) => `${'  '.repeat(Math.max(0, Number(r.getAttribute('aria-level') ?? 1) - 1))}${r.getAttribute('aria-expanded') === 'true' ? '▾' : r.getAttribute('aria-expanded') === 'false' ? '▸' : ' '} ${r.getAttribute('aria-label') ?? r.textContent ?? ''}`,
      ),
    )
    .catch((e: unknown) => [`(could not read the tree: ${String(e)})`]);
  out.push(`tree rows on screen (${rows.length}):`, ...rows.map((r) => `  ${r}`));
  const notes = await wb.page
    .locator('.notification-list-item-message')
    .allInnerTexts()
    .catch(() => [] as string[]);
  if (notes.length) out.push('notifications:', ...notes.map((n) => `  ${n.trim()}`));
  if (wb.consoleErrors.length) out.push(`browser console errors (last ${Math.min(5, wb.consoleErrors.length)} of ${wb.consoleErrors.length}):`, ...wb.consoleErrors.slice(-5).map((e) => `  ${e.slice(0, 300)}`));
  const log = wb.server ? extensionLogFile(wb.server.userDataDir) : undefined;
  if (log) {
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    out.push(`extension log (last ${Math.min(LOG_LINES, lines.length)} of ${lines.length} lines):`, ...lines.slice(-LOG_LINES).map((l) => `  ${l.slice(0, 400)}`));
  } else out.push('extension log: none found');
  return out;
}

afterEach(async (t) => {
  // `passed` is there since Node 20.12 (the types here are older).
  if ((t as { passed?: boolean }).passed !== false || open.size === 0) return;
  for (const wb of open) {
    const lines = await describeScreen(wb, t.name).catch((e: unknown) => [`(dump failed: ${String(e)})`]);
    // As test diagnostics (`# …` in the spec reporter's output, next to the failure).
    console.log(`# —— what the workbench showed when “${t.name}” failed ——\n${lines.map((l) => `# ${l}`).join('\n')}`);
  }
});
