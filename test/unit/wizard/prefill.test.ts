// A new connection's form prefilled by a caller (a deploy file's "Connect this registry"): the
// host reaches the page, secret fields and fields the form does not have never do, and opening
// the wizard again for another host starts over.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { WizardBackend } from '../../../src/ui/wizard/backend';
import { WizardController, type WizardOptions } from '../../../src/ui/wizard/controller';
import type { ToWebview } from '../../../webview/protocol';
import { forms } from './fixtures';

function open(opts: WizardOptions) {
  const posted: ToWebview[] = [];
  const backend = { forms: () => forms, validate: () => [], test: async () => ({ ok: true, message: '' }), save: async () => ({ ok: true, message: '' }) } as unknown as WizardBackend;
  const controller = new WizardController(backend, { post: (m) => posted.push(m), close: () => undefined, pickFile: async () => undefined, openExternal: () => undefined, withProgress: (_t, task) => task(), t: (m) => m }, opts);
  return { controller, inits: () => posted.filter((m): m is Extract<ToWebview, { type: 'init' }> => m.type === 'init') };
}

describe('wizard: prefilled values for a new connection', () => {
  test('the host goes in; a secret or an unknown field does not; no editing', async () => {
    const w = open({ provider: 'generic', values: { url: 'quay.example:5000', password: 'LEAK', bogus: 'x' } });
    await w.controller.handle({ type: 'ready' });
    const [init] = w.inits();
    assert.equal(init?.selected, 'generic');
    assert.deepEqual(init?.values, { url: 'quay.example:5000' });
    assert.equal(init?.editing, undefined);
  });

  test('another host restarts the open wizard; the same one only reveals it', () => {
    const w = open({ provider: 'generic', values: { url: 'a.example' } });
    assert.equal(w.controller.differsFrom({ provider: 'generic', values: { url: 'b.example' } }), true);
    assert.equal(w.controller.differsFrom({ provider: 'generic', values: { url: 'a.example' } }), false);
  });
});
