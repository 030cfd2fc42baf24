// The manifest's half of "a workspace cannot choose where secrets go": the settings that decide
// where a secret is sent are application-scoped (VS Code ignores them in workspace settings),
// and Restricted Mode is declared with those settings restricted.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  capabilities?: { untrustedWorkspaces?: { supported: boolean | 'limited'; description?: string; restrictedConfigurations?: string[] } };
  contributes: { configuration: { properties: Record<string, { scope?: string }> } };
};
const nls = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;

test('provider API endpoints are application-scoped: only user settings can set them', () => {
  assert.equal(manifest.contributes.configuration.properties['registryExplorer.apiEndpoints']?.scope, 'application');
});

test('Restricted Mode is supported in part, says what works, and restricts the location-deciding settings', () => {
  const u = manifest.capabilities?.untrustedWorkspaces;
  assert.ok(u);
  assert.equal(u.supported, 'limited');
  const description = nls[u.description?.replace(/^%|%$/g, '') ?? ''] ?? u.description ?? '';
  assert.match(description, /Restricted Mode/);
  for (const s of ['registryExplorer.registries', 'registryExplorer.apiEndpoints']) assert.ok(u.restrictedConfigurations?.includes(s), s);
  for (const s of u.restrictedConfigurations ?? []) assert.ok(s in manifest.contributes.configuration.properties, `${s} is not a setting`);
});
