// Small helpers for tests that read what a real VS Code editor shows.
import type { Workbench } from './workbench';

/** Polls `fn` every 100 ms until it holds, or throws after `ms`. */
export async function waitFor(what: string, fn: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The visible text of the active editor (Monaco renders spaces as U+00A0). */
export async function editorText(wb: Workbench): Promise<string> {
  const lines = await wb.page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line').allTextContents();
  return lines.map((l) => l.replace(/\u00a0/g, ' ')).join('\n');
}
