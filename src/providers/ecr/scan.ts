// ECR's scan results as DescribeImages returns them (`imageScanStatus`,
// `imageScanFindingsSummary`), basic and enhanced scanning alike, in the tree's terms.

import * as v from 'valibot';
import { wireObject } from '../../registry/wire';
import { countSeverities, type ScanSummary } from '../scanSummary';

export const imageScanStatusSchema = v.nullish(wireObject({ status: v.nullish(v.string()), description: v.nullish(v.string()) }));

export const imageScanFindingsSummarySchema = v.nullish(
  wireObject({
    findingSeverityCounts: v.nullish(v.record(v.string(), v.number())),
    imageScanCompletedAt: v.optional(v.unknown()),
  }),
);

type Status = v.InferOutput<typeof imageScanStatusSchema>;
type Findings = v.InferOutput<typeof imageScanFindingsSummarySchema>;

const SCANNER = 'Amazon ECR';

/** The summary of one image; an image ECR never scanned (no status) is "not scanned". */
export function ecrScanSummary(status: Status, findings: Findings): ScanSummary {
  const detail = status?.description ?? undefined;
  switch (status?.status) {
    case 'COMPLETE':
    case 'ACTIVE': {
      const at = findings?.imageScanCompletedAt;
      const completedAt = at instanceof Date && !Number.isNaN(at.getTime()) ? at.toISOString() : undefined;
      return { state: 'done', scanner: SCANNER, counts: countSeverities(Object.entries(findings?.findingSeverityCounts ?? {})), ...(completedAt ? { completedAt } : {}) };
    }
    case 'IN_PROGRESS':
    case 'PENDING':
      return { state: 'pending', scanner: SCANNER };
    case 'FAILED':
      return { state: 'failed', scanner: SCANNER, ...(detail ? { detail } : {}) };
    case 'UNSUPPORTED_IMAGE':
      return { state: 'unsupported', scanner: SCANNER, ...(detail ? { detail } : {}) };
    default:
      // No status, FINDINGS_UNAVAILABLE, SCAN_ELIGIBILITY_EXPIRED: nothing current to show.
      return { state: 'notScanned', scanner: SCANNER, ...(detail ? { detail } : {}) };
  }
}
