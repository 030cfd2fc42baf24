// Commands whose code is a lazily loaded bundle but whose registration is not: activation
// registers a stand-in under each id, and the first call of any of them loads the real
// registrations (replacing the stand-ins) and runs the call again through them. The modules
// behind them register their commands themselves, so they are loaded as they are, unchanged.

import * as vscode from 'vscode';

export function registerLazily(ids: readonly string[], load: () => readonly vscode.Disposable[]): vscode.Disposable {
  let real: readonly vscode.Disposable[] | undefined;
  let standIns: vscode.Disposable[] = [];
  const loadOnce = (): void => {
    if (real) return;
    // The ids are free again before the real ones are registered (one id, one handler).
    for (const d of standIns) d.dispose();
    standIns = [];
    real = load();
  };
  standIns = ids.map((id) =>
    vscode.commands.registerCommand(id, (...args: unknown[]) => {
      loadOnce();
      return vscode.commands.executeCommand(id, ...args);
    }),
  );
  return new vscode.Disposable(() => {
    for (const d of [...standIns, ...(real ?? [])]) d.dispose();
  });
}
