// A fake of what is Nexus Repository 3's own in its Docker API, in front of a real
// docker-registry served under `/repository/NAME/v2/` by the path proxy:
//
//   GET /repository/NAME/v2/…   Basic on every request (a hosted repository with "Force basic
//                               authentication"): without valid credentials 401
//                               `WWW-Authenticate: BASIC realm="Sonatype Nexus Repository
//                               Manager"` and {errors:[{code:"UNAUTHORIZED",…}]}
//   no -read privilege          403 {errors:[{code:"DENIED",message:…}]}
//   catalog without -browse     403 likewise
//   another repository name     404 with Nexus's HTML page
//
// A user token is a user name (its name code) and a password (its pass code), so it is a user
// here. Links are absolute URLs of the origin's root (`<http://HOST/v2/_catalog?…>`), as the
// docker client would see them through a connector: the client reads them under the path.

import type { ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { startPathProxy, type PathProxy } from '../pathProxy';
import { startRegistry, type RunningRegistry } from '../registry';
import { sendJson } from './http';

export interface FakeNexusOptions {
  repository?: string;
  /** user (or token name code) → password (or pass code). Default: `alice` with a random password. */
  users?: Record<string, string>;
  /** Users without nx-repository-view-docker-NAME-read. */
  noRead?: string[];
  /** Users without -browse: no catalog. */
  noBrowse?: string[];
}

export interface FakeNexus {
  registry: RunningRegistry;
  proxy: PathProxy;
  repository: string;
  username: string;
  password: string;
  /** The repository URL as Nexus shows it, with its trailing slash. */
  repositoryUrl: string;
  reset(): void;
  stop(): Promise<void>;
}

function nexusError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { errors: [{ code, message, detail: null }] }, { 'docker-distribution-api-version': 'registry/2.0', ...headers });
}

export async function startFakeNexus(opts: FakeNexusOptions = {}): Promise<FakeNexus> {
  const repository = opts.repository ?? 'docker-hosted';
  const password = `Nexus-${randomBytes(8).toString('hex')}`;
  const users = opts.users ?? { alice: password };
  const username = Object.keys(users)[0] ?? 'alice';
  const prefix = `/repository/${repository}`;
  const registry = await startRegistry({ mode: 'plain' });
  const proxy = await startPathProxy({
    registry: registry.url,
    prefix,
    links: 'absolute',
    gate(req, res, rec, url) {
      const path = url.pathname;
      if (!path.startsWith(`${prefix}/`)) {
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<html><head><title>404 - Sonatype Nexus Repository</title></head><body><h1>404 - Sonatype Nexus Repository</h1><p>Repository not found</p></body></html>');
        return true;
      }
      const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      const text = basic ? Buffer.from(basic[1]!, 'base64').toString('utf8') : '';
      const name = text.slice(0, text.indexOf(':'));
      if (!basic || users[name] === undefined || users[name] !== text.slice(text.indexOf(':') + 1)) {
        nexusError(res, 401, 'UNAUTHORIZED', 'access to the requested resource is not authorized', { 'www-authenticate': 'BASIC realm="Sonatype Nexus Repository Manager"' });
        return true;
      }
      rec.user = name;
      if (path === `${prefix}/v2/`) return false;
      if (opts.noRead?.includes(name) || (path === `${prefix}/v2/_catalog` && opts.noBrowse?.includes(name))) {
        nexusError(res, 403, 'DENIED', 'requested access to the resource is denied');
        return true;
      }
      return false;
    },
  });
  return {
    registry,
    proxy,
    repository,
    username,
    password: users[username]!,
    repositoryUrl: `${proxy.origin}${prefix}/`,
    reset() {
      proxy.requests.length = 0;
    },
    async stop() {
      await proxy.stop();
      await registry.stop();
    },
  };
}
