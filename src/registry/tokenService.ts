// Talking to a registry's token service (the `realm` of a Bearer challenge), per the Docker
// token spec and its OAuth2 variant:
//   - GET realm?service=S&scope=A&scope=B, with Basic credentials or anonymously;
//   - POST grant_type=refresh_token when holding a refresh ("identity") token, falling back
//     to GET when the server has no OAuth2 endpoint (404/405).
// The answer carries `token` and/or `access_token`; `expires_in` missing or under 60 means 60.
// Its shape is checked by a schema before any field is used.

import * as v from 'valibot';
import { classifyHost, describeKind } from './address';
import { basicHeader, type Credentials } from './credentials';
import { RegistryError, parseErrorBody, safeUrl } from './errors';
import type { HttpRequest, HttpResponse, RoundTripper } from './http';
import { refusedElsewhere } from './redirect';
import type { IssuedToken } from './tokenCache';
import { parseJsonText, parseWire } from './wire';

const MAX_TOKEN_BODY = 1024 * 1024;
const MIN_LIFETIME_S = 60;
const CLIENT_ID = 'registry-explorer';

export interface TokenRequestContext {
  registry: URL;
  realm: string;
  service?: string;
  scopes: string[];
  credentials?: Credentials;
  allowHttp: (url: URL) => boolean;
  signal?: AbortSignal;
  /** A rotated refresh token came back (ACR does this); the caller may persist it. */
  onRefreshToken?: (token: string) => void;
}

/**
 * Refuse realms that would leak credentials: a realm must be http(s); plain HTTP only where
 * the registry itself may use it; and a public registry may not point us at a loopback or
 * private address (a hostile registry could otherwise make us probe the user's network).
 */
export function checkRealm(realm: string, registry: URL, allowHttp: (url: URL) => boolean): URL {
  let url: URL;
  try {
    url = new URL(realm, registry);
  } catch {
    throw new RegistryError('protocol', `${registry.host} named a token service that is not a URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RegistryError('protocol', `${registry.host} named a token service with an unsupported scheme (${url.protocol}).`);
  }
  if (url.protocol === 'http:' && !allowHttp(url)) {
    throw new RegistryError(
      'insecure',
      registry.protocol === 'https:'
        ? `${registry.host} asked for credentials to be sent over plain HTTP to ${url.host}, a downgrade from HTTPS; refused.`
        : `${registry.host} named a token service on plain HTTP (${url.host}); refused. Mark the registry insecure only if you trust this network.`,
    );
  }
  const kind = classifyHost(url.hostname);
  if (classifyHost(registry.hostname) === 'public' && kind !== 'public') {
    throw new RegistryError(
      'insecure',
      `${registry.host} named a token service at ${url.host}, ${describeKind(kind)}; refused: a public registry may not send your credentials to a local or private address.`,
    );
  }
  return url;
}

export async function fetchToken(transport: RoundTripper, ctx: TokenRequestContext, now: () => number = Date.now): Promise<IssuedToken> {
  const realm = checkRealm(ctx.realm, ctx.registry, ctx.allowHttp);
  const started = now();
  let res: HttpResponse | undefined;
  if (ctx.credentials?.kind === 'refreshToken') {
    res = await transport(oauthRequest(realm, ctx, ctx.credentials.refreshToken));
    if (res.status === 404 || res.status === 405) res = undefined;
  }
  res ??= await transport(getRequest(realm, ctx));
  const elsewhere = refusedElsewhere(res, realm, `the token service of ${ctx.registry.host}`);
  if (elsewhere) throw elsewhere;
  return parseTokenResponse(res, ctx, started);
}

function getRequest(realm: URL, ctx: TokenRequestContext): HttpRequest {
  const url = new URL(realm);
  if (ctx.service) url.searchParams.set('service', ctx.service);
  for (const s of ctx.scopes) url.searchParams.append('scope', s);
  const headers: Record<string, string> = { accept: 'application/json' };
  const c = ctx.credentials;
  if (c?.kind === 'basic') headers.authorization = basicHeader(c.username, c.password);
  // ACR and Docker accept the identity token as a Basic password when there is no OAuth2 POST.
  if (c?.kind === 'refreshToken') headers.authorization = basicHeader(c.username ?? '<token>', c.refreshToken);
  if (c?.kind === 'bearer') headers.authorization = `Bearer ${c.token}`;
  return { method: 'GET', url, headers, signal: ctx.signal, maxBodyBytes: MAX_TOKEN_BODY };
}

function oauthRequest(realm: URL, ctx: TokenRequestContext, refreshToken: string): HttpRequest {
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT_ID });
  if (ctx.service) form.set('service', ctx.service);
  if (ctx.scopes.length) form.set('scope', ctx.scopes.join(' '));
  return {
    method: 'POST',
    url: realm,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form.toString(),
    signal: ctx.signal,
    maxBodyBytes: MAX_TOKEN_BODY,
  };
}

// Only the fields we use; others (`issued_at`, `scope`…) are ignored whatever their type.
// A field may be null where it may be missing: some token services write absent as null.
const TokenResponse = v.object({
  token: v.nullish(v.string()),
  access_token: v.nullish(v.string()),
  expires_in: v.nullish(v.number()),
  refresh_token: v.nullish(v.string()),
});

function parseTokenResponse(res: HttpResponse, ctx: TokenRequestContext, started: number): IssuedToken {
  const tokenService = `The token service of ${ctx.registry.host}`;
  if (res.status === 401) {
    const who = ctx.credentials?.kind === 'basic' ? ` for user “${ctx.credentials.username}”` : '';
    throw new RegistryError(
      'unauthorized',
      ctx.credentials ? `${tokenService} rejected the credentials${who}. Check the username and password or token, then reconnect.` : `${tokenService} requires credentials. Add a username and password or token.`,
      { status: 401, code: parseErrorBody(res.body).code },
    );
  }
  if (res.status === 403) {
    throw new RegistryError('forbidden', `${tokenService} denied access to ${ctx.scopes.join(', ') || 'the registry'}.`, { status: 403 });
  }
  if (res.status !== 200) {
    throw new RegistryError('protocol', `${tokenService} (${safeUrl(res.url)}) answered HTTP ${res.status}.`, { status: res.status });
  }
  const json = parseJsonText(res.body, tokenService, 'a response');
  const parsed = parseWire(TokenResponse, json, tokenService, 'a token response');
  const { token: bare, access_token, expires_in, refresh_token } = parsed;
  const token = bare || access_token;
  if (!token) throw new RegistryError('protocol', `${tokenService} sent no token.`);
  const expiresIn = expires_in !== undefined && expires_in !== null && expires_in >= MIN_LIFETIME_S ? expires_in : MIN_LIFETIME_S;
  // Lifetime counts from when we asked, not from `issued_at`: a skewed server clock must not
  // make a fresh token look expired (or an old one fresh).
  if (refresh_token && ctx.credentials?.kind === 'refreshToken') ctx.onRefreshToken?.(refresh_token);
  return { token, expiresAt: started + expiresIn * 1000, lifetimeMs: expiresIn * 1000 };
}
