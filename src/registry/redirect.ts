// Redirects, followed by hand so that the rules are ours, not the HTTP library's:
// blob and manifest requests are routinely redirected to a CDN (S3, Azure Blob, GCS) that
// must not see the registry's Authorization header (S3 even rejects it), and a redirect
// from https to http would hand the rest of the exchange to anyone on the path. A 307/308
// repeats the method and the body: across origins that body (a refresh token, a password
// grant) would go to a server the user never chose, so a hop that would carry a body to
// another origin is refused outright. A DELETE is never followed to another origin either: that
// server holds nothing of ours to delete, and its 2xx would read as the deletion done; nor
// through a 303 on the same server, which turns it into a GET whose 2xx would read the same.

import { RegistryError, safeUrl } from './errors';
import { withHeader, type HttpRequest, type HttpResponse, type RoundTripper } from './http';

const MAX_REDIRECTS = 10;
/** Headers that carry a credential: HTTP's own, and GitLab's `PRIVATE-TOKEN`. None goes to another origin. */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'private-token'];

export interface RedirectOptions {
  allowHttp: (url: URL) => boolean;
  /** Checked before every hop is followed; throws (a RegistryError) to refuse it. */
  checkHop?: (from: URL, to: URL) => void;
}

export function redirectTransport(next: RoundTripper, opts: RedirectOptions): RoundTripper {
  return async (req) => {
    let current: HttpRequest = req;
    for (let hop = 0; ; hop++) {
      const res = await next(current);
      const location = res.headers.get('location');
      if (![301, 302, 303, 307, 308].includes(res.status) || !location) return res;
      if (hop >= MAX_REDIRECTS) {
        throw new RegistryError('protocol', `${req.url.host} redirected more than ${MAX_REDIRECTS} times.`, { status: res.status });
      }
      let target: URL;
      try {
        target = new URL(location, current.url);
      } catch {
        throw new RegistryError('protocol', `${current.url.host} redirected to something that is not a URL.`, { status: res.status });
      }
      if (current.url.protocol === 'https:' && target.protocol !== 'https:') {
        throw new RegistryError('insecure', `${current.url.host} redirected to ${safeUrl(target)}, which would drop TLS; the request was refused.`);
      }
      if (target.protocol !== 'https:' && target.protocol !== 'http:') {
        throw new RegistryError('protocol', `${current.url.host} redirected to an unsupported URL scheme (${target.protocol}).`);
      }
      if (target.protocol === 'http:' && !opts.allowHttp(target)) {
        throw new RegistryError('insecure', `${current.url.host} redirected to plain HTTP (${target.host}), which this connection does not allow.`);
      }
      if (current.upload) {
        throw new RegistryError(
          'protocol',
          `${current.url.host} redirected an upload to ${target.host}; refused: a streamed blob is sent once, to the registry it was meant for.`,
          { status: res.status },
        );
      }
      opts.checkHop?.(current.url, target);
      const crossOrigin = target.origin !== current.url.origin;
      if (crossOrigin && current.method === 'DELETE') {
        throw new RegistryError(
          'protocol',
          `${current.url.host} redirected the deletion to another server (${target.host}); refused: only the server it was sent to can confirm a deletion, so it is not reported as done. Check the address of the service.`,
          { status: res.status },
        );
      }
      if (res.status === 303 && current.method === 'DELETE') {
        // 303 makes any method a GET: that GET's 2xx would read as the deletion done.
        throw new RegistryError(
          'protocol',
          `${current.url.host} answered the deletion with a redirect that turns it into a read (303 See Other); refused: a read cannot confirm a deletion, so it is not reported as done.`,
          { status: res.status },
        );
      }
      let nextReq: HttpRequest = { ...current, url: target };
      if (crossOrigin) for (const name of CREDENTIAL_HEADERS) nextReq = withHeader(nextReq, name, undefined);
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && current.method === 'POST')) {
        nextReq = { ...withHeader(nextReq, 'content-type', undefined), method: 'GET', body: undefined };
      }
      if (crossOrigin && nextReq.body !== undefined) {
        throw new RegistryError(
          'insecure',
          `${current.url.host} redirected a ${current.method} request with its body to another server (${target.host}); refused, since the body may carry credentials. Check the address of the service.`,
          { status: res.status },
        );
      }
      current = nextReq;
    }
  };
}

/**
 * A 401/403 from a server we were redirected to (a CDN, a storage host) is that server's
 * refusal of this one request, not the registry asking for credentials: its challenge must
 * not change where credentials go, and the user's password is not the problem. Undefined
 * when the answer is not such a refusal.
 */
export function refusedElsewhere(res: HttpResponse, origin: URL, redirectedBy: string): RegistryError | undefined {
  if ((res.status !== 401 && res.status !== 403) || res.url.origin === origin.origin) return undefined;
  return new RegistryError(
    'protocol',
    `${res.url.host} refused a request that ${redirectedBy} redirected to it (HTTP ${res.status}). Your credentials were not sent there and are not the problem; try again, and if it persists the registry's storage is misconfigured.`,
    { status: res.status },
  );
}
