// A Helm chart's config blob: Chart.yaml as JSON (`application/vnd.cncf.helm.config.v1+json`).
// Name and version are what a `dependencies:` entry needs, so a config without them is refused.

import * as v from 'valibot';
import { parseJsonText, parseWire, wireObject } from './wire';

export interface HelmChartMeta {
  name: string;
  version: string;
  appVersion?: string;
  description?: string;
  type?: string;
}

const text = v.optional(v.nullable(v.string()));

const chartConfigSchema = wireObject({
  name: v.pipe(v.string(), v.minLength(1, 'is empty')),
  version: v.pipe(v.string(), v.minLength(1, 'is empty')),
  appVersion: v.optional(v.nullable(v.union([v.string(), v.number()]))),
  description: text,
  type: text,
});

/** The chart's facts from its config blob (`digest`, sent by `host`), or a protocol error. */
export function parseHelmConfig(body: Buffer, host: string, digest: string): HelmChartMeta {
  const what = `a Helm chart config (${digest.slice(0, 19)}…)`;
  const c = parseWire(chartConfigSchema, parseJsonText(body, host, what), host, what);
  return {
    name: c.name,
    version: c.version,
    ...(c.appVersion !== undefined && c.appVersion !== null ? { appVersion: String(c.appVersion) } : {}),
    ...(c.description ? { description: c.description } : {}),
    ...(c.type ? { type: c.type } : {}),
  };
}
