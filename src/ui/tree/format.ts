// How facts read at a glance in tree descriptions and tooltips. Pure: no `vscode` import, so
// unit tests run under plain Node.

export function shortDigest(digest: string | undefined): string {
  if (!digest) return '';
  const hex = digest.includes(':') ? digest.split(':')[1]! : digest;
  return hex.slice(0, 12);
}

export function formatSize(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** "3 days ago", "just now"; an unparsable date gives an empty string. */
export function formatAge(iso: string | undefined, now: number = Date.now()): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const s = Math.round((now - t) / 1000);
  if (s < 0) return 'in the future';
  if (s < 60) return 'just now';
  const steps: [number, string][] = [
    [60, 'minute'],
    [60, 'hour'],
    [24, 'day'],
    [30, 'month'],
    [12, 'year'],
  ];
  let v = s / 60;
  let unit = 'minute';
  for (let i = 1; i < steps.length && v >= steps[i]![0]; i++) {
    v /= steps[i]![0];
    unit = steps[i]![1];
  }
  const n = Math.floor(v);
  return `${n} ${unit}${n === 1 ? '' : 's'} ago`;
}

export function joinFacts(...facts: (string | undefined)[]): string {
  return facts.filter(Boolean).join(' · ');
}
