// Starts the real Debian docker-registry (distribution 2.8.2) as a child process on a free
// loopback port, in one of three modes: plain HTTP, HTTPS + htpasswd Basic, or token auth
// against our token server. Children and temp dirs are also removed on process exit.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { makeSelfSignedCert } from './certs';
import { onExit, removeDirSync } from './cleanup';
import { freePort } from './ports';
import { Pusher } from './push';
import { startTokenServer, type RunningTokenServer, type TokenServerOptions } from './tokenServer';

export type RegistryMode = 'plain' | 'tls-basic' | 'token';

export interface StartRegistryOptions {
  mode: RegistryMode;
  /** catalog.maxentries; default 1000. */
  maxEntries?: number;
  /** Default 'tester'. */
  username?: string;
  /** Default 'S3cret-<16 hex>', recognisable in logs. */
  password?: string;
  /** Token mode: options for startTokenServer (username/password are added to users). */
  tokenServer?: TokenServerOptions;
}

export interface RunningRegistry {
  mode: RegistryMode;
  url: string;
  host: string;
  username?: string;
  password?: string;
  caPem?: string;
  caFile?: string;
  tokenServer?: RunningTokenServer;
  dataDir: string;
  pusher: Pusher;
  /** The registry's captured stderr (last 256 KiB), for diagnostics. */
  logs(): string;
  stop(): Promise<void>;
}

const REGISTRY_BIN = '/usr/bin/docker-registry';
const READY_TIMEOUT_MS = 10_000;
const POLL_MS = 20;
const LOG_CAP = 256 * 1024;

const run = promisify(execFile);

async function htpasswdLine(user: string, password: string): Promise<string> {
  // Cost 4 (bcrypt's minimum): the registry checks the hash on every request, and at the
  // default cost that doubles the time to seed thousands of manifests.
  const { stdout } = await run('htpasswd', ['-Bbn', '-C', '4', user, password]);
  return stdout.trim() + '\n';
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

interface Child {
  proc: ChildProcess;
  logs(): string;
  exited: Promise<number | null>;
}

function spawnRegistry(configFile: string): Child {
  const proc = spawn(REGISTRY_BIN, ['serve', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const append = (c: Buffer): void => {
    log += c.toString('utf8');
    if (log.length > LOG_CAP) log = log.slice(-LOG_CAP);
  };
  proc.stdout?.on('data', append);
  proc.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => resolve(code));
    proc.once('error', (e) => {
      append(Buffer.from(`spawn error: ${e.message}\n`));
      resolve(-1);
    });
  });
  return { proc, logs: () => log, exited };
}

/** Any HTTP answer on /v2/ (200 or 401) means the registry is serving. */
async function waitReady(url: string, agent: Agent, child: Child): Promise<'ready' | 'exited' | 'timeout'> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited = false;
  void child.exited.then(() => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (exited) return 'exited';
    try {
      const res = await request(`${url}/v2/`, { dispatcher: agent, headersTimeout: 1000, bodyTimeout: 1000 });
      await res.body.dump();
      return 'ready';
    } catch {
      await sleep(POLL_MS);
    }
  }
  return 'timeout';
}

/**
 * Registry storage lives on tmpfs when there is one: on this machine's ext4 the registry
 * spends half its CPU in the kernel, and seeding 2,000 repositories takes 2-3x as long.
 * REGX_TESTBED_TMP overrides the choice.
 */
