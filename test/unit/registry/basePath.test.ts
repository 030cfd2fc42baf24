// A Registry API under a path (Artifactory `/artifactory/api/docker/KEY`, Nexus
// `/repository/NAME`): the address keeps its path only where the caller allows one, URLs and
// scopes are built under it, and next-page links stay under it.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiUrl, parseEndpoint, pathUnderBase } from '../../../src/registry/endpoint';
import { nextLink } from '../../../src/registry/paging';
import { scopesFor } from '../../../src/registry/scope';

const BASE = '/artifactory/api/docker/docker-local';

describe('a registry under a path', () => {
  test('the address keeps its path as the base path, without a trailing /v2/', () => {
    assert.deepEqual(parseEndpoint('https://acme.jfrog.io/artifactory/api/docker/docker-local/v2/', false, { basePath: true }), {
      url: new URL('https://acme.jfrog.io'),
      schemeImplied: false,
      basePath: BASE,
    });
    assert.equal(parseEndpoint('nexus.example.com/repository/docker-hosted/', false, { basePath: true }).basePath, '/repository/docker-hosted');
    assert.equal(parseEndpoint('r.example', false, { basePath: true }).basePath, undefined);
    assert.throws(() => parseEndpoint('r.example/team/app'), /without a path/, 'still refused where no base path is allowed');
    assert.throws(() => parseEndpoint('https://r.example/repository/a%2F..%2Fb', false, { basePath: true }), /encoded/);
  });

  test('URLs and scopes under the base path', () => {
    const origin = new URL('https://acme.jfrog.io');
    assert.equal(apiUrl(origin, BASE, '/v2/team/app/tags/list').toString(), `https://acme.jfrog.io${BASE}/v2/team/app/tags/list`);
    assert.equal(apiUrl(origin, undefined, '/v2/').toString(), 'https://acme.jfrog.io/v2/');
    const req = (method: 'GET' | 'DELETE', path: string) => ({ method, url: new URL(path, origin) });
    assert.deepEqual(scopesFor(req('GET', `${BASE}/v2/team/app/manifests/1.0`), BASE), ['repository:team/app:pull']);
    assert.deepEqual(scopesFor(req('GET', `${BASE}/v2/_catalog?n=10`), BASE), ['registry:catalog:*']);
    assert.deepEqual(scopesFor(req('DELETE', `${BASE}/v2/v2/x/manifests/sha256:00`), BASE), ['repository:v2/x:delete']);
    assert.deepEqual(scopesFor(req('GET', '/artifactory/api/docker/other/v2/app/tags/list'), BASE), [], 'nothing outside the base path');
    assert.equal(pathUnderBase(new URL(`https://h${BASE}x/v2/`), BASE), undefined, 'a prefix of a segment is not under it');
  });

  test('next-page links: under the path as written, at the root re-anchored, elsewhere refused', () => {
    const page = new URL(`https://acme.jfrog.io${BASE}/v2/_catalog?n=2`);
    assert.equal(nextLink([`<${BASE}/v2/_catalog?last=b&n=2>; rel="next"`], page, BASE)!.toString(), `https://acme.jfrog.io${BASE}/v2/_catalog?last=b&n=2`);
    assert.equal(nextLink(['</v2/_catalog?last=b&n=2>; rel="next"'], page, BASE)!.toString(), `https://acme.jfrog.io${BASE}/v2/_catalog?last=b&n=2`);
    assert.equal(nextLink(['<_catalog?last=b&n=2>; rel="next"'], page, BASE)!.toString(), `https://acme.jfrog.io${BASE}/v2/_catalog?last=b&n=2`, 'relative to the page');
    assert.throws(() => nextLink(['</artifactory/api/docker/other/v2/_catalog?last=b>; rel="next"'], page, BASE), /outside \/artifactory\/api\/docker\/docker-local\/v2\//);
    assert.throws(() => nextLink(['</artifactory/api/security/users>; rel="next"'], page, BASE), /outside/);
    assert.throws(() => nextLink([`<${BASE}/v2/%2E%2E/%2e%2e/x>; rel="next"`], page, BASE), /outside/);
    assert.throws(() => nextLink(['<https://evil.example/v2/_catalog>; rel="next"'], page, BASE), /another server/);
  });
});
