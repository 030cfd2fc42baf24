// A fake of Google's OAuth2 token endpoint (oauth2.googleapis.com/token) for the service-account
// JWT bearer grant, speaking its wire protocol:
//
//   POST /token  (application/x-www-form-urlencoded)
//     grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<RS256 JWT>
//   200 {"access_token":"ya29.…","expires_in":3599,"token_type":"Bearer"}
//   400 {"error":"invalid_grant","error_description":"Invalid JWT Signature."}   (and the others below)
//
// The assertion is checked the way Google does: RS256 signature against the public key of the
// service account named by `iss`, `aud` equal to the token URI, a scope, and `iat`/`exp` no more
// than an hour apart around now. Service accounts are generated per test
// (`addServiceAccount`), so the private key lives only in the key JSON the test hands over.
// Issued access tokens are remembered with their expiry, so a registry's token server can
// accept exactly those (`isValid`, for the token server's `validate` option).

import { createVerify, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { closeServer, listenLocal, readText, sendJson } from './http';

export const GOOGLE_TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface ServiceAccountKeyFile {
  email: string;
  projectId: string;
  keyId: string;
  privateKeyPem: string;
  /** The JSON key file as the Cloud console downloads it. */
  json: string;
}

export interface GoogleTokenRequest {
  at: number;
  status: number;
  grant?: string;
  /** `iss` of the assertion, when it could be read. */
  email?: string;
  error?: string;
}

export interface FakeGoogleTokenOptions {
  /** Seconds each access token lives; default 3599, as Google's. */
  expiresIn?: number;
  /** The `aud` the assertion must carry; default Google's token URI. */
  audience?: string;
}

export interface FakeGoogleToken {
  /** Base URL (`http://127.0.0.1:PORT`); the endpoint is `${url}/token`. */
  url: string;
  tokenUri: string;
  /** Every POST /token, in arrival order. */
  requests: GoogleTokenRequest[];
  /** Registers a new service account and returns its (only) key. */
  addServiceAccount(opts?: { name?: string; projectId?: string }): ServiceAccountKeyFile;
  /** A key file for an existing account whose private key Google does not know (a deleted key). */
  foreignKey(email: string): ServiceAccountKeyFile;
  /** The account an access token was issued to, while it is unexpired and not revoked. */
  isValid(token: string): string | undefined;
  /** Access tokens issued so far (newest last). */
  issued(): string[];
  revokeAll(): void;
  setExpiresIn(seconds: number): void;
  stop(): Promise<void>;
}

interface Account {
  email: string;
  keys: Map<string, KeyObject>;
}

function b64urlJson(part: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  sendJson(res, status, body, { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate' });
}

function makeKeyFile(email: string, projectId: string): { file: ServiceAccountKeyFile; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const keyId = randomBytes(20).toString('hex');
  const json = JSON.stringify(
    {
      type: 'service_account',
      project_id: projectId,
      private_key_id: keyId,
      private_key: privateKeyPem,
      client_email: email,
      client_id: String(100000000000000000000n + BigInt(`0x${randomBytes(6).toString('hex')}`)),
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: GOOGLE_TOKEN_AUDIENCE,
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
      client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(email)}`,
      universe_domain: 'googleapis.com',
    },
    null,
    2,
  );
  return { file: { email, projectId, keyId, privateKeyPem, json }, publicKey };
}

export async function startGoogleTokenEndpoint(opts: FakeGoogleTokenOptions = {}): Promise<FakeGoogleToken> {
  let expiresIn = opts.expiresIn ?? 3599;
  const audience = opts.audience ?? GOOGLE_TOKEN_AUDIENCE;
  const accounts = new Map<string, Account>();
  const tokens = new Map<string, { email: string; expiresAt: number }>();
  const order: string[] = [];
  const requests: GoogleTokenRequest[] = [];

  function check(form: URLSearchParams, rec: GoogleTokenRequest): { status: number; body: Record<string, unknown> } {
    const grant = form.get('grant_type') ?? '';
    rec.grant = grant;
    if (grant !== JWT_BEARER_GRANT) {
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: `Invalid grant_type: ${grant}` } };
    }
    const assertion = form.get('assertion') ?? '';
    const parts = assertion.split('.');
    const header = parts.length === 3 ? b64urlJson(parts[0]!) : undefined;
    const claims = parts.length === 3 ? b64urlJson(parts[1]!) : undefined;
    if (!header || !claims) return { status: 400, body: { error: 'invalid_request', error_description: 'Invalid JWT.' } };
    const iss = typeof claims.iss === 'string' ? claims.iss : '';
    rec.email = iss || undefined;
    const account = accounts.get(iss);
    if (!account) return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid grant: account not found' } };
    if (header.alg !== 'RS256') return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } };
    const signed = `${parts[0]}.${parts[1]}`;
    const signature = Buffer.from(parts[2]!, 'base64url');
    const candidates = typeof header.kid === 'string' && account.keys.has(header.kid) ? [account.keys.get(header.kid)!] : [...account.keys.values()];
    const verified = candidates.some((k) => createVerify('RSA-SHA256').update(signed).verify(k, signature));
    if (!verified) return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } };
    if (claims.aud !== audience) {
      return { status: 400, body: { error: 'invalid_grant', error_description: `Invalid JWT: Failed audience check. The right audience is ${audience}` } };
    }
    const now = Math.floor(Date.now() / 1000);
    const iat = typeof claims.iat === 'number' ? claims.iat : NaN;
    const exp = typeof claims.exp === 'number' ? claims.exp : NaN;
    if (!(exp > now - 30) || !(iat < now + 30) || !(exp - iat <= 3600) || !(exp > iat)) {
      return {
        status: 400,
        body: { error: 'invalid_grant', error_description: 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.' },
      };
    }
    const scope = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
    if (!scope.length) return { status: 400, body: { error: 'invalid_scope', error_description: 'Invalid OAuth scope or ID token audience provided.' } };
    const token = `ya29.c.${randomBytes(48).toString('base64url')}`;
    tokens.set(token, { email: iss, expiresAt: Date.now() + expiresIn * 1000 });
    order.push(token);
    return { status: 200, body: { access_token: token, expires_in: expiresIn, token_type: 'Bearer' } };
  }

  const server = createServer((req, res) => {
    const rec: GoogleTokenRequest = { at: Date.now(), status: 0 };
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method !== 'POST' || url.pathname !== '/token') {
        await readText(req);
        send(res, 404, { error: 'not_found', error_description: `${req.method} ${url.pathname} is not served here` });
        return;
      }
      requests.push(rec);
      const type = String(req.headers['content-type'] ?? '');
      const body = await readText(req);
      if (!type.startsWith('application/x-www-form-urlencoded')) {
        rec.status = 400;
        rec.error = 'invalid_request';
        send(res, 400, { error: 'invalid_request', error_description: 'Invalid Content-Type' });
        return;
      }
      const out = check(new URLSearchParams(body), rec);
      rec.status = out.status;
      if (typeof out.body.error === 'string') rec.error = out.body.error;
      send(res, out.status, out.body);
    })().catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, { error: 'internal_failure', error_description: String(e) });
    });
  });
  server.keepAliveTimeout = 2000;
  const url = await listenLocal(server);

  return {
    url,
    tokenUri: `${url}/token`,
    requests,
    addServiceAccount({ name = `sa-${randomBytes(3).toString('hex')}`, projectId = 'my-project' } = {}) {
      const email = `${name}@${projectId}.iam.gserviceaccount.com`;
      const { file, publicKey } = makeKeyFile(email, projectId);
      const account = accounts.get(email) ?? { email, keys: new Map() };
      account.keys.set(file.keyId, publicKey);
      accounts.set(email, account);
      return file;
    },
    foreignKey(email: string) {
      return makeKeyFile(email, email.split('@')[1]?.split('.')[0] ?? 'my-project').file;
    },
    isValid(token: string) {
      const t = tokens.get(token);
      return t && t.expiresAt > Date.now() ? t.email : undefined;
    },
    issued: () => [...order],
    revokeAll() {
      tokens.clear();
    },
    setExpiresIn(seconds: number) {
      expiresIn = seconds;
    },
    async stop() {
      await closeServer(server);
    },
  };
}
