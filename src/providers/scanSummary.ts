// Vulnerability scan results where a registry keeps them (ECR's DescribeImages, Quay's manifest
// security endpoint): one shape for the tree, whose words keep "not scanned", "scan pending" and
// "no findings" apart, since each asks something different of the user.

export type ScanState = 'notScanned' | 'pending' | 'failed' | 'unsupported' | 'done';

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'negligible' | 'unknown';

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'];

export interface ScanSummary {
  state: ScanState;
  /** Findings per severity (`done` only); none at all is "no findings". */
  counts?: Partial<Record<Severity, number>>;
  /** Who scanned: "Amazon ECR", "Quay (Clair)". */
  scanner: string;
  completedAt?: string;
  /** The scanner's own word when it failed or refused. */
  detail?: string;
}

/** A scanner's severity word (CRITICAL, High, Moderate, INFORMATIONAL…) in our terms. */
export function severityOf(word: string): Severity {
  switch (word.toLowerCase()) {
    case 'critical':
    case 'defcon1':
      return 'critical';
    case 'high':
    case 'important':
      return 'high';
    case 'medium':
    case 'moderate':
      return 'medium';
    case 'low':
      return 'low';
    case 'negligible':
    case 'informational':
      return 'negligible';
    default:
      return 'unknown';
  }
}

/** Counts keyed by the scanner's words, summed into our severities (zeros left out). */
export function countSeverities(entries: Iterable<[word: string, count: number]>): Partial<Record<Severity, number>> {
  const counts: Partial<Record<Severity, number>> = {};
  for (const [word, n] of entries) {
    if (!Number.isSafeInteger(n) || n <= 0) continue;
    const s = severityOf(word);
    counts[s] = (counts[s] ?? 0) + n;
  }
  return counts;
}
