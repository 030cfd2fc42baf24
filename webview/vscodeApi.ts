// The webview's handle on its host: typed postMessage and the draft kept with setState.

import type { FromWebview } from './protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState<T>(state: T): T;
}

declare global {
  // Provided by VS Code's webview host (and by the test page's stub). Callable once.
  function acquireVsCodeApi(): VsCodeApi;
}

export interface Host {
  post(message: FromWebview): void;
  getState(): unknown;
  setState(state: unknown): void;
}

export function connectHost(): Host {
  const api = acquireVsCodeApi();
  return {
    post: (message) => api.postMessage(message),
    getState: () => api.getState(),
    setState: (state) => {
      api.setState(state);
    },
  };
}
