// One error family for everything the registry layer can fail with. The UI maps `kind` to an
// error node and an action (Reconnect, Edit connection, Retry…); `message` is written for a
// person and never carries a credential, a token or a URL with userinfo.

export type RegistryErrorKind =
  | 'unauthorized' // credentials missing, wrong or expired
  | 'forbidden' // credentials fine, permission missing
  | 'notFound' // repository, tag or manifest does not exist
  | 'tls' // certificate not trusted, or the server does not speak TLS
  | 'insecure' // a request that would downgrade security was refused
  | 'network' // unreachable, DNS, connection reset, truncated body
  | 'timeout'
  | 'rateLimited'
  | 'protocol' // the server answered something the protocol does not allow
  | 'cancelled'
  | 'invalid'; // bad input from the user (reference, URL…)

/** What the user can do about it; the UI turns this into a button. */
export type RegistryErrorAction = 'reconnect' | 'editConnection' | 'retry' | 'none';

export interface RegistryErrorOptions {
  status?: number;
  /** Registry error code from the JSON error body (NAME_UNKNOWN, DENIED…). */
  code?: string;
  /** When a rate limit lifts. */
  resetAt?: Date;
  cause?: unknown;
}

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly status?: number;
  readonly code?: string;
  readonly resetAt?: Date;

  constructor(
    readonly kind: RegistryErrorKind,
    message: string,
    options: RegistryErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    this.code = options.code;
    this.resetAt = options.resetAt;
  }

  get action(): RegistryErrorAction {
    switch (this.kind) {
      case 'unauthorized':
      case 'forbidden':
        return 'reconnect';
      case 'tls':
      case 'insecure':
      case 'invalid':
        return 'editConnection';
      case 'network':
      case 'timeout':
      case 'rateLimited':
      case 'protocol':
        return 'retry';
      default:
        return 'none';
    }
  }
}

export function isRegistryError(e: unknown, kind?: RegistryErrorKind): e is RegistryError {
  // By shape as well as by class: the lazily loaded bundles (dist/providers.js, dist/deploy.js)
  // carry their own copy of this class, so `instanceof` alone would miss their errors.
  const ours = e instanceof RegistryError || (e instanceof Error && e.name === 'RegistryError' && typeof (e as { kind?: unknown }).kind === 'string' && 'action' in e);
  return ours && (kind === undefined || (e as RegistryError).kind === kind);
}

/**
 * An error code as servers send them (`DENIED`, `insufficient_scope`, `NOT_FOUND`): an
 * identifier. Anything else in a code field is not one, and is not kept: it travels with the
 * error, so a page of text or an echoed secret there would go wherever the error goes.
 */
export function errorCode(v: unknown): string | undefined {
  return typeof v === 'string' && /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/.test(v) ? v : undefined;
}

/** 40 or more characters of base64 or hex in one run: a token or a key (a server quoting a credential back), never prose. */
const TOKEN_RUN = /[A-Za-z0-9._~+/=-]{40,}/g;

/** `text` with every token-like run replaced by “…”. */
export function elideTokenRuns(text: string): string {
  return text.replace(TOKEN_RUN, '…');
}

/**
 * A registry's error message, fit to be quoted in one of ours as a hint: one line without
 * control characters, at most 200 characters, token-like runs left out. It must not carry a page
 * of text, a terminal escape, or a secret. (The providers' APIs have their own, which also cut
 * the secrets they know: providers/messages.ts.)
 */
export function quotableWords(text: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  const line = elideTokenRuns(text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')).replace(/\s+/g, ' ').trim();
  if (!line) return undefined;
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** The `{errors:[{code,message}]}` body the distribution spec defines. */
export function parseErrorBody(body: Buffer | undefined): { code?: string; message?: string } {
  if (!body || body.length === 0) return {};
  try {
    const json = JSON.parse(body.toString('utf8')) as { errors?: { code?: unknown; message?: unknown }[] };
    const first = json.errors?.[0];
    if (!first) return {};
    return {
      code: errorCode(first.code),
      message: typeof first.message === 'string' ? quotableWords(first.message) : undefined,
    };
  } catch {
    return {};
  }
}

/** Never let credentials embedded in a URL reach a message. */
export function safeUrl(url: URL | string): string {
  const u = new URL(url.toString());
  u.username = '';
  u.password = '';
  for (const key of [...u.searchParams.keys()]) {
    if (/token|password|secret|signature|credential/i.test(key)) u.searchParams.set(key, 'REDACTED');
  }
  return u.toString();
}
