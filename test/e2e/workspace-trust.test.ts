// A hostile workspace in a real VS Code: its .vscode/settings.json points every provider API
// endpoint (`apiEndpoints`, every key), the proxy, and settings-defined registries named like the
// user's own connections (`insecure: true`) at a listener of ours, which answers every request
// with an invitation to send credentials (401 + Basic/Bearer challenges). The user has real
// connections with secrets (a TLS registry, Docker Hub through its fake, GitHub, Quay,
// DigitalOcean, Azure, ECR). test/host/workspaceTrust.suite.ts uses them all inside the
// extension host; then we prove the listener received no credential in any form, and that
// nothing the server wrote holds a secret. Opened untrusted (Restricted Mode,
// test/host/restrictedMode.suite.ts), the extension works on the user's registries and uses
// nothing of the workspace's settings.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, seedStandardImages, startHostile, startRegistry, type HostileServer, type RunningRegistry } from '../support';
import { startFakeDockerHub, type FakeDockerHub } from '../support/fakes/dockerhub';
import { e2eSkipReason } from './support/codeServer';
import { fileContents } from './support/files';
import { runHostTests } from './support/hostTests';

const skip = e2eSkipReason();

const HUB_USER = 'alice';
const SECRETS: Record<string, string> = {
  generic: '', // the TLS registry's generated password, filled in before()
  dockerhub: 'dckr_pat_Trust-Hub-Secret-5e0b2c71',
  ghcr: 'ghp_TrustGitHubPat0123456789abcdefABCDEF',
  quay: 'QuayTrustOauthToken-9f8e7d6c5b4a',
  digitalocean: 'dop_v1_trust0123456789abcdef0123456789abcdef',
  acr: 'AcrTrustAdminPassword+7/x=',
  ecr: 'Trust/Ecr+SecretAccessKey/0123456789abcd',
};
const API_KEYS = ['ecr', 'ecr-registry', 'google-token', 'artifactregistry', 'google-registry', 'dockerhub', 'dockerhub-registry', 'ghcr', 'ghcr-registry', 'acr', 'digitalocean', 'digitalocean-registry', 'quay'];

/** Every form a secret could take on the wire: as is, URL-encoded, base64 alone and inside user:secret. */
function wireForms(secret: string, users: string[]): string[] {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return [secret, encodeURIComponent(secret), b64(secret), ...users.map((u) => b64(`${u}:${secret}`))];
}

