// A listing page too big to parse on the extension host's thread (src/registry/offThread.ts):
// the real registry sends every tag of a repository as one page, here 30,000 tags (~390 KB),
// and the client reads it in the listing worker; the same names come back as the registry
// listed them. A hostile server's huge pages (bad shapes, names with newlines, non-strings)
// are read off the thread too, and refused or kept exactly as the in-place reader does.
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { RegistryClient } from '../../src/registry/client';
import { RegistryError } from '../../src/registry/errors';
import { readNameList } from '../../src/registry/nameList';
import { OFF_THREAD_BYTES, listWorkerRunning, readNameListPage } from '../../src/registry/offThread';
import { startHostile, startRegistry, type HostileServer, type RunningRegistry } from '../support';
import { manyTagName } from '../support/push';
import { replicateStorage } from '../support/storage';

const COUNT = 30_000;

describe('listing pages read off the host thread', () => {
  let reg: RunningRegistry;
  const servers: HostileServer[] = [];
  before(async () => {
    reg = await startRegistry({ mode: 'plain' });
    // Two tags pushed for real, the rest replicated from the registry's own files for them.
    await reg.pusher.pushManyRepos(['seed/a', 'seed/b']);
    await reg.pusher.pushManyTags('big/tags', 2);
    const tags = Array.from({ length: COUNT }, (_, i) => manyTagName(i, COUNT));
    replicateStorage(reg.dataDir, { template: 'seed/b', names: [], repo: 'big/tags', templateTag: tags[1]!, tags: tags.slice(2) });
  });
  after(async () => {
    await reg?.stop();
    await Promise.all(servers.map((s) => s.stop()));
  });

  test("a real registry's 30,000-tag page is read by the worker, every name as listed", async () => {
    const c = new RegistryClient({ url: reg.url, insecure: true });
    const pages = [];
    for await (const p of c.tagPages('big/tags')) pages.push(p);
    // distribution ignores `n` for tags: one page, far past the threshold.
    assert.equal(pages.length, 1);
    assert.ok(listWorkerRunning(), 'the page was not handed to the worker');
    const raw = await fetch(`${reg.url}/v2/big/tags/tags/list`);
    const body = Buffer.from(await raw.arrayBuffer());
    assert.ok(body.length >= OFF_THREAD_BYTES, `the page is only ${body.length} bytes`);
    const expected = (JSON.parse(body.toString('utf8')) as { tags: string[] }).tags;
    assert.equal(expected.length, COUNT);
    assert.deepEqual(pages[0]!.items, expected);
    await c.close();
  });

  test('a huge page holding newlines, numbers and nulls gives what the in-place reader gives', async () => {
    const names: unknown[] = Array.from({ length: 40_000 }, (_, i) => `t-${i}`);
    names.splice(5, 0, 'two\nlines', 7, null, '', { tag: 'x' });
    const body = Buffer.from(JSON.stringify({ name: 'x', tags: names }));
    assert.ok(body.length >= OFF_THREAD_BYTES);
    assert.deepEqual(await readNameListPage(body, 'tags'), readNameList(body.toString('utf8'), 'tags'));
    const plain = Buffer.from(JSON.stringify({ repositories: ['', ...names.filter((n) => typeof n === 'string' && !n.includes('\n'))] }));
    const read = await readNameListPage(plain, 'repositories');
    assert.ok('names' in read && read.names[0] === '' && read.names.length === 40_002);
  });

  test("a hostile server's huge pages of the wrong shape are refused in plain words", async () => {
    const pad = ' '.repeat(OFF_THREAD_BYTES);
    const bodies: Record<string, string> = {
      '/v2/json/tags/list': `{"tags": ["a", "b"${pad}`,
      '/v2/array/tags/list': `[${pad}"a"]`,
      '/v2/object/tags/list': `{"tags": {"a": 1}${pad}}`,
      '/v2/empty/tags/list': `{"name": "empty", "tags": null${pad}}`,
    };
    const requests: string[] = [];
    const s = await startHostile((req: IncomingMessage, res: ServerResponse) => {
      requests.push(req.url ?? '');
      const path = (req.url ?? '').split('?')[0]!;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(path === '/v2/' ? '{}' : (bodies[path] ?? '{}'));
    });
    servers.push(s);
    const c = new RegistryClient({ url: s.url, insecure: true });
    const host = new URL(s.url).host;
    const shape = (e: unknown, text: string): boolean => e instanceof RegistryError && e.kind === 'protocol' && e.message === `${host} sent a tag list ${text}.`;
    await assert.rejects(c.listTags('json'), (e) => shape(e, 'that is not valid JSON'));
    await assert.rejects(c.listTags('array'), (e) => shape(e, 'that is not a JSON object'));
    await assert.rejects(c.listTags('object'), (e) => shape(e, 'without a “tags” list'));
    assert.deepEqual(await c.listTags('empty'), []);
    // One request per listing: a refused page is not asked for again.
    assert.equal(requests.filter((u) => u.includes('/tags/list')).length, 4);
    await c.close();
  });
});
