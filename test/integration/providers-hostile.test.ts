// Cloud APIs that answer in the wrong shape: each provider, pointed at a hostile server, must
// turn a malformed answer into one protocol RegistryError that names the service and what was
// wrong — never a TypeError, never the secret it holds, never the value it could not read.

import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, describe, test } from 'node:test';
import { acrProvider, type AcrConnection } from '../../src/providers/acr';
import { digitalOceanProvider } from '../../src/providers/digitalocean';
import { dockerHubProvider } from '../../src/providers/dockerhub';
import { ecrProvider } from '../../src/providers/ecr';
import { githubProvider } from '../../src/providers/github';
import type { FormValues } from '../../src/providers/form';
import type { Connection, ProviderContext, RegistryProvider } from '../../src/providers/provider';
import { quayProvider } from '../../src/providers/quay';
import { isRegistryError } from '../../src/registry/errors';
import { startHostile, type HostileServer } from '../support';

const SECRET = 'Secret-Token-9f8e7d6c5b4a39281706';
/** A value only a malformed answer carries: it must never be quoted back. */
const ECHO = 'sha256:zz-not-hex-ECHO';

const servers: HostileServer[] = [];
const connections: Connection[] = [];
after(async () => {
  await Promise.all(connections.map((c) => c.dispose()));
  await Promise.all(servers.map((s) => s.stop()));
});

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A hostile API whose answers come from `route(method, path)`; 404 for anything else. */
async function api(route: (req: IncomingMessage, path: string) => unknown): Promise<HostileServer> {
  const s = await startHostile((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const body = route(req, path);
    if (body === undefined) json(res, 404, { message: 'not found' });
    else json(res, 200, body);
  });
  servers.push(s);
  return s;
}

function connect(provider: RegistryProvider, values: FormValues, ctx: ProviderContext): Connection {
  const r = provider.fromForm(values);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  const c = provider.connect({ id: `hostile-${connections.length}`, ...r.config }, r.secrets, ctx);
  connections.push(c);
  return c;
}

