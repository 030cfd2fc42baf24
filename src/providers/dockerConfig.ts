// Import from Docker's config (~/.docker/config.json): the registries `docker login` knows,
// with credentials from `auths` (base64 user:password, or an identity token), from the global
// `credsStore`, or from per-registry `credHelpers` — the helpers are the real
// `docker-credential-NAME` programs, called with the server on stdin as Docker does.

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { normalizeRegistryHost } from '../registry/reference';

export interface DockerConfigEntry {
  /** Host as references use it: `docker.io`, `ghcr.io`, `localhost:5000`. */
  registry: string;
  /** The key as it appears in the config (helpers want it verbatim). */
  serverKey: string;
  source: 'auths' | 'credsStore' | 'credHelpers';
  helper?: string;
  username?: string;
  password?: string;
  identityToken?: string;
  /** Why credentials could not be read; the entry can still be imported without them. */
  error?: string;
}

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
}

/** `https://index.docker.io/v1/` → `docker.io`; `https://ghcr.io` → `ghcr.io`. */
export function registryFromServerKey(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').split('/')[0] ?? key;
  return normalizeRegistryHost(host);
}

export async function readDockerConfig(path = dockerConfigPath(), opts: { helperTimeoutMs?: number } = {}): Promise<DockerConfigEntry[]> {
  let file: DockerConfigFile;
  try {
    file = JSON.parse(await readFile(path, 'utf8')) as DockerConfigFile;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `No Docker config at ${path}. Run “docker login” first, or connect a registry by hand.` : `${path} could not be read: ${code ?? 'it is not valid JSON'}.`);
  }
  const byRegistry = new Map<string, DockerConfigEntry>();
  const helperFor = (key: string): string | undefined => file.credHelpers?.[key] ?? file.credHelpers?.[registryFromServerKey(key)];

  for (const [key, value] of Object.entries(file.auths ?? {})) {
    const entry: DockerConfigEntry = { registry: registryFromServerKey(key), serverKey: key, source: 'auths' };
    if (value?.identitytoken) entry.identityToken = value.identitytoken;
    if (value?.auth) {
      const decoded = Buffer.from(value.auth, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i > 0) {
        entry.username = decoded.slice(0, i);
        entry.password = decoded.slice(i + 1);
      } else entry.error = 'The stored “auth” value is not user:password.';
    } else if (value?.username) {
      entry.username = value.username;
      if (value.password) entry.password = value.password;
    }
    if (!entry.password && !entry.identityToken && !helperFor(key) && file.credsStore) {
      entry.source = 'credsStore';
      entry.helper = file.credsStore;
    }
    byRegistry.set(entry.registry, entry);
  }
  for (const [key, helper] of Object.entries(file.credHelpers ?? {})) {
    const registry = registryFromServerKey(key);
    byRegistry.set(registry, { registry, serverKey: key, source: 'credHelpers', helper });
  }
  if (file.credsStore) {
    // The store may know registries that `auths` does not list.
    const listed = await runHelper(file.credsStore, 'list', '', opts.helperTimeoutMs).then(
      (out) => Object.keys(JSON.parse(out) as Record<string, string>),
      () => [] as string[],
    );
    for (const key of listed) {
      const registry = registryFromServerKey(key);
      if (!byRegistry.has(registry)) byRegistry.set(registry, { registry, serverKey: key, source: 'credsStore', helper: file.credsStore });
    }
  }
  const entries = [...byRegistry.values()];
  await Promise.all(
    entries
      .filter((e) => e.helper && !e.password && !e.identityToken)
      .map(async (e) => {
        try {
          const out = JSON.parse(await runHelper(e.helper!, 'get', e.serverKey, opts.helperTimeoutMs)) as { Username?: string; Secret?: string };
          if (out.Username === '<token>') e.identityToken = out.Secret;
          else {
            e.username = out.Username;
            e.password = out.Secret;
          }
        } catch (err) {
          e.error = (err as Error).message;
        }
      }),
  );
  return entries.sort((a, b) => a.registry.localeCompare(b.registry));
}

/** Run `docker-credential-NAME ACTION` with `input` on stdin; its output never reaches an error message. */
function runHelper(name: string, action: 'get' | 'list', input: string, timeoutMs = 10_000): Promise<string> {
  if (!/^[\w.-]+$/.test(name)) return Promise.reject(new Error(`“${name}” is not a valid credential helper name.`));
  const program = `docker-credential-${name}`;
  return new Promise((resolve, reject) => {
    const child = execFile(program, [action], { timeout: timeoutMs, maxBuffer: 1024 * 1024 }, (err, stdout) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        reject(new Error(code === 'ENOENT' ? `The credential helper ${program} is not installed or not on PATH.` : `The credential helper ${program} failed (${err.killed ? 'timed out' : `exit ${String(code ?? err.message.split('\n')[0])}`}).`));
        return;
      }
      resolve(stdout);
    });
    child.stdin?.end(input);
  });
}
