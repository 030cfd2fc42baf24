// A fake of Azure Container Registry's auth endpoints in front of a real token-mode
// docker-registry:
//
//   POST /oauth2/exchange   grant_type=access_token&service=LOGIN&tenant=T&access_token=AAD
//                           → {refresh_token} (a JWT, iss "Azure Container Registry", exp)
//                           401 {errors:[{code:"UNAUTHORIZED", message}]} for a bad, expired or
//                           other-tenant Microsoft Entra token
//   token endpoint          the test token server: Basic admin user / service principal
//                           (`validate`), OAuth2 POST grant_type=refresh_token with a refresh
//                           token from the exchange (`validateRefreshToken`)
//
// Microsoft Entra tokens are minted by the fake (`aadToken()`): HS256 JWTs with the claims Entra
// puts in them (iss sts.windows.net/TENANT/, aud containerregistry, tid, upn, exp). Refresh
// tokens can be made short-lived or revoked to test renewal.
import { randomBytes, randomUUID } from 'node:crypto';
import { Agent, createServer, request as httpRequest } from 'node:http';
import { startRegistry, type RunningRegistry } from '../registry';
import { listenInFront, readText, sendJson, signJwt, verifyJwt } from './http';
import { readRegistry } from './registryContents';

export const ACR_TOKEN_USERNAME = '00000000-0000-0000-0000-000000000000';

export interface FakeAcrOptions {
  /** Tenant the registry trusts. Default: a random GUID. */
  tenant?: string;
  /** Admin user (named like the registry). Default `myregistry` with a random password. */
  adminUser?: string;
  /** Service principals: application ID → client secret. */
  servicePrincipals?: Record<string, string>;
  /** Lifetime of refresh tokens from the exchange; default 3 h, like ACR. */
  refreshSeconds?: number;
}

export interface ExchangeRecord {
  status: number;
  tenant?: string;
  service?: string;
  grant?: string;
}

export interface FakeAcr {
  /** Base of the exchange endpoint (the login server's /oauth2/…). */
  exchangeUrl: string;
  /**
   * The registry behind ACR's data-plane API: `DELETE /acr/v1/NAME` (a Bearer token with
   * `repository:NAME:delete`, else 401 naming that scope) deletes the repository; every other
   * request is passed to the registry unchanged.
   */
  registryUrl: string;
  /** `DELETE /acr/v1/…` requests: the repository and the status answered. */
  deletes: { repository: string; status: number }[];
  registry: RunningRegistry;
  tenant: string;
  adminUser: string;
  adminPassword: string;
  exchanges: ExchangeRecord[];
  /** A Microsoft Entra access token for `upn`, valid `seconds` (negative: already expired). */
  aadToken(opts?: { upn?: string; seconds?: number; tenant?: string }): string;
  /** An ACR refresh token as `az acr login --expose-token` prints it. */
  refreshToken(opts?: { seconds?: number }): string;
  setRefreshSeconds(seconds: number): void;
  /** Every refresh token issued so far is rejected from now on. */
  revokeRefreshTokens(): void;
  reset(): void;
  stop(): Promise<void>;
}

