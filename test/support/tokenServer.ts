// A Docker token-spec auth server (GET /token and OAuth2 POST /token) whose JWTs the real
// docker-registry 2.8.2 accepts: RS256, x5c header with the self-signed signing cert, `aud`
// a plain string. It records every request so tests can count token fetches.
import { createPrivateKey, createSign, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSelfSignedCert, type SelfSignedCert } from './certs';
import { onExit, removeDirSync } from './cleanup';

export interface TokenServerOptions {
  service?: string;
  issuer?: string;
  /** username -> password, accepted via Basic (GET) or the password grant (POST). */
  users?: Record<string, string>;
  /** Anonymous GET gets pull on every repository (default: anonymous gets empty actions). */
  anonymousPull?: boolean;
  /** Seconds; default 300. */
  expiresIn?: number;
  /** Leave expires_in out of responses (clients must then assume 60 s). */
  omitExpiresIn?: boolean;
  /** Users who get `pull` and nothing more, whatever they ask for (read-only credentials). */
  readOnlyUsers?: string[];
  /** Repository names whose granted actions are always empty (the Pusher is exempt). */
  denyRepositories?: string[];
  /** Default true; false makes POST /token answer 404, like token servers without OAuth2. */
  oauthPost?: boolean;
  /**
   * Accepts a username + password that `users` does not know (e.g. `oauth2accesstoken` + an
   * access token a fake cloud token endpoint issued). Checked after `users`.
   */
  validate?: (username: string, password: string) => boolean;
  /**
   * Refresh tokens issued elsewhere (a cloud's token exchange, e.g. ACR's /oauth2/exchange),
   * for the OAuth2 POST grant_type=refresh_token when this server did not issue the token
   * itself. Return the subject the token belongs to, or `{ error }` for a 401.
   */
  validateRefreshToken?: (token: string, request: { service?: string; scopes: string[] }) => { user: string } | { error: string };
}

export interface TokenRequest {
  method: 'GET' | 'POST';
  scopes: string[];
  user?: string;
  /** POST grant_type. */
  grant?: string;
  status: number;
  at: number;
  /** The `service` the client asked for. */
  service?: string;
  /** POST client_id, if any. */
  clientId?: string;
}

export interface RunningTokenServer {
  realm: string;
  service: string;
  issuer: string;
  certPem: string;
  certFile: string;
  /** Every request from clients under test, in order. The Pusher's own fetches are not here. */
  requests: TokenRequest[];
  /** The Pusher's token fetches (marked with INTERNAL_HEADER), kept apart so counts stay exact. */
  internalRequests: TokenRequest[];
  /** Clears requests and internalRequests. */
  reset(): void;
  setExpiresIn(seconds: number): void;
  setDenyRepositories(names: string[]): void;
  /**
   * The next `count` tokens for clients under test are issued already expired (as if they ran
   * out mid-listing); the registry rejects them, and a client must fetch a fresh one.
   */
  issueExpired(count: number): void;
  stop(): Promise<void>;
}

/** Header the Pusher sends so its fetches are kept out of `requests` and bypass denials. */
export const INTERNAL_HEADER = 'x-testbed-internal';

interface Access {
  type: string;
  name: string;
  actions: string[];
}

/** Splits `type:name:actions`; names may contain ':' (host:port/repo), actions never do. */
function parseScope(scope: string): Access | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return undefined;
  // A resource class like `repository(plugin)` is not part of the type the registry checks.
  const type = scope.slice(0, first).replace(/\(.*\)$/, '');
  const actions = scope.slice(last + 1).split(',').filter((a) => a !== '');
  return { type, name: scope.slice(first + 1, last), actions };
}

function splitScopes(values: string[]): string[] {
  return values.flatMap((v) => v.split(' ')).filter((s) => s !== '');
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...extra });
  res.end(text);
}

function unauthorized(res: ServerResponse, message: string): void {
  sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message }] }, { 'www-authenticate': 'Basic realm="test-token-server"' });
}

