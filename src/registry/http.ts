// The small request/response shape every transport layer speaks. Bodies are buffered with a
// cap: registry API responses (catalog pages, manifests, config blobs, tokens) are small, and
// a cap is what keeps a hostile or broken server from filling memory. Blob copies are the one
// exception, both ways: `upload` sends a body as it comes and `streamBody` hands back a 2xx
// body unread, so a layer of any size passes through in bounded memory.

import type { Readable } from 'node:stream';

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  /** Always replayable (string/Buffer), so retries and redirects may resend it. */
  body?: string | Buffer;
  /**
   * A body sent once, as it is read (a blob streamed from another registry). It cannot be
   * replayed: never retried, never followed through a redirect, never resent after a 401.
   */
  upload?: Readable;
  /** Hand a 2xx body back unread, as `stream` (other statuses are buffered as usual). */
  streamBody?: boolean;
  signal?: AbortSignal;
  /** Largest body accepted; larger fails with a protocol error. */
  maxBodyBytes?: number;
  /** Time allowed for the whole exchange, headers to last byte (default DEFAULT_DEADLINE_MS). */
  deadlineMs?: number;
}

export interface HttpResponse {
  status: number;
  /** Header names lower-cased; repeated headers joined per `getAll`. */
  headers: ResponseHeaders;
  /** The URL that answered (after redirects). */
  url: URL;
  body: Buffer;
  /** The unread 2xx body of a `streamBody` request; its deadline runs until it closes. */
  stream?: Readable;
}

export type RoundTripper = (req: HttpRequest) => Promise<HttpResponse>;

export class ResponseHeaders {
  private readonly map = new Map<string, string[]>();

  constructor(raw: Record<string, string | string[] | undefined> = {}) {
    for (const [k, v] of Object.entries(raw)) {
      if (v === undefined) continue;
      this.map.set(k.toLowerCase(), Array.isArray(v) ? v : [v]);
    }
  }

  get(name: string): string | undefined {
    return this.map.get(name.toLowerCase())?.[0];
  }

  getAll(name: string): string[] {
    return this.map.get(name.toLowerCase()) ?? [];
  }
}

export const DEFAULT_MAX_BODY = 16 * 1024 * 1024;

/**
 * The read timeout only bounds silence; a server sending a byte every few seconds never trips
 * it. This bounds the whole exchange: a 16 MB body at a quarter of a MB per second fits.
 */
export const DEFAULT_DEADLINE_MS = 60_000;

export function withHeader(req: HttpRequest, name: string, value: string | undefined): HttpRequest {
  const headers = { ...req.headers };
  for (const k of Object.keys(headers)) if (k.toLowerCase() === name.toLowerCase()) delete headers[k];
  if (value !== undefined) headers[name] = value;
  return { ...req, headers };
}

export function header(req: HttpRequest, name: string): string | undefined {
  const key = Object.keys(req.headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : req.headers[key];
}
