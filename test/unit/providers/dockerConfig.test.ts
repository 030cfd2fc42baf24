import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readFile } from 'node:fs/promises';
import { readDockerConfig, readDockerConfigFile, registryFromServerKey } from '../../../src/providers/dockerConfig';

const LEAKED = 'hunter2-SECRET-8f3a';
const LEAKED_JSON = 'json-SECRET-77c1';

/** A process is gone once it no longer exists or is only a zombie waiting to be reaped. */
async function gone(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat === '' || / Z /.test(stat);
}

describe('Docker config import', () => {
  let dir: string;
  const oldPath = process.env.PATH;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dockercfg-'));
    // A real credential helper program, speaking the helper protocol on stdin/stdout.
    await writeFile(
      join(dir, 'docker-credential-fake'),
      `#!/bin/sh
read server
case "$1" in
  list) echo '{"https://store-only.example.com":"bob"}' ;;
  get)
    case "$server" in
      *ecr*) echo '{"ServerURL":"'"$server"'","Username":"AWS","Secret":"ecr-helper-secret"}' ;;
      *token*) echo '{"ServerURL":"'"$server"'","Username":"<token>","Secret":"identity-from-helper"}' ;;
      *store-only*) echo '{"ServerURL":"'"$server"'","Username":"bob","Secret":"store-secret"}' ;;
      *) echo "credentials not found in native keychain" >&2; exit 1 ;;
    esac ;;
esac
`,
    );
    await chmod(join(dir, 'docker-credential-fake'), 0o755);
    // Hostile helpers: one prints a secret that is not JSON, one ignores SIGTERM (and starts a
    // child that holds its stdout open), one prints JSON with the wrong types.
    const helpers: Record<string, string> = {
      leaky: `#!/bin/sh\nread server\necho "user=bob password=${LEAKED}"\n`,
      stubborn: `#!/bin/sh\ntrap '' TERM\necho $$ > "${'$'}{0%/*}/stubborn.pid"\nsleep 60 &\necho $! > "${'$'}{0%/*}/stubborn-child.pid"\nwait\nwait\n`,
      wrongtypes: `#!/bin/sh\nread server\necho '{"ServerURL":"x","Username":5,"Secret":{"nested":"${LEAKED_JSON}"}}'\n`,
      badlist: `#!/bin/sh\nread server\ncase "$1" in list) echo 'secret-list-${LEAKED}' ;; *) exit 1 ;; esac\n`,
    };
    for (const [name, script] of Object.entries(helpers)) {
      await writeFile(join(dir, `docker-credential-${name}`), script);
      await chmod(join(dir, `docker-credential-${name}`), 0o755);
    }
    process.env.PATH = `${dir}:${oldPath}`;
  });
  after(async () => {
    process.env.PATH = oldPath;
    await rm(dir, { recursive: true, force: true });
  });

  test('server keys normalize to registry hosts', () => {
    assert.equal(registryFromServerKey('https://index.docker.io/v1/'), 'docker.io');
    assert.equal(registryFromServerKey('ghcr.io'), 'ghcr.io');
    assert.equal(registryFromServerKey('http://localhost:5000'), 'localhost:5000');
  });

  test('auths, identity tokens, credsStore and credHelpers (through a real helper program)', async () => {
    const path = join(dir, 'config.json');
    await writeFile(
      path,
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hub-pass:with-colon').toString('base64') },
          'myreg.azurecr.io': { identitytoken: 'acr-refresh' },
          'missing.example.com': {},
          'token.example.com': {},
        },
        credsStore: 'fake',
        credHelpers: { '123456789012.dkr.ecr.us-east-1.amazonaws.com': 'fake', 'gone.example.com': 'absent' },
      }),
    );
    const entries = await readDockerConfig(path);
    const by = Object.fromEntries(entries.map((e) => [e.registry, e]));
    assert.deepEqual(Object.keys(by).sort(), ['123456789012.dkr.ecr.us-east-1.amazonaws.com', 'docker.io', 'gone.example.com', 'missing.example.com', 'myreg.azurecr.io', 'store-only.example.com', 'token.example.com']);
    assert.equal(by['docker.io']!.username, 'hubuser');
    assert.equal(by['docker.io']!.password, 'hub-pass:with-colon');
    assert.equal(by['myreg.azurecr.io']!.identityToken, 'acr-refresh');
    assert.equal(by['123456789012.dkr.ecr.us-east-1.amazonaws.com']!.password, 'ecr-helper-secret');
    assert.equal(by['token.example.com']!.identityToken, 'identity-from-helper');
    assert.equal(by['store-only.example.com']!.password, 'store-secret');
    assert.match(by['missing.example.com']!.error!, /failed/);
    assert.match(by['gone.example.com']!.error!, /not installed/);
    for (const e of entries) assert.ok(!e.error?.includes('secret'), 'helper errors carry no helper output');
  });

  test('a missing config says what to do', async () => {
    await assert.rejects(readDockerConfig(join(dir, 'nope.json')), /docker login/);
  });

  test('a helper printing a secret that is not JSON: the message says so and never quotes it', async () => {
    const path = join(dir, 'leaky.json');
    await writeFile(path, JSON.stringify({ credHelpers: { 'leaky.example.com': 'leaky', 'typed.example.com': 'wrongtypes' } }));
    const { entries } = await readDockerConfigFile(path);
    const by = Object.fromEntries(entries.map((e) => [e.registry, e]));
    assert.equal(by['leaky.example.com']!.error, 'The credential helper docker-credential-leaky answered, but its output was not JSON.');
    assert.equal(by['typed.example.com']!.error, 'The credential helper docker-credential-wrongtypes sent credentials whose Username is not text.');
    assert.equal(by['leaky.example.com']!.password, undefined);
    const all = JSON.stringify(entries);
    assert.ok(!all.includes(LEAKED) && !all.includes(LEAKED_JSON) && !all.includes('nested'), 'no helper output anywhere in the result');
  });

  test('a helper that ignores SIGTERM is killed with its children, and the import returns', { timeout: 20_000 }, async () => {
    const path = join(dir, 'stubborn.json');
    await writeFile(path, JSON.stringify({ credHelpers: { 'slow.example.com': 'stubborn', '123456789012.dkr.ecr.us-east-1.amazonaws.com': 'fake' } }));
    const { entries } = await readDockerConfigFile(path, { helperTimeoutMs: 1500, helperGraceMs: 500 });
    const by = Object.fromEntries(entries.map((e) => [e.registry, e]));
    assert.equal(by['slow.example.com']!.error, 'The credential helper docker-credential-stubborn did not answer within 2 s and was stopped.');
    assert.equal(by['123456789012.dkr.ecr.us-east-1.amazonaws.com']!.password, 'ecr-helper-secret', 'the other helper still answered');
    for (const file of ['stubborn.pid', 'stubborn-child.pid']) {
      const pid = Number(await readFile(join(dir, file), 'utf8'));
      assert.ok(pid > 0);
      // SIGKILL went to the whole process group: the shell and its sleep are both gone.
      for (let i = 0; i < 50 && !(await gone(pid)); i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(await gone(pid), `${file}: process ${pid} still runs`);
    }
  });

  test('bad entries are skipped one by one, reported without their values, and the rest imports', async () => {
    const path = join(dir, 'malformed.json');
    await writeFile(
      path,
      JSON.stringify({
        auths: {
          'number.example.com': { auth: 123 },
          'null.example.com': null,
          'list.example.com': ['x'],
          'user.example.com': { username: 'alice', password: { value: LEAKED } },
          'ok.example.com': { auth: Buffer.from('bob:pw-ok').toString('base64') },
        },
        credHelpers: { 'helper.example.com': 5 },
        credsStore: 'badlist',
      }),
    );
    const { entries, skipped } = await readDockerConfigFile(path);
    assert.deepEqual(
      entries.map((e) => e.registry),
      ['ok.example.com'],
    );
    assert.equal(entries[0]!.password, 'pw-ok');
    assert.deepEqual(skipped, [
      'helper.example.com in “credHelpers”: the entry is not a helper name; skipped.',
      'number.example.com in “auths”: its auth is not text; skipped.',
      'null.example.com in “auths”: the entry is not an object; skipped.',
      'list.example.com in “auths”: the entry is not an object; skipped.',
      'user.example.com in “auths”: its password is not text; skipped.',
      'The credential helper docker-credential-badlist answered, but its output was not JSON. Registries only it knows are not shown.',
    ]);
    assert.ok(!JSON.stringify({ entries, skipped }).includes(LEAKED));
    assert.deepEqual(await readDockerConfig(path).then((e) => e.map((x) => x.registry)), ['ok.example.com'], 'the entries-only reader agrees');
  });

  test('sections of the wrong type are skipped; a file that is no object is refused in words', async () => {
    const path = join(dir, 'sections.json');
    await writeFile(path, JSON.stringify({ auths: ['a'], credHelpers: 'x', credsStore: 7 }));
    const { entries, skipped } = await readDockerConfigFile(path);
    assert.deepEqual(entries, []);
    assert.equal(skipped.length, 3);
    assert.match(skipped.join('\n'), /“auths” section .* is not an object; skipped[\s\S]*“credHelpers” section[\s\S]*“credsStore” .* is not a helper name/);
    await writeFile(path, '5');
    await assert.rejects(readDockerConfig(path), /is not a Docker config: it holds no JSON object/);
  });
});
