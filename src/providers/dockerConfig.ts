// Import from Docker's config (~/.docker/config.json): the registries `docker login` knows,
// with credentials from `auths` (base64 user:password, or an identity token), from the global
// `credsStore`, or from per-registry `credHelpers` — the helpers are the real
// `docker-credential-NAME` programs, called with the server on stdin as Docker does.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { normalizeRegistryHost } from '../registry/reference';
import { describeIssues, issuePath, issueProblem, wireObject } from '../registry/wire';

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

/** What reading the config gives: the registries, and what was left out and why (no values). */
export interface DockerConfigReading {
  entries: DockerConfigEntry[];
  /** One plain sentence per entry or section that could not be used. */
  skipped: string[];
}

export interface DockerConfigOptions {
  /** Most a credential helper may take, from start to being killed; default 10 s. */
  helperTimeoutMs?: number;
  /** How long before that it is asked to stop (SIGTERM) before it is killed (SIGKILL); default 2 s. */
  helperGraceMs?: number;
}

// The config file, section by section: a bad section or entry is skipped on its own, so one
// odd line (`"auth": 123`) does not cost the user every other registry.
const fileSchema = wireObject({});
const sectionSchema = v.record(v.string(), v.unknown());
const authEntrySchema = wireObject({
  auth: v.optional(v.string()),
  username: v.optional(v.string()),
  password: v.optional(v.string()),
  identitytoken: v.optional(v.string()),
});

// What a helper prints (docker-credential-helpers' protocol).
const helperGetSchema = wireObject({ Username: v.optional(v.string()), Secret: v.string() });
const helperListSchema = v.record(v.string(), v.unknown());

/** The first problem `schema` finds in `value`, in words ("its auth is not text"); undefined when fine. */
function problemWith(schema: v.GenericSchema, value: unknown): string | undefined {
  const r = v.safeParse(schema, value);
  if (r.success) return undefined;
  const path = issuePath(r.issues[0]);
  return `${path ? `its ${path}` : 'the entry'} ${issueProblem(r.issues[0])}`;
}

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
}

/** `https://index.docker.io/v1/` → `docker.io`; `https://ghcr.io` → `ghcr.io`. */
export function registryFromServerKey(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').split('/')[0] ?? key;
  return normalizeRegistryHost(host);
}

/** The registries in Docker's config; see `readDockerConfigFile` for what was skipped. */
export async function readDockerConfig(path = dockerConfigPath(), opts: DockerConfigOptions = {}): Promise<DockerConfigEntry[]> {
  return (await readDockerConfigFile(path, opts)).entries;
}

