import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FieldError, FormField, FormValues, ProviderForm } from '../../../src/providers/form';
import type { WizardBackend } from '../../../src/ui/wizard/backend';
import { WizardController, decodeFileText, type WizardOptions, type WizardPort } from '../../../src/ui/wizard/controller';
import { MAX_FILE_BYTES, type SaveResultMessage, type TestResultMessage, type ToWebview } from '../../../webview/protocol';
import { forms } from './fixtures';

const fmt = (m: string, ...a: (string | number)[]) => m.replace(/\{(\d+)\}/g, (_x, i: string) => String(a[Number(i)]));

interface Calls {
  validate: { provider: string; values: FormValues; editingId?: string }[];
  test: { provider: string; values: FormValues; signal: AbortSignal; editingId?: string }[];
  save: { provider: string; values: FormValues; signal: AbortSignal; editingId?: string }[];
}

function setup(opts: WizardOptions = {}, backendOver: Partial<WizardBackend> = {}, portOver: Partial<WizardPort> = {}) {
  const posted: ToWebview[] = [];
  const calls: Calls = { validate: [], test: [], save: [] };
  let closed = 0;
  const opened: string[] = [];
  const backend: WizardBackend = {
    forms: () => forms,
    validate: (provider, values, editingId) => {
      calls.validate.push({ provider, values, editingId });
      return [];
    },
    test: async (provider, values, signal, editingId) => {
      calls.test.push({ provider, values, signal, editingId });
      return { ok: true, message: 'Works.', steps: [{ label: 'Ping', ok: true }] };
    },
    save: async (provider, values, signal, editingId) => {
      calls.save.push({ provider, values, signal, editingId });
      return { ok: true, message: 'Saved r.example.' };
    },
    ...backendOver,
  };
  const port: WizardPort = {
    post: (m) => posted.push(m),
    close: () => {
      closed++;
      controller.dispose();
    },
    pickFile: async () => undefined,
    openExternal: (url) => opened.push(url),
    withProgress: (_title, task) => task(),
    t: fmt,
    ...portOver,
  };
  const controller = new WizardController(backend, port, opts);
  return { controller, posted, calls, opened, closed: () => closed, of: <T extends ToWebview['type']>(type: T) => posted.filter((m): m is Extract<ToWebview, { type: T }> => m.type === type) };
}

const values = { url: 'https://r.example', username: 'me', password: 'pw', insecure: false, caPem: '', repositories: '' };

