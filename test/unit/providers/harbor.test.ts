import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectionFromDockerEntry } from '../../../src/providers/dockerImport';
import { accessorySummary, harborRepositoryPath, scanSummary } from '../../../src/providers/harbor/api';
import { tagsOf } from '../../../src/providers/harbor/connection';
import { harborProjects, harborProvider, robotProject } from '../../../src/providers/harbor';

function errors(r: ReturnType<typeof harborProvider.fromForm>): Record<string, string> {
  assert.ok(!r.ok);
  return Object.fromEntries(r.errors.map((e) => [e.field, e.message]));
}

describe('Harbor form', () => {
  test('user + password + projects: metadata apart from the secret', () => {
    const r = harborProvider.fromForm({ url: 'harbor.example.com/', username: 'alice', password: 'pw', projects: 'Library\nhttps://harbor.example.com/harbor/projects/team-a/repositories\nlibrary' });
    assert.ok(r.ok);
    assert.deepEqual(r.config, { provider: 'harbor', name: 'harbor.example.com', url: 'harbor.example.com', username: 'alice', options: { projects: 'library,team-a' } });
    assert.deepEqual(r.secrets, { password: 'pw' });
    assert.deepEqual(harborProjects({ id: 'x', ...r.config }), ['library', 'team-a']);
  });

  test('robot names: robot$name and robot$project+name; a malformed one is named', () => {
    assert.ok(harborProvider.fromForm({ url: 'h.example.com', username: 'robot$ci', password: 's' }).ok);
    assert.ok(harborProvider.fromForm({ url: 'h.example.com', username: 'robot$acme+reader', password: 's' }).ok);
    assert.equal(robotProject('robot$acme+reader'), 'acme');
    assert.equal(robotProject('robot$ci'), undefined);
    assert.match(errors(harborProvider.fromForm({ url: 'h.example.com', username: 'robot$a+b+c', password: 's' })).username!, /robot\$name or robot\$project\+name/);
    assert.match(errors(harborProvider.fromForm({ url: 'h.example.com', username: 'robot$ci' })).password!, /secret of robot\$ci/);
  });

  test('errors name the field and say what to do', () => {
    const e = errors(harborProvider.fromForm({ url: 'http://10.0.0.1', projects: 'Bad Name!', caPem: 'nope' }));
    assert.match(e.url!, /Allow insecure/);
    assert.match(e.username!, /user name or a robot/);
    assert.match(e.password!, /CLI secret/);
    assert.match(e.projects!, /Not a Harbor project name: bad name!/);
    assert.match(e.caPem!, /BEGIN CERTIFICATE/);
  });

  test('editing keeps the stored secret only for the same user name; the form never carries it', () => {
    const previous = { config: { id: 'h', provider: 'harbor', name: 'h', url: 'h.example.com', username: 'alice' }, secrets: { password: 'pw' } };
    const same = harborProvider.fromForm({ url: 'h.example.com', username: 'alice' }, previous);
    assert.ok(same.ok);
    assert.deepEqual(same.secrets, { password: 'pw' });
    assert.ok(!harborProvider.fromForm({ url: 'h.example.com', username: 'bob' }, previous).ok);
    const form = harborProvider.toForm(previous.config);
    assert.deepEqual(form, { url: 'h.example.com', username: 'alice', projects: '', insecure: false, caPem: '', name: 'h' });
  });

  test('Docker config: a robot login on any host becomes Harbor; other logins stay generic', () => {
    const robot = connectionFromDockerEntry({ registry: 'harbor.example.com', serverKey: 'harbor.example.com', source: 'auths', username: 'robot$acme+ci', password: 'T' });
    assert.deepEqual(robot, { config: { provider: 'harbor', name: 'harbor.example.com', url: 'harbor.example.com', username: 'robot$acme+ci', options: { importedFrom: 'docker-config' } }, secrets: { password: 'T' } });
    assert.equal(connectionFromDockerEntry({ registry: 'harbor.example.com', serverKey: 'harbor.example.com', source: 'auths', username: 'alice', password: 'T' }).config.provider, 'generic');
  });

  test('form help, docs and the one secret field', () => {
    assert.match(harborProvider.form.help!, /CLI secret/);
    assert.match(harborProvider.form.help!, /robot\$project\+name/);
    assert.ok(harborProvider.form.docsUrl?.startsWith('https://goharbor.io/'));
    assert.deepEqual(harborProvider.form.fields.filter((f) => f.secret).map((f) => f.id), ['password']);
  });
});

describe('Harbor listing facts', () => {
  const digest = `sha256:${'b'.repeat(64)}`;
  test('repository names inside a project are double-encoded', () => {
    assert.equal(harborRepositoryPath('team/app'), 'team%252Fapp');
    assert.equal(harborRepositoryPath('app'), 'app');
  });

  test('scan summaries and accessories in a few words', () => {
    const mime = 'application/vnd.security.vulnerability.report; version=1.1';
    assert.equal(scanSummary({ [mime]: { scan_status: 'Success', summary: { total: 3, summary: { Critical: 1, Low: 2 } } } }), 'scan: 1 critical, 2 low');
    assert.equal(scanSummary({ [mime]: { scan_status: 'Success', summary: { total: 0, summary: {} } } }), 'scan: no vulnerabilities');
    assert.equal(scanSummary({ [mime]: { scan_status: 'Pending' } }), 'scan running');
    assert.equal(scanSummary({ [mime]: { scan_status: 'Error' } }), 'scan failed');
    assert.equal(scanSummary(undefined), undefined);
    assert.equal(accessorySummary([{ type: 'signature.cosign' }, { type: 'signature.notation' }, { type: 'harbor.sbom' }]), 'signed, SBOM');
    assert.equal(accessorySummary(null), undefined);
  });

  test('an artifact with two tags gives two rows; an untagged one none; an index no size', () => {
    const rows = tagsOf({ digest, size: 10, push_time: '2024-05-01T00:00:00Z', type: 'CNAB', tags: [{ name: 'a' }, { name: 'b', push_time: '2024-06-01T00:00:00Z' }] });
    assert.deepEqual(rows, [
      // The kind is the tree's to show (listedKind.ts), so the note does not repeat it.
      { name: 'a', digest, created: '2024-05-01T00:00:00.000Z', size: 10, artifact: { kind: 'cnab' } },
      { name: 'b', digest, created: '2024-06-01T00:00:00.000Z', size: 10, artifact: { kind: 'cnab' } },
    ]);
    assert.deepEqual(tagsOf({ digest, tags: null }), []);
    assert.equal(tagsOf({ digest, size: 99, manifest_media_type: 'application/vnd.oci.image.index.v1+json', tags: [{ name: 'x' }] })[0]!.size, undefined);
  });
});
