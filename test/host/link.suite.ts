// "Link Image into Deploy Config" inside the real extension host, against a real registry that
// test/e2e/link.test.ts starts and seeds (standard images). The workspace is a copy of
// test/fixtures/link-workspace with REGISTRY_HOST replaced. Settings given by the test:
// registries `Local` (the registry) and `Gone` (a closed port), deployConfigPaths `ops/*.yml`,
// search.exclude `**/ignored`, files.autoSave off.
//
// The flow runs through `linkImage` with an injected picker (the command wires QuickPicks into
// the same function), so every choice a user makes is made here in code.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { DeployRef, LinkMode } from '../../src/deploy';
import type { ExtensionApi } from '../../src/extension';
import { createDeployFiles } from '../../src/ui/link/create';
import { applyLinks, linkImage, LinkFlowError, revertLinks, type ConfirmAnswer, type ConfirmInfo, type LinkPicker, type LinkTarget, type ModeChoice, type ProblemChoice, type RefChoice } from '../../src/ui/link/flow';
import { combineExcludes, expandBraces } from '../../src/ui/link/patterns';
import { scanWorkspace } from '../../src/ui/link/scan';
import { defaultSecretName, pullCredentials } from '../../src/ui/link/secret';
import { targetFromText } from '../../src/ui/link/targets';
import { api, until } from './support';

const env = process.env;
const HOST = env.LINK_REGISTRY_HOST ?? '';
const ALPINE_319 = env.LINK_ALPINE_319 ?? '';
const API_V1 = env.LINK_API_V1 ?? '';
const API_V2 = env.LINK_API_V2 ?? '';
const LOCAL = `settings:${env.LINK_REGISTRY_URL}`;
const GONE = `settings:${env.LINK_GONE_URL}`;

const folder = () => vscode.workspace.workspaceFolders![0].uri;
const uri = (rel: string) => vscode.Uri.joinPath(folder(), ...rel.split('/'));
const rel = (file: string) => vscode.workspace.asRelativePath(vscode.Uri.parse(file));
const doc = (path: string) => vscode.workspace.openTextDocument(uri(path));
const disk = async (path: string) => new TextDecoder().decode(await vscode.workspace.fs.readFile(uri(path)));

interface Seen {
  choices?: RefChoice[];
  problems?: ProblemChoice[];
  modes?: ModeChoice[];
  initialMode?: LinkMode;
  confirm?: ConfirmInfo;
}

/**
 * A picker that takes the refs `pick` chooses, answers `mode` and then `answer` at the
 * confirmation (default: apply, pins kept); records what it was shown.
 */
function picker(
  pick: (choices: RefChoice[]) => DeployRef[],
  mode: LinkMode | undefined,
  seen: Seen = {},
  beforeReturn?: () => Promise<void>,
  /** null: Escape at the confirmation. */
  answer: ConfirmAnswer | null = { keepPins: true },
): LinkPicker {
  return {
    async confirm(info) {
      seen.confirm = info;
      return answer ?? undefined;
    },
    async references(choices, problems) {
      seen.choices = choices;
      seen.problems = problems;
      const refs = pick(choices);
      await beforeReturn?.();
      return refs;
    },
    async mode(modes, initial) {
      seen.modes = modes;
      seen.initialMode = initial;
      return mode;
    },
  };
}

const inFile = (path: string, label?: RegExp) => (choices: RefChoice[]) =>
  choices.filter((c) => rel(c.ref.file) === path && (!label || label.test(c.ref.label))).map((c) => c.ref);

/** Puts a document back to `text` (the inverse of a link; keeps it unsaved like the link did). */
async function restore(path: string, text: string): Promise<void> {
  const d = await doc(path);
  if (d.getText() === text) return;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(d.uri, new vscode.Range(d.positionAt(0), d.positionAt(d.getText().length)), text);
  assert.ok(await vscode.workspace.applyEdit(edit));
  assert.equal(d.getText(), text);
}

const alpine319: LinkTarget = { registry: HOST, repository: 'alpine', tag: '3.19', connectionId: LOCAL };
/** The pin in compose/compose.yaml (not an image the registry has: the link replaces it). */
const PIN = 'sha256:3e6367cce402d1fc38f409c13a207aa36fac31d1002a1e0e8ed835c31cad5753';

