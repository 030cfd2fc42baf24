import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProviderForm } from '../../../src/providers/form';
import {
  MAX_FIELDS,
  MAX_ID_LENGTH,
  MAX_TOTAL_LENGTH,
  MAX_URL_LENGTH,
  MAX_VALUE_LENGTH,
  isToWebview,
  parseFromWebview,
  safeHttpsUrl,
} from '../../../webview/protocol';
import { forms } from './fixtures';

const parse = (m: unknown) => parseFromWebview(m, forms);

describe('parseFromWebview: well-formed messages', () => {
  test('ready and cancel', () => {
    assert.deepEqual(parse({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parse({ type: 'cancel' }), { type: 'cancel' });
  });

  test('selectProvider with a known id', () => {
    assert.deepEqual(parse({ type: 'selectProvider', provider: 'ecr' }), { type: 'selectProvider', provider: 'ecr' });
  });

  test('test and save with string and boolean values', () => {
    const values = { url: 'https://r.example', username: 'me', password: 's3cret', insecure: true, caPem: '', repositories: 'a\nb' };
    assert.deepEqual(parse({ type: 'test', provider: 'generic', values }), { type: 'test', provider: 'generic', values });
    assert.deepEqual(parse({ type: 'save', provider: 'generic', values: {} }), { type: 'save', provider: 'generic', values: {} });
  });

  test('save confirmations and editExisting: exact shapes only', () => {
    const values = { url: 'https://r.example' };
    assert.deepEqual(parse({ type: 'save', provider: 'generic', values, confirm: { saveAnyway: true } }), { type: 'save', provider: 'generic', values, confirm: { saveAnyway: true } });
    assert.deepEqual(parse({ type: 'save', provider: 'generic', values, confirm: { saveAnyway: false, duplicateOk: true } }), { type: 'save', provider: 'generic', values, confirm: { duplicateOk: true } });
    assert.equal(parse({ type: 'save', provider: 'generic', values, confirm: { saveAnyway: 'yes' } }), undefined);
    assert.equal(parse({ type: 'save', provider: 'generic', values, confirm: { trustCertificate: true } }), undefined);
    assert.equal(parse({ type: 'save', provider: 'generic', values, confirm: [] }), undefined);
    assert.equal(parse({ type: 'test', provider: 'generic', values, confirm: { saveAnyway: true } }), undefined, 'a test confirms nothing');
    assert.deepEqual(parse({ type: 'editExisting', id: 'generic-1' }), { type: 'editExisting', id: 'generic-1' });
    assert.equal(parse({ type: 'editExisting', id: '' }), undefined);
    assert.equal(parse({ type: 'editExisting', id: 'x', name: 'y' }), undefined);
  });

  test('the result is a fresh copy', () => {
    const values = { url: 'https://r.example' };
    const msg = { type: 'test', provider: 'generic', values };
    const out = parse(msg);
    assert.ok(out && out.type === 'test');
    assert.notEqual(out.values, values);
    values.url = 'changed';
    assert.equal(out.values.url, 'https://r.example');
  });

  test('JSON round trip (how VS Code delivers messages)', () => {
    const raw = JSON.parse(JSON.stringify({ type: 'save', provider: 'ecr', values: { auth: 'keys', accessKeyId: 'AKIA', secretAccessKey: 'x', useSession: false } }));
    assert.deepEqual(parse(raw), raw);
  });

  test('null-prototype objects are plain too', () => {
    const m = Object.assign(Object.create(null), { type: 'ready' });
    assert.deepEqual(parse(m), { type: 'ready' });
  });

  test('pickFile for a file field', () => {
    assert.deepEqual(parse({ type: 'pickFile', field: 'caPem' }), { type: 'pickFile', field: 'caPem' });
  });

  test('openLink with https', () => {
    assert.deepEqual(parse({ type: 'openLink', url: 'https://docs.example.com/a?b=c#d' }), { type: 'openLink', url: 'https://docs.example.com/a?b=c#d' });
    assert.deepEqual(parse({ type: 'openLink', url: 'HTTPS://Docs.Example.com' }), { type: 'openLink', url: 'https://docs.example.com/' });
  });
});

describe('parseFromWebview: hostile and malformed input', () => {
  test('not an object', () => {
    for (const m of [undefined, null, 0, 1, true, 'ready', '{"type":"ready"}', Symbol('x'), () => ({ type: 'ready' }), [], [{ type: 'ready' }], ['ready']]) {
      assert.equal(parse(m), undefined, String(typeof m === 'symbol' ? 'symbol' : JSON.stringify(m)));
    }
  });

  test('objects that are not plain', () => {
    class Msg {
      type = 'ready';
    }
    assert.equal(parse(new Msg()), undefined);
    assert.equal(parse(Object.create({ type: 'ready' })), undefined, 'inherited type does not count');
    assert.equal(parse(new Map([['type', 'ready']])), undefined);
    assert.equal(parse(new Date()), undefined);
  });

  test('unknown or missing type', () => {
    for (const type of [undefined, '', 'READY', 'init', 'testResult', 'busy', 'eval', 'toString', '__proto__', 1, null, ['ready']]) {
      assert.equal(parse({ type }), undefined, String(type));
    }
    assert.equal(parse({}), undefined);
  });

  test('extra or missing keys', () => {
    assert.equal(parse({ type: 'ready', extra: 1 }), undefined);
    assert.equal(parse({ type: 'cancel', reason: 'x' }), undefined);
    assert.equal(parse({ type: 'selectProvider' }), undefined);
    assert.equal(parse({ type: 'selectProvider', provider: 'generic', values: {} }), undefined);
    assert.equal(parse({ type: 'test', provider: 'generic' }), undefined);
    assert.equal(parse({ type: 'test', values: {} }), undefined);
    assert.equal(parse({ type: 'save', provider: 'generic', values: {}, editingId: 'x' }), undefined);
    assert.equal(parse({ type: 'pickFile' }), undefined);
    assert.equal(parse({ type: 'openLink' }), undefined);
    assert.equal(parse({ type: 'ready', [Symbol('s')]: 1 }), undefined);
  });

  test('unknown, oversized or non-string provider ids', () => {
    assert.equal(parse({ type: 'selectProvider', provider: 'nope' }), undefined);
    assert.equal(parse({ type: 'selectProvider', provider: '' }), undefined);
    assert.equal(parse({ type: 'selectProvider', provider: 'generic '.trim() + ' ' }), undefined);
    assert.equal(parse({ type: 'selectProvider', provider: 'GENERIC' }), undefined);
    assert.equal(parse({ type: 'selectProvider', provider: ['generic'] }), undefined);
    assert.equal(parse({ type: 'selectProvider', provider: { toString: () => 'generic' } }), undefined);
    assert.equal(parse({ type: 'selectProvider', provider: 'x'.repeat(MAX_ID_LENGTH + 1) }), undefined);
    assert.equal(parse({ type: 'test', provider: 'toString', values: {} }), undefined);
    assert.equal(parse({ type: 'test', provider: '__proto__', values: {} }), undefined);
    assert.equal(parseFromWebview({ type: 'selectProvider', provider: 'generic' }, []), undefined, 'no known providers');
  });

  test('values that are not a plain object of strings and booleans', () => {
    const bad: unknown[] = [
      null,
      'url=x',
      ['https://r.example'],
      { url: 1 },
      { url: null },
      { url: undefined },
      { url: ['a'] },
      { url: { toString: () => 'x' } },
      { url: 10n },
      { insecure: 'true' }, // checkbox fields are booleans exactly
      { url: true }, // text fields are strings exactly
      { nope: 'x' }, // not a field of this provider
      { profile: 'default' }, // a field of another provider
      Object.create({ url: 'inherited' }),
    ];
    for (const values of bad) assert.equal(parse({ type: 'test', provider: 'generic', values }), undefined, JSON.stringify(values, (_k, v) => (typeof v === 'bigint' ? 'bigint' : v)));
  });

  test('__proto__ and constructor keys', () => {
    const raw = JSON.parse('{"type":"test","provider":"generic","values":{"__proto__":{"url":"x"}}}');
    assert.equal(parse(raw), undefined);
    const raw2 = JSON.parse('{"type":"test","provider":"generic","values":{"constructor":"x"}}');
    assert.equal(parse(raw2), undefined);
    const top = JSON.parse('{"__proto__":{"type":"ready"}}');
    assert.equal(parse(top), undefined);
    assert.equal(({} as Record<string, unknown>).url, undefined, 'no prototype pollution');
  });

  test('a provider field literally called __proto__ stays an own key', () => {
    const weird: ProviderForm = { id: 'w', title: 'W', description: '', icon: 'x', fields: [{ id: '__proto__', label: 'P', kind: 'text' }] };
    const raw = JSON.parse('{"type":"test","provider":"w","values":{"__proto__":"v"}}');
    const out = parseFromWebview(raw, [weird]);
    assert.ok(out && out.type === 'test');
    assert.equal(Object.getPrototypeOf(out.values), Object.prototype);
    assert.deepEqual(Object.keys(out.values), ['__proto__']);
    assert.equal(Object.getOwnPropertyDescriptor(out.values, '__proto__')?.value, 'v');
  });

  test('size limits: one value, all values, number of fields', () => {
    assert.ok(parse({ type: 'test', provider: 'generic', values: { caPem: 'x'.repeat(MAX_VALUE_LENGTH) } }));
    assert.equal(parse({ type: 'test', provider: 'generic', values: { caPem: 'x'.repeat(MAX_VALUE_LENGTH + 1) } }), undefined);

    const many: ProviderForm = {
      id: 'many',
      title: 'Many',
      description: '',
      icon: 'x',
      fields: Array.from({ length: MAX_FIELDS + 5 }, (_, i) => ({ id: `f${i}`, label: `F${i}`, kind: 'textarea' as const })),
    };
    const values = (n: number, len: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, 'y'.repeat(len)]));
    assert.ok(parseFromWebview({ type: 'save', provider: 'many', values: values(MAX_FIELDS, 1) }, [many]));
    assert.equal(parseFromWebview({ type: 'save', provider: 'many', values: values(MAX_FIELDS + 1, 1) }, [many]), undefined);
    const per = Math.floor(MAX_TOTAL_LENGTH / 4);
    assert.ok(parseFromWebview({ type: 'save', provider: 'many', values: values(4, per) }, [many]));
    assert.equal(parseFromWebview({ type: 'save', provider: 'many', values: values(5, per) }, [many]), undefined);
  });

  test('objects that throw while being read', () => {
    const getter = { type: 'test', provider: 'generic', get values() {
      throw new Error('boom');
    } };
    assert.equal(parse(getter), undefined);
    const proxy = new Proxy({}, { ownKeys: () => { throw new Error('boom'); }, get: () => { throw new Error('boom'); } });
    assert.equal(parse(proxy), undefined);
    assert.equal(parse({ type: 'test', provider: 'generic', values: proxy }), undefined);
    const revocable = Proxy.revocable({ type: 'ready' }, {});
    revocable.revoke();
    assert.equal(parse(revocable.proxy), undefined);
  });

  test('pickFile only for file fields', () => {
    assert.equal(parse({ type: 'pickFile', field: 'url' }), undefined);
    assert.equal(parse({ type: 'pickFile', field: 'password' }), undefined);
    assert.equal(parse({ type: 'pickFile', field: 'nope' }), undefined);
    assert.equal(parse({ type: 'pickFile', field: 1 }), undefined);
    assert.equal(parse({ type: 'pickFile', field: 'caPem', path: '/etc/passwd' }), undefined);
  });

  test('openLink only for https without credentials', () => {
    const bad = [
      'http://docs.example.com',
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'file:///etc/passwd',
      'command:workbench.action.terminal.new',
      'vscode://ms-vscode.foo',
      'ftp://x.example',
      '//evil.example',
      '/relative',
      'https://',
      'https://user:pass@docs.example.com',
      'https://user@docs.example.com',
      ' https://docs.example.com',
      'https://docs.example.com/\nx',
      'https://docs.example.com/\tx',
      'java\nscript:alert(1)',
      `https://docs.example.com/${'a'.repeat(MAX_URL_LENGTH)}`,
      '',
    ];
    for (const url of bad) assert.equal(parse({ type: 'openLink', url }), undefined, url);
    assert.equal(parse({ type: 'openLink', url: { href: 'https://x.example' } }), undefined);
    assert.equal(safeHttpsUrl(undefined), undefined);
  });
});

describe('isToWebview', () => {
  test('accepts the host message types only', () => {
    for (const type of ['init', 'testResult', 'saveResult', 'fileContent', 'busy']) assert.equal(isToWebview({ type }), true);
    for (const m of [null, 'init', { type: 'ready' }, { type: 'test' }, [], { data: { type: 'init' } }]) assert.equal(isToWebview(m), false);
  });
});