export async function readDockerConfigFile(path = dockerConfigPath(), opts: DockerConfigOptions = {}): Promise<DockerConfigReading> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `No Docker config at ${path}. Run “docker login” first, or connect a registry by hand.` : `${path} could not be read: ${code ?? 'it is not valid JSON'}.`);
  }
  if (!v.is(fileSchema, json)) throw new Error(`${path} is not a Docker config: it holds no JSON object. Run “docker login” to write a new one.`);
  const skipped: string[] = [];
  const section = (name: 'auths' | 'credHelpers'): Record<string, unknown> => {
    const value = json[name];
    if (value === undefined) return {};
    if (v.is(sectionSchema, value) && typeof value === 'object' && !Array.isArray(value)) return value;
    skipped.push(`The “${name}” section of ${path} is not an object; skipped.`);
    return {};
  };
  const auths = section('auths');
  const helpers: Record<string, string> = {};
  for (const [key, helper] of Object.entries(section('credHelpers'))) {
    if (typeof helper === 'string' && helper) helpers[key] = helper;
    else skipped.push(`${key} in “credHelpers”: the entry is not a helper name; skipped.`);
  }
  let credsStore: string | undefined;
  if (typeof json.credsStore === 'string' && json.credsStore) credsStore = json.credsStore;
  else if (json.credsStore !== undefined && json.credsStore !== '') skipped.push(`The “credsStore” of ${path} is not a helper name; skipped.`);

  const byRegistry = new Map<string, DockerConfigEntry>();
  const helperFor = (key: string): string | undefined => helpers[key] ?? helpers[registryFromServerKey(key)];

  for (const [key, raw] of Object.entries(auths)) {
    const problem = problemWith(authEntrySchema, raw);
    if (problem) {
      skipped.push(`${key} in “auths”: ${problem}; skipped.`);
      continue;
    }
    const value = raw as v.InferOutput<typeof authEntrySchema>;
    const entry: DockerConfigEntry = { registry: registryFromServerKey(key), serverKey: key, source: 'auths' };
    if (value.identitytoken) entry.identityToken = value.identitytoken;
    if (value.auth) {
      const decoded = Buffer.from(value.auth, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i > 0) {
        entry.username = decoded.slice(0, i);
        entry.password = decoded.slice(i + 1);
      } else entry.error = 'The stored “auth” value is not user:password.';
    } else if (value.username) {
      entry.username = value.username;
      if (value.password) entry.password = value.password;
    }
    if (!entry.password && !entry.identityToken && !helperFor(key) && credsStore) {
      entry.source = 'credsStore';
      entry.helper = credsStore;
    }
    byRegistry.set(entry.registry, entry);
  }
  for (const [key, helper] of Object.entries(helpers)) {
    const registry = registryFromServerKey(key);
    byRegistry.set(registry, { registry, serverKey: key, source: 'credHelpers', helper });
  }
  if (credsStore) {
    // The store may know registries that `auths` does not list. Many helpers cannot list: a
    // failure here is quiet, an answer we cannot read is reported.
    const listed = await runHelper(credsStore, 'list', '', opts).then(
      (out) => {
        try {
          return Object.keys(parseHelperOutput(helperListSchema, out, credsStore!, 'a list'));
        } catch (e) {
          skipped.push(`${(e as Error).message} Registries only it knows are not shown.`);
          return [];
        }
      },
      () => [] as string[],
    );
    for (const key of listed) {
      const registry = registryFromServerKey(key);
      if (!byRegistry.has(registry)) byRegistry.set(registry, { registry, serverKey: key, source: 'credsStore', helper: credsStore });
    }
  }
  const entries = [...byRegistry.values()];
  await Promise.all(
    entries
      .filter((e) => e.helper && !e.password && !e.identityToken)
      .map(async (e) => {
        try {
          const out = parseHelperOutput(helperGetSchema, await runHelper(e.helper!, 'get', e.serverKey, opts), e.helper!, 'credentials');
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
  return { entries: entries.sort((a, b) => a.registry.localeCompare(b.registry)), skipped };
}

/** A helper's stdout checked against `schema`; errors say what was wrong, never what it printed. */
function parseHelperOutput<S extends v.GenericSchema>(schema: S, out: string, helper: string, what: string): v.InferOutput<S> {
  const program = `docker-credential-${helper}`;
  let json: unknown;
  try {
    json = JSON.parse(out);
  } catch {
    throw new Error(`The credential helper ${program} answered, but its output was not JSON.`);
  }
  const r = v.safeParse(schema, json);
  if (!r.success) throw new Error(`The credential helper ${program} sent ${what} ${describeIssues(r.issues)}.`);
  return r.output;
}

/** Most a helper may print: credentials are small. */
const MAX_HELPER_OUTPUT = 1024 * 1024;

/**
 * Run `docker-credential-NAME ACTION` with `input` on stdin. Bounded: SIGTERM when the grace
 * period before the deadline starts, SIGKILL (to its whole process group, so a `sleep` it
 * started cannot hold the pipe open) at the deadline, and the promise settles then whatever
 * the program does. Its output never reaches an error message, nor does its stderr.
 */
function runHelper(name: string, action: 'get' | 'list', input: string, opts: DockerConfigOptions = {}): Promise<string> {
  if (!/^[\w.-]+$/.test(name)) return Promise.reject(new Error(`“${name}” is not a valid credential helper name.`));
  const program = `docker-credential-${name}`;
  const total = opts.helperTimeoutMs ?? 10_000;
  const grace = Math.min(opts.helperGraceMs ?? 2_000, total);
  // Its own process group (not on Windows, which has none), so one signal reaches its children too.
  const group = process.platform !== 'win32';
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(program, [action], { stdio: ['pipe', 'pipe', 'ignore'], detached: group, windowsHide: true });
    } catch {
      reject(new Error(`The credential helper ${program} could not be started.`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    let stopping = false;
    const signal = (sig: NodeJS.Signals): void => {
      try {
        if (group && child.pid) process.kill(-child.pid, sig);
        else child.kill(sig);
      } catch {
        // Already gone.
      }
    };
    const settle = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(term);
      clearTimeout(kill);
      child.stdout?.destroy();
      if (error) reject(error);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const late = (): Error => new Error(`The credential helper ${program} did not answer within ${Math.round(total / 1000)} s and was stopped.`);
    const term = setTimeout(() => {
      stopping = true;
      signal('SIGTERM');
    }, total - grace);
    const kill = setTimeout(() => {
      signal('SIGKILL');
      settle(late());
    }, total);
    child.on('error', (err: NodeJS.ErrnoException) => {
      signal('SIGKILL');
      settle(new Error(err.code === 'ENOENT' ? `The credential helper ${program} is not installed or not on PATH.` : `The credential helper ${program} could not be started (${err.code ?? 'error'}).`));
    });
    child.stdout?.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_HELPER_OUTPUT) chunks.push(c);
      else {
        signal('SIGKILL');
        settle(new Error(`The credential helper ${program} printed far more than credentials (over 1 MB) and was stopped.`));
      }
    });
    child.on('close', (code, sig) => {
      if (stopping) settle(late());
      else if (code === 0) settle(undefined);
      else settle(new Error(`The credential helper ${program} failed (${code !== null ? `exit ${code}` : `killed by ${sig ?? 'a signal'}`}).`));
    });
    // A helper that exits without reading stdin must not fail the write with an unhandled EPIPE.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}