/** The call fails with a protocol RegistryError whose message matches, quoting no secret and no value. */
async function rejectsAsProtocol(call: () => Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(call(), (e: unknown) => {
    assert.ok(!(e instanceof TypeError), `a TypeError escaped: ${String(e)}`);
    assert.ok(isRegistryError(e, 'protocol'), `expected a protocol RegistryError, got ${String(e)}`);
    assert.match(e.message, message);
    const all = `${e.message} ${JSON.stringify(e)}`;
    assert.ok(!all.includes(SECRET), `the secret leaked: ${e.message}`);
    assert.ok(!all.includes(ECHO) && !all.includes('ECHO'), `the bad value was quoted: ${e.message}`);
    assert.doesNotMatch(e.message, /Invalid type|received|undefined|\[object/);
    return true;
  });
}

describe('Docker Hub API in the wrong shape', () => {
  const hub = async (route: (req: IncomingMessage, path: string) => unknown) => {
    const s = await api((req, path) => (req.method === 'POST' && path === '/v2/users/login' ? { token: 'x.y.z' } : route(req, path)));
    return connect(dockerHubProvider, { username: 'alice', password: SECRET }, { apiBaseUrls: { dockerhub: s.url, 'dockerhub-registry': s.url } });
  };

  test('a repository list whose results is not a list', async () => {
    const c = await hub(() => ({ count: 1, next: null, results: { name: ECHO } }));
    await rejectsAsProtocol(() => c.listRepositories(), /^Docker Hub sent the repositories of alice whose results is not a list\.$/);
  });

  test('a tag whose digest is not algorithm:hex', async () => {
    const c = await hub(() => ({ next: null, results: [{ name: 'latest', digest: ECHO, full_size: 5 }] }));
    await rejectsAsProtocol(() => c.listTags('alice/app'), /^Docker Hub sent the tags of alice\/app whose results\[0\]\.digest is not a digest \(algorithm:hex\)\.$/);
  });

  test('a tag whose content_type is not text', async () => {
    const c = await hub(() => ({ next: null, results: [{ name: 'latest', digest: `sha256:${'a'.repeat(64)}`, content_type: { kind: ECHO } }] }));
    await rejectsAsProtocol(() => c.listTags('alice/app'), /^Docker Hub sent the tags of alice\/app whose results\[0\]\.content_type is not text\.$/);
  });

  test('a sign-in answer whose token is a number, and one that is null', async () => {
    for (const [answer, said] of [
      [{ token: 123 }, /whose token is not text/],
      [null, /that is not a JSON object/],
    ] as const) {
      const s = await api(() => answer);
      const c = connect(dockerHubProvider, { username: 'alice', password: SECRET }, { apiBaseUrls: { dockerhub: s.url, 'dockerhub-registry': s.url } });
      await rejectsAsProtocol(() => c.listRepositories(), new RegExp(`^Docker Hub sent a sign-in answer ${said.source}\\.$`));
    }
  });
});

describe('GitHub API in the wrong shape', () => {
  const gh = async (route: (req: IncomingMessage, path: string) => unknown) => {
    const s = await api(route);
    return connect(githubProvider, { username: 'octocat', password: SECRET }, { apiBaseUrls: { ghcr: s.url, 'ghcr-registry': s.url } });
  };

  test('a package list that is an object, not a list', async () => {
    const c = await gh(() => ({ message: ECHO }));
    await rejectsAsProtocol(() => c.listRepositories(), /^GitHub sent the list of your packages that is not a list\.$/);
  });

  test('a version whose tags is text, not a list', async () => {
    const c = await gh((_req, path) => (path.endsWith('/versions') ? [{ name: `sha256:${'a'.repeat(64)}`, metadata: { container: { tags: ECHO } } }] : undefined));
    await rejectsAsProtocol(() => c.listTags('octocat/app'), /^GitHub sent the versions of octocat\/app whose \[0\]\.metadata\.container\.tags is not a list\.$/);
  });

  test('Test connection: an account whose login is a number fails its step in words', async () => {
    const c = await gh((_req, path) => (path === '/user' ? { login: 42 } : undefined));
    const steps = await c.test();
    assert.equal(steps[0]?.ok, false);
    assert.equal(steps[0]?.detail, 'GitHub sent the details of your account whose login is not text.');
  });
});

describe('DigitalOcean API in the wrong shape', () => {
  const docr = async (route: (req: IncomingMessage, path: string) => unknown) => {
    const s = await api(route);
    return connect(digitalOceanProvider, { token: SECRET }, { apiBaseUrls: { digitalocean: s.url, 'digitalocean-registry': s.url } });
  };

  test('an account registry that is null', async () => {
    const c = await docr(() => ({ registry: null }));
    await rejectsAsProtocol(() => c.listRepositories(), /^The DigitalOcean API sent the account’s registry whose registry is not an object\.$/);
  });

  test('a tag whose name is a number', async () => {
    const c = await docr((_req, path) => (path === '/v2/registry' ? { registry: { name: 'reg' } } : { tags: [{ tag: 5, manifest_digest: ECHO }] }));
    await rejectsAsProtocol(() => c.listTags('reg/app'), /^The DigitalOcean API sent the tags of reg\/app whose tags\[0\]\.tag is not text\.$/);
  });
});

describe('Quay API in the wrong shape', () => {
  const quay = async (route: (req: IncomingMessage, path: string) => unknown) => {
    const s = await api(route);
    return connect(quayProvider, { url: s.url, namespaces: 'acme', oauthToken: SECRET }, { apiBaseUrls: { quay: s.url } });
  };

  test('a repository list whose repositories is text', async () => {
    const c = await quay(() => ({ repositories: ECHO }));
    await rejectsAsProtocol(() => c.listRepositories(), /^The Quay API sent the repositories of acme whose repositories is not a list\.$/);
  });

  test('a tag whose manifest_digest is not algorithm:hex', async () => {
    const c = await quay(() => ({ tags: [{ name: 'v1', manifest_digest: ECHO }], has_additional: false }));
    await rejectsAsProtocol(() => c.listTags('acme/app'), /^The Quay API sent the tags of acme\/app whose tags\[0\]\.manifest_digest is not a digest \(algorithm:hex\)\.$/);
  });
});

describe('ACR token exchange in the wrong shape', () => {
  test('a refresh_token that is a number', async () => {
    const s = await api((_req, path) => (path === '/oauth2/exchange' ? { refresh_token: 123 } : undefined));
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const aad = `${b64({ alg: 'none' })}.${b64({ iss: 'https://sts.windows.net/t/', tid: 't', exp: Math.floor(Date.now() / 1000) + 3600, x: SECRET })}.sig`;
    const c = connect(acrProvider, { loginServer: s.url, auth: 'token', aadToken: aad }, { apiBaseUrls: { acr: s.url } }) as AcrConnection;
    await rejectsAsProtocol(() => c.tokens!.ensure(), /^The token exchange of 127\.0\.0\.1:\d+ sent an answer whose refresh_token is not text\.$/);
  });
});

describe('ECR API in the wrong shape', () => {
  const ecr = async (answers: Record<string, unknown>) => {
    const s = await startHostile((req, res) => {
      const action = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      const text = JSON.stringify(answers[action] ?? {});
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
    servers.push(s);
    return connect(ecrProvider, { auth: 'keys', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET.padEnd(40, 'x'), region: 'us-east-1', registryId: '123456789012' }, { apiBaseUrls: { ecr: s.url } });
  };

  test('a repository entry that is null', async () => {
    const c = await ecr({ DescribeRepositories: { repositories: [null] } });
    await rejectsAsProtocol(() => c.listRepositories(), /^ECR sent a DescribeRepositories answer whose repositories\[0\] is not an object\.$/);
  });

  test('an image digest that is not algorithm:hex', async () => {
    const c = await ecr({ DescribeImages: { imageDetails: [{ imageDigest: ECHO, imageTags: ['v1'] }] } });
    await rejectsAsProtocol(() => c.listTags('app'), /^ECR sent a DescribeImages answer for app whose imageDetails\[0\]\.imageDigest is not a digest \(algorithm:hex\)\.$/);
  });

  test('an artifactMediaType that is not text', async () => {
    const c = await ecr({ DescribeImages: { imageDetails: [{ imageDigest: `sha256:${'a'.repeat(64)}`, imageTags: ['v1'], artifactMediaType: [ECHO] }] } });
    await rejectsAsProtocol(() => c.listTags('app'), /^ECR sent a DescribeImages answer for app whose imageDetails\[0\]\.artifactMediaType is not text\.$/);
  });

  test('an artifactMediaType in Markdown and lines: the row is listed, its kind not taken from it', async () => {
    const c = await ecr({ DescribeImages: { imageDetails: [{ imageDigest: `sha256:${'a'.repeat(64)}`, imageTags: ['v1'], imageSizeInBytes: 5, artifactMediaType: 'text/x`](command:workbench.action.quit)\n# ECHO' }] } });
    const page = await c.listTags('app');
    assert.deepEqual(page.items.map((t) => [t.name, t.artifact]), [['v1', undefined]]);
  });

  test('fields of the wrong type, which the SDK cannot read: named, not quoted', async () => {
    const c = await ecr({ DescribeImages: { imageDetails: [{ imageDigest: `sha256:${'a'.repeat(64)}`, imageTags: ['v1'], imagePushedAt: 'ECHO-yesterday' }] } });
    await rejectsAsProtocol(() => c.listTags('app'), /^ECR sent a DescribeImages answer with fields of the wrong type, which could not be read\./);
  });
});
