import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeRateLimit, dockerHubProvider, hubNamespaces, hubRepository, isDockerHubHost, parseRateLimit } from '../../../src/providers/dockerhub';
import { chainedPages, ControlPlane, parseApiBase } from '../../../src/providers/controlPlane';
import { createDispatcher } from '../../../src/registry/dispatcher';
import { ResponseHeaders } from '../../../src/registry/http';
import { RegistryError } from '../../../src/registry/errors';
import type { Page as ClientPage } from '../../../src/registry/paging';

const byField = (r: ReturnType<typeof dockerHubProvider.fromForm>): Record<string, string> => {
  assert.ok(!r.ok);
  return Object.fromEntries(r.errors.map((e) => [e.field, e.message]));
};

describe('Docker Hub form', () => {
  test('Docker ID + token + organizations become metadata and one secret', () => {
    const r = dockerHubProvider.fromForm({ username: 'Alice', password: 'dckr_pat_abc', namespaces: 'acme\nhttps://hub.docker.com/orgs/Widgets/\nalice\nacme', name: '' });
    assert.ok(r.ok);
    assert.deepEqual(r.config, { provider: 'dockerhub', name: 'Docker Hub (alice)', url: 'docker.io', username: 'alice', options: { namespaces: 'acme,widgets' } });
    assert.deepEqual(r.secrets, { password: 'dckr_pat_abc' });
    assert.ok(!JSON.stringify(r.config).includes('dckr_pat_abc'));
    assert.deepEqual(hubNamespaces({ id: 'x', ...r.config }), ['alice', 'acme', 'widgets']);
  });

  test('anonymous needs a namespace; a bare namespace list is enough', () => {
    assert.match(byField(dockerHubProvider.fromForm({ username: '', password: '', namespaces: '' })).namespaces!, /library/);
    const r = dockerHubProvider.fromForm({ username: '', password: '', namespaces: 'library' });
    assert.ok(r.ok);
    assert.deepEqual(r.config, { provider: 'dockerhub', name: 'Docker Hub', url: 'docker.io', options: { namespaces: 'library' } });
    assert.deepEqual(r.secrets, {});
  });

  test('errors name their field and say what to do', () => {
    assert.match(byField(dockerHubProvider.fromForm({ username: 'alice@example.com', password: 't' })).username!, /not your email address/);
    assert.match(byField(dockerHubProvider.fromForm({ username: 'al ice', password: 't' })).username!, /not a Docker ID/);
    assert.match(byField(dockerHubProvider.fromForm({ username: '', password: 'dckr_pat_x', namespaces: 'library' })).username!, /Docker ID that the access token belongs to/);
    assert.match(byField(dockerHubProvider.fromForm({ username: 'alice', password: '' })).password!, /personal access token for alice, or clear the Docker ID/);
    assert.match(byField(dockerHubProvider.fromForm({ username: 'alice', password: 'dckr_pat x' })).password!, /spaces or line breaks/);
    const ns = byField(dockerHubProvider.fromForm({ username: 'alice', password: 't', namespaces: 'Good-One\nbad/ns' })).namespaces!;
    assert.match(ns, /bad\/ns/);
    assert.ok(!ns.includes('good-one'));
  });

  test('editing: a blank token keeps the stored one for the same Docker ID, not for another', () => {
    const previous = { config: { id: 'h', provider: 'dockerhub', name: 'Docker Hub (alice)', url: 'docker.io', username: 'alice', options: { namespaces: 'acme' } }, secrets: { password: 'stored-pat' } };
    const same = dockerHubProvider.fromForm({ username: 'alice', password: '', namespaces: 'acme', name: 'Work' }, previous);
    assert.ok(same.ok);
    assert.deepEqual(same.secrets, { password: 'stored-pat' });
    assert.equal(same.config.name, 'Work');
    const other = dockerHubProvider.fromForm({ username: 'bob', password: '', namespaces: 'acme' }, previous);
    assert.match(byField(other).password!, /token for bob/);
    const form = dockerHubProvider.toForm(previous.config);
    assert.deepEqual(form, { username: 'alice', namespaces: 'acme', name: 'Docker Hub (alice)' });
    assert.ok(!JSON.stringify(form).includes('stored-pat'));
  });

  test('the form has help, a docs link and a secret token field', () => {
    const f = dockerHubProvider.form;
    assert.equal(f.id, 'dockerhub');
    assert.match(f.help!, /Personal access tokens/);
    assert.match(f.docsUrl!, /^https:\/\/docs\.docker\.com\//);
    assert.equal(f.fields.find((x) => x.id === 'password')!.secret, true);
    assert.ok(f.fields.every((x) => !x.secret || x.kind === 'password'));
  });
});

describe('Docker Hub from Docker config', () => {
  const entry = { registry: 'docker.io', serverKey: 'https://index.docker.io/v1/', source: 'auths' as const };
  test('docker login with a token becomes a signed-in Hub connection', () => {
    assert.deepEqual(dockerHubProvider.fromDockerConfig!({ ...entry, username: 'Alice', password: 'dckr_pat_x' }), {
      config: { provider: 'dockerhub', name: 'Docker Hub (alice)', url: 'docker.io', username: 'alice' },
      secrets: { password: 'dckr_pat_x' },
    });
  });
  test('an identity token is kept for the registry; no credentials browse the official images', () => {
    assert.deepEqual(dockerHubProvider.fromDockerConfig!({ ...entry, username: '<token>', identityToken: 'idt' })!.secrets, { identityToken: 'idt' });
    assert.deepEqual(dockerHubProvider.fromDockerConfig!({ ...entry, error: 'helper failed' })!.config.options, { namespaces: 'library' });
    assert.equal(dockerHubProvider.fromDockerConfig!({ ...entry, registry: 'ghcr.io' }), undefined);
  });
});

describe('Docker Hub names and hosts', () => {
  test('one-segment names are library/ images', () => {
    assert.equal(hubRepository('nginx'), 'library/nginx');
    assert.equal(hubRepository('library/nginx'), 'library/nginx');
    assert.equal(hubRepository('alice/app'), 'alice/app');
  });

  test('every alias of the Hub registry is recognised', () => {
    for (const h of ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'https://registry-1.docker.io/v2/', 'REGISTRY.HUB.DOCKER.COM']) assert.ok(isDockerHubHost(h), h);
    for (const h of ['ghcr.io', 'docker.example.com', '', 'mirror.gcr.io']) assert.ok(!isDockerHubHost(h), h);
  });
});

