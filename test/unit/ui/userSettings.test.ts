// Settings that decide where a secret goes are read from user settings only, and registries a
// workspace defines never borrow a secret saved for another connection.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { ConnectionConfig } from '../../../src/providers/provider';
import { mergeConnections, registriesFromSettings } from '../../../src/ui/settingsRegistries';
import { apiEndpointsFrom, proxyFrom, userValue } from '../../../src/ui/userSettings';

const EVIL = 'http://127.0.0.1:1';

describe('user settings only', () => {
  test('userValue takes the user value, else the default, never a workspace or folder value', () => {
    assert.equal(userValue({ defaultValue: 1, globalValue: 2, workspaceValue: 3, workspaceFolderValue: 4 }), 2);
    assert.equal(userValue({ defaultValue: 1, workspaceValue: 3, workspaceFolderValue: 4 }), 1);
    assert.equal(userValue({ workspaceValue: 3 }), undefined);
    assert.equal(userValue(undefined), undefined);
    assert.equal(userValue({ defaultValue: true, globalValue: false }), false);
  });

  test('apiEndpoints: a workspace pointing every provider elsewhere changes nothing', () => {
    const everywhere = Object.fromEntries(['ecr', 'ecr-registry', 'google-token', 'artifactregistry', 'google-registry', 'dockerhub', 'dockerhub-registry', 'ghcr', 'ghcr-registry', 'acr', 'digitalocean', 'digitalocean-registry', 'quay'].map((k) => [k, EVIL]));
    assert.equal(apiEndpointsFrom({ defaultValue: {}, workspaceValue: everywhere, workspaceFolderValue: everywhere }), undefined);
    assert.deepEqual(apiEndpointsFrom({ defaultValue: {}, globalValue: { ghcr: 'https://ghe.example/api/v3' }, workspaceValue: everywhere }), { ghcr: 'https://ghe.example/api/v3' });
    assert.deepEqual(apiEndpointsFrom({ globalValue: { ghcr: 42, quay: ' ', acr: 'https://a.example' } }), { acr: 'https://a.example' });
    assert.equal(apiEndpointsFrom({ globalValue: ['https://x'] }), undefined);
  });

  test('proxy: workspace http.proxy, proxyStrictSSL and noProxy are ignored', () => {
    assert.equal(proxyFrom({ defaultValue: '', workspaceValue: EVIL }, { defaultValue: true, workspaceValue: false }, { defaultValue: [], workspaceValue: ['*'] }), undefined);
    assert.deepEqual(proxyFrom({ defaultValue: '', globalValue: 'http://proxy.corp:3128' }, { defaultValue: true }, { defaultValue: [], globalValue: ['localhost', 'internal'] }), {
      url: 'http://proxy.corp:3128',
      strictSSL: true,
      noProxy: 'localhost,internal',
    });
    assert.deepEqual(proxyFrom(undefined, { defaultValue: true, globalValue: false }, undefined), { strictSSL: false });
  });
});

describe('registries from settings', () => {
  const user = (name: string, url: string): ConnectionConfig => ({ id: `ghcr-${name}`, provider: 'ghcr', name, url, username: 'me' });

  test('user entries keep their ids and insecure; workspace entries get their own ids, no insecure, no options', () => {
    const r = registriesFromSettings(
      {
        defaultValue: [],
        globalValue: [{ name: 'Team', url: 'r.example:5000', insecure: true, repositories: ['a', 3] }],
        workspaceValue: [{ name: 'Team', url: EVIL, insecure: true, provider: 'ecr', username: 'AKIA', options: { auth: 'default' } }, { url: '' }, null, 'x'],
      },
      true,
    );
    assert.deepEqual(r.user, [{ id: 'settings:r.example:5000', provider: 'generic', name: 'Team', url: 'r.example:5000', insecure: true, repositories: ['a'], options: { fromSettings: true } }]);
    assert.deepEqual(r.workspace, [{ id: `workspace:ecr:${EVIL}`, provider: 'ecr', name: 'Team', url: EVIL, username: 'AKIA', options: { fromSettings: true, fromWorkspace: true } }]);
  });

  test('an untrusted workspace contributes no registry', () => {
    const r = registriesFromSettings({ defaultValue: [], workspaceValue: [{ url: EVIL }] }, false);
    assert.deepEqual(r, { user: [], workspace: [] });
  });

  test('a workspace entry can never take the id, and so the secret, of a user connection', () => {
    // Every id a workspace can produce is in the workspace: namespace, whatever it writes.
    const tricky = [{ url: 'settings:x' }, { url: 'ghcr-Team' }, { name: 'ghcr-Team', url: EVIL, provider: 'ghcr' }, { url: `${EVIL}`, provider: 'generic:settings' }];
    const r = registriesFromSettings({ workspaceValue: tricky }, true);
    for (const c of r.workspace) assert.ok(c.id.startsWith('workspace:'), c.id);
    const merged = mergeConnections([user('Team', 'ghcr.io')], r, '(workspace)');
    assert.equal(merged.filter((c) => c.id === 'ghcr-Team').length, 1);
    assert.equal(merged.find((c) => c.id === 'ghcr-Team')!.url, 'ghcr.io');
  });

  test('merge: saved first; the same name from a workspace is told apart; the same provider and address is the user’s', () => {
    const stored = [user('Team', 'ghcr.io'), { id: `workspace:generic:${EVIL}/edited`, provider: 'generic', name: 'Edited', url: `${EVIL}/edited` }];
    const settings = registriesFromSettings(
      {
        globalValue: [{ name: 'Mine', url: 'r.example' }],
        workspaceValue: [
          { name: 'Team', url: EVIL, provider: 'ghcr' },
          { name: 'Dup', url: 'ghcr.io', provider: 'ghcr' },
          { name: 'Mine', url: 'r.example' },
          { name: 'Edited', url: `${EVIL}/edited` },
          { name: 'Own', url: 'own.example' },
        ],
      },
      true,
    );
    const merged = mergeConnections(stored, settings, '(workspace)');
    assert.deepEqual(
      merged.map((c) => [c.id, c.name]),
      [
        ['ghcr-Team', 'Team'],
        [`workspace:generic:${EVIL}/edited`, 'Edited'],
        ['settings:r.example', 'Mine'],
        [`workspace:ghcr:${EVIL}`, 'Team (workspace)'],
        ['workspace:generic:own.example', 'Own'],
      ],
    );
  });
});
