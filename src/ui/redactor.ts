// Secrets never reach a log line. The redactor knows every secret value the extension has
// loaded (registered as they are read from SecretStorage) and the shapes credentials take on
// the wire, and scrubs both from anything written to the output channel.
//
// A secret reaches text in more forms than its own: URL- or form-encoded in a query string,
// JSON-escaped in a body, base64 inside `user:password` (Basic auth, Docker's `auth`), with the
// user name unknown. Each known secret is searched in all of them. For base64 the search is
// for the part of the encoding that only the secret's bytes decide, at each of the three byte
// alignments, so `base64(anyone:secret)` is found without knowing `anyone`.
//
// Redact secrets, not words: a display name that says "token" or "passwd" survives. Shapes
// found without knowing the secret (a `password:` in prose, a bare `Bearer x`) are redacted
// only when the value looks like a credential, not like a word; where the syntax itself says
// "credential" (an Authorization header, a JSON `"password"` key, `token=` in a query) the
// value goes whatever it looks like.

const MARK = '[REDACTED]';
/** Every marker the redactor writes: a form found inside one would be replaced forever. */
const MARKERS = [MARK, '[REDACTED-JWT]', '[REDACTED-PRIVATE-KEY]'];
const inMarker = (s: string): boolean => MARKERS.some((m) => m.includes(s));
/** Shorter base64 runs would match by chance inside unrelated base64 (tokens, digests). */
const MIN_CORE = 6;
const B64_CHAR = /[A-Za-z0-9+/_-]/;

/** Keys whose value is a credential; an optional prefix (`refresh_token`, `clientSecret`, `x-registry-auth`). */
const KEY = String.raw`[A-Za-z0-9_-]*?(?:password|passwd|pwd|secret|token|api[_-]?key|private[_-]?key|auth)`;
const NOT_KEY_CHAR = String.raw`(?<![A-Za-z0-9_-])`;

/** A lowercase, Capitalized or camelCase word: what a display name or message is made of. */
const WORD = /^[A-Za-z][a-z]*(?:[A-Z][a-z]+)*$/;

function looksSecret(value: string): boolean {
  return value.length >= 8 && !WORD.test(value);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** What Basic carries: base64 of printable `user:password`. Words ("Basic authentication") are not. */
function isBasicCredential(value: string): boolean {
  if (value.replace(/=+$/, '').length % 4 === 1) return false;
  try {
    const text = UTF8.decode(Buffer.from(value, 'base64'));
    return text.includes(':') && !/[\u0000-\u001f\u007f]/.test(text);
  } catch {
    return false;
  }
}

const PATTERNS: [RegExp, string | ((...m: string[]) => string)][] = [
  // An Authorization or Proxy-Authorization header, any case and any scheme: keep the scheme.
  [/(authorization["']?[ \t]*[:=][ \t]*["']?)(?:([A-Za-z][A-Za-z0-9-]*)([ \t]+))?([^"'\r\n]+)/gi, (_m, head: string, scheme?: string, gap?: string) => `${head}${scheme ? scheme + gap : ''}${MARK}`],
  // A bare scheme and credential, any case.
  [/\b(basic)([ \t]+)([A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])/gi, (m, scheme: string, gap: string, v: string) => (isBasicCredential(v) ? `${scheme}${gap}${MARK}` : m)],
  [/\b(bearer)([ \t]+)([A-Za-z0-9._~+/-]{8,}=*)/gi, (m, scheme: string, gap: string, v: string) => (looksSecret(v) ? `${scheme}${gap}${MARK}` : m)],
  // user:password@ in a URL.
  [/(\/\/)[^/\s:@]+:[^/\s@]+@/g, `$1${MARK}@`],
  // A JSON key that names a credential: its string value, escapes and all.
  [new RegExp(String.raw`("${KEY}"\s*:\s*")(?:[^"\\]|\\.)+(")`, 'gi'), `$1${MARK}$2`],
  // key=value in a query string or form body.
  [new RegExp(String.raw`${NOT_KEY_CHAR}(${KEY}=)[^&\s"'#,;]+`, 'gi'), `$1${MARK}`],
  // key: value in prose: only a value that is not a word (a name like "my token: prod" stays).
  [new RegExp(String.raw`${NOT_KEY_CHAR}(${KEY}["']?[ \t]*:[ \t]*["']?)([^"'\s&,}]+)`, 'gi'), (m, head: string, v: string) => (looksSecret(v) ? `${head}${MARK}` : m)],
  [/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/g, '[REDACTED-JWT]'],
  [/-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g, '[REDACTED-PRIVATE-KEY]'],
];

function attempt(f: () => string): string[] {
  try {
    return [f()];
  } catch {
    return []; // encodeURIComponent throws on a lone surrogate: no such form then
  }
}

/** A secret as it appears URL-encoded, form-encoded or JSON-escaped (and as itself). */
export function textForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const jsonAscii = json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return [
    secret,
    ...attempt(() => encodeURIComponent(secret)),
    ...attempt(() => encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())),
    ...attempt(() => new URLSearchParams([['', secret]]).toString().slice(1)),
    json,
    json.replace(/\//g, '\\/'),
    jsonAscii,
    jsonAscii.replace(/\\u[0-9a-f]{4}/g, (u) => `\\u${u.slice(2).toUpperCase()}`),
    JSON.stringify(json).slice(1, -1),
  ];
}

