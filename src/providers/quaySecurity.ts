// Quay's scan of one manifest (`GET /api/v1/repository/NS/NAME/manifest/DIGEST/security`,
// Clair underneath), read by a schema and summed into the tree's severities.

import * as v from 'valibot';
import { parseWire, wireObject } from '../registry/wire';
import { countSeverities, type ScanSummary } from './scanSummary';

const SCANNER = 'Quay (Clair)';

const securitySchema = wireObject({
  status: v.string(),
  data: v.nullish(
    wireObject({
      Layer: v.nullish(
        wireObject({
          Features: v.nullish(v.array(wireObject({ Vulnerabilities: v.nullish(v.array(wireObject({ Severity: v.nullish(v.string()) }))) }))),
        }),
      ),
    }),
  ),
});

/** The summary of Quay's answer (`json`, for `what`). Unknown statuses are "not scanned". */
export function quayScanSummary(json: unknown, what: string): ScanSummary {
  const body = parseWire(securitySchema, json, 'The Quay API', `the security scan of ${what}`);
  switch (body.status) {
    case 'scanned': {
      const words: [string, number][] = [];
      for (const f of body.data?.Layer?.Features ?? []) for (const vuln of f.Vulnerabilities ?? []) words.push([vuln.Severity ?? 'Unknown', 1]);
      return { state: 'done', scanner: SCANNER, counts: countSeverities(words) };
    }
    case 'queued':
      return { state: 'pending', scanner: SCANNER };
    case 'failed':
      return { state: 'failed', scanner: SCANNER };
    case 'unsupported':
      return { state: 'unsupported', scanner: SCANNER, detail: 'Quay cannot scan this kind of image.' };
    default:
      return { state: 'notScanned', scanner: SCANNER };
  }
}
