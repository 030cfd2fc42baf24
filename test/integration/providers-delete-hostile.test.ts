// Delete Repository against a control plane that misbehaves. Each provider's delete (and the
// lookup GitLab makes before it) is pointed at a scriptable server that redirects it to another
// origin, answers in the wrong shape, or never stops paging or redirecting. Each test asserts
// what the other server received (no credential, and for a deletion nothing at all), that
// the number of requests is bounded, that nothing reports success, and what the user is told:
// one RegistryError, never a TypeError, never the secret or the server's own text.

import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, describe, test } from 'node:test';
import { acrProvider } from '../../src/providers/acr';
import { dockerHubProvider } from '../../src/providers/dockerhub';
import { ecrProvider } from '../../src/providers/ecr';
import type { FormValues } from '../../src/providers/form';
import { gitlabProvider } from '../../src/providers/gitlab';
import { harborProvider } from '../../src/providers/harbor';
import type { Connection, ProviderContext, RegistryProvider } from '../../src/providers/provider';
import { quayProvider } from '../../src/providers/quay';
import { RegistryError, isRegistryError, type RegistryErrorKind } from '../../src/registry/errors';
import { PAGE_LIMITS } from '../../src/registry/pageGuard';
import { startHostile, type HostileHandler, type HostileServer } from '../support';
import { errorText } from '../support/pages';

const SECRET = 'Hostile-Delete-Secret-5e4d3c2b1a0987';
/** Text only a hostile answer carries: it must never be quoted back. */
const ECHO = 'ECHO-from-the-hostile-server';
const REDIRECTS = [301, 302, 303, 307, 308] as const;

const servers: HostileServer[] = [];
const connections: Connection[] = [];
after(async () => {
  await Promise.all(connections.map((c) => c.dispose()));
  await Promise.all(servers.map((s) => s.stop()));
});

