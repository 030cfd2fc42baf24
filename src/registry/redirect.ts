// Redirects, followed by hand so that the rules are ours, not the HTTP library's:
// blob and manifest requests are routinely redirected to a CDN (S3, Azure Blob, GCS) that
// must not see the registry's Authorization header (S3 even rejects it), and a redirect
// from https to http would hand the rest of the exchange to anyone on the path.

import { RegistryError, safeUrl } from './errors';
import { withHeader, type HttpRequest, type RoundTripper } from './http';

const MAX_REDIRECTS = 10;

export function redirectTransport(next: RoundTripper, opts: { allowHttp: (url: URL) => boolean }): RoundTripper {
  return async (req) => {
    let current: HttpRequest = req;
    for (let hop = 0; ; hop++) {
      const res = await next(current);
      const location = res.headers.get('location');
      if (![301, 302, 303, 307, 308].includes(res.status) || !location) return res;
      if (hop >= MAX_REDIRECTS) {
        throw new RegistryError('protocol', `${req.url.host} redirected more than ${MAX_REDIRECTS} times.`, { status: res.status });
      }
      const target = new URL(location, current.url);
      if (current.url.protocol === 'https:' && target.protocol !== 'https:') {
        throw new RegistryError('insecure', `${current.url.host} redirected to ${safeUrl(target)}, which would drop TLS; the request was refused.`);
      }
      if (target.protocol !== 'https:' && target.protocol !== 'http:') {
        throw new RegistryError('protocol', `${current.url.host} redirected to an unsupported URL scheme (${target.protocol}).`);
      }
      if (target.protocol === 'http:' && !opts.allowHttp(target)) {
        throw new RegistryError('insecure', `${current.url.host} redirected to plain HTTP (${target.host}), which this connection does not allow.`);
      }
      let nextReq: HttpRequest = { ...current, url: target };
      if (target.origin !== current.url.origin) nextReq = withHeader(nextReq, 'authorization', undefined);
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && current.method === 'POST')) {
        nextReq = { ...withHeader(nextReq, 'content-type', undefined), method: 'GET', body: undefined };
      }
      current = nextReq;
    }
  };
}
