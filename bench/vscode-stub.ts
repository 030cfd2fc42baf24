// A stand-in for the `vscode` module, so Microsoft's @microsoft/vscode-docker-registries (the
// library behind the Container Tools registry view) can run in plain Node. It provides only
// the names that library's dist/cjs touches (grep `vscode\.` / `vscode_1\.` there):
//   l10n.t, Uri.parse / Uri.joinPath / uri.with / uri.toString, EventEmitter, ThemeIcon,
//   ThemeColor, TreeItemCollapsibleState, CancellationError, window.createInputBox (wizard only)
// plus an ExtensionContext with in-memory globalState and secrets, which is where its generic
// v2 provider reads the tracked registry URLs and the credentials.
//
// Uri copies VS Code's semantics where the library depends on them: components are stored
// percent-decoded, http(s) paths always start with '/', and `toString(true)` (what the library
// passes to fetch) re-encodes only '#' and '?'. A looser Uri would change which URLs it
// requests and so what we measure.
import Module from 'node:module';
import { posix } from 'node:path';

const URI_RE = /^(([^:/?#]+?):)?(\/\/([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?/;

function percentDecode(s: string): string {
  return s.replace(/(%[0-9A-Za-z][0-9A-Za-z])+/g, (m) => {
    try {
      return decodeURIComponent(m);
    } catch {
      return m;
    }
  });
}

function referenceResolution(scheme: string, path: string): string {
  if (scheme === 'https' || scheme === 'http' || scheme === 'file') {
    if (!path) return '/';
    if (!path.startsWith('/')) return '/' + path;
  }
  return path;
}

/** VS Code's encodeURIComponentFast: unreserved characters stay, '/' in paths, '[]:' in authorities. */
function encodeFast(s: string, isPath: boolean, isAuthority: boolean): string {
  let out = '';
  for (const ch of s) {
    if (/[A-Za-z0-9\-._~]/.test(ch) || (isPath && ch === '/') || (isAuthority && (ch === '[' || ch === ']' || ch === ':'))) out += ch;
    else out += encodeURIComponent(ch);
  }
  return out;
}

function encodeMinimal(s: string): string {
  return s.replace(/#/g, '%23').replace(/\?/g, '%3F');
}

export class Uri {
  readonly scheme: string;
  readonly authority: string;
  readonly path: string;
  readonly query: string;
  readonly fragment: string;

  private constructor(scheme: string, authority: string, path: string, query: string, fragment: string) {
    this.scheme = scheme || 'file';
    this.authority = authority;
    this.path = referenceResolution(this.scheme, path);
    this.query = query;
    this.fragment = fragment;
  }

  static parse(value: string): Uri {
    const m = URI_RE.exec(value);
    if (!m) return new Uri('', '', '', '', '');
    return new Uri(m[2] ?? '', percentDecode(m[4] ?? ''), percentDecode(m[5] ?? ''), percentDecode(m[7] ?? ''), percentDecode(m[9] ?? ''));
  }

  static file(path: string): Uri {
    return new Uri('file', '', path, '', '');
  }

  static joinPath(base: Uri, ...segments: string[]): Uri {
    return base.with({ path: posix.join(base.path || '/', ...segments) });
  }

  get fsPath(): string {
    return this.path;
  }

  with(change: { scheme?: string; authority?: string | null; path?: string | null; query?: string | null; fragment?: string | null }): Uri {
    const pick = (v: string | null | undefined, old: string): string => (v === undefined ? old : v === null ? '' : v);
    return new Uri(
      pick(change.scheme, this.scheme),
      pick(change.authority, this.authority),
      pick(change.path, this.path),
      pick(change.query, this.query),
      pick(change.fragment, this.fragment),
    );
  }

  toString(skipEncoding = false): string {
    const enc = (s: string, isPath: boolean, isAuthority: boolean): string => (skipEncoding ? encodeMinimal(s) : encodeFast(s, isPath, isAuthority));
    let res = '';
    if (this.scheme) res += `${this.scheme}:`;
    if (this.authority || this.scheme === 'file') res += '//';
    if (this.authority) {
      const authority = this.authority.toLowerCase();
      const colon = authority.lastIndexOf(':');
      res += colon === -1 ? enc(authority, false, true) : enc(authority.slice(0, colon), false, true) + authority.slice(colon);
    }
    if (this.path) res += enc(this.path, true, false);
    if (this.query) res += `?${enc(this.query, false, false)}`;
    if (this.fragment) res += `#${skipEncoding ? this.fragment : encodeFast(this.fragment, false, false)}`;
    return res;
  }

  toJSON(): unknown {
    return { scheme: this.scheme, authority: this.authority, path: this.path, query: this.query, fragment: this.fragment };
  }
}

export class EventEmitter<T> {
  private readonly listeners = new Set<(e: T) => void>();
  readonly event = (listener: (e: T) => void): { dispose(): void } => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: ThemeColor,
  ) {}
}

export class CancellationError extends Error {
  constructor() {
    super('Canceled');
    this.name = 'Canceled';
  }
}

export const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 } as const;

export const l10n = {
  /** `t('Hello {0}', x)`, `t('Hello {name}', { name })` or `t({ message, args })`. */
  t(message: string | { message: string; args?: unknown[] | Record<string, unknown> }, ...rest: unknown[]): string {
    const text = typeof message === 'string' ? message : message.message;
    const args = typeof message === 'string' ? (rest.length === 1 && rest[0] !== null && typeof rest[0] === 'object' ? rest[0] : rest) : (message.args ?? []);
    return text.replace(/\{([^}]+)\}/g, (m, key: string) => {
      const v = (args as Record<string, unknown>)[key];
      return v === undefined ? m : String(v);
    });
  },
};

export const window = {
  createInputBox(): never {
    throw new Error('vscode stub: no UI in the benchmark (the wizard is not used)');
  },
};

/** Memento (globalState) and SecretStorage in memory: all the generic v2 provider needs of an ExtensionContext. */
export function createExtensionContext(state: Record<string, unknown> = {}): {
  globalState: { get<T>(key: string, fallback?: T): T | undefined; update(key: string, value: unknown): Promise<void>; keys(): readonly string[] };
  secrets: { get(key: string): Promise<string | undefined>; store(key: string, value: string): Promise<void>; delete(key: string): Promise<void> };
} {
  const values = new Map<string, unknown>(Object.entries(state));
  const secrets = new Map<string, string>();
  return {
    globalState: {
      get: <T>(key: string, fallback?: T) => (values.has(key) ? (values.get(key) as T) : fallback),
      update: async (key, value) => {
        if (value === undefined) values.delete(key);
        else values.set(key, value);
      },
      keys: () => [...values.keys()],
    },
    secrets: {
      get: async (key) => secrets.get(key),
      store: async (key, value) => {
        secrets.set(key, value);
      },
      delete: async (key) => {
        secrets.delete(key);
      },
    },
  };
}

const api = { __esModule: true, Uri, EventEmitter, ThemeColor, ThemeIcon, CancellationError, TreeItemCollapsibleState, l10n, window };

// A file name that does not exist: the module lives only in require.cache.
const VIRTUAL_ID = posix.join(__dirname, '__vscode-stub__.js');
let installed = false;

/**
 * Make `require('vscode')` return the stub, from anywhere (the library sits in node_modules,
 * where no `vscode` package exists). Must run before the library is first required.
 */
export function installVscodeStub(): void {
  if (installed) return;
  installed = true;
  const m = new Module(VIRTUAL_ID);
  m.filename = VIRTUAL_ID;
  m.loaded = true;
  m.exports = api;
  require.cache[VIRTUAL_ID] = m;
  const M = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = M._resolveFilename;
  M._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    if (request === 'vscode') return VIRTUAL_ID;
    return original.call(this, request, ...rest);
  };
}