describe('link: pure helpers', () => {
  it('expands nested braces and builds one flat exclude glob', () => {
    assert.deepEqual(expandBraces('**/{a,b{c,d}}/**'), ['**/a/**', '**/bc/**', '**/bd/**']);
    assert.deepEqual(expandBraces('x{'), ['x{']);
    assert.equal(combineExcludes(['**/{node_modules,.git}/**', '**/ignored']), '{**/node_modules/**,**/.git/**,**/ignored}');
    assert.equal(combineExcludes(['**/dist/**']), '**/dist/**');
  });
});

describe('link: in the real extension host', function () {
  this.timeout(60_000);
  let a: ExtensionApi;
  const original: Record<string, string> = {};
  const files = ['k8s/deployment.yaml', 'chart/values.yaml', 'ops/release.yml', 'broken/values.yaml', 'broken/compose.yaml', 'compose/compose.yaml'];

  before(async () => {
    assert.ok(HOST && ALPINE_319 && API_V1 && API_V2, 'the test passes the registry and digests in env');
    a = await api();
    await until('the Local registry from settings', () => a.store.get(LOCAL));
    for (const f of files) original[f] = await disk(f);
    // Must never be scanned: excluded by the deploy layer's globs and by search.exclude.
    const hidden = `apiVersion: v1\nkind: Pod\nmetadata: {name: hidden}\nspec:\n  containers:\n    - name: x\n      image: ${HOST}/alpine:3.18\n`;
    await vscode.workspace.fs.writeFile(uri('node_modules/chart/deployment.yaml'), new TextEncoder().encode(hidden));
    await vscode.workspace.fs.writeFile(uri('ignored/deployment.yaml'), new TextEncoder().encode(hidden));
  });

  afterEach(async () => {
    for (const f of files) await restore(f, original[f]);
  });

  it('scans the workspace: Kubernetes, Helm and configured generic files; parse problems listed; excludes respected', async () => {
    const scan = await scanWorkspace({ target: alpine319 });
    const found = [...scan.refs]
      .sort((x, y) => rel(x.file).localeCompare(rel(y.file)) || x.line - y.line)
      .map((r) => `${rel(r.file)}:${r.line} ${r.kind} ${r.matches ? 'match' : '-'} ${r.value}`);
    assert.deepEqual(found, [
      `chart/values.yaml:5 helm match ${HOST}/alpine:3.18`,
      'chart/values.yaml:11 helm - busybox:1.36',
      // Matched by the defaults of its variables.
      `compose/compose.yaml:4 compose match \${REGISTRY:-${HOST}}/alpine:\${TAG:-3.18}`,
      `compose/compose.yaml:6 compose match ${HOST}/alpine:3.18@${PIN}`,
      `compose/compose.yaml:8 compose - \${REGISTRY:-${HOST}}/team/backend/api:\${API_TAG}`,
      `k8s/deployment.yaml:18 kubernetes match ${HOST}/alpine:3.18`,
      `k8s/deployment.yaml:22 kubernetes - ${HOST}/team/backend/api:v1`,
      'k8s/deployment.yaml:24 kubernetes - busybox:1.36',
      `ops/release.yml:4 generic match ${HOST}/alpine:3.18`,
    ]);
    assert.deepEqual(
      scan.problems.map((p) => `${rel(p.file)}:${p.line}`),
      ['broken/compose.yaml:6', 'broken/compose.yaml:8', 'broken/compose.yaml:11', 'broken/compose.yaml:11', 'broken/values.yaml:4'],
    );
    assert.ok(![...scan.files.keys()].some((k) => /node_modules|ignored|notes/.test(k)), [...scan.files.keys()].join('\n'));
  });

  it('links a tag by digest into a Deployment and a Helm values file as one edit; one Undo restores both byte-for-byte', async () => {
    const seen: Seen = {};
    const deployment = await doc('k8s/deployment.yaml');
    const values = await doc('chart/values.yaml');
    const before = { deployment: deployment.getText(), values: values.getText() };
    const outcome = await linkImage(a, alpine319, picker((cs) => cs.filter((c) => c.picked && (c.ref.kind === 'kubernetes' || c.ref.kind === 'helm')).map((c) => c.ref), 'digest', seen), { progress: false });
    assert.equal(outcome.kind, 'linked');
    if (outcome.kind !== 'linked') return;

    // What the picker was shown: the matching refs preselected, described in the default mode.
    assert.equal(seen.initialMode, 'tag@digest');
    const short = ALPINE_319.slice(0, 'sha256:'.length + 12);
    const row = seen.choices!.find((c) => rel(c.ref.file) === 'k8s/deployment.yaml' && c.ref.line === 18)!;
    assert.equal(row.label, `${HOST}/alpine:3.18 → ${HOST}/alpine:3.19@${short}…`);
    assert.equal(row.description, 'k8s/deployment.yaml:18');
    assert.match(row.detail, /^kubernetes · Deployment\/web/);
    assert.deepEqual(
      seen.choices!.filter((c) => c.picked).map((c) => `${rel(c.ref.file)}:${c.ref.line}`).sort(),
      ['chart/values.yaml:5', 'compose/compose.yaml:4', 'compose/compose.yaml:6', 'k8s/deployment.yaml:18', 'ops/release.yml:4'],
    );
    // One entry per file that does not parse, however many errors it has.
    assert.deepEqual(seen.problems!.map((p) => p.text), [
      'broken/compose.yaml:6: Flow sequence in block collection must be sufficiently indented and end with a ], and 3 more problem(s)',
      'broken/values.yaml:4: Map keys must be unique',
    ]);
    assert.deepEqual(seen.problems!.map((p) => p.problems.length), [4, 1]);
    // The confirmation listed both changes, before → after.
    assert.deepEqual(
      seen.confirm!.changes.map((c) => `${c.description} ${c.label} | ${c.detail}`),
      [
        `chart/values.yaml:5 ${HOST}/alpine:3.19@${short}… | was ${HOST}/alpine:3.18 · helm · image`,
        `k8s/deployment.yaml:18 ${HOST}/alpine@${short}… | was ${HOST}/alpine:3.18 · kubernetes · Deployment/web › web`,
      ],
    );
    assert.deepEqual(
      seen.modes!.map((m) => `${m.mode} ${m.available}`),
      ['tag@digest true', 'digest true', 'tag true'],
    );

    // The exact new text: only the picked scalars changed, comments and quoting kept.
    const expectDeployment = before.deployment.replace(`image: ${HOST}/alpine:3.18 # the app`, `image: ${HOST}/alpine@${ALPINE_319} # the app`);
    const expectValues = before.values.replace('  tag: "3.18"   # bumped by CI\n', `  tag: "3.19"   # bumped by CI\n  digest: "${ALPINE_319}"\n`);
    assert.notEqual(expectDeployment, before.deployment);
    assert.notEqual(expectValues, before.values);
    assert.equal(deployment.getText(), expectDeployment);
    assert.equal(values.getText(), expectValues);
    assert.deepEqual(outcome.files.map((f) => rel(f.uri.toString())).sort(), ['chart/values.yaml', 'k8s/deployment.yaml']);
    assert.equal(outcome.target.digest, ALPINE_319);

    // Left unsaved, untouched on disk; the generic file was not picked and did not change.
    assert.equal(deployment.isDirty, true);
    assert.equal(values.isDirty, true);
    assert.equal(await disk('k8s/deployment.yaml'), original['k8s/deployment.yaml']);
    assert.equal((await doc('ops/release.yml')).getText(), original['ops/release.yml']);

    // The edits reported are exactly what changed.
    for (const f of outcome.files) {
      const d = await vscode.workspace.openTextDocument(f.uri);
      assert.equal(f.after, d.getText());
      let text = f.before;
      for (const e of [...f.edits].reverse()) text = text.slice(0, e.offset) + e.newText + text.slice(e.offset + e.length);
      assert.equal(text, f.after);
    }

    // One Undo (in either editor) takes the link back in both files, byte for byte.
    await vscode.window.showTextDocument(values, { preview: false });
    await vscode.commands.executeCommand('undo');
    await until('undo in both files', () => deployment.getText() === before.deployment && values.getText() === before.values);
    assert.equal(deployment.getText(), before.deployment);
    assert.equal(values.getText(), before.values);
  });

  // Issue 10, defect 3: linking into `${REGISTRY:-…}/…:${TAG:-…}` wrote a literal reference.
  // Defect 6: pins were downgraded to tag-only without a word.
  it('compose interpolation: by tag, the variables stay (defaults updated) and a digest pin keeps its style', async () => {
    const seen: Seen = {};
    const d = await doc('compose/compose.yaml');
    const before = d.getText();
    const outcome = await linkImage(a, alpine319, picker(inFile('compose/compose.yaml', /app|cache/), 'tag', seen), { progress: false });
    assert.equal(outcome.kind, 'linked');
    // The picker marked the row with variables and said what happens to them.
    const app = seen.choices!.find((c) => c.ref.label === 'service app')!;
    assert.ok(app.label.startsWith('$(symbol-variable) '), app.label);
    assert.match(app.detail, /keeps \$\{REGISTRY\}, \$\{TAG\} \(set at deploy time; only defaults change\)/);
    // The confirmation: every change before → after, the pin kept and offered to drop.
    assert.equal(seen.confirm!.pinsKept, 1);
    assert.deepEqual(
      seen.confirm!.changes.map((c) => [c.description, c.change.before, c.change.after, c.change.mode]),
      [
        ['compose/compose.yaml:4', `\${REGISTRY:-${HOST}}/alpine:\${TAG:-3.18}`, `\${REGISTRY:-${HOST}}/alpine:\${TAG:-3.19}`, 'tag'],
        ['compose/compose.yaml:6', `${HOST}/alpine:3.18@${PIN}`, `${HOST}/alpine:3.19@${ALPINE_319}`, 'tag@digest'],
      ],
    );
    assert.match(seen.confirm!.changes[1].detail, /keeps its digest pin \(tag@digest\)/);
    assert.equal(
      d.getText(),
      before
        .replace(`\${REGISTRY:-${HOST}}/alpine:\${TAG:-3.18}`, `\${REGISTRY:-${HOST}}/alpine:\${TAG:-3.19}`)
        .replace(`${HOST}/alpine:3.18@${PIN}`, `${HOST}/alpine:3.19@${ALPINE_319}`),
    );
  });

  it('the user may drop the pins at the confirmation', async () => {
    const d = await doc('compose/compose.yaml');
    const before = d.getText();
    await linkImage(a, alpine319, picker(inFile('compose/compose.yaml', /cache/), 'tag', {}, undefined, { keepPins: false }), { progress: false });
    assert.equal(d.getText(), before.replace(`${HOST}/alpine:3.18@${PIN}`, `${HOST}/alpine:3.19`));
  });

  it('a variable without a default: the row warns, the confirmation lists it, cancelling there changes nothing', async () => {
    const seen: Seen = {};
    const api: LinkTarget = { registry: HOST, repository: 'team/backend/api', tag: 'v2', connectionId: LOCAL };
    const d = await doc('compose/compose.yaml');
    const version = d.version;
    const outcome = await linkImage(a, api, picker(inFile('compose/compose.yaml', /service api/), 'tag', seen, undefined, null), { progress: false });
    assert.equal(outcome.kind, 'cancelled');
    assert.equal(d.version, version);
    const row = seen.choices!.find((c) => c.ref.label === 'service api')!;
    assert.match(row.detail, /keeps \$\{REGISTRY\}.*replaces \$\{API_TAG\} with a fixed value \(asks first\)/);
    assert.deepEqual(seen.confirm!.changes.map((c) => c.change.replaced), [['${API_TAG}']]);
    // Confirmed: the variable goes, as the confirmation said; REGISTRY stays.
    await linkImage(a, api, picker(inFile('compose/compose.yaml', /service api/), 'tag'), { progress: false });
    assert.equal(d.getText(), original['compose/compose.yaml'].replace(`/team/backend/api:\${API_TAG}"`, '/team/backend/api:v2"'));
  });

  it('a filtered picker: checked rows the filter hid are in the confirmation, with before → after', async () => {
    const seen: Seen = {};
    // The user filtered to one busybox row and checked it; the preselected rows stayed checked.
    const outcome = await linkImage(a, alpine319, picker((cs) => cs.filter((c) => c.picked || (c.ref.line === 24 && rel(c.ref.file) === 'k8s/deployment.yaml')).map((c) => c.ref), 'tag', seen, undefined, null), { progress: false });
    assert.equal(outcome.kind, 'cancelled');
    assert.deepEqual(
      seen.confirm!.changes.map((c) => `${c.description} ${c.change.before} → ${c.change.after}`),
      [
        `chart/values.yaml:5 ${HOST}/alpine:3.18 → ${HOST}/alpine:3.19`,
        `compose/compose.yaml:4 \${REGISTRY:-${HOST}}/alpine:\${TAG:-3.18} → \${REGISTRY:-${HOST}}/alpine:\${TAG:-3.19}`,
        `compose/compose.yaml:6 ${HOST}/alpine:3.18@${PIN} → ${HOST}/alpine:3.19@${ALPINE_319}`,
        `k8s/deployment.yaml:18 ${HOST}/alpine:3.18 → ${HOST}/alpine:3.19`,
        `k8s/deployment.yaml:24 busybox:1.36 → ${HOST}/alpine:3.19`,
        `ops/release.yml:4 ${HOST}/alpine:3.18 → ${HOST}/alpine:3.19`,
      ],
    );
    // The mode step no longer describes only the first row.
    assert.match(seen.modes!.find((m) => m.mode === 'tag')!.detail, /, and 5 more \(all listed before anything changes\)$/);
    for (const f of files) assert.equal((await doc(f)).getText(), original[f]);
  });

  it('Undo from the notification (revertLinks): every file back byte for byte, saved ones saved again', async () => {
    const paths = ['k8s/deployment.yaml', 'chart/values.yaml', 'compose/compose.yaml'];
    // Start from saved files, as a user who has not touched them would.
    for (const p of paths) {
      const d = await doc(p);
      if (d.isDirty) await d.save();
    }
    const before = await Promise.all(paths.map(disk));
    const outcome = await linkImage(a, alpine319, picker((cs) => cs.filter((c) => c.picked && paths.includes(rel(c.ref.file))).map((c) => c.ref), 'tag@digest'), { progress: false });
    assert.equal(outcome.kind, 'linked');
    if (outcome.kind !== 'linked') return;
    assert.deepEqual(outcome.files.map((f) => rel(f.uri.toString())).sort(), [...paths].sort());
    await revertLinks(outcome.files);
    for (const [i, p] of paths.entries()) {
      const d = await doc(p);
      assert.equal(d.getText(), before[i], p);
      assert.equal(d.isDirty, false, `${p} saved again`);
      assert.equal(await disk(p), before[i], `${p} on disk`);
    }
    // A second undo finds the files changed since the link and reverts nothing.
    await assert.rejects(revertLinks(outcome.files), (e: unknown) => e instanceof LinkFlowError && /changed after the link/.test(e.message));
  });

  it('a link into one file is one real undo step', async () => {
    const d = await doc('k8s/deployment.yaml');
    const before = d.getText();
    const outcome = await linkImage(a, alpine319, picker(inFile('k8s/deployment.yaml', /› web$/), 'tag@digest'), { progress: false });
    assert.equal(outcome.kind, 'linked');
    assert.equal(d.getText(), before.replace(`${HOST}/alpine:3.18 #`, `${HOST}/alpine:3.19@${ALPINE_319} #`));
    await vscode.window.showTextDocument(d, { preview: false });
    await vscode.commands.executeCommand('undo');
    await until('undo', () => d.getText() === before);
    assert.equal(d.getText(), before);
  });

  it('finds the reference again when the text moved after the scan (stale offsets)', async () => {
    const d = await doc('k8s/deployment.yaml');
    const insertLine = async () => {
      const edit = new vscode.WorkspaceEdit();
      edit.insert(d.uri, new vscode.Position(0, 0), '# a line typed while the picker was open\n');
      assert.ok(await vscode.workspace.applyEdit(edit));
    };
    const outcome = await linkImage(a, alpine319, picker(inFile('k8s/deployment.yaml', /› web$/), 'tag', {}, insertLine), { progress: false });
    assert.equal(outcome.kind, 'linked');
    assert.equal(d.getText(), `# a line typed while the picker was open\n${original['k8s/deployment.yaml'].replace(`${HOST}/alpine:3.18 #`, `${HOST}/alpine:3.19 #`)}`);
  });

  it('if one file cannot be linked, no file is changed', async () => {
    let snapshot: number[] = [];
    const d = await doc('k8s/deployment.yaml');
    const v = await doc('chart/values.yaml');
    const breakValues = async () => {
      const edit = new vscode.WorkspaceEdit();
      edit.insert(v.uri, new vscode.Position(0, 0), 'replicaCount: 3\n'); // duplicate key: no longer parses
      assert.ok(await vscode.workspace.applyEdit(edit));
    };
    const both = (cs: RefChoice[]) => cs.filter((c) => c.picked && (c.ref.kind === 'kubernetes' || c.ref.kind === 'helm')).map((c) => c.ref);
    const versions = () => [d.version, v.version];
    await assert.rejects(
      async () => {
        const p = picker(both, 'digest', {}, async () => {
          await breakValues();
          snapshot = versions();
        });
        await linkImage(a, alpine319, p, { progress: false });
      },
      (e: unknown) => e instanceof LinkFlowError && /chart\/values\.yaml:\d+ no longer parses/.test(e.message),
    );
    assert.deepEqual(versions(), snapshot, 'no document changed after the picker returned');
    assert.equal(d.getText(), original['k8s/deployment.yaml']);
  });

  it('a tag the registry does not have: clear error, no edit, no picker', async () => {
    const seen: Seen = {};
    await assert.rejects(
      linkImage(a, { ...alpine319, tag: 'no-such-tag' }, picker(() => [], 'digest', seen), { progress: false }),
      (e: unknown) => e instanceof LinkFlowError && /127\.0\.0\.1:\d+\/alpine:no-such-tag was not found in the registry\. Nothing was changed/.test(e.message),
    );
    assert.equal(seen.choices, undefined);
    for (const f of files) assert.equal((await doc(f)).getText(), original[f]);
  });

  it('a digest the registry cannot resolve (unreachable): clear error, no edit', async () => {
    const seen: Seen = {};
    const d = await doc('k8s/deployment.yaml');
    const version = d.version;
    await assert.rejects(
      linkImage(a, { registry: HOST, repository: 'alpine', tag: '3.19', connectionId: GONE }, picker(inFile('k8s/deployment.yaml'), 'digest', seen), { progress: false }),
      (e: unknown) => e instanceof LinkFlowError && /Could not get the digest of .*alpine:3\.19: .*Nothing was changed\. Check the connection/.test(e.message),
    );
    // It got as far as the mode choice, which said why digest modes cannot work.
    assert.deepEqual(
      seen.modes!.map((m) => `${m.mode} ${m.available}`),
      ['tag@digest false', 'digest false', 'tag true'],
    );
    assert.match(seen.modes![0].detail, /^digest unknown: /);
    assert.equal(d.version, version);
    for (const f of files) assert.equal((await doc(f)).getText(), original[f]);
  });

  it('applyLinks with an impossible target changes nothing', async () => {
    const scan = await scanWorkspace({ target: alpine319 });
    const picked = scan.refs.filter((r) => r.matches && (r.kind === 'kubernetes' || r.kind === 'helm'));
    await assert.rejects(applyLinks(picked, { registry: HOST, repository: 'alpine' }, 'tag'), /needs a tag/);
    for (const f of files) assert.equal((await doc(f)).getText(), original[f]);
  });

  it('hover on an image shows the registry facts and newer tags', async () => {
    const d = await doc('k8s/deployment.yaml');
    const at = d.positionAt(d.getText().indexOf('team/backend/api:v1') + 3);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', d.uri, at);
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, new RegExp(`Digest: \`${API_V1}\``), text);
    // v2 is a new major: named only with diagnostics.newerMajor on, as the diagnostic does (language suite).
    assert.doesNotMatch(text, /Newer tags/, text);
    assert.match(text, /Platform: linux\/amd64/, text);
    assert.match(text, /Created: .*\(.* ago\)/, text);
    // Not a connected registry: says how to get the facts.
    const busy = d.positionAt(d.getText().indexOf('busybox:1.36') + 2);
    const other = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', d.uri, busy);
    assert.match(other.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n'), /docker\.io is not a connected registry/);
  });

  it('pinned digest check: a CodeLens where the tag moved, and its update', async () => {
    const pinned = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: pinned\nspec:\n  containers:\n    - name: api\n      image: ${HOST}/team/backend/api:v2@${API_V1}\n    - name: ok\n      image: ${HOST}/team/backend/api:v1@${API_V1}\n`;
    await vscode.workspace.fs.writeFile(uri('pins/pod.yaml'), new TextEncoder().encode(pinned));
    const d = await doc('pins/pod.yaml');
    const lensesOff = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', d.uri);
    assert.equal(lensesOff.filter((l) => l.command?.command === 'registryExplorer.updatePinnedDigest').length, 0, 'off by default');
    await vscode.workspace.getConfiguration('registryExplorer').update('pinnedDigestCheck', true, vscode.ConfigurationTarget.Global);
    try {
      const lenses = await until('the pin lens', async () => {
        const ls = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', d.uri)).filter((l) => l.command?.command === 'registryExplorer.updatePinnedDigest');
        return ls.length ? ls : undefined;
      });
      assert.equal(lenses.length, 1);
      assert.equal(lenses[0].range.start.line, 7);
      assert.match(lenses[0].command!.title, /v2 now points at [0-9a-f]{12}/);
      await vscode.commands.executeCommand(lenses[0].command!.command, ...(lenses[0].command!.arguments ?? []));
      assert.equal(d.getText(), pinned.replace(`api:v2@${API_V1}`, `api:v2@${API_V2}`));
    } finally {
      await vscode.workspace.getConfiguration('registryExplorer').update('pinnedDigestCheck', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('creates a starter Kubernetes config that the next scan finds', async () => {
    const where = uri('new-app');
    const created = await createDeployFiles('kubernetes', { registry: HOST, repository: 'team/frontend/web', tag: 'main', digest: ALPINE_319 }, where);
    assert.deepEqual(created.map((u) => vscode.workspace.asRelativePath(u)), ['new-app/k8s/web.yaml']);
    const d = await vscode.workspace.openTextDocument(created[0]);
    assert.match(d.getText(), new RegExp(`^          image: ${HOST.replace(/\./g, '\\.')}/team/frontend/web:main@${ALPINE_319}$`, 'm'));
    assert.match(d.getText(), /^kind: Service$/m);
    const scan = await scanWorkspace({ target: { registry: HOST, repository: 'team/frontend/web' } });
    assert.ok(scan.refs.some((r) => r.matches && rel(r.file) === 'new-app/k8s/web.yaml'), 'the new file is found');
    // Never overwrites.
    await assert.rejects(createDeployFiles('kubernetes', { registry: HOST, repository: 'team/frontend/web', tag: 'main' }, where), /already exists\. Nothing was created/);
  });

  it('a typed reference is linked through the connected registry that serves it', () => {
    assert.deepEqual(targetFromText(a, `${HOST}/alpine:3.19`), { registry: HOST, repository: 'alpine', tag: '3.19', connectionId: LOCAL });
    // Not connected: no connection, so only a link by tag (or a digest given in the text) works.
    assert.deepEqual(targetFromText(a, 'nginx'), { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' });
    assert.throws(() => targetFromText(a, 'Not A Ref'), /not a valid image reference/);
  });

  it('pull secret credentials come from the connection: username in its metadata, password in secret storage', async () => {
    const id = 'link-suite-credentials';
    await a.store.save({ id, provider: 'generic', name: 'With credentials', url: 'https://registry.example.test', username: 'robot' }, { password: 'S3cret-link-suite' });
    try {
      assert.deepEqual(await pullCredentials(a, id), { username: 'robot', password: 'S3cret-link-suite' });
      assert.equal(await pullCredentials(a, LOCAL), undefined, 'a registry without credentials needs no pull secret');
      assert.equal(defaultSecretName('registry.example.test:5000'), 'registry-example-test-5000-pull');
    } finally {
      await a.store.remove(id);
    }
  });

  it('the command and its menus are contributed', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('registryExplorer.linkImage'));
    const pkg = vscode.extensions.getExtension('registry-explorer.registry-explorer')!.packageJSON as { contributes: { menus: Record<string, { command: string; group?: string }[]> } };
    assert.deepEqual(
      pkg.contributes.menus['view/item/context'].filter((m) => m.command === 'registryExplorer.linkImage').map((m) => m.group),
      ['inline@2', '3_link@1'],
    );
  });
});
