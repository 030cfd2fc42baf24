// The manifest's user-facing strings live in package.nls.json (VS Code's localization of
// contributions); a key that does not resolve shows up as `%key%` in the UI.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');
const manifestText = readFileSync(join(root, 'package.json'), 'utf8');
const nls = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
const manifest = JSON.parse(manifestText) as {
  activationEvents: string[];
  contributes: { commands: { command: string; title: string; category?: string }[]; configuration: { properties: Record<string, { description?: string; markdownDescription?: string }> } };
};

test('every %key% in package.json resolves in package.nls.json, and no key is unused', () => {
  const used = new Set([...manifestText.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]!));
  assert.ok(used.size > 30, `only ${used.size} localized strings`);
  assert.deepEqual([...used].filter((k) => !(k in nls)), [], 'unresolved keys');
  assert.deepEqual(Object.keys(nls).filter((k) => !used.has(k)), [], 'unused keys');
  for (const [k, v] of Object.entries(nls)) assert.ok(v.trim().length > 0, `${k} is empty`);
});

test('commands have localized titles in the Registry Explorer category; every setting is described', () => {
  for (const c of manifest.contributes.commands) {
    assert.match(c.title, /^%command\./, c.command);
    assert.equal(nls[c.category!.slice(1, -1)], 'Registry Explorer', c.command);
  }
  for (const [name, p] of Object.entries(manifest.contributes.configuration.properties)) {
    assert.ok(p.description ?? p.markdownDescription, `${name} has no description`);
  }
});

test('a palette command per provider, titled after the provider', () => {
  const titles = new Map(manifest.contributes.commands.map((c) => [c.command, nls[c.title.slice(1, -1)]]));
  for (const [id, title] of [
    ['registryExplorer.connectEcr', 'Connect Amazon ECR'],
    ['registryExplorer.connectDockerHub', 'Connect Docker Hub'],
    ['registryExplorer.connectGitHub', 'Connect GitHub Container Registry'],
    ['registryExplorer.connectAzure', 'Connect Azure Container Registry'],
    ['registryExplorer.connectDigitalOcean', 'Connect DigitalOcean Container Registry'],
    ['registryExplorer.connectQuay', 'Connect Quay'],
  ]) assert.equal(titles.get(id!), title);
});