describe('a hostile workspace in the real extension host', { skip, concurrency: false }, () => {
  let tls: RunningRegistry;
  let plain: RunningRegistry;
  let hubRegistry: RunningRegistry;
  let hub: FakeDockerHub;
  let hostile: HostileServer;
  let gone: string;
  const temp: string[] = [];

  before(async () => {
    [tls, plain, hubRegistry] = await Promise.all([
      startRegistry({ mode: 'tls-basic' }),
      startRegistry({ mode: 'plain' }),
      startRegistry({ mode: 'token', username: HUB_USER, password: SECRETS.dockerhub!, tokenServer: { service: 'registry.docker.io', anonymousPull: true } }),
    ]);
    SECRETS.generic = tls.password!;
    await Promise.all([seedStandardImages(tls), plain.pusher.pushImage('alpine', '3.19', { layerBytes: [300] }), hubRegistry.pusher.pushImage(`${HUB_USER}/webapp`, ['1.0', 'latest'], { layerBytes: [500] })]);
    hub = await startFakeDockerHub({ registry: hubRegistry });
    // Every request is asked for credentials: a client that had any to give would give them.
    hostile = await startHostile((req, res) => {
      const challenge = req.url?.startsWith('/v2/') ? 'Basic realm="hostile"' : `Bearer realm="${hostile.url}/token",service="hostile"`;
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': challenge });
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"send credentials"}],"message":"Bad credentials"}');
    });
    gone = `http://127.0.0.1:${await freePort()}`;
  });
  after(async () => {
    await Promise.all([hub?.stop(), hostile?.stop()]);
    await Promise.all([tls?.stop(), plain?.stop(), hubRegistry?.stop()]);
    for (const d of temp) rmSync(d, { recursive: true, force: true });
  });

  /** A folder whose .vscode/settings.json points everything that decides where secrets go at the listener. */
  function hostileWorkspace(): string {
    const workspace = mkdtempSync(join(tmpdir(), 'regx-hostile-ws-'));
    temp.push(workspace);
    const host = hostile.url.replace(/^http:\/\//, '');
    mkdirSync(join(workspace, '.vscode'));
    const workspaceSettings = {
      'registryExplorer.apiEndpoints': Object.fromEntries(API_KEYS.map((k) => [k, hostile.url])),
      'registryExplorer.registries': [
        // The names of the user's connections, another address, insecure.
        { name: 'Secure', url: hostile.url, insecure: true, username: tls.username },
        { name: 'Team', url: `${hostile.url}/team`, insecure: true, username: tls.username },
        // The user's own settings registry's exact address, insecure and under another provider.
        { name: 'Team', url: tls.url, insecure: true },
        { name: 'Team', url: tls.url, insecure: true, provider: 'ghcr' },
        // Every provider pointed at the listener, with the user's user names.
        ...['dockerhub', 'ghcr', 'quay', 'acr', 'digitalocean', 'ecr', 'google'].map((provider) => ({ name: provider === 'dockerhub' ? 'Hub' : provider, provider, url: host, username: provider === 'dockerhub' ? HUB_USER : 'acme', insecure: true })),
      ],
      'http.proxy': hostile.url,
      'http.proxyStrictSSL': false,
      'registryExplorer.pinnedDigestCheck': true,
    };
    writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify(workspaceSettings, null, 2));
    return workspace;
  }

  test('every endpoint the workspace sets points at a listener that receives no credential', { timeout: 300_000 }, async () => {
    const workspace = hostileWorkspace();

    const hits: string[] = [];
    const r = await runHostTests({
      suites: ['workspaceTrust'],
      workspace,
      timeoutMs: 280_000,
      env: {
        HOSTILE_URL: hostile.url,
        TRUST_SECRETS: JSON.stringify(SECRETS),
        TLS_URL: tls.url,
        TLS_USER: tls.username!,
        TLS_CA: tls.caPem!,
        HUB_USER,
        HUB_API_URL: hub.apiUrl,
      },
      settings: {
        // The user's own endpoints: Docker Hub's fake; every other service unreachable.
        'registryExplorer.apiEndpoints': { ...Object.fromEntries(API_KEYS.map((k) => [k, gone])), dockerhub: hub.apiUrl, 'dockerhub-registry': hub.registryUrl },
        'registryExplorer.registries': [{ name: 'Team', url: tls.url }],
      },
      inspectServer: (home) => {
        for (const [f, bytes] of fileContents(home, workspace)) {
          for (const [p, s] of Object.entries(SECRETS)) if (bytes.includes(s)) hits.push(`${p} in ${f}`);
        }
      },
    });
    const detail = `${r.output}\n${r.failures.map((f) => `${f.title}\n${f.error}`).join('\n')}`;
    assert.equal(r.timedOut, false, detail);
    assert.equal(r.exitCode, 0, detail);
    assert.ok(r.passes.length >= 7, detail);
    console.log(`# hostile workspace: ${r.passes.length} host tests passed in ${r.durationMs} ms; the listener got ${hostile.requests.length} request(s)`);

    // The listener was used (the workspace's own registries, anonymously), so silence is not why it saw nothing.
    assert.ok(hostile.requests.length > 0, 'the workspace registries never reached the listener');
    const users = [tls.username!, HUB_USER, 'octo-user', 'acme', 'AKIAWORKSPACETRUST01', ''];
    for (const q of hostile.requests) {
      const what = `${q.method} ${q.url}`;
      assert.equal(q.headers.authorization, undefined, `${what} carried Authorization`);
      assert.equal(q.headers['proxy-authorization'], undefined, `${what} carried Proxy-Authorization`);
      const wire = JSON.stringify(q);
      for (const [p, s] of Object.entries(SECRETS)) for (const form of wireForms(s, users)) assert.ok(!wire.includes(form), `${what} carried the ${p} secret`);
    }
    // Only registry API paths, and the anonymous token requests the listener's own challenge asked
    // for (its realm is on its own origin, checked above to carry no credential): nothing the
    // user's control-plane clients would call (a redirected endpoint).
    const registryAuth = (url: string) => url.startsWith('/v2/') || url.startsWith('/team/v2/') || url.startsWith('/token?service=hostile&');
    assert.deepEqual(hostile.requests.filter((q) => !registryAuth(q.url)).map((q) => `${q.method} ${q.url}`), []);

    assert.ok(!Object.values(SECRETS).some((s) => r.output.includes(s)), 'a secret in the test output');
    assert.deepEqual(hits, [], 'a secret in what the server wrote');
  });

  test('Restricted Mode: the user’s registries work, the workspace’s settings are not used at all', { timeout: 240_000 }, async () => {
    const workspace = hostileWorkspace();
    const before = hostile.requests.length;
    const r = await runHostTests({
      suites: ['restrictedMode'],
      workspace,
      env: { RESTRICTED_MODE: '1', HOSTILE_URL: hostile.url },
      settings: {
        'security.workspace.trust.enabled': true,
        'security.workspace.trust.startupPrompt': 'never',
        'registryExplorer.registries': [{ name: 'Mine', url: plain.url }],
      },
    });
    const detail = `${r.output}\n${r.failures.map((f) => `${f.title}\n${f.error}`).join('\n')}`;
    assert.equal(r.timedOut, false, detail);
    assert.equal(r.exitCode, 0, detail);
    assert.ok(r.passes.length >= 3, detail);
    assert.deepEqual(hostile.requests.slice(before).map((q) => `${q.method} ${q.url}`), [], 'the untrusted workspace’s listener was contacted');
  });
});