/**
 * The base64 characters decided by the secret's bytes alone, for each of the three byte
 * alignments it can have inside longer encoded data, in the standard and the URL alphabet.
 */
export function base64Cores(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const cores: string[] = [];
  for (let k = 0; k < 3; k++) {
    const encoded = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
    const core = encoded.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + bytes.length)) / 6));
    if (core.length >= MIN_CORE) cores.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return cores;
}

/** Replace every occurrence, again until none is left (a replacement can complete a new one). */
function replaceAll(text: string, needle: string): string {
  let out = text;
  for (let i = 0; i < 8 && out.includes(needle); i++) out = out.split(needle).join(MARK);
  return out;
}

/** Replace the whole base64 run around each occurrence of `core`: the rest of it is the secret's neighbourhood. */
function replaceRuns(text: string, core: string): string {
  let out = text;
  for (let at = out.indexOf(core); at >= 0; at = out.indexOf(core)) {
    let start = at;
    let end = at + core.length;
    while (start > 0 && B64_CHAR.test(out[start - 1]!)) start--;
    while (end < out.length && B64_CHAR.test(out[end]!)) end++;
    while (end < out.length && out[end] === '=') end++;
    out = out.slice(0, start) + MARK + out.slice(end);
  }
  return out;
}

export class Redactor {
  private readonly secrets = new Set<string>();
  /** Every form of every secret, longest first so a form that contains another goes whole; rebuilt after `add`. */
  private forms?: { text: string[]; cores: string[] };

  /** Remember a secret value. */
  add(value: string | undefined): void {
    if (!value || value.length < 4 || this.secrets.has(value) || inMarker(value)) return;
    this.secrets.add(value);
    this.forms = undefined;
  }

  addAll(values: Record<string, string>): void {
    for (const v of Object.values(values)) this.add(v);
  }

  redact(text: string): string {
    const forms = (this.forms ??= this.build());
    let out = this.known(text, forms);
    for (const [re, rep] of PATTERNS) out = typeof rep === 'string' ? out.replace(re, rep) : out.replace(re, rep);
    // A pattern's replacement sits next to new neighbours; make sure no known form formed there.
    return this.known(out, forms);
  }

  private known(text: string, forms: { text: string[]; cores: string[] }): string {
    let out = text;
    for (const f of forms.text) if (out.includes(f)) out = replaceAll(out, f);
    for (const c of forms.cores) if (out.includes(c)) out = replaceRuns(out, c);
    return out;
  }

  private build(): { text: string[]; cores: string[] } {
    const text = new Set<string>();
    const cores = new Set<string>();
    for (const s of this.secrets) {
      for (const f of textForms(s)) if (f.length >= 4 && !inMarker(f)) text.add(f);
      for (const c of base64Cores(s)) if (!inMarker(c)) cores.add(c);
    }
    const longestFirst = (a: string, b: string) => b.length - a.length;
    return { text: [...text].sort(longestFirst), cores: [...cores].sort(longestFirst) };
  }
}
