// Test connection for providers that list through their own API (Harbor, GitLab): the API's
// step first, then one digest read from the registry, since the registry is a second door the
// same credential must open (a GitLab token without read_registry lists fine and pulls nothing).

import { errorMessage } from './messages';
import type { Connection, Page, RepositoryInfo, TestStep } from './provider';

export interface ApiTestWords {
  /** The passed listing step's label, from the first page. */
  listed(page: Page<RepositoryInfo>): string;
  /** The failed listing step's label. */
  listFailed: string;
  /** The form field a failure concerns, if any. */
  listField(e: unknown): string | undefined;
  registryField(e: unknown): string | undefined;
}

export async function apiThenRegistrySteps(conn: Connection, words: ApiTestWords, signal?: AbortSignal): Promise<TestStep[]> {
  const steps: TestStep[] = [];
  let first: string | undefined;
  try {
    const page = await conn.listRepositories(signal);
    first = page.items[0]?.name;
    steps.push({ label: words.listed(page), ok: true });
  } catch (e) {
    const field = words.listField(e);
    steps.push({ label: words.listFailed, ok: false, detail: errorMessage(e), ...(field ? { field } : {}) });
    return steps;
  }
  if (!first) return steps;
  try {
    const tag = (await conn.listTags(first, signal)).items[0]?.name;
    if (tag) {
      await conn.client.headManifest(first, tag, signal);
      steps.push({ label: `Read the digest of ${first}:${tag} from the registry`, ok: true });
    } else {
      steps.push({ label: `Listed the tags of ${first}: none yet`, ok: true });
    }
  } catch (e) {
    const field = words.registryField(e);
    steps.push({ label: `Read ${first} from the registry`, ok: false, detail: errorMessage(e), ...(field ? { field } : {}) });
  }
  return steps;
}
