// A fake of what is Artifactory's own in its Docker API, in front of a real docker-registry
// served under `/artifactory/api/docker/KEY/v2/` by the path proxy:
//
//   GET …/KEY/v2/…          401 without a token it issued: `WWW-Authenticate: Bearer
//                           realm="ORIGIN/artifactory/api/docker/KEY/v2/token",service="HOST"`
//                           (+ scope on repository calls), body {errors:[{code,message,detail}]}
//   GET …/KEY/v2/token      Basic user:identity-token or Bearer access-token → {token,
//                           access_token, expires_in, issued_at}; else 401 {errors:[{status:401,
//                           message:"Bad credentials"}]} with `Basic realm="Artifactory Realm"`
//   another repository key  400 {errors:[{status:400,message:"Unsupported docker v2 repository
//                           request for 'KEY'"}]}
//   no Read permission      403 {errors:[{status:403,message:"Forbidden"}]} (catalog: without
//                           Read on the whole repository)
//
// Links are written as Artifactory writes them: `</v2/_catalog?…>`, at the origin's root and
// without the repository key (RTFACT-18971, which Renovate works around); the client reads them
// under the path it asked. Tokens are opaque and live for an hour.

import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { startPathProxy, type PathProxy } from '../pathProxy';
import { startRegistry, type RunningRegistry } from '../registry';
import { sendJson } from './http';

export interface FakeArtifactoryOptions {
  key?: string;
  /** user → identity token (Basic). Default: `deployer` with a random token. */
  users?: Record<string, string>;
  /** access token → the user it acts as (Bearer). Default: one random token for the first user. */
  accessTokens?: Record<string, string>;
  /** Users without the Read permission on the repository. */
  noRead?: string[];
  /** Users with Read on some paths only: they may not list the catalog. */
  noCatalog?: string[];
}

export interface FakeArtifactory {
  registry: RunningRegistry;
  proxy: PathProxy;
  /** The Artifactory address as a user types it: `http://127.0.0.1:PORT/artifactory`. */
  address: string;
  key: string;
  username: string;
  identityToken: string;
  accessToken: string;
  /** Token endpoint calls: who asked, with which scopes, whether it was issued. */
  tokenRequests: { user?: string; scheme?: string; scopes: string[]; ok: boolean }[];
  reset(): void;
  stop(): Promise<void>;
}

function artifactoryError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  // Artifactory writes its own REST errors with a numeric status, and `;charset=ISO-8859-1`.
  sendJson(res, status, { errors: [{ status, message }] }, { 'content-type': 'application/json;charset=ISO-8859-1', ...headers });
}

export async function startFakeArtifactory(opts: FakeArtifactoryOptions = {}): Promise<FakeArtifactory> {
  const key = opts.key ?? 'docker-local';
  const identityToken = `cmVmdGtuOjAxOjE3${randomBytes(12).toString('hex')}`;
  const users = opts.users ?? { deployer: identityToken };
  const username = Object.keys(users)[0] ?? 'deployer';
  const accessToken = `eyJ2ZXIiOiIyIiwidHlwIjoiSldUIn0.${randomBytes(16).toString('hex')}`;
  const accessTokens = opts.accessTokens ?? { [accessToken]: username };
  const issued = new Map<string, string>();
  const tokenRequests: FakeArtifactory['tokenRequests'] = [];
  const prefix = `/artifactory/api/docker/${key}`;

  const registry = await startRegistry({ mode: 'plain' });
  let origin = '';
  const proxy = await startPathProxy({
    registry: registry.url,
    prefix,
    links: 'root',
    gate(req, res, rec, url) {
      const path = url.pathname;
      const other = /^\/artifactory\/api\/docker\/([^/]+)\//.exec(path);
      if (other && other[1] !== key) {
        artifactoryError(res, 400, `Unsupported docker v2 repository request for '${other[1]}'`);
        return true;
      }
      const auth = req.headers.authorization ?? '';
      if (path === `${prefix}/v2/token`) {
        const scopes = url.searchParams.getAll('scope');
        let user: string | undefined;
        const basic = /^Basic\s+(\S+)$/i.exec(auth);
        const bearer = /^Bearer\s+(\S+)$/i.exec(auth);
        if (basic) {
          const text = Buffer.from(basic[1]!, 'base64').toString('utf8');
          const name = text.slice(0, text.indexOf(':'));
          if (users[name] !== undefined && users[name] === text.slice(text.indexOf(':') + 1)) user = name;
        } else if (bearer) {
          user = accessTokens[bearer[1]!];
        }
        tokenRequests.push({ ...(user ? { user } : {}), ...(rec.scheme ? { scheme: rec.scheme } : {}), scopes, ok: !!user });
        if (!user) {
          artifactoryError(res, 401, 'Bad credentials', { 'www-authenticate': 'Basic realm="Artifactory Realm"' });
          return true;
        }
        rec.user = user;
        const token = randomBytes(24).toString('base64url');
        issued.set(token, user);
        sendJson(res, 200, { token, access_token: token, expires_in: 3600, issued_at: new Date().toISOString() });
        return true;
      }
      if (!path.startsWith(`${prefix}/v2/`)) return false;
      const user = issued.get(/^Bearer\s+(\S+)$/i.exec(auth)?.[1] ?? '');
      if (!user) {
        const repo = /^\/v2\/(.+)\/(?:tags|manifests|blobs)\//.exec(path.slice(prefix.length))?.[1];
        const scope = repo ? `,scope="repository:${repo}:pull"` : path.endsWith('/_catalog') ? ',scope="registry:catalog:*"' : '';
        sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: null }] }, {
          'www-authenticate': `Bearer realm="${origin}${prefix}/v2/token",service="${new URL(origin).host}"${scope}`,
          'docker-distribution-api-version': 'registry/2.0',
        });
        return true;
      }
      rec.user = user;
      if (path === `${prefix}/v2/`) return false;
      if (opts.noRead?.includes(user) || (path.endsWith('/v2/_catalog') && opts.noCatalog?.includes(user))) {
        artifactoryError(res, 403, 'Forbidden');
        return true;
      }
      return false;
    },
  });
  origin = proxy.origin;
  return {
    registry,
    proxy,
    address: `${proxy.origin}/artifactory`,
    key,
    username,
    identityToken: users[username]!,
    accessToken: Object.keys(accessTokens)[0]!,
    tokenRequests,
    reset() {
      proxy.requests.length = 0;
      tokenRequests.length = 0;
      issued.clear();
    },
    async stop() {
      await proxy.stop();
      await registry.stop();
    },
  };
}
