import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isLoopbackHost, isPrivateHost } from '../../../src/registry/address';
import { parseEndpoint } from '../../../src/registry/endpoint';
import { RegistryError } from '../../../src/registry/errors';
import { nextLink } from '../../../src/registry/paging';

describe('endpoints and addresses', () => {
  test('scheme implied, Docker Hub aliases, trailing slash and /v2/', () => {
    assert.deepEqual(parseEndpoint('registry.example.com'), { url: new URL('https://registry.example.com'), schemeImplied: true });
    assert.equal(parseEndpoint('docker.io').url.host, 'registry-1.docker.io');
    assert.equal(parseEndpoint('https://r.example:8443/v2/').url.origin, 'https://r.example:8443');
    assert.equal(parseEndpoint('http://localhost:5000').url.protocol, 'http:');
    assert.equal(parseEndpoint('http://[::1]:5000').url.host, '[::1]:5000');
  });

  test('plain HTTP elsewhere needs insecure', () => {
    assert.throws(() => parseEndpoint('http://10.0.0.5:5000'), (e: unknown) => e instanceof RegistryError && e.kind === 'insecure' && /Allow insecure/.test(e.message));
    assert.equal(parseEndpoint('http://10.0.0.5:5000', true).url.protocol, 'http:');
  });

  test('bad addresses say what to do', () => {
    assert.throws(() => parseEndpoint(''), /Enter the registry address/);
    assert.throws(() => parseEndpoint('https://u:p@r.example'), /credentials/);
    assert.throws(() => parseEndpoint('r.example/team/app'), /without a path/);
    assert.throws(() => parseEndpoint('ftp://r.example'), /https:\/\/ or http:\/\//);
  });

  test('loopback and private classification', () => {
    for (const h of ['localhost', '127.0.0.1', '127.9.9.9', '[::1]', 'foo.localhost']) assert.ok(isLoopbackHost(h), h);
    for (const h of ['10.0.0.1', '192.168.1.1', '172.16.0.1', '169.254.169.254', '[fd00::1]']) assert.ok(isPrivateHost(h) && !isLoopbackHost(h), h);
    for (const h of ['8.8.8.8', 'ghcr.io', '172.32.0.1']) assert.ok(!isPrivateHost(h), h);
  });

  test('Link header: relative, opaque, same-origin only', () => {
    const base = new URL('https://r.example/v2/_catalog?n=2');
    assert.equal(nextLink(['</v2/_catalog?last=b%2Fc&n=2>; rel="next"'], base)!.toString(), 'https://r.example/v2/_catalog?last=b%2Fc&n=2');
    assert.equal(nextLink(['<https://r.example/v2/_catalog?last=x>; rel="prev"'], base), undefined);
    // Harbor's separator: " , ".
    assert.equal(nextLink(['</api/v2.0/projects?page=1&page_size=10>; rel="prev" , </api/v2.0/projects?page=3&page_size=10>; rel="next"'], base)!.toString(), 'https://r.example/api/v2.0/projects?page=3&page_size=10');
    assert.throws(() => nextLink(['<https://evil.example/v2/_catalog?last=x>; rel="next"'], base), /another server/);
  });
});