function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

// One signing cert per process: RSA key generation is most of a token server's start-up, and
// nothing depends on servers having distinct keys (make your own cert to test a foreign key).
let sharedCert: Promise<SelfSignedCert> | undefined;
function signingCert(): Promise<SelfSignedCert> {
  sharedCert ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'regx-token-'));
    onExit(() => removeDirSync(dir));
    return makeSelfSignedCert(dir, { name: 'token-signing', commonName: 'test-token-signer' });
  })();
  return sharedCert;
}

export async function startTokenServer(opts: TokenServerOptions = {}): Promise<RunningTokenServer> {
  const service = opts.service ?? 'test-registry';
  const issuer = opts.issuer ?? 'test-issuer';
  const users = { ...(opts.users ?? {}) };
  const oauthPost = opts.oauthPost ?? true;
  let expiresIn = opts.expiresIn ?? 300;
  let deny = new Set(opts.denyRepositories ?? []);
  let expiredToIssue = 0;

  const cert = await signingCert();
  const x5c = [new X509Certificate(cert.certPem).raw.toString('base64')];
  const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c }));
  // Parsed once: re-parsing the PEM per token tripled the cost of 2,000 token fetches.
  const signingKey = createPrivateKey(cert.keyPem);

  // refresh token -> the user it was issued to
  const refreshTokens = new Map<string, string>();

  function passwordOk(user: string, password: string | null): boolean {
    if (password === null) return false;
    if (users[user] !== undefined && users[user] === password) return true;
    return opts.validate?.(user, password) ?? false;
  }

  function grant(scopes: string[], user: string | undefined, internal: boolean): Access[] {
    const out: Access[] = [];
    for (const s of scopes) {
      const a = parseScope(s);
      if (!a) continue;
      let actions: string[];
      if (a.type === 'repository' && deny.has(a.name) && !internal) actions = [];
      else if (user !== undefined && opts.readOnlyUsers?.includes(user)) actions = a.actions.filter((x) => x === 'pull');
      else if (user !== undefined) actions = a.actions;
      else if (opts.anonymousPull && a.type === 'repository') actions = a.actions.filter((x) => x === 'pull');
      else actions = [];
      out.push({ type: a.type, name: a.name, actions: [...new Set(actions)] });
    }
    return out;
  }

  function sign(sub: string, access: Access[], internal = false): { jwt: string; issuedAt: Date } {
    const now = Math.floor(Date.now() / 1000);
    // Past the registry's 60 s leeway.
    const expired = !internal && expiredToIssue > 0 && expiredToIssue-- > 0;
    const claims = {
      iss: issuer,
      sub,
      aud: service,
      exp: expired ? now - 120 : now + expiresIn,
      nbf: now - 1,
      iat: now,
      jti: randomBytes(12).toString('hex'),
      access,
    };
    const input = `${header}.${b64url(JSON.stringify(claims))}`;
    const sig = createSign('RSA-SHA256').update(input).sign(signingKey);
    return { jwt: `${input}.${b64url(sig)}`, issuedAt: new Date(now * 1000) };
  }

  function tokenFields(issuedAt: Date): Record<string, unknown> {
    return {
      ...(opts.omitExpiresIn ? {} : { expires_in: expiresIn }),
      issued_at: issuedAt.toISOString(),
    };
  }

  const requests: TokenRequest[] = [];
  const internalRequests: TokenRequest[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse, rec: TokenRequest, internal: boolean): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/token') {
      sendJson(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'no such endpoint' }] });
      return;
    }
    if (req.method === 'GET') {
      rec.scopes = splitScopes(url.searchParams.getAll('scope'));
      rec.service = url.searchParams.get('service') ?? undefined;
      let user: string | undefined;
      if (req.headers.authorization !== undefined) {
        const cred = parseBasic(req.headers.authorization);
        if (!cred || !passwordOk(cred.user, cred.password)) {
          rec.user = cred?.user;
          unauthorized(res, 'authentication required: wrong username or password');
          return;
        }
        user = cred.user;
        rec.user = user;
      }
      const { jwt, issuedAt } = sign(user ?? '', grant(rec.scopes, user, internal), internal);
      const body: Record<string, unknown> = { token: jwt, access_token: jwt, ...tokenFields(issuedAt) };
      if (user !== undefined && url.searchParams.get('offline_token') === 'true') {
        const rt = randomBytes(18).toString('base64url');
        refreshTokens.set(rt, user);
        body.refresh_token = rt;
      }
      sendJson(res, 200, body);
      return;
    }
    if (req.method === 'POST') {
      rec.method = 'POST';
      if (!oauthPost) {
        await readBody(req);
        sendJson(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'OAuth2 POST is not supported here' }] });
        return;
      }
      const form = new URLSearchParams(await readBody(req));
      rec.grant = form.get('grant_type') ?? undefined;
      rec.scopes = splitScopes(form.getAll('scope'));
      rec.service = form.get('service') ?? undefined;
      rec.clientId = form.get('client_id') ?? undefined;
      let user: string;
      let refresh: string | undefined;
      if (rec.grant === 'password') {
        const name = form.get('username') ?? '';
        rec.user = name;
        if (!passwordOk(name, form.get('password'))) {
          unauthorized(res, 'wrong username or password');
          return;
        }
        user = name;
        if (form.get('access_type') === 'offline') {
          refresh = randomBytes(18).toString('base64url');
          refreshTokens.set(refresh, user);
        }
      } else if (rec.grant === 'refresh_token') {
        const rt = form.get('refresh_token') ?? '';
        const owner = refreshTokens.get(rt);
        if (owner !== undefined) {
          user = owner;
          rec.user = owner;
          refresh = rt;
        } else {
          const external = opts.validateRefreshToken?.(rt, { service: rec.service, scopes: rec.scopes });
          if (!external || 'error' in external) {
            unauthorized(res, external && 'error' in external ? external.error : 'unknown refresh token');
            return;
          }
          // Issued elsewhere: answered with an access token only, as ACR's /oauth2/token does.
          user = external.user;
          rec.user = user;
        }
      } else {
        sendJson(res, 400, { error: 'unsupported_grant_type', errors: [{ code: 'UNSUPPORTED', message: `grant_type ${rec.grant ?? '(none)'}` }] });
        return;
      }
      const access = grant(rec.scopes, user, internal);
      const { jwt, issuedAt } = sign(user, access, internal);
      sendJson(res, 200, {
        access_token: jwt,
        scope: rec.scopes.join(' '),
        ...tokenFields(issuedAt),
        ...(refresh !== undefined ? { refresh_token: refresh } : {}),
      });
      return;
    }
    sendJson(res, 405, { errors: [{ code: 'UNSUPPORTED', message: 'method not allowed' }] });
  }

  const server = createServer((req, res) => {
    const internal = req.headers[INTERNAL_HEADER] !== undefined;
    const rec: TokenRequest = { method: req.method === 'POST' ? 'POST' : 'GET', scopes: [], status: 0, at: Date.now() };
    // Recorded up front so the order is arrival order, even if responses finish out of order.
    (internal ? internalRequests : requests).push(rec);
    res.on('finish', () => {
      rec.status = res.statusCode;
    });
    handle(req, res, rec, internal).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { errors: [{ code: 'UNKNOWN', message: String(e) }] });
      else res.destroy();
    });
  });
  // A token request is tiny; keep-alive sockets must not hold stop() up.
  server.keepAliveTimeout = 2000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certPem: cert.certPem,
    certFile: cert.certFile,
    requests,
    internalRequests,
    reset() {
      requests.length = 0;
      internalRequests.length = 0;
    },
    setExpiresIn(seconds: number) {
      expiresIn = seconds;
    },
    setDenyRepositories(names: string[]) {
      deny = new Set(names);
    },
    issueExpired(count: number) {
      expiredToIssue = count;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
