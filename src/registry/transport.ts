// The bottom layer: one HTTP exchange on undici, body buffered under a cap, and every
// low-level failure turned into a RegistryError a person can act on. Each exchange has a
// deadline as well as the pool's idle timeouts. It follows no redirects and knows nothing of
// auth; the layers above do that.

import { PassThrough } from 'node:stream';
import { request, type Dispatcher } from './undici';
import { RegistryError } from './errors';
import { DEFAULT_DEADLINE_MS, DEFAULT_MAX_BODY, ResponseHeaders, type HttpRequest, type HttpResponse, type RoundTripper } from './http';

export function baseTransport(dispatcher: Dispatcher, userAgent: string): RoundTripper {
  const exchange = bodyExchange(dispatcher, userAgent);
  return async (req: HttpRequest): Promise<HttpResponse> => {
    if (req.signal?.aborted) throw new RegistryError('cancelled', 'The request was cancelled.');
    const deadlineMs = req.deadlineMs ?? DEFAULT_DEADLINE_MS;
    // One controller for the caller's cancellation and the deadline, unlinked when done: a
    // listing's signal outlives thousands of requests and must not collect a listener each.
    const ac = new AbortController();
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      ac.abort();
    }, deadlineMs);
    const cancel = (): void => ac.abort();
    req.signal?.addEventListener('abort', cancel, { once: true });
    const done = (): void => {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', cancel);
    };
    // The caller's cancellation wins over the deadline when both happened.
    const mapped = (e: unknown): RegistryError =>
      late && !req.signal?.aborted && !(e instanceof RegistryError) ? deadlineError(req, deadlineMs, e) : mapNetworkError(e, req);
    let res: HttpResponse;
    try {
      res = await exchange(req, ac.signal);
    } catch (e) {
      done();
      throw mapped(e);
    }
    if (!res.stream) {
      done();
      return res;
    }
    // A streamed body keeps the deadline and the caller's cancellation until it closes, and
    // fails with the same errors a buffered one would.
    const raw = res.stream;
    const out = new PassThrough({ highWaterMark: 256 * 1024 });
    raw.on('error', (e) => out.destroy(mapped(e)));
    out.on('close', () => {
      done();
      if (!raw.destroyed) raw.destroy();
    });
    raw.pipe(out);
    return { ...res, stream: out };
  };
}

/** The request and its body under the cap; failures are thrown as they come. */
function bodyExchange(dispatcher: Dispatcher, userAgent: string) {
  return async (req: HttpRequest, signal: AbortSignal): Promise<HttpResponse> => {
    const res = await request(req.url, {
      method: req.method,
      headers: { 'user-agent': userAgent, ...req.headers },
      body: req.upload ?? req.body,
      dispatcher,
      signal,
      // undici closes the connection after every HEAD (in case a server sends a body anyway),
      // and the tree HEADs each tag on screen: on an https registry that was a TLS handshake
      // per tag. Registries answer HEAD as HTTP says; keep the connection.
      ...(req.method === 'HEAD' ? { reset: false } : {}),
    });
    if (req.streamBody && res.statusCode >= 200 && res.statusCode < 300 && req.method !== 'HEAD') {
      return { status: res.statusCode, headers: new ResponseHeaders(res.headers as Record<string, string | string[]>), url: req.url, body: Buffer.alloc(0), stream: res.body };
    }
    const limit = req.maxBodyBytes ?? DEFAULT_MAX_BODY;
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > limit) {
        throw new RegistryError('protocol', `${req.url.host} sent a response of ${declared} bytes, more than the ${limit} allowed.`);
      }
      if (req.method !== 'HEAD') {
        for await (const chunk of res.body) {
          size += (chunk as Buffer).length;
          if (size > limit) {
            throw new RegistryError('protocol', `${req.url.host} sent a response larger than the ${limit} bytes allowed.`);
          }
          chunks.push(chunk as Buffer);
        }
      }
    } catch (e) {
      res.body.destroy();
      throw e;
    } finally {
      if (req.method === 'HEAD') await res.body.dump().catch(() => undefined);
    }
    return {
      status: res.statusCode,
      headers: new ResponseHeaders(res.headers as Record<string, string | string[]>),
      url: req.url,
      body: Buffer.concat(chunks),
    };
  };
}

function deadlineError(req: HttpRequest, ms: number, cause: unknown): RegistryError {
  const seconds = ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${ms} ms`;
  return new RegistryError(
    'timeout',
    `${req.url.host} did not finish answering within ${seconds}; the request was stopped. The registry or the network may be overloaded: try again later.`,
    { cause, code: 'DEADLINE' },
  );
}

const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

function errorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && !code.startsWith('UND_ERR_')) return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return (e as { code?: string })?.code;
}

export function mapNetworkError(e: unknown, req: HttpRequest): RegistryError {
  if (e instanceof RegistryError) return e;
  const host = req.url.host;
  const name = (e as { name?: string })?.name;
  const code = errorCode(e);
  const text = String((e as Error)?.message ?? e);
  if (req.signal?.aborted || name === 'AbortError' || code === 'ABORT_ERR') {
    return new RegistryError('cancelled', 'The request was cancelled.', { cause: e });
  }
  if (code && TLS_TRUST_CODES.has(code)) {
    return new RegistryError(
      'tls',
      `The certificate of ${host} is not trusted (${code}). Add its CA certificate to the connection, or mark the registry insecure if you trust this network.`,
      { cause: e },
    );
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new RegistryError('tls', `The certificate of ${host} is outside its validity period (${code}).`, { cause: e });
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new RegistryError('tls', `The certificate of ${host} is not issued for that host name. Connect with the name the certificate names, or mark the registry insecure.`, { cause: e });
  }
  if (code === 'EPROTO' || /wrong version number|packet length too long/i.test(text)) {
    return new RegistryError('tls', `${host} did not answer with TLS. If it serves plain HTTP, connect with http:// (allowed automatically for localhost; elsewhere mark the registry insecure).`, { cause: e, code: 'NOT_TLS' });
  }
  if (name === 'ConnectTimeoutError' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new RegistryError('timeout', `Connecting to ${host} timed out. Check the address, your network, or the proxy settings.`, { cause: e });
  }
  if (name === 'HeadersTimeoutError' || name === 'BodyTimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new RegistryError('timeout', `${host} stopped answering (read timeout). Try again; if it persists the registry may be overloaded.`, { cause: e });
  }
  if (code === 'ECONNREFUSED') {
    return new RegistryError('network', `${host} refused the connection. Is the registry running, and is the port right?`, { cause: e });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new RegistryError('network', `The host name ${req.url.hostname} could not be resolved. Check the spelling and your DNS or VPN.`, { cause: e });
  }
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || name === 'SocketError' || /other side closed|premature|terminated/i.test(text)) {
    return new RegistryError('network', `The connection to ${host} closed before the response was complete.`, { cause: e });
  }
  return new RegistryError('network', `Could not reach ${host}: ${text.replace(/https?:\/\/[^@\s]+@/g, 'https://')}`, { cause: e });
}
