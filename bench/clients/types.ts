// The one interface every benchmarked client is adapted to, and the small helpers they share.
// Each run creates a fresh client (new connection pool, empty token cache), so every client
// pays its own discovery, auth and connection set-up on every run, the way a skopeo process
// necessarily does; nothing one run learns helps the next.

export interface Target {
  mode: 'plain' | 'tls-basic' | 'token';
  /** The counting proxy, `http://127.0.0.1:PORT`; every client goes through it. */
  url: string;
  /** `127.0.0.1:PORT`. */
  host: string;
  username?: string;
  password?: string;
  /** The registry's catalog.maxentries: the largest `n` it accepts. */
  maxEntries: number;
  /** Scratch folder for clients that need files (removed on exit). */
  tmpDir: string;
}

export interface ResolvedPlatform {
  platform: string;
  digest: string;
  /** From the image config: proof the config was fetched. */
  created?: string;
}

export interface ResolvedImage {
  digest?: string;
  platforms: ResolvedPlatform[];
}

export interface DatedTags {
  tags: number;
  /** Tags whose created date arrived. */
  dated: number;
  /** When the tag list itself was back (the tree shows it then; dates fill in later). */
  listedMs: number;
  /** Only the first `visible` tags in the tree's order were to be dated (this project's tree). */
  visible?: number;
}

export interface BenchClient {
  catalog(): Promise<string[]>;
  tags(repo: string): Promise<string[]>;
  /** Multi-arch: index → each runnable platform's manifest → each config. */
  resolve(repo: string, ref: string): Promise<ResolvedImage>;
  /** A tag listing plus the per-tag date lookups the client's tree starts (Microsoft: every tag; ours: the visible page). */
  tagsWithDates?(repo: string): Promise<DatedTags>;
  /** What the client itself counted, when it keeps statistics (cross-checked with the proxy). */
  selfStats?(): { requests: number; tokenFetches: number };
  close(): Promise<void>;
}

export interface ClientFactory {
  /** Short id for JSON. */
  key: string;
  /** Name for the table. */
  name: string;
  /** Its clients implement tagsWithDates. */
  tagsWithDates?: boolean;
  /** Resolves to a reason when the client cannot run on this machine (then its cells say n/a). */
  unavailable?(log: (s: string) => void): Promise<string | undefined>;
  create(target: Target): BenchClient;
}

/** A task the client has no way to do (skopeo has no catalog listing). Printed as "n/a". */
export class Unsupported extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'Unsupported';
  }
}

export const ACCEPT_ALL_MANIFESTS = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface IndexEntry {
  digest: string;
  mediaType?: string;
  platform?: { os: string; architecture: string; variant?: string };
}

/** Entries a person can run: BuildKit attestations (unknown/unknown) are skipped, as the project's client does. */
export function runnable(entries: IndexEntry[]): IndexEntry[] {
  return entries.filter((d) => !(d.platform?.os === 'unknown' && d.platform.architecture === 'unknown'));
}

export function platformName(p: { os?: string; architecture?: string; variant?: string } | undefined): string {
  if (!p) return 'unknown';
  return [p.os ?? 'unknown', p.architecture ?? 'unknown', ...(p.variant ? [p.variant] : [])].join('/');
}