describe('Docker Hub pull limit', () => {
  test('ratelimit headers, with and without window', () => {
    const at = new Date('2024-01-01T00:00:00Z');
    const r = parseRateLimit(new ResponseHeaders({ 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '76;w=21600' }), at);
    assert.deepEqual(r, { remaining: 76, limit: 100, windowSeconds: 21600, observedAt: at });
    assert.equal(describeRateLimit(r!), '76 of 100 pulls left per 6 h');
    assert.equal(describeRateLimit(parseRateLimit(new ResponseHeaders({ 'ratelimit-remaining': '5' }), at)!), '5 pulls left');
    assert.equal(parseRateLimit(new ResponseHeaders({}), at), undefined, 'authenticated pro accounts get no header');
    assert.equal(parseRateLimit(new ResponseHeaders({ 'ratelimit-remaining': 'lots' }), at), undefined);
  });
});

describe('chainedPages', () => {
  type Src = (signal: () => AbortSignal | undefined) => AsyncGenerator<ClientPage<string>>;
  function source(name: string, pages: string[][], failAt?: { page: number; times: number }): Src & { starts: number } {
    const s = Object.assign(
      async function* (): AsyncGenerator<ClientPage<string>> {
        s.starts++;
        for (let i = 0; i < pages.length; i++) {
          if (failAt && i === failAt.page && failAt.times > 0) {
            failAt.times--;
            throw new RegistryError('network', `${name} failed`);
          }
          yield { items: pages[i]!, ...(i < pages.length - 1 ? { next: new URL(`https://x/${name}/${i + 1}`) } : {}) };
        }
      },
      { starts: 0 },
    );
    return s;
  }

  test('fills a page across sources, then continues where it stopped', async () => {
    const a = source('a', [['a1', 'a2']]);
    const b = source('b', [['b1', 'b2', 'b3'], ['b4', 'b5', 'b6'], ['b7']]);
    const first = await chainedPages([a, b], 4)();
    assert.deepEqual(first.items, ['a1', 'a2', 'b1', 'b2', 'b3']);
    const second = await first.more!();
    assert.deepEqual(second.items, ['b4', 'b5', 'b6', 'b7']);
    assert.equal(second.more, undefined);
    assert.equal(await first.more!(), second);
  });

  test('a failing source keeps what came before; Load more retries it without repeats', async () => {
    const a = source('a', [['a1']]);
    const b = source('b', [['b1', 'b2'], ['b3']], { page: 1, times: 2 });
    const first = await chainedPages([a, b], 10)();
    assert.deepEqual(first.items, ['a1', 'b1', 'b2']);
    await assert.rejects(first.more!(), /b failed/);
    const retry = await first.more!();
    assert.deepEqual(retry.items, ['b3'], 'b1 and b2 were already shown');
    assert.equal(retry.more, undefined);
    assert.equal(b.starts, 3);
  });

  test('a failure before anything was gathered is the caller’s error', async () => {
    const a = source('a', [['a1']], { page: 0, times: 1 });
    await assert.rejects(chainedPages([a], 10)(), /a failed/);
  });
});

describe('ControlPlane', () => {
  test('paths join under a base path; next links may not leave the API origin', async () => {
    const d = createDispatcher({});
    try {
      const api = new ControlPlane({ baseUrl: 'https://ghe.example.com/api/v3/', label: 'the GitHub API', dispatcher: d });
      assert.equal(api.url('/user', { per_page: 100 }).toString(), 'https://ghe.example.com/api/v3/user?per_page=100');
      const bare = new ControlPlane({ baseUrl: 'https://hub.docker.com', label: 'the Docker Hub API', dispatcher: d });
      assert.equal(bare.url('/v2/users/login').toString(), 'https://hub.docker.com/v2/users/login');
      assert.equal(bare.follow('/v2/x?page=2', bare.url('/v2/x')).toString(), 'https://hub.docker.com/v2/x?page=2');
      assert.throws(() => bare.follow('https://evil.example/v2/x?page=2', bare.url('/v2/x')), (e: unknown) => e instanceof RegistryError && e.kind === 'protocol');
      await assert.rejects(bare.request('GET', new URL('https://evil.example/')), (e: unknown) => e instanceof RegistryError && e.kind === 'protocol');
    } finally {
      await d.close();
    }
  });

  test('API base URLs: https, or plain HTTP to loopback only, never with credentials', () => {
    assert.equal(parseApiBase('http://127.0.0.1:8080/', 'X').toString(), 'http://127.0.0.1:8080/');
    assert.throws(() => parseApiBase('http://api.example.com', 'X'), (e: unknown) => e instanceof RegistryError && e.kind === 'insecure');
    assert.throws(() => parseApiBase('https://u:p@api.example.com', 'X'), (e: unknown) => e instanceof RegistryError && e.kind === 'invalid' && !e.message.includes('u:p'));
    assert.throws(() => parseApiBase('not a url', 'X'), (e: unknown) => e instanceof RegistryError && e.kind === 'invalid');
  });
});
