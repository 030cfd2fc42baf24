import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { familiarReference, formatReference, parseReference } from '../../../src/registry/reference';
import { RegistryError } from '../../../src/registry/errors';

const D = 'sha256:' + 'a'.repeat(64);

describe('image references', () => {
  const cases: [string, string][] = [
    ['nginx', 'docker.io/library/nginx:latest'],
    ['nginx:1.25', 'docker.io/library/nginx:1.25'],
    ['bitnami/redis', 'docker.io/bitnami/redis:latest'],
    ['index.docker.io/library/nginx', 'docker.io/library/nginx:latest'],
    ['registry-1.docker.io/nginx:1', 'docker.io/library/nginx:1'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/team/backend/api:v2', 'localhost:5000/team/backend/api:v2'],
    ['127.0.0.1:5000/a', '127.0.0.1:5000/a:latest'],
    ['[::1]:5000/a:b', '[::1]:5000/a:b'],
    ['ghcr.io/org/app:1.0@' + D, 'ghcr.io/org/app:1.0@' + D],
    ['ghcr.io/org/app@' + D, 'ghcr.io/org/app@' + D],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/svc:latest', '123456789012.dkr.ecr.us-east-1.amazonaws.com/svc:latest'],
    ['us-docker.pkg.dev/p/r/img:tag_1.2-rc', 'us-docker.pkg.dev/p/r/img:tag_1.2-rc'],
    ['a__b/c.d-e:T', 'docker.io/a__b/c.d-e:T'],
  ];
  for (const [input, want] of cases) {
    test(`${input} → ${want}`, () => assert.equal(formatReference(parseReference(input)), want));
  }

  test('familiar form drops docker.io/library', () => {
    assert.equal(familiarReference(parseReference('docker.io/library/nginx:1')), 'nginx:1');
    assert.equal(familiarReference(parseReference('docker.io/bitnami/redis')), 'bitnami/redis:latest');
    assert.equal(familiarReference(parseReference('ghcr.io/o/a:1')), 'ghcr.io/o/a:1');
  });

  test('no default tag when asked, digest alone kept', () => {
    assert.deepEqual(parseReference('ghcr.io/o/a', { defaultTag: false }), { registry: 'ghcr.io', repository: 'o/a' });
    assert.equal(parseReference('ghcr.io/o/a@' + D).tag, undefined);
  });

  const bad: [string, RegExp][] = [
    ['', /empty/],
    ['Nginx', /lower case/],
    ['nginx:', /not a valid tag/],
    ['nginx:-x', /not a valid tag/],
    ['nginx@sha256:abc', /not a digest|64/],
    ['nginx@sha256:' + 'A'.repeat(64), /64 lower-case/],
    ['https://ghcr.io/a', /scheme/],
    ['ghcr.io/', /repository name is missing/],
    ['a//b', /path components/],
    ['my image', /white space/],
    ['-bad/x', /path components|host/],
  ];
  for (const [input, why] of bad) {
    test(`rejects ${JSON.stringify(input)} with a specific message`, () => {
      assert.throws(() => parseReference(input), (e: unknown) => e instanceof RegistryError && e.kind === 'invalid' && why.test(e.message));
    });
  }
});
