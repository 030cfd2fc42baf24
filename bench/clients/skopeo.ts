// skopeo (Debian's /usr/bin/skopeo, containers/image underneath) as a whole process per
// command, which is how scripts and other tools use it:
//   catalog  n/a: skopeo has no catalog listing;
//   tags     `skopeo list-tags docker://HOST/REPO`;
//   resolve  `skopeo inspect --raw` for the index, then one `skopeo inspect --no-tags` per
//            platform digest (manifest + config), those processes run concurrently.
// `--tls-verify=false` is what lets it use the plain-HTTP registry: it tries https first and
// falls back to http, and the proxy counts that TLS attempt as a non-HTTP connection.
// Its own auth file is an empty one in the bench's temp folder, so nothing from this machine's
// Docker or Podman login leaks in.
// Missing skopeo: as root, the bench installs Debian's package (as scripts/setup.mjs does);
// otherwise, or when that fails, skopeo's cells say n/a and why.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { platformName, runnable, Unsupported, type BenchClient, type ClientFactory, type IndexEntry, type ResolvedImage, type Target } from './types';

const run = promisify(execFile);
/** BENCH_SKOPEO overrides the path (e.g. to check how the bench reports a missing skopeo). */
export const SKOPEO = process.env.BENCH_SKOPEO || '/usr/bin/skopeo';

class Skopeo implements BenchClient {
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly t: Target) {
    const authFile = join(t.tmpDir, 'skopeo-auth.json');
    writeFileSync(authFile, '{"auths":{}}\n');
    this.env = { ...process.env, TMPDIR: t.tmpDir, REGISTRY_AUTH_FILE: authFile };
  }

  private async skopeo(args: string[]): Promise<string> {
    const creds = this.t.username !== undefined ? ['--creds', `${this.t.username}:${this.t.password ?? ''}`] : [];
    const { stdout } = await run(SKOPEO, [args[0]!, '--tls-verify=false', ...creds, ...args.slice(1)], {
      env: this.env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  }

  catalog(): Promise<string[]> {
    return Promise.reject(new Unsupported('skopeo has no catalog listing'));
  }

  async tags(repo: string): Promise<string[]> {
    const out = JSON.parse(await this.skopeo(['list-tags', `docker://${this.t.host}/${repo}`])) as { Tags?: string[] };
    return out.Tags ?? [];
  }

  async resolve(repo: string, ref: string): Promise<ResolvedImage> {
    const index = JSON.parse(await this.skopeo(['inspect', '--raw', `docker://${this.t.host}/${repo}:${ref}`])) as { manifests: IndexEntry[] };
    const platforms = await Promise.all(
      runnable(index.manifests).map(async (d) => {
        const info = JSON.parse(await this.skopeo(['inspect', '--no-tags', `docker://${this.t.host}/${repo}@${d.digest}`])) as { Created?: string; Digest?: string };
        return { platform: platformName(d.platform), digest: info.Digest ?? d.digest, created: info.Created };
      }),
    );
    return { platforms };
  }

  async close(): Promise<void> {
    // Every command was its own process, already gone.
  }
}

function works(): boolean {
  return existsSync(SKOPEO) && spawnSync(SKOPEO, ['--version'], { stdio: 'ignore' }).status === 0;
}

let availability: Promise<string | undefined> | undefined;

/** undefined when skopeo runs; otherwise why not (after trying to install it, as root). */
export function ensureSkopeo(log: (s: string) => void): Promise<string | undefined> {
  availability ??= (async () => {
    if (works()) return undefined;
    if (process.env.BENCH_SKOPEO) return `${SKOPEO} (BENCH_SKOPEO) does not run`;
    if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) return `${SKOPEO} is not installed (Debian package \`skopeo\`: run \`sudo apt-get install skopeo\` or \`node scripts/setup.mjs\`)`;
    log('bench: skopeo is missing; installing the Debian package `skopeo`…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = (): number | null => spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'skopeo'], { stdio: ['ignore', 'ignore', 'pipe'], env }).status;
    if (install() !== 0) {
      spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
      install();
    }
    if (works()) {
      log('bench: skopeo installed');
      return undefined;
    }
    return `${SKOPEO} is not installed and \`apt-get install skopeo\` failed`;
  })();
  return availability;
}

export const skopeo: ClientFactory = {
  key: 'skopeo',
  name: 'skopeo (process per command)',
  unavailable: ensureSkopeo,
  create: (t) => new Skopeo(t),
};
