// The layers under authentication, composed once for both users of them: the registry client
// and the providers' control-plane clients. Order matters: retry wraps redirect so that a
// retried request starts again from the original URL, and the observer sits at the bottom so
// that it sees every exchange on the wire, redirect hops and retries included. Every redirect
// hop, of registry, token and control-plane requests alike, passes the address classifier.

import type { Dispatcher } from './undici';
import { classifyHost, describeKind } from './address';
import { httpAllowed } from './endpoint';
import { RegistryError } from './errors';
import type { HttpRequest, HttpResponse, RoundTripper } from './http';
import { redirectTransport } from './redirect';
import { retryTransport, type RetryOptions } from './retry';
import { baseTransport } from './transport';

export interface StackOptions {
  dispatcher: Dispatcher;
  userAgent?: string;
  /** The origin the stack serves: redirects may go to plain HTTP only where it may. */
  origin: URL;
  insecure?: boolean;
  retry?: RetryOptions;
  /** Every exchange on the wire, with its duration. */
  observe?: (req: HttpRequest, res: HttpResponse, ms: number) => void;
}

export function transportStack(opts: StackOptions): RoundTripper {
  const raw = baseTransport(opts.dispatcher, opts.userAgent ?? 'registry-explorer/0.1');
  const observe = opts.observe;
  const observed: RoundTripper = observe
    ? async (req) => {
        const started = Date.now();
        const res = await raw(req);
        observe(req, res, Date.now() - started);
        return res;
      }
    : raw;
  const insecure = !!opts.insecure;
  const redirect = redirectTransport(observed, {
    allowHttp: (u) => httpAllowed(u, insecure) || u.origin === opts.origin.origin,
    checkHop: publicStaysPublic(opts.origin),
  });
  return retryTransport(redirect, opts.retry);
}

/**
 * A public server (or any hop of a public service) may not redirect us to this computer or
 * the user's network: that is how a hostile registry, token service or API would reach a
 * metadata service or an internal admin page with our request. A registry on the user's own
 * network may redirect within it.
 */
export function publicStaysPublic(origin: URL): (from: URL, to: URL) => void {
  const originPublic = classifyHost(origin.hostname) === 'public';
  return (from, to) => {
    const kind = classifyHost(to.hostname);
    if (kind === 'public' || (!originPublic && classifyHost(from.hostname) !== 'public')) return;
    throw new RegistryError(
      'insecure',
      `${from.host} redirected a request to ${to.host}, ${describeKind(kind)}; refused: a public server has no business sending requests there.`,
    );
  };
}