function scratchRoot(): string {
  const forced = process.env.REGX_TESTBED_TMP;
  if (forced) return forced;
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

export async function startRegistry(opts: StartRegistryOptions): Promise<RunningRegistry> {
  const mode = opts.mode;
  const root = mkdtempSync(join(scratchRoot(), 'regx-registry-'));
  const unregisterDir = onExit(() => removeDirSync(root));
  const dataDir = join(root, 'data');
  const username = opts.username ?? 'tester';
  const password = opts.password ?? `S3cret-${randomBytes(8).toString('hex')}`;
  const authed = mode !== 'plain';

  let tokenServer: RunningTokenServer | undefined;
  let caPem: string | undefined;
  let caFile: string | undefined;
  const auth: Record<string, unknown> = {};
  const tls: Record<string, unknown> = {};
  try {
    if (mode === 'tls-basic') {
      // EC: key generation is instant, where RSA costs 50-200 ms per registry.
      const cert = await makeSelfSignedCert(root, { name: 'registry', keyType: 'ec' });
      caPem = cert.certPem;
      caFile = cert.certFile;
      tls.tls = { certificate: cert.certFile, key: cert.keyFile };
      const htpasswd = join(root, 'htpasswd');
      writeFileSync(htpasswd, await htpasswdLine(username, password));
      auth.htpasswd = { realm: 'basic-realm', path: htpasswd };
    } else if (mode === 'token') {
      const tsOpts = opts.tokenServer ?? {};
      tokenServer = await startTokenServer({ ...tsOpts, users: { ...(tsOpts.users ?? {}), [username]: password } });
      auth.token = {
        realm: tokenServer.realm,
        service: tokenServer.service,
        issuer: tokenServer.issuer,
        rootcertbundle: tokenServer.certFile,
      };
    }
  } catch (e) {
    await tokenServer?.stop();
    unregisterDir();
    await rm(root, { recursive: true, force: true });
    throw e;
  }

  const scheme = mode === 'tls-basic' ? 'https' : 'http';
  const agent = new Agent(caPem !== undefined ? { connect: { ca: caPem } } : {});
  let lastLogs = '';
  // freePort() can race with other test processes; a bind failure just means try another port.
  for (let attempt = 0; attempt < 4; attempt++) {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const config = {
      version: '0.1',
      log: { level: 'warn', accesslog: { disabled: true } },
      storage: { filesystem: { rootdirectory: dataDir }, delete: { enabled: true } },
      http: { addr: host, secret: randomBytes(16).toString('hex'), ...tls },
      catalog: { maxentries: opts.maxEntries ?? 1000 },
      ...(Object.keys(auth).length > 0 ? { auth } : {}),
    };
    // JSON is YAML, and spares us quoting rules.
    const configFile = join(root, 'config.yml');
    writeFileSync(configFile, JSON.stringify(config, null, 2));

    const child = spawnRegistry(configFile);
    const unregisterChild = onExit(() => {
      child.proc.kill('SIGKILL');
    });
    const url = `${scheme}://${host}`;
    const state = await waitReady(url, agent, child);
    if (state === 'ready') {
      const pusher = new Pusher({
        url,
        ca: caPem,
        ...(authed ? { username, password } : {}),
        tokenServer,
      });
      let stopped = false;
      return {
        mode,
        url,
        host,
        ...(authed ? { username, password } : {}),
        ...(caPem !== undefined ? { caPem, caFile } : {}),
        ...(tokenServer ? { tokenServer } : {}),
        dataDir,
        pusher,
        logs: child.logs,
        async stop() {
          if (stopped) return;
          stopped = true;
          await pusher.close();
          await agent.close();
          if (child.proc.exitCode === null && child.proc.signalCode === null) {
            child.proc.kill('SIGTERM');
            const done = await Promise.race([child.exited.then(() => true), sleep(3000).then(() => false)]);
            if (!done) {
              child.proc.kill('SIGKILL');
              await child.exited;
            }
          }
          unregisterChild();
          await tokenServer?.stop();
          unregisterDir();
          await rm(root, { recursive: true, force: true });
        },
      };
    }
    child.proc.kill('SIGKILL');
    await child.exited;
    unregisterChild();
    lastLogs = child.logs();
    if (state === 'timeout' || !/address already in use/i.test(lastLogs)) {
      await agent.close();
      await tokenServer?.stop();
      unregisterDir();
      await rm(root, { recursive: true, force: true });
      const why = state === 'timeout' ? `did not answer GET /v2/ within ${READY_TIMEOUT_MS} ms` : 'exited before it was ready';
      throw new Error(`docker-registry (${mode}) ${why}. stderr:\n${lastLogs}`);
    }
  }
  await agent.close();
  await tokenServer?.stop();
  unregisterDir();
  await rm(root, { recursive: true, force: true });
  throw new Error(`docker-registry (${mode}) could not bind a free port. stderr:\n${lastLogs}`);
}