describe('WizardController', () => {
  test('ready → init with forms, selection, and busy null', async () => {
    const s = setup({ provider: 'ecr' }, {}, { l10nBundle: { Save: 'Speichern' } });
    await s.controller.handle({ type: 'ready' });
    const [init] = s.of('init');
    assert.ok(init);
    assert.deepEqual(init.forms.map((f) => f.id), ['generic', 'ecr']);
    assert.equal(init.selected, 'ecr');
    assert.equal(init.editing, undefined);
    assert.deepEqual(init.l10n, { Save: 'Speichern' });
    assert.deepEqual(s.posted.at(-1), { type: 'busy', action: null });
  });

  test('editing: secrets are stripped from prefilled values; loadEditing fills gaps', async () => {
    const s = setup({ provider: 'generic', editing: { id: 'c1', name: 'My registry', values: { url: 'https://r', password: 'LEAK', username: 'u' }, storedSecrets: ['password', 'nope'] } });
    await s.controller.handle({ type: 'ready' });
    const [init] = s.of('init');
    assert.deepEqual(init?.values, { url: 'https://r', username: 'u' });
    assert.deepEqual(init?.editing, { id: 'c1', name: 'My registry', storedSecrets: ['password'] });
    assert.doesNotMatch(JSON.stringify(s.posted), /LEAK/);

    const loaded = setup(
      { editing: { id: 'c2', name: 'Other', provider: 'generic' } },
      { loadEditing: async (id) => (id === 'c2' ? { values: { url: 'https://loaded', password: 'LEAK2' }, storedSecrets: ['password'] } : undefined) },
    );
    await loaded.controller.handle({ type: 'ready' });
    const [init2] = loaded.of('init');
    assert.equal(init2?.selected, 'generic');
    assert.deepEqual(init2?.values, { url: 'https://loaded' });
    assert.doesNotMatch(JSON.stringify(loaded.posted), /LEAK2/);
  });

  test('test: validate first; errors answer without running the backend', async () => {
    const errors: FieldError[] = [{ field: 'url', message: 'Not a URL.' }];
    const s = setup({}, { validate: () => errors });
    await s.controller.handle({ type: 'test', provider: 'generic', values });
    assert.equal(s.calls.test.length, 0);
    assert.deepEqual(s.of('testResult'), [{ type: 'testResult', ok: false, message: 'Fix the highlighted fields.', fieldErrors: errors }]);
  });

  test('test: busy, backend, result, busy null; editingId passed', async () => {
    const s = setup({ provider: 'generic', editing: { id: 'c1', name: 'n', values: {}, storedSecrets: [] } });
    await s.controller.handle({ type: 'test', provider: 'generic', values });
    assert.deepEqual(
      s.posted.map((m) => m.type),
      ['busy', 'testResult', 'busy'],
    );
    assert.deepEqual(s.posted[0], { type: 'busy', action: 'test' });
    assert.deepEqual(s.posted[1], { type: 'testResult', ok: true, message: 'Works.', steps: [{ label: 'Ping', ok: true }] });
    assert.equal(s.calls.test[0]?.editingId, 'c1');
    assert.equal(s.calls.validate[0]?.editingId, 'c1');
  });

  test('editing: another provider is refused', async () => {
    const s = setup({ provider: 'generic', editing: { id: 'c1', name: 'n', values: {}, storedSecrets: [] } });
    await s.controller.handle({ type: 'save', provider: 'ecr', values: { auth: 'profile', profile: 'p' } });
    assert.equal(s.calls.save.length, 0);
    assert.equal(s.of('saveResult')[0]?.ok, false);
  });

  test('save ok closes the panel; save failure keeps it open', async () => {
    let savedMessage: string | undefined;
    const ok = setup({}, {}, { saved: (m) => (savedMessage = m) });
    await ok.controller.handle({ type: 'save', provider: 'generic', values });
    assert.deepEqual(ok.of('saveResult'), [{ type: 'saveResult', ok: true, message: 'Saved r.example.' }]);
    assert.equal(ok.closed(), 1);
    assert.equal(savedMessage, 'Saved r.example.');

    const bad = setup({}, { save: async () => ({ ok: false, message: 'Denied.', fieldErrors: [{ field: 'password', message: 'Wrong.' }] }) });
    await bad.controller.handle({ type: 'save', provider: 'generic', values });
    assert.equal(bad.closed(), 0);
    assert.deepEqual(bad.of('saveResult')[0], { type: 'saveResult', ok: false, message: 'Denied.', fieldErrors: [{ field: 'password', message: 'Wrong.' }] });
    assert.deepEqual(bad.posted.at(-1), { type: 'busy', action: null });
  });

  test('cancel while running aborts the signal and answers at once, even if the backend ignores it', async () => {
    let release: (r: TestResultMessage) => void = () => undefined;
    const s = setup({}, { test: (_p, _v, signal) => new Promise((resolve) => ((release = resolve), void signal)) });
    const running = s.controller.handle({ type: 'test', provider: 'generic', values });
    await new Promise((r) => setImmediate(r));
    await s.controller.handle({ type: 'cancel' });
    await running;
    assert.equal(s.closed(), 0, 'cancel during an operation does not close');
    assert.deepEqual(s.of('testResult'), [{ type: 'testResult', ok: false, message: 'Test cancelled.' }]);
    assert.deepEqual(s.posted.at(-1), { type: 'busy', action: null });
    release({ ok: true, message: 'late' });
    await new Promise((r) => setImmediate(r));
    assert.equal(s.of('testResult').length, 1, 'the late answer is dropped');

    await s.controller.handle({ type: 'cancel' });
    assert.equal(s.closed(), 1, 'cancel when idle closes');
  });

  test('closing the panel aborts the backend signal', async () => {
    let signal: AbortSignal | undefined;
    const s = setup({}, { save: (_p, _v, sig) => ((signal = sig), new Promise<SaveResultMessage>(() => undefined)) });
    void s.controller.handle({ type: 'save', provider: 'generic', values });
    await new Promise((r) => setImmediate(r));
    s.controller.dispose();
    assert.equal(signal?.aborted, true);
  });

  test('one operation at a time', async () => {
    let release: (r: TestResultMessage) => void = () => undefined;
    const s = setup({}, { test: () => new Promise((resolve) => (release = resolve)) });
    const first = s.controller.handle({ type: 'test', provider: 'generic', values });
    await new Promise((r) => setImmediate(r));
    await s.controller.handle({ type: 'save', provider: 'generic', values });
    assert.equal(s.calls.save.length, 0);
    release({ ok: true, message: 'ok' });
    await first;
    assert.equal(s.of('testResult').length, 1);
  });

  test('a throwing backend becomes a failed result', async () => {
    const s = setup({}, { test: async () => { throw new Error('socket hang up'); } });
    await s.controller.handle({ type: 'test', provider: 'generic', values });
    assert.deepEqual(s.of('testResult'), [{ type: 'testResult', ok: false, message: 'The test failed: socket hang up' }]);
  });

  test('backend answers are copied field by field', async () => {
    const s = setup({}, {
      test: async () => ({ ok: 'yes', message: 42, steps: [{ label: 'Ping', ok: 1, detail: 'x', html: '<b>' }, null, { ok: true }], fieldErrors: [{ field: 'url' }, { field: 'url', message: 'm', extra: 1 }], extra: 'x' }) as unknown as TestResultMessage,
    });
    await s.controller.handle({ type: 'test', provider: 'generic', values });
    assert.deepEqual(s.of('testResult')[0], { type: 'testResult', ok: false, message: '', steps: [{ label: 'Ping', ok: false, detail: 'x' }], fieldErrors: [{ field: 'url', message: 'm' }] });
  });

  test('invalid messages: test/save get an answer, the rest is dropped', async () => {
    const s = setup();
    await s.controller.handle({ type: 'test', provider: 'nope', values: {} });
    await s.controller.handle({ type: 'save', provider: 'generic', values: { url: 1 } });
    await s.controller.handle({ type: 'openLink', url: 'javascript:alert(1)' });
    await s.controller.handle('garbage');
    await s.controller.handle(null);
    assert.deepEqual(s.posted.map((m) => m.type), ['testResult', 'saveResult']);
    assert.equal(s.calls.validate.length, 0);
    assert.deepEqual(s.opened, []);
  });

  test('openLink opens https', async () => {
    const s = setup();
    await s.controller.handle({ type: 'openLink', url: 'https://docs.example.com/x' });
    assert.deepEqual(s.opened, ['https://docs.example.com/x']);
  });

  test('pickFile: uses the field description, decodes text, reports errors next to the field', async () => {
    const asked: FormField[] = [];
    let next: Awaited<ReturnType<WizardPort['pickFile']>> = { fileName: 'ca.pem', bytes: new TextEncoder().encode('\ufeff-----BEGIN CERTIFICATE-----\n') };
    const s = setup({}, {}, { pickFile: async (f) => (asked.push(f), next) });
    await s.controller.handle({ type: 'selectProvider', provider: 'generic' });
    await s.controller.handle({ type: 'pickFile', field: 'caPem' });
    assert.deepEqual(asked[0]?.fileFilters, { 'PEM certificate': ['pem', 'crt'] });
    assert.deepEqual(s.of('fileContent')[0], { type: 'fileContent', field: 'caPem', text: '-----BEGIN CERTIFICATE-----\n', fileName: 'ca.pem' });

    next = { fileName: 'bin.der', bytes: new Uint8Array([0x30, 0x82, 0xff, 0xfe]) };
    await s.controller.handle({ type: 'pickFile', field: 'caPem' });
    assert.match(s.of('fileContent')[1]?.error ?? '', /not UTF-8 text/);
    assert.equal(s.of('fileContent')[1]?.text, '');

    next = { fileName: 'huge.pem', error: 'too big' };
    await s.controller.handle({ type: 'pickFile', field: 'caPem' });
    assert.equal(s.of('fileContent')[2]?.error, 'too big');

    next = undefined; // dialog cancelled
    await s.controller.handle({ type: 'pickFile', field: 'caPem' });
    assert.equal(s.of('fileContent').length, 3);
  });

  test('decodeFileText caps size and refuses binary', () => {
    assert.deepEqual(decodeFileText(new TextEncoder().encode('{"a":1}'), fmt), { text: '{"a":1}' });
    assert.match((decodeFileText(new Uint8Array(MAX_FILE_BYTES + 1).fill(65), fmt) as { error: string }).error, /larger than 1024 KiB/);
    assert.match((decodeFileText(new Uint8Array([65, 0, 66]), fmt) as { error: string }).error, /not a text file/);
  });

  test('reset: new session, running work aborted, differsFrom', async () => {
    const s = setup({ provider: 'generic' });
    assert.equal(s.controller.differsFrom(undefined), false);
    assert.equal(s.controller.differsFrom({}), false);
    assert.equal(s.controller.differsFrom({ provider: 'generic' }), false);
    assert.equal(s.controller.differsFrom({ provider: 'ecr' }), true);
    assert.equal(s.controller.differsFrom({ provider: 'generic', editing: { id: 'x', name: 'x' } }), true);
    await s.controller.handle({ type: 'ready' });
    await s.controller.reset({ provider: 'ecr' });
    const inits = s.of('init');
    assert.equal(inits.length, 2);
    assert.notEqual(inits[0]?.session, inits[1]?.session);
    assert.equal(inits[1]?.selected, 'ecr');
  });

  test('forms are read from the backend on every message (known providers follow it)', async () => {
    let current: ProviderForm[] = forms.slice(0, 1);
    const s = setup({}, { forms: () => current });
    await s.controller.handle({ type: 'test', provider: 'ecr', values: {} });
    assert.equal(s.calls.test.length, 0);
    current = forms;
    await s.controller.handle({ type: 'test', provider: 'ecr', values: { auth: 'profile', profile: 'p' } });
    assert.equal(s.calls.test.length, 1);
  });

  test('save confirmations reach the backend; Save anyway and duplicate offers reach the page', async () => {
    const confirms: unknown[] = [];
    const s = setup({}, {
      save: async (_p, _v, _s, _e, confirm) => {
        confirms.push(confirm);
        if (!confirm) return { ok: false, message: 'Not saved: down.', detail: 'Code: ECONNREFUSED', canSaveAnyway: true };
        return { ok: true, message: 'Saved r.' };
      },
    });
    await s.controller.handle({ type: 'save', provider: 'generic', values });
    const [first] = s.of('saveResult');
    assert.deepEqual(first, { type: 'saveResult', ok: false, message: 'Not saved: down.', detail: 'Code: ECONNREFUSED', canSaveAnyway: true });
    assert.equal(s.closed(), 0, 'a failed save keeps the form open');
    await s.controller.handle({ type: 'save', provider: 'generic', values, confirm: { saveAnyway: true } });
    assert.deepEqual(confirms, [undefined, { saveAnyway: true }]);
    assert.equal(s.closed(), 1);
  });

  test('editExisting opens only the connection the last Save offered, as an edit', async () => {
    const titles: string[] = [];
    const s = setup(
      {},
      {
        save: async () => ({ ok: false, message: 'Already there.', duplicate: { id: 'generic-1', name: 'Team' } }),
        loadEditing: async (id) => (id === 'generic-1' ? { values: { url: 'https://r.example', username: 'me', password: 'LEAK' }, storedSecrets: ['password'] } : undefined),
      },
      { setTitle: (title) => titles.push(title) },
    );
    await s.controller.handle({ type: 'editExisting', id: 'generic-1' });
    assert.equal(s.of('init').length, 0, 'nothing was offered yet');
    await s.controller.handle({ type: 'save', provider: 'generic', values });
    assert.deepEqual(s.of('saveResult')[0]?.duplicate, { id: 'generic-1', name: 'Team' });
    await s.controller.handle({ type: 'editExisting', id: 'generic-2' });
    assert.equal(s.of('init').length, 0, 'only the offered id');
    await s.controller.handle({ type: 'editExisting', id: 'generic-1' });
    const [init] = s.of('init');
    assert.deepEqual(init?.editing, { id: 'generic-1', name: 'Team', storedSecrets: ['password'] });
    assert.deepEqual(init?.values, { url: 'https://r.example', username: 'me' });
    assert.deepEqual(titles, ['Edit Team']);
    assert.doesNotMatch(JSON.stringify(s.posted), /LEAK/);
  });

  test('details of field errors pass through, other keys do not', async () => {
    const s = setup({}, {
      test: async () => ({ ok: false, message: 'Fix it.', steps: [{ label: 'Reach', ok: false, detail: 'Certificate not trusted' }], fieldErrors: [{ field: 'caPem', message: 'Not trusted.', detail: 'Code: X', extra: 1 } as never] }),
    });
    await s.controller.handle({ type: 'test', provider: 'generic', values });
    assert.deepEqual(s.of('testResult')[0]?.fieldErrors, [{ field: 'caPem', message: 'Not trusted.', detail: 'Code: X' }]);
  });
});
