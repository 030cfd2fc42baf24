import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mergeScopes, repositoryFromPath, scopesFor } from '../../../src/registry/scope';

const req = (method: 'GET' | 'HEAD' | 'DELETE' | 'PUT' | 'POST' | 'PATCH', path: string) => ({ method, url: new URL(path, 'https://r.example') });

describe('scopes from requests', () => {
  test('catalog, tags, manifests, blobs', () => {
    assert.deepEqual(scopesFor(req('GET', '/v2/_catalog?n=1000')), ['registry:catalog:*']);
    assert.deepEqual(scopesFor(req('GET', '/v2/team/backend/api/tags/list')), ['repository:team/backend/api:pull']);
    assert.deepEqual(scopesFor(req('HEAD', '/v2/a/manifests/latest')), ['repository:a:pull']);
    assert.deepEqual(scopesFor(req('DELETE', '/v2/a/manifests/sha256:00')), ['repository:a:delete']);
    assert.deepEqual(scopesFor(req('PUT', '/v2/a/b/blobs/uploads/uuid')), ['repository:a/b:pull,push']);
    assert.deepEqual(scopesFor(req('GET', '/v2/')), []);
  });
  test('repository names that contain endpoint words', () => {
    assert.equal(repositoryFromPath('/v2/x/manifests/y/manifests/latest'), 'x/manifests/y');
    assert.equal(repositoryFromPath('/v2/tags/tags/list'), 'tags');
  });
  test('a cross-repository mount asks for pull on the source too; a plain upload does not', () => {
    assert.deepEqual(scopesFor(req('POST', '/v2/prod/web/blobs/uploads/?mount=sha256%3A00&from=app%2Fweb')), ['repository:app/web:pull', 'repository:prod/web:pull,push']);
    assert.deepEqual(scopesFor(req('POST', '/v2/prod/web/blobs/uploads/')), ['repository:prod/web:pull,push']);
    assert.deepEqual(scopesFor(req('PATCH', '/v2/prod/web/blobs/uploads/uuid')), ['repository:prod/web:pull,push']);
  });
  test('merging unions actions per resource', () => {
    assert.deepEqual(mergeScopes(['repository:a:pull'], ['repository:a:push,pull', 'registry:catalog:*']), ['registry:catalog:*', 'repository:a:pull,push']);
  });
});
