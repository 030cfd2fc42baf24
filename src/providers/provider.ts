// What every provider module says: its connect form, how a filled form becomes a stored
// connection (non-secret metadata + secrets kept apart), and how a stored connection becomes
// a live one that lists repositories and tags and hands the registry client its credentials.
// Providers never import `vscode`: they run and are tested under plain Node.

import type { RegistryClient } from '../registry/client';
import type { ProxySettings } from '../registry/dispatcher';
import type { DockerConfigEntry } from './dockerConfig';
import type { FieldError, FormValues, ProviderForm } from './form';
import type { Referrer } from '../registry/referrers';
import type { ArtifactFacts } from '../registry/artifactKind';
import type { ScanSummary } from './scanSummary';

/** Non-secret metadata: safe for globalState, settings and logs. */
export interface ConnectionConfig {
  id: string;
  provider: string;
  /** What the tree shows. */
  name: string;
  /** Registry host or URL as the user gave it: `ghcr.io`, `localhost:5000`, `https://r.example:8443`. */
  url: string;
  username?: string;
  insecure?: boolean;
  /** A CA certificate is public material, so it lives with the metadata. */
  caPem?: string;
  /** For registries without a usable catalog. */
  repositories?: string[];
  /** Provider-specific, non-secret: region, profile, namespaces… */
  options?: Record<string, string | boolean>;
}

/** Secret values by form field id; only ever in SecretStorage. */
export type ConnectionSecrets = Record<string, string>;

export interface ProviderContext {
  proxy?: ProxySettings;
  userAgent?: string;
  /** Debug logging; callers redact, providers still never pass secrets. */
  log?: (message: string) => void;
  /** Test and self-hosted overrides of the provider's API base URLs. */
  apiBaseUrls?: Record<string, string>;
}

export interface RepositoryInfo {
  name: string;
  tagCount?: number;
  updated?: string;
}

export interface TagInfo {
  name: string;
  /** Facts a provider API gives for free (ECR, Hub); otherwise fetched lazily. */
  digest?: string;
  created?: string;
  size?: number;
  /**
   * A short line of further facts the provider's API gives with the listing (Harbor: artifact
   * type, scan summary, signatures), for the tag's description or tooltip. Plain text.
   */
  note?: string;
  /** Vulnerability scan results the listing carries (ECR's DescribeImages). */
  scan?: ScanSummary;
  /** What the listing says the artifact is when not an image (registry/listedKind.ts). */
  artifact?: ArtifactFacts;
}

export interface Page<T> {
  items: T[];
  /** Fetch the next page; absent on the last page. */
  more?: (signal?: AbortSignal) => Promise<Page<T>>;
}

export interface TestStep {
  label: string;
  ok: boolean;
  detail?: string;
  /** The form field a failure concerns, when the provider knows (the wizard shows it there). */
  field?: string;
}

export interface Connection {
  readonly config: ConnectionConfig;
  /** The Registry v2 client for manifests, digests, deletes. */
  readonly client: RegistryClient;
  /** Reference prefix for images of this registry: `ghcr.io`, `localhost:5000`. */
  readonly registryHost: string;
  listRepositories(signal?: AbortSignal): Promise<Page<RepositoryInfo>>;
  listTags(repository: string, signal?: AbortSignal): Promise<Page<TagInfo>>;
  /**
   * The facts of one tag from the provider's API, for providers whose listing leaves them out
   * (GitLab: digest, created_at, total_size per tag). Optional: without it the tree reads them
   * from the registry (HEAD + config).
   */
  tagDetails?(repository: string, tag: string, signal?: AbortSignal): Promise<TagInfo>;
  /**
   * Scan results of one image from the provider's API, for providers whose listing leaves them
   * out (Quay's manifest security endpoint): asked for the tags on screen only.
   */
  scanSummary?(repository: string, digest: string, signal?: AbortSignal): Promise<ScanSummary>;
  /**
   * What refers to an image, from the provider's own API where it is cheaper than the registry's
   * (Harbor's accessories come with the listing; ECR's ListImageReferrers). Undefined: not known
   * here, ask the registry.
   */
  referrers?(repository: string, digest: string, signal?: AbortSignal): Promise<Referrer[] | undefined>;
  /**
   * Delete a repository and every image in it through the provider's API (ECR, Harbor, GitLab,
   * Docker Hub, Quay, ACR). Optional: the Registry API has no such call, so elsewhere the UI
   * offers to delete every tag instead.
   */
  deleteRepository?(repository: string, signal?: AbortSignal): Promise<void>;
  /** Ping, then catalog or a named repository; each step reported for the wizard. */
  test(signal?: AbortSignal): Promise<TestStep[]>;
  dispose(): Promise<void>;
}

export type FormResult = { ok: true; config: Omit<ConnectionConfig, 'id'>; secrets: ConnectionSecrets } | { ok: false; errors: FieldError[] };

export interface RegistryProvider {
  readonly form: ProviderForm;
  /** Host-side validation and conversion. `previous` lets an edit keep stored secrets left blank. */
  fromForm(values: FormValues, previous?: { config: ConnectionConfig; secrets: ConnectionSecrets }): FormResult;
  /** The form prefilled from a stored connection: never with secrets. */
  toForm(config: ConnectionConfig): FormValues;
  connect(config: ConnectionConfig, secrets: ConnectionSecrets, ctx: ProviderContext): Connection;
  /**
   * A connection from a `docker login` entry of this provider's registry (Import from Docker
   * config), or undefined when the entry says too little (the import then falls back to a
   * Generic v2 connection with the entry's credentials).
   */
  fromDockerConfig?(entry: DockerConfigEntry): { config: Omit<ConnectionConfig, 'id'>; secrets: ConnectionSecrets } | undefined;
}