async function hostile(handler: HostileHandler): Promise<HostileServer> {
  const s = await startHostile(handler);
  servers.push(s);
  return s;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function html(res: ServerResponse): void {
  const text = `<!doctype html><title>${ECHO}</title><p>Sign in to continue</p>`;
  res.writeHead(200, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Where a hostile API sends its redirects: it says yes to everything, so a request that reached it could pass for a deletion. */
const elsewhere = (): Promise<HostileServer> => hostile((req, res) => (req.method === 'DELETE' ? json(res, 202, {}) : json(res, 200, {})));

const pathOf = (req: IncomingMessage): string => new URL(req.url ?? '/', 'http://x').pathname;

function connect(provider: RegistryProvider, values: FormValues, ctx: ProviderContext): Connection {
  const r = provider.fromForm(values);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  const c = provider.connect({ id: `delete-hostile-${connections.length}`, ...r.config }, r.secrets, ctx);
  connections.push(c);
  return c;
}

/** Nothing the server received carries a credential: no credential header, no secret in a URL or body. */
function receivedNoCredential(s: HostileServer): void {
  for (const r of s.requests) {
    for (const h of ['authorization', 'private-token', 'cookie', 'proxy-authorization']) assert.equal(r.headers[h], undefined, `${h} reached ${s.origin}: ${r.method} ${r.url}`);
    assert.ok(!r.url.includes(SECRET) && !r.body.includes(SECRET), `the secret reached ${s.origin}`);
  }
}

/** The delete fails with a RegistryError of `kind` whose message matches; it quotes neither the secret nor the server. */
async function failsClearly(call: Promise<unknown>, kind: RegistryErrorKind, message: RegExp): Promise<RegistryError> {
  let caught: unknown;
  await assert.rejects(call, (e: unknown) => {
    caught = e;
    return true;
  });
  assert.ok(!(caught instanceof TypeError), `a TypeError escaped: ${String(caught)}`);
  assert.ok(isRegistryError(caught, kind), `expected a ${kind} RegistryError, got ${String(caught)}`);
  assert.match(caught.message, message);
  const all = errorText(caught);
  assert.ok(!all.includes(SECRET), `the secret leaked: ${caught.message}`);
  assert.ok(!all.includes(ECHO), `the server's text was quoted: ${caught.message}`);
  assert.doesNotMatch(caught.message, /Invalid type|received|undefined|\[object|TypeError/);
  return caught;
}

const REFUSED = /^127\.0\.0\.1:\d+ redirected the deletion to another server \(127\.0\.0\.1:\d+\); refused: .*not reported as done/;

/** A provider's DELETE, redirected to another origin with each 3xx: refused before anything reaches it. */
function redirectedDeletes(label: string, setUp: (redirectElsewhere: (res: ServerResponse) => void) => Promise<{ api: HostileServer; del: () => Promise<unknown> }>): void {
  for (const status of REDIRECTS) {
    test(`${label}: the DELETE answered ${status} to another origin is refused; nothing reaches it, nothing reports success`, async () => {
      const other = await elsewhere();
      const { api, del } = await setUp((res) => redirect(res, status, `${other.url}/takeover`));
      await failsClearly(del(), 'protocol', REFUSED);
      assert.equal(other.requests.length, 0, `the other origin received ${other.requests.map((r) => `${r.method} ${r.url}`).join(', ')}`);
      // ACR's login server first challenges a DELETE sent without credentials; the one that carries them is sent once.
      assert.equal(api.requests.filter((r) => r.method === 'DELETE' && (r.headers.authorization || r.headers['private-token'])).length, 1, 'one signed-in DELETE, not retried');
    });
  }
}

/** Answers 3xx with `location` to DELETE. */
const redirect = (res: ServerResponse, status: number, location: string): void => {
  res.writeHead(status, { location, 'content-length': '0' });
  res.end();
};

describe('Docker Hub: Delete Repository against a hostile Hub API', () => {
  const hub = async (onDelete: (req: IncomingMessage, res: ServerResponse) => void, onLogin?: (res: ServerResponse) => void): Promise<{ api: HostileServer; c: Connection }> => {
    const api = await hostile((req, res) => {
      if (req.method === 'POST' && pathOf(req) === '/v2/users/login') return onLogin ? onLogin(res) : json(res, 200, { token: 'hub.session.jwt' });
      if (req.method === 'DELETE') return onDelete(req, res);
      return json(res, 404, { message: 'not found' });
    });
    return { api, c: connect(dockerHubProvider, { username: 'alice', password: SECRET }, { apiBaseUrls: { dockerhub: api.url, 'dockerhub-registry': api.url } }) };
  };

  redirectedDeletes('Docker Hub', async (redirectElsewhere) => {
    const { api, c } = await hub((_req, res) => redirectElsewhere(res));
    return { api, del: () => c.deleteRepository!('alice/old') };
  });

  test('the DELETE answered 303 on the same server: refused without the GET it would become; a 307 there is followed as a DELETE', async () => {
    const { api, c } = await hub((req, res) => (pathOf(req).endsWith('/moved/') ? json(res, 202, {}) : redirect(res, 303, '/v2/repositories/alice/old/gone/')));
    await failsClearly(c.deleteRepository!('alice/old'), 'protocol', /answered the deletion with a redirect that turns it into a read \(303 See Other\); refused: .*not reported as done/);
    assert.deepEqual(api.requests.filter((r) => r.method !== 'POST').map((r) => r.method), ['DELETE'], 'no GET followed');
    // A 307 keeps the method: the same server's new address deletes, and that is confirmed.
    const moved = await hub((req, res) => (pathOf(req).endsWith('/moved/') ? json(res, 202, {}) : redirect(res, 307, '/v2/repositories/alice/old/moved/')));
    await moved.c.deleteRepository!('alice/old');
    assert.deepEqual(moved.api.requests.filter((r) => r.method !== 'POST').map((r) => `${r.method} ${new URL(r.url, 'http://x').pathname}`).slice(-1), ['DELETE /v2/repositories/alice/old/moved/']);
  });

  test('the sign-in before the DELETE redirected to another origin: the password never goes there, and no DELETE is sent', async () => {
    for (const status of [302, 307]) {
      const other = await elsewhere();
      const { api, c } = await hub(
        (_req, res) => json(res, 202, {}),
        (res) => redirect(res, status, `${other.url}/v2/users/login`),
      );
      await assert.rejects(c.deleteRepository!('alice/old'), (e: unknown) => isRegistryError(e) && !errorText(e).includes(SECRET));
      receivedNoCredential(other);
      // 307 would repeat the POST with the password: refused before it is sent; 302 becomes a bodiless GET.
      assert.deepEqual(
        other.requests.map((r) => [r.method, r.body]),
        status === 307 ? [] : [['GET', '']],
      );
      assert.equal(api.requests.filter((r) => r.method === 'DELETE').length, 0);
    }
  });
});

describe('Quay: Delete Repository against a hostile Quay API', () => {
  const quay = async (onDelete: (req: IncomingMessage, res: ServerResponse, api: () => HostileServer) => void): Promise<{ api: HostileServer; c: Connection }> => {
    let self: HostileServer | undefined;
    const api = await hostile((req, res) => (req.method === 'DELETE' ? onDelete(req, res, () => self!) : json(res, 404, { message: 'not found' })));
    self = api;
    return { api, c: connect(quayProvider, { url: api.url, namespaces: 'acme', oauthToken: SECRET }, { apiBaseUrls: { quay: api.url } }) };
  };

  redirectedDeletes('Quay', async (redirectElsewhere) => {
    const { api, c } = await quay((_req, res) => redirectElsewhere(res));
    return { api, del: () => c.deleteRepository!('acme/old') };
  });

  test('a DELETE that redirects to itself forever stops at the redirect bound; every hop stays on the API and nothing reports success', async () => {
    let n = 0;
    const { api, c } = await quay((_req, res, self) => redirect(res, 307, `${self().url}/api/v1/repository/acme/old?hop=${++n}`));
    await failsClearly(c.deleteRepository!('acme/old'), 'protocol', /redirected more than 10 times/);
    assert.equal(api.requests.length, 11, 'the first request and ten hops');
    assert.ok(api.requests.every((r) => r.method === 'DELETE' && r.headers.authorization === `Bearer ${SECRET}`));
  });
});

describe('Harbor: Delete Repository against a hostile Harbor API', () => {
  redirectedDeletes('Harbor', async (redirectElsewhere) => {
    const api = await hostile((req, res) => (req.method === 'DELETE' ? redirectElsewhere(res) : json(res, 404, { errors: [{ code: 'NOT_FOUND' }] })));
    const c = connect(harborProvider, { url: api.url, username: 'admin', password: SECRET }, { apiBaseUrls: { harbor: api.url } });
    return { api, del: () => c.deleteRepository!('team/tools/old') };
  });
});

describe('GitLab: Delete Repository against a hostile GitLab API (the repository id lookup, then the DELETE)', () => {
  const REPO = { id: 7, path: 'acme/web/old', project_id: 3 };
  const LOOKUP = '/api/v4/projects/acme%2Fweb/registry/repositories';
  const gitlab = async (route: (req: IncomingMessage, res: ServerResponse, self: () => HostileServer) => void): Promise<{ api: HostileServer; c: Connection }> => {
    let self: HostileServer | undefined;
    const api = await hostile((req, res) => route(req, res, () => self!));
    self = api;
    return { api, c: connect(gitlabProvider, { apiUrl: 'gitlab.example.com', registryUrl: api.url, token: SECRET, projects: 'acme/web' }, { apiBaseUrls: { gitlab: api.url } }) };
  };
  /** The lookup answers `lookup`; anything else is a 404 (no such project) — a DELETE would be recorded. */
  const lookingUp = (lookup: (req: IncomingMessage, res: ServerResponse, self: () => HostileServer) => void) =>
    gitlab((req, res, self) => (req.method === 'GET' && req.url?.startsWith(LOOKUP) ? lookup(req, res, self) : json(res, 404, { message: '404 Project Not Found' })));
  const deletes = (api: HostileServer) => api.requests.filter((r) => r.method === 'DELETE').length;
  /** Requests for the project `acme/web`'s repositories (the longer prefix `acme/web/old` is tried first and is no project). */
  const lookups = (api: HostileServer) => api.requests.filter((r) => r.url.startsWith(LOOKUP));

  redirectedDeletes('GitLab', async (redirectElsewhere) => {
    const { api, c } = await gitlab((req, res) => (req.method === 'DELETE' ? redirectElsewhere(res) : json(res, 200, [REPO])));
    return { api, del: () => c.deleteRepository!('acme/web/old') };
  });

  test('the lookup redirected to another origin: the access token never goes there, and no DELETE is sent', async () => {
    for (const status of [302, 307]) {
      const other = await elsewhere();
      const { api, c } = await lookingUp((_req, res) => redirect(res, status, `${other.url}${LOOKUP}`));
      await failsClearly(c.deleteRepository!('acme/web/old'), 'protocol', /^GitLab sent the registry repositories of project acme\/web that is not a list\.$/);
      assert.equal(other.requests.length, 1);
      receivedNoCredential(other);
      assert.equal(deletes(api) + deletes(other), 0);
    }
  });

  test('a lookup that keeps redirecting stops at the redirect bound, without a DELETE', async () => {
    let n = 0;
    const { api, c } = await lookingUp((_req, res, self) => redirect(res, 302, `${self().url}${LOOKUP}?hop=${++n}`));
    await failsClearly(c.deleteRepository!('acme/web/old'), 'protocol', /redirected more than 10 times/);
    assert.equal(lookups(api).length, 11, 'the first request and ten hops');
    assert.equal(deletes(api), 0);
  });

  const shapes: [string, (res: ServerResponse) => void, RegExp][] = [
    ['an object, not a list', (res) => json(res, 200, { message: ECHO }), /that is not a list\.$/],
    ['null', (res) => json(res, 200, null), /that is not a list\.$/],
    ['a list holding null', (res) => json(res, 200, [null]), /whose \[0\] is not an object\.$/],
    ['an id that is text', (res) => json(res, 200, [{ ...REPO, id: `${ECHO}/../../9` }]), /whose \[0\]\.id is not a number\.$/],
    ['a project_id that is a list', (res) => json(res, 200, [{ ...REPO, project_id: [ECHO] }]), /whose \[0\]\.project_id is not a number\.$/],
    ['an id that is not a whole number', (res) => json(res, 200, [{ ...REPO, id: 7.5 }]), /whose \[0\]\.id is not a positive whole number\.$/],
    ['a project_id below one', (res) => json(res, 200, [{ ...REPO, project_id: -3 }]), /whose \[0\]\.project_id is not a positive whole number\.$/],
    ['a 200 with an HTML page', html, /that is not a list\.$/],
  ];
  for (const [what, answer, said] of shapes) {
    test(`a lookup answer that is ${what}: a protocol error naming GitLab and the field, no DELETE`, async () => {
      const { api, c } = await lookingUp((_req, res) => answer(res));
      const e = await failsClearly(c.deleteRepository!('acme/web/old'), 'protocol', said);
      assert.match(e.message, /^GitLab sent the registry repositories of project acme\/web /);
      assert.equal(deletes(api), 0);
    });
  }

  test('a lookup that pages forever (a next link on every page, never the repository) stops at the page bound, without a DELETE', async () => {
    let n = 0;
    const { api, c } = await lookingUp((_req, res, self) => {
      n++;
      json(res, 200, [{ id: 100 + n, path: `acme/web/other-${n}`, project_id: 3 }], { link: `<${self().url}${LOOKUP}?page=${n + 1}>; rel="next"` });
    });
    await failsClearly(c.deleteRepository!('acme/web/old'), 'protocol', new RegExp(`kept sending pages; stopped after ${PAGE_LIMITS.maxPages}\\.`));
    assert.equal(lookups(api).length, PAGE_LIMITS.maxPages);
    assert.equal(deletes(api), 0);
    assert.ok(api.requests.every((r) => r.headers['private-token'] === SECRET));
  });

  test('a lookup whose next link leads to another origin: refused, nothing reaches it', async () => {
    const other = await elsewhere();
    const { api, c } = await lookingUp((_req, res) => json(res, 200, [], { link: `<${other.url}${LOOKUP}?page=2>; rel="next"` }));
    await failsClearly(c.deleteRepository!('acme/web/old'), 'protocol', /next-page link to another server/);
    assert.equal(other.requests.length, 0);
    assert.equal(deletes(api), 0);
  });
});

describe('every provider whose DELETE goes through HTTP: refusals, busy and rate-limited answers', () => {
  /**
   * One hostile API for all of them: Docker Hub's sign-in succeeds, GitLab's lookup finds the
   * repository and ACR's login server asks for credentials first, so that it is the signed-in
   * DELETE that gets `onDelete`.
   */
  const deleteAnswering = (onDelete: (res: ServerResponse) => void) =>
    hostile((req, res) => {
      if (req.method === 'POST') return json(res, 200, { token: 'hub.session.jwt' });
      if (req.method === 'GET' && pathOf(req).endsWith('/registry/repositories')) return json(res, 200, [{ id: 7, path: 'acme/web/old', project_id: 3 }]);
      if (!req.headers.authorization && !req.headers['private-token']) return json(res, 401, {}, { 'www-authenticate': 'Basic realm="acr"' });
      if (req.method === 'DELETE') return onDelete(res);
      return json(res, 404, {});
    });
  const cases: [string, (api: HostileServer) => Connection, string][] = [
    ['Docker Hub', (api) => connect(dockerHubProvider, { username: 'alice', password: SECRET }, { apiBaseUrls: { dockerhub: api.url, 'dockerhub-registry': api.url } }), 'alice/old'],
    ['Quay', (api) => connect(quayProvider, { url: api.url, namespaces: 'acme', oauthToken: SECRET }, { apiBaseUrls: { quay: api.url } }), 'acme/old'],
    ['Harbor', (api) => connect(harborProvider, { url: api.url, username: 'admin', password: SECRET }, { apiBaseUrls: { harbor: api.url } }), 'team/old'],
    ['GitLab', (api) => connect(gitlabProvider, { apiUrl: 'gitlab.example.com', registryUrl: api.url, token: SECRET, projects: 'acme/web' }, { apiBaseUrls: { gitlab: api.url } }), 'acme/web/old'],
    ['ACR', (api) => connect(acrProvider, { loginServer: api.url, auth: 'admin', username: 'acradmin', password: SECRET }, { apiBaseUrls: { acr: api.url } }), 'team/old'],
  ];
  const signedInDeletes = (api: HostileServer) => api.requests.filter((r) => r.method === 'DELETE' && (r.headers.authorization || r.headers['private-token'])).length;

  const BULK = `${'denied '.repeat(15_000)}${SECRET}`;
  const refusal = { message: BULK, error_message: BULK, detail: BULK, error: BULK, error_type: BULK, error_description: BULK, errors: [{ code: BULK, message: BULK }] };
  for (const [name, make, repository] of cases) {
    test(`${name}: a refusal that quotes the secret and runs to 100 KB in every field an API words it in: forbidden, in a sentence of its own, without the secret`, async () => {
      const api = await deleteAnswering((res) => json(res, 403, refusal));
      await assert.rejects(make(api).deleteRepository!(repository), (e: unknown) => {
        assert.ok(isRegistryError(e, 'forbidden'), String(e));
        assert.ok(!e.message.includes(SECRET), `the secret leaked from ${name} into the message`);
        assert.ok(!errorText(e).includes(SECRET), `the secret leaked from ${name}: code ${String(e.code).length} characters`);
        assert.ok(e.message.length < 1000, `${name}: ${e.message.length} characters`);
        return true;
      });
      assert.equal(api.requests.at(-1)?.method, 'DELETE');
      assert.equal(signedInDeletes(api), 1);
    });

    test(`${name}: a DELETE answered 503 every time is tried four times in all, then the user is told; nothing reports success`, async () => {
      const api = await deleteAnswering((res) => json(res, 503, { message: 'Service Unavailable' }, { 'retry-after': '0' }));
      const said = await failsClearly(make(api).deleteRepository!(repository), 'network', /HTTP 503/);
      // Said as the deletion it was, not as a read.
      assert.match(said.message, new RegExp(`HTTP 503\\)? (to )?deleting (the repository )?${repository}[ .]`));
      assert.equal(signedInDeletes(api), 4, 'the first attempt and three retries');
    });

    test(`${name}: a DELETE answered 429 for an hour is not waited out: rate limited, after one request`, async () => {
      const api = await deleteAnswering((res) => json(res, 429, { message: ECHO }, { 'retry-after': '3600' }));
      await failsClearly(make(api).deleteRepository!(repository), 'rateLimited', /limiting|rate limiting/);
      assert.equal(signedInDeletes(api), 1);
    });
  }
});

describe("ACR: Delete Repository against a hostile login server (ACR's data-plane API)", () => {
  /** A login server that wants Basic and answers the signed-in DELETE with `onDelete`. */
  const acr = async (onDelete: (res: ServerResponse) => void): Promise<{ api: HostileServer; c: Connection }> => {
    const api = await hostile((req, res) => {
      if (!req.headers.authorization) return json(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] }, { 'www-authenticate': 'Basic realm="acr"' });
      if (req.method === 'DELETE' && pathOf(req).startsWith('/acr/v1/')) return onDelete(res);
      return json(res, 200, {});
    });
    return { api, c: connect(acrProvider, { loginServer: api.url, auth: 'admin', username: 'acradmin', password: SECRET }, { apiBaseUrls: { acr: api.url } }) };
  };

  redirectedDeletes('ACR', async (redirectElsewhere) => {
    const { api, c } = await acr((res) => redirectElsewhere(res));
    return { api, del: () => c.deleteRepository!('team/old') };
  });

  test('a refusal whose message quotes the password: forbidden in Azure terms, the password left out', async () => {
    const { c } = await acr((res) => json(res, 403, { errors: [{ code: 'DENIED', message: `requested access to the resource is denied (password ${SECRET})` }] }));
    const e = await failsClearly(c.deleteRepository!('team/old'), 'forbidden', /^127\.0\.0\.1:\d+ does not let these credentials delete team\/old \(requested access to the resource is denied .*AcrDelete/);
    assert.ok(!errorText(e).includes(SECRET));
  });

  test('a server error whose message runs to 100 KB: the user gets a sentence, not the page', async () => {
    const { c } = await acr((res) => json(res, 500, { errors: [{ code: 'UNKNOWN', message: `${'x '.repeat(50_000)}` }] }));
    const e = await failsClearly(c.deleteRepository!('team/old'), 'network', /^127\.0\.0\.1:\d+ answered HTTP 500 to deleting team\/old/);
    assert.ok(e.message.length < 500, `${e.message.length} characters`);
  });

  const refusals: [string, (res: ServerResponse) => void][] = [
    ['errors that is null', (res) => json(res, 403, { errors: null })],
    ['errors that is a list of numbers', (res) => json(res, 403, { errors: [1, 2] })],
    ['an error whose message is an object', (res) => json(res, 403, { errors: [{ code: 'DENIED', message: { text: ECHO } }] })],
    ['an HTML page', (res) => {
      res.writeHead(403, { 'content-type': 'text/html' });
      res.end(`<html>${ECHO}</html>`);
    }],
  ];
  for (const [what, answer] of refusals) {
    test(`a 403 whose body is ${what}: forbidden, naming AcrDelete, no TypeError`, async () => {
      const { c } = await acr(answer);
      await failsClearly(c.deleteRepository!('team/old'), 'forbidden', /^127\.0\.0\.1:\d+ does not let these credentials delete team\/old\. Deleting takes the AcrDelete role/);
    });
  }
});

describe('Amazon ECR: Delete Repository against a hostile ECR API (real SDK)', () => {
  const ecr = async (answer: (res: ServerResponse, action: string) => void): Promise<{ api: HostileServer; c: Connection }> => {
    const api = await hostile((req, res) => answer(res, String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? ''));
    const c = connect(ecrProvider, { auth: 'keys', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET.padEnd(40, 'x'), region: 'us-east-1', registryId: '123456789012' }, { apiBaseUrls: { ecr: api.url } });
    return { api, c };
  };
  const calls = (api: HostileServer, action: string) => api.requests.filter((r) => String(r.headers['x-amz-target']).endsWith(`.${action}`));

  for (const status of REDIRECTS) {
    test(`DeleteRepository answered ${status} to another origin: not followed, an error, nothing reaches the other origin`, async () => {
      const other = await elsewhere();
      const { api, c } = await ecr((res) => redirect(res, status, `${other.url}/`));
      await failsClearly(c.deleteRepository!('team/old'), 'protocol', new RegExp(`^The ECR endpoint answered DeleteRepository with a redirect \\(HTTP ${status}\\).*not followed`));
      assert.equal(other.requests.length, 0);
      assert.ok(calls(api, 'DeleteRepository').length >= 1 && api.requests.length <= 3, `bounded: ${api.requests.length}`);
    });
  }

  test('a 200 whose body is an HTML page: an error naming ECR, not a success', async () => {
    const { api, c } = await ecr((res) => html(res));
    await failsClearly(c.deleteRepository!('team/old'), 'protocol', /^ECR sent a DeleteRepository answer with fields of the wrong type, which could not be read\./);
    assert.ok(calls(api, 'DeleteRepository').length <= 3);
  });

  test('a server error on every attempt: the SDK gives up after a bounded number of attempts and the user is told', async () => {
    const { api, c } = await ecr((res) => json(res, 500, { __type: 'ServerException', message: ECHO }));
    await failsClearly(c.deleteRepository!('team/old'), 'network', /^ECR in us-east-1 had a server error \(ServerException\)\. Try again shortly\.$/);
    const n = calls(api, 'DeleteRepository').length;
    assert.ok(n >= 1 && n <= 5, `bounded: ${n}`);
  });
});