export async function startFakeAcr(opts: FakeAcrOptions = {}): Promise<FakeAcr> {
  const tenant = opts.tenant ?? randomUUID();
  const adminUser = opts.adminUser ?? 'myregistry';
  const adminPassword = `acr-${randomBytes(16).toString('base64url')}`;
  const sps = { ...(opts.servicePrincipals ?? {}) };
  let refreshSeconds = opts.refreshSeconds ?? 3 * 3600;
  /** Refresh tokens carry the generation they were issued in; a revocation starts a new one. */
  let generation = 0;
  const aadKey = randomBytes(32);
  const acrKey = randomBytes(32);
  const exchanges: ExchangeRecord[] = [];

  const nowS = (): number => Math.floor(Date.now() / 1000);
  const issueRefresh = (sub: string, service: string, seconds: number): string =>
    signJwt(acrKey, { jti: randomUUID(), sub, nbf: nowS() - 1, exp: nowS() + seconds, iat: nowS(), gen: generation, iss: 'Azure Container Registry', aud: service, version: '1.0', grant_type: 'refresh_token', tenant });
  const checkRefresh = (token: string): { user: string } | { error: string } => {
    const c = verifyJwt(acrKey, token);
    if (!c || c.iss !== 'Azure Container Registry') return { error: 'invalid refresh token' };
    if (typeof c.exp !== 'number' || c.exp <= Date.now() / 1000) return { error: 'refresh token has expired' };
    if (c.gen !== generation) return { error: 'refresh token has been revoked' };
    return { user: String(c.sub) };
  };

  const registry = await startRegistry({
    mode: 'token',
    username: adminUser,
    password: adminPassword,
    tokenServer: {
      service: 'acr-login-server',
      validate: (user, password) => {
        if (sps[user] !== undefined) return sps[user] === password;
        if (user === ACR_TOKEN_USERNAME) return 'user' in checkRefresh(password);
        return false;
      },
      validateRefreshToken: (token) => checkRefresh(token),
    },
  });

  const server = createServer((req, res) => {
    const rec: ExchangeRecord = { status: 0 };
    res.on('finish', () => (rec.status = res.statusCode));
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = await readText(req);
      if (url.pathname !== '/oauth2/exchange') return sendJson(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'not found' }] });
      exchanges.push(rec);
      if (req.method !== 'POST') return sendJson(res, 405, { errors: [{ code: 'METHOD_NOT_ALLOWED', message: 'method not allowed' }] });
      const form = new URLSearchParams(body);
      rec.grant = form.get('grant_type') ?? undefined;
      rec.tenant = form.get('tenant') ?? undefined;
      rec.service = form.get('service') ?? undefined;
      if (rec.grant !== 'access_token') return sendJson(res, 400, { errors: [{ code: 'UNSUPPORTED', message: `grant_type ${rec.grant ?? ''} is not supported` }] });
      if (!rec.service) return sendJson(res, 400, { errors: [{ code: 'BAD_REQUEST', message: 'service is required' }] });
      if (rec.service !== registry.host) return sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: `service ${rec.service} does not match this registry` }] });
      const claims = verifyJwt(aadKey, form.get('access_token') ?? '');
      if (!claims) return sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'the access token is not a valid Microsoft Entra token' }] });
      if (typeof claims.exp !== 'number' || claims.exp <= nowS()) return sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'the access token has expired' }] });
      if (claims.tid !== tenant || (rec.tenant && rec.tenant !== tenant)) return sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'the token is for another tenant' }] });
      return sendJson(res, 200, { refresh_token: issueRefresh(String(claims.upn), rec.service, refreshSeconds) });
    })().catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { errors: [{ code: 'UNKNOWN', message: String(e) }] });
    });
  });
  const front = await listenInFront(server, registry);
  const deletes: { repository: string; status: number }[] = [];
  const dataPlane = await listenInFront(acrDataPlane(registry, deletes), { stop: async () => undefined });

  return {
    exchangeUrl: front.url,
    registryUrl: dataPlane.url,
    deletes,
    registry,
    tenant,
    adminUser,
    adminPassword,
    exchanges,
    aadToken({ upn = 'dev@contoso.example', seconds = 3600, tenant: tid = tenant } = {}) {
      return signJwt(aadKey, {
        aud: 'https://containerregistry.azure.net',
        iss: `https://sts.windows.net/${tid}/`,
        iat: nowS(),
        nbf: nowS() - 1,
        exp: nowS() + seconds,
        tid,
        upn,
        oid: randomUUID(),
      });
    },
    refreshToken({ seconds = 3 * 3600 } = {}) {
      return issueRefresh('dev@contoso.example', registry.host, seconds);
    },
    setRefreshSeconds(seconds) {
      refreshSeconds = seconds;
    },
    revokeRefreshTokens() {
      generation++;
    },
    reset() {
      exchanges.length = 0;
      registry.tokenServer?.reset();
    },
    async stop() {
      await dataPlane.stop();
      await front.stop();
    },
  };
}

/** The token's grants (our token server signed it; the registry checks signatures, this only reads). */
function grants(authorization: string | undefined): { type: string; name: string; actions: string[] }[] {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) return [];
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { access?: { type: string; name: string; actions: string[] }[] };
    return claims.access ?? [];
  } catch {
    return [];
  }
}

function acrDataPlane(registry: RunningRegistry, deletes: { repository: string; status: number }[]) {
  const upstream = new URL(registry.url);
  const agent = new Agent({ keepAlive: true });
  return createServer((req, res) => {
    const m = req.method === 'DELETE' ? /^\/acr\/v1\/(.+)$/.exec((req.url ?? '').split('?')[0]!) : null;
    if (m) {
      const repository = decodeURIComponent(m[1]!);
      const rec = { repository, status: 0 };
      deletes.push(rec);
      res.on('finish', () => (rec.status = res.statusCode));
      const allowed = grants(req.headers.authorization).some((g) => g.type === 'repository' && g.name === repository && g.actions.includes('delete'));
      if (!allowed) {
        const ts = registry.tokenServer!;
        const error = req.headers.authorization ? ',error="insufficient_scope"' : '';
        return sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, { 'www-authenticate': `Bearer realm="${ts.realm}",service="${ts.service}",scope="repository:${repository}:delete"${error}` });
      }
      void (async () => {
        const tags = (await readRegistry(registry, (r) => r === repository)).get(repository);
        if (!tags?.length) return sendJson(res, 404, { errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] });
        const digests = [...new Set(tags.map((t) => t.digest))];
        for (const d of digests) await registry.pusher.deleteManifest(repository, d);
        return sendJson(res, 202, { manifestsDeleted: digests, tagsDeleted: tags.map((t) => t.tag) });
      })().catch((e: unknown) => sendJson(res, 500, { errors: [{ code: 'UNKNOWN', message: String(e) }] }));
      return;
    }
    const headers = { ...req.headers };
    delete headers.connection;
    const up = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent }, (ures) => {
      res.writeHead(ures.statusCode ?? 502, ures.headers);
      ures.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
}
