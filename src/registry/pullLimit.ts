// Docker Hub's pull limit, as its registry states it on every manifest response:
// `ratelimit-limit: 100;w=21600` and `ratelimit-remaining: 76;w=21600` (pulls per window of
// seconds). Read from a HEAD, which Hub does not count as a pull, before a copy that will
// spend pulls (one GET per manifest).

import type { RegistryClient } from './client';
import { MANIFEST_ACCEPT } from './manifest';

export interface PullLimit {
  remaining: number;
  limit?: number;
  /** The window the numbers apply to, in seconds. */
  windowSeconds?: number;
}

/** `76;w=21600` → 76 and 21600; anything else → undefined (a header we cannot read says nothing). */
export function parseRateLimitHeader(value: string | undefined): { count: number; windowSeconds?: number } | undefined {
  const m = /^\s*(\d{1,9})\s*(?:;\s*w\s*=\s*(\d{1,9}))?\s*$/.exec(value ?? '');
  if (!m) return undefined;
  return { count: Number(m[1]), ...(m[2] !== undefined ? { windowSeconds: Number(m[2]) } : {}) };
}

/** The pulls left for these credentials, or undefined when the registry does not say. */
export async function pullLimit(client: RegistryClient, repository: string, reference: string, signal?: AbortSignal): Promise<PullLimit | undefined> {
  const res = await client.exchange({ method: 'HEAD', path: `/v2/${repository}/manifests/${reference}`, accept: MANIFEST_ACCEPT, signal });
  const remaining = parseRateLimitHeader(res.headers.get('ratelimit-remaining'));
  if (!remaining) return undefined;
  const limit = parseRateLimitHeader(res.headers.get('ratelimit-limit'));
  const windowSeconds = remaining.windowSeconds ?? limit?.windowSeconds;
  return { remaining: remaining.count, ...(limit ? { limit: limit.count } : {}), ...(windowSeconds !== undefined ? { windowSeconds } : {}) };
}
