// Redirect rules at the unit level: which hops may carry a body, and the per-hop address guard
// the stack installs for every registry, token and control-plane request.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isRegistryError } from '../../../src/registry/errors';
import { ResponseHeaders, type HttpRequest, type RoundTripper } from '../../../src/registry/http';
import { redirectTransport } from '../../../src/registry/redirect';
import { publicStaysPublic } from '../../../src/registry/stack';

/** A server that redirects the first request with `status` to `location`, then answers 200. */
function redirecting(status: number, location: string): { transport: RoundTripper; seen: HttpRequest[] } {
  const seen: HttpRequest[] = [];
  const transport: RoundTripper = async (req) => {
    seen.push(req);
    const first = seen.length === 1;
    return { status: first ? status : 200, headers: new ResponseHeaders(first ? { location } : {}), url: req.url, body: Buffer.alloc(0) };
  };
  return { transport, seen };
}

const post = (url: string, method: HttpRequest['method'] = 'POST'): HttpRequest => ({ method, url: new URL(url), headers: { authorization: 'Basic c2VjcmV0', 'content-type': 'application/x-www-form-urlencoded' }, body: 'refresh_token=r' });

describe('redirects', () => {
  for (const [status, method] of [[307, 'POST'], [308, 'POST'], [301, 'PUT'], [302, 'PUT']] as const) {
    test(`a ${method} with a body is not re-sent to another origin on ${status}`, async () => {
      const { transport, seen } = redirecting(status, 'https://elsewhere.example/token');
      const rt = redirectTransport(transport, { allowHttp: () => false });
      await assert.rejects(rt(post('https://auth.example/token', method)), (e: unknown) => isRegistryError(e, 'insecure') && /with its body to another server \(elsewhere\.example\)/.test(e.message));
      assert.equal(seen.length, 1, 'nothing went to the other origin');
    });
  }

  test('a POST redirected with 302/303 to another origin becomes a GET without body or Authorization', async () => {
    for (const status of [302, 303]) {
      const { transport, seen } = redirecting(status, 'https://elsewhere.example/done');
      const rt = redirectTransport(transport, { allowHttp: () => false });
      assert.equal((await rt(post('https://auth.example/token'))).status, 200);
      assert.deepEqual([seen[1]!.method, seen[1]!.body, seen[1]!.headers.authorization], ['GET', undefined, undefined]);
    }
  });

  test('the hop guard: public origins stay public; a local registry may redirect locally', () => {
    const refuses = (origin: string, from: string, to: string): boolean => {
      try {
        publicStaysPublic(new URL(origin))(new URL(from), new URL(to));
        return false;
      } catch (e) {
        assert.ok(isRegistryError(e, 'insecure'));
        return true;
      }
    };
    assert.equal(refuses('https://r.example', 'https://r.example/v2/', 'https://cdn.example/blob'), false);
    assert.equal(refuses('https://r.example', 'https://r.example/v2/', 'http://[::ffff:7f00:1]/'), true);
    assert.equal(refuses('https://r.example', 'https://cdn.example/x', 'https://10.0.0.1/'), true);
    assert.equal(refuses('http://localhost:5000', 'http://localhost:5000/v2/', 'http://127.0.0.1:9000/blob'), false);
    assert.equal(refuses('http://10.0.0.5', 'http://10.0.0.5/v2/', 'http://10.0.0.6/blob'), false);
    // A local registry's public CDN may not send us back inside.
    assert.equal(refuses('http://10.0.0.5', 'https://cdn.example/x', 'http://169.254.169.254/'), true);
  });
});
