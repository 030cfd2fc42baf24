// A hostile workspace: its .vscode/settings.json (written by test/e2e/workspace-trust.test.ts)
// points every provider API endpoint, the proxy and a set of settings-defined registries (with
// the names of the user's own connections, `insecure: true`) at a listener of the test's. The
// user has real connections with secrets. This suite uses everything (list, expand, Test
// Connection, the wizard's Edit → Test, hover) and the e2e side then proves that the listener
// received no credential. Runs only under that e2e file (HOSTILE_URL set).
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import { providerFor } from '../../src/providers';
import type { ConnectionConfig } from '../../src/providers/provider';
import type { Node, RegistryNode } from '../../src/ui/tree/nodes';
import { api } from './support';

const env = process.env;
const HOSTILE = env.HOSTILE_URL ?? '';
/** The user's secrets, by provider (given by the e2e side, which searches for them afterwards). */
const SECRETS = JSON.parse(env.TRUST_SECRETS ?? '{}') as Record<string, string>;

function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_, rej) => (timer = setTimeout(() => rej(new Error(`${what}: no answer in ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

const isHostile = (c: ConnectionConfig): boolean => c.url.startsWith(HOSTILE) || c.url.startsWith(HOSTILE.replace(/^http:\/\//, ''));

(HOSTILE ? describe : describe.skip)('a hostile workspace cannot choose where secrets go', function () {
  this.timeout(120_000);
  let a: ExtensionApi;

  before(async () => {
    a = await api();
    for (const c of a.store.list()) if (!c.options?.fromSettings) await a.store.remove(c.id);
  });

  it('the workspace settings are read by VS Code, yet endpoints and proxy come from user settings only', async () => {
    assert.equal(vscode.workspace.isTrusted, true, 'the folder is trusted (the case where workspace settings apply)');
    const registries = vscode.workspace.getConfiguration('registryExplorer').inspect<unknown[]>('registries');
    assert.ok(Array.isArray(registries?.workspaceValue) && registries.workspaceValue.length >= 5, `workspace registries: ${JSON.stringify(registries)}`);
    const ctx = a.connections.context();
    // VS Code honours the application scope: the workspace's endpoints are not even offered.
    assert.equal(vscode.workspace.getConfiguration('registryExplorer').inspect('apiEndpoints')?.workspaceValue, undefined);
    assert.equal(ctx.apiBaseUrls?.dockerhub, env.HUB_API_URL, JSON.stringify(ctx.apiBaseUrls));
    for (const [k, v] of Object.entries(ctx.apiBaseUrls ?? {})) assert.ok(!v.startsWith(HOSTILE), `apiEndpoints.${k} = ${v}`);
    assert.ok(!JSON.stringify(ctx.proxy ?? {}).includes(HOSTILE), `proxy: ${JSON.stringify(ctx.proxy)}`);
  });

  it('the user connects registries of every kind, each with a secret', async () => {
    const signal = new AbortController().signal;
    let r = await a.wizard.save('generic', { url: env.TLS_URL!, name: 'Secure', username: env.TLS_USER!, password: SECRETS.generic!, caPem: env.TLS_CA!, insecure: false }, signal);
    assert.equal(r.ok, true, JSON.stringify(r));
    // "Team" comes from the user's own registries setting; Edit Connection adds its password.
    const team = a.store.list().find((c) => c.id === `settings:${env.TLS_URL}`);
    assert.ok(team, JSON.stringify(a.store.list()));
    // The same registry and user as "Secure": the wizard warns, and the user saves it anyway.
    r = await a.wizard.save('generic', { url: env.TLS_URL!, name: 'Team', username: env.TLS_USER!, password: SECRETS.generic!, caPem: env.TLS_CA!, insecure: false }, signal, team.id);
    assert.equal(r.ok, false, JSON.stringify(r));
    assert.match(r.message ?? '', /already connects to this registry/);
    r = await a.wizard.save('generic', { url: env.TLS_URL!, name: 'Team', username: env.TLS_USER!, password: SECRETS.generic!, caPem: env.TLS_CA!, insecure: false }, signal, team.id, { duplicateOk: true });
    assert.equal(r.ok, true, JSON.stringify(r));
    r = await a.wizard.save('dockerhub', { username: env.HUB_USER!, password: SECRETS.dockerhub!, name: 'Hub' }, signal);
    assert.equal(r.ok, true, JSON.stringify(r));
    // Cloud connections whose services are not here: saved as the wizard would, without its test.
    const forms: Record<string, Record<string, string>> = {
      ghcr: { username: 'octo-user', password: SECRETS.ghcr!, name: 'GitHub' },
      quay: { url: 'quay.io', namespaces: 'acme', oauthToken: SECRETS.quay!, name: 'Quay' },
      digitalocean: { token: SECRETS.digitalocean!, registry: 'acme', name: 'DigitalOcean' },
      acr: { loginServer: 'acme.azurecr.io', auth: 'admin', username: 'acme', password: SECRETS.acr!, name: 'Azure' },
      ecr: { region: 'us-east-1', auth: 'keys', accessKeyId: 'AKIAWORKSPACETRUST01', secretAccessKey: SECRETS.ecr!, name: 'ECR' },
    };
    for (const [provider, values] of Object.entries(forms)) {
      const made = providerFor(provider)!.fromForm(values);
      assert.ok(made.ok, `${provider}: ${JSON.stringify(made)}`);
      await a.store.save({ ...made.config, id: `${provider}-user` }, made.secrets);
      assert.ok(Object.values(await a.store.secrets(`${provider}-user`)).includes(SECRETS[provider]!), provider);
    }
  });

  it('registries from the workspace are shown apart, with no secret and no insecure', async () => {
    const all = a.store.list();
    const fromWorkspace = all.filter((c) => c.options?.fromWorkspace);
    assert.ok(fromWorkspace.length >= 5, JSON.stringify(all.map((c) => [c.id, c.name])));
    for (const c of fromWorkspace) {
      assert.ok(c.id.startsWith('workspace:'), c.id);
      assert.equal(c.insecure, undefined, c.id);
      assert.deepEqual(await a.store.secrets(c.id), {}, c.id);
    }
    // Same name as the user's connection, another address: a different registry, told apart.
    assert.ok(all.some((c) => c.name === 'Secure' && c.url === env.TLS_URL && !c.options?.fromWorkspace));
    assert.ok(all.some((c) => c.name === 'Secure (workspace)' && isHostile(c)));
    // The user's own settings registry keeps its address; the workspace's same-address copy is not a second entry.
    assert.deepEqual(all.filter((c) => c.url === env.TLS_URL && c.provider === 'generic').map((c) => c.id).sort(), [`settings:${env.TLS_URL}`, all.find((c) => c.name === 'Secure')!.id].sort());
  });

  it('lists and expands every registry: the user’s work through user-level endpoints, the workspace’s only anonymously', async () => {
    const root = (await a.tree.getChildren()).filter((n): n is RegistryNode => n.kind === 'registry');
    assert.equal(root.length, a.store.list().length);
    const seen: Record<string, string[]> = {};
    for (const reg of root) {
      const children = await within(30_000, reg.config.name, a.tree.getChildren(reg));
      seen[reg.config.name] = children.map((n: Node) => String(a.tree.getTreeItem(n).label));
      for (const child of children.filter((n) => n.kind === 'repository' || n.kind === 'folder').slice(0, 2)) await within(30_000, `${reg.config.name} child`, a.tree.getChildren(child));
    }
    assert.ok(seen.Secure?.includes('alpine'), JSON.stringify(seen));
    assert.ok(seen.Team?.includes('alpine'), JSON.stringify(seen));
    assert.ok(seen.Hub?.some((l) => /webapp/.test(l) || l === env.HUB_USER), JSON.stringify(seen));
  });

  it('Test Connection and the wizard’s Edit → Test on every registry', async () => {
    for (const c of a.store.list()) {
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), 30_000);
      try {
        const conn = await a.connections.build(c);
        try {
          await conn.test(ac.signal);
        } finally {
          await conn.dispose();
        }
      } catch {
        /* failing is fine; what matters is what the listener received */
      } finally {
        clearTimeout(timer);
      }
      const editing = await a.wizard.loadEditing(c.id);
      if (editing) await within(60_000, `wizard test ${c.name}`, a.wizard.test(c.provider, editing.values, new AbortController().signal, c.id));
    }
  });

  it('hovering image references to the listener and to the user’s registry', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder);
    const host = HOSTILE.replace(/^http:\/\//, '');
    const tlsHost = env.TLS_URL!.replace(/^https:\/\//, '');
    mkdirSync(join(folder, 'k8s'), { recursive: true });
    const file = join(folder, 'k8s', 'deployment.yaml');
    writeFileSync(file, `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          image: ${host}/team/app:1.0\n        - name: b\n          image: ${tlsHost}/alpine:3.19\n`);
    const doc = await vscode.workspace.openTextDocument(file);
    for (const line of [9, 11]) {
      const col = doc.lineAt(line).text.indexOf('image: ') + 10;
      await within(30_000, 'hover', Promise.resolve(vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(line, col))));
    }
  });

  it('no secret in globalState, settings or the log channel’s redactor output', () => {
    const state = JSON.stringify(a.globalState());
    const settings = JSON.stringify(vscode.workspace.getConfiguration('registryExplorer'));
    for (const [p, s] of Object.entries(SECRETS)) {
      assert.ok(!state.includes(s), `${p} secret in globalState`);
      assert.ok(!settings.includes(s), `${p} secret in settings`);
      assert.ok(!a.log.safe(`x ${s} y`).includes(s), `${p} secret not redacted`);
    }
  });
});
