// The AWS SDK's HTTP layer on the project's own undici dispatcher, so the ECR API honours
// VS Code's proxy settings and custom CAs like registry traffic does.

import type { Dispatcher } from 'undici';
import { RegistryError } from '../../registry/errors';
import { request } from '../../registry/undici';

/** The slice of Smithy's HttpRequest the handler reads (structural, so no Smithy import). */
interface SdkHttpRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

const MAX_API_BODY = 32 * 1024 * 1024;
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

/**
 * An AWS SDK request handler that sends through our dispatcher (proxy, CA, keep-alive pool,
 * timeouts). Responses are small JSON documents, so they are buffered under a cap.
 */
export function undiciRequestHandler(dispatcher: Dispatcher) {
  return {
    async handle(req: SdkHttpRequest, options?: { abortSignal?: AbortSignal | { aborted: boolean } }) {
      const url = new URL(`${req.protocol}//${req.hostname}${req.port ? `:${req.port}` : ''}${req.path}`);
      for (const [k, v] of Object.entries(req.query ?? {})) {
        if (v === null) url.searchParams.append(k, '');
        else for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, one);
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (!HOP_HEADERS.has(k.toLowerCase())) headers[k] = v;
      const signal = options?.abortSignal instanceof AbortSignal ? options.abortSignal : undefined;
      // Network errors go up as they are: the SDK's retry strategy reads their codes
      // (ECONNRESET, ETIMEDOUT…), and mapAwsError words them afterwards.
      const res = await request(url, {
        method: req.method as Dispatcher.HttpMethod,
        headers,
        body: req.body as string | Uint8Array | undefined,
        dispatcher,
        signal,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      try {
        for await (const chunk of res.body) {
          size += (chunk as Buffer).length;
          if (size > MAX_API_BODY) throw new RegistryError('protocol', `${url.host} sent a response larger than ${MAX_API_BODY} bytes.`);
          chunks.push(chunk as Buffer);
        }
      } catch (e) {
        res.body.destroy();
        throw e;
      }
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
      return { response: { statusCode: res.statusCode, headers: out, body: new Uint8Array(Buffer.concat(chunks)) } };
    },
    updateHttpClientConfig(): void {},
    httpHandlerConfigs(): Record<string, never> {
      return {};
    },
    destroy(): void {},
  };
}
