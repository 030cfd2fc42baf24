// undici's index pulls in fetch, WebSocket, the HTTP caches and the mocks (about 450 KB of
// the bundle) that this client never uses. These are the pieces it does use, required by
// path (undici has no `exports` map, so this is supported), with the types of the public API.

import type { Agent as AgentType, Dispatcher, EnvHttpProxyAgent as EnvHttpProxyAgentType } from 'undici';

/* eslint-disable @typescript-eslint/no-require-imports */
export const Agent = require('undici/lib/dispatcher/agent.js') as typeof AgentType;
export const EnvHttpProxyAgent = require('undici/lib/dispatcher/env-http-proxy-agent.js') as typeof EnvHttpProxyAgentType;
const apiRequest = require('undici/lib/api/api-request.js') as (this: Dispatcher, opts: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;
/* eslint-enable @typescript-eslint/no-require-imports */

export type { Dispatcher };

/** `undici.request(url, opts)` without the index: one request on the given dispatcher. */
export function request(url: URL, opts: Omit<Dispatcher.RequestOptions, 'origin' | 'path'> & { dispatcher: Dispatcher }): Promise<Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = opts;
  return apiRequest.call(dispatcher, { ...rest, origin: url.origin, path: `${url.pathname}${url.search}` } as Dispatcher.RequestOptions);
}
