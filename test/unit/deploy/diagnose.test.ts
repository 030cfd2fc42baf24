// Diagnostics from a listing: a real scan of real YAML, the facts a registry would give, and
// exactly which diagnostics (with their spans in the text) come out; plus which requests the
// facts need (one listing per repository, a HEAD only where a pin may have moved).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  boundLookups,
  DEFAULT_DIAGNOSTIC_SETTINGS,
  diagnose,
  headLookup,
  headsNeeded,
  LOOKUPS_PER_FILE,
  repositoriesNeeded,
  scanText,
  type DeployRef,
  type DiagnosticSettings,
  type Reach,
  type RepositoryFacts,
  type TagFacts,
} from '../../../src/deploy/index';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - name: app
          image: localhost:5000/team/app:1.25 # the app
        - name: pinned
          image: "localhost:5000/team/app:1.26@${D1}"
        - name: gone
          image: localhost:5000/team/app:0.9
        - name: other
          image: localhost:5000/nothing:1.0
        - name: foreign
          image: quay.io/org/tool:2.1
        - name: foreign2
          image: quay.io/org/other:2.1
        - name: hub
          image: nginx:1.25
        - name: variable
          image: localhost:5000/team/app:\${TAG}
`;

const refs = () => scanText('k8s.yaml', MANIFEST, 'kubernetes').refs;
const reach = (registry: string): Reach => (registry === 'localhost:5000' ? 'connected' : 'none');
const listed = (names: string[], complete = true, digests: Record<string, string> = {}): RepositoryFacts => ({
  state: 'listed',
  tags: names.map((name) => ({ name, ...(digests[name] ? { digest: digests[name] } : {}) })),
  complete,
});

function run(opts: { settings?: Partial<DiagnosticSettings>; app?: RepositoryFacts; heads?: Map<string, TagFacts>; reach?: (r: string) => Reach } = {}) {
  const repos: Record<string, RepositoryFacts> = {
    'localhost:5000\nteam/app': opts.app ?? listed(['1.25', '1.25.1', '1.26', '1.27', '2.0', 'latest']),
    'localhost:5000\nnothing': { state: 'missing' },
  };
  return diagnose({
    refs: refs(),
    reach: opts.reach ?? reach,
    repository: (registry, repository) => repos[`${registry}\n${repository}`] ?? { state: 'unknown' },
    tag: (ref) => opts.heads?.get(ref.value),
    settings: { ...DEFAULT_DIAGNOSTIC_SETTINGS, ...opts.settings },
  });
}

const show = (list: ReturnType<typeof run>) => list.map((d) => `${d.code}${d.detail ? `(${d.detail})` : ''} ${JSON.stringify(MANIFEST.slice(d.offset, d.offset + d.length))} ${d.args.join(' ')}${d.fix ? ` fix:${JSON.stringify(d.fix)}` : ''}`);

describe('diagnostics from a listing', () => {
  it('newer minor, not found tag and repository, one not-connected per file; variables skipped', () => {
    assert.deepEqual(show(run()), [
      'newerVersion "1.25" 1.27 1.25 minor fix:{"kind":"update","tag":"1.27"}',
      'newerVersion "1.26" 1.27 1.26 minor fix:{"kind":"update","tag":"1.27"}',
      'notFound(tag) "0.9" 0.9 team/app',
      'notFound(repository) "localhost:5000/nothing" nothing localhost:5000',
      'notConnected "quay.io/org/tool" quay.io fix:{"kind":"connect","registry":"quay.io"}',
    ]);
  });

  it('a major by setting; each diagnostic off by its setting; not pinned on request', () => {
    const major = run({ settings: { newerMajor: true } });
    assert.equal(major[0]!.args[0], '2.0');
    assert.equal(major[0]!.args[2], 'major');
    assert.deepEqual(run({ settings: { newerVersion: false, notFound: false, notConnected: false } }), []);
    const pins = show(run({ settings: { newerVersion: false, notFound: false, notConnected: false, notPinned: true } }));
    // `0.9` and `nothing` do not exist (even with that check off): there is nothing to pin them to.
    assert.deepEqual(pins, ['notPinned "1.25" 1.25 fix:{"kind":"pin"}']);
  });

  it('a moved pin, from the HEAD the listing could not spare, underlines the digest', () => {
    const heads = new Map([[`localhost:5000/team/app:1.26@${D1}`, { exists: true, digest: D2, moved: true }]]);
    const list = run({ heads, settings: { newerVersion: false, notFound: false, notConnected: false } });
    assert.deepEqual(show(list), [`tagMoved "${D1}" 1.26 ${D2} fix:{"kind":"updatePin","digest":"${D2}"}`]);
  });

  it('a cut-short listing claims no missing tag by itself; a HEAD decides', () => {
    const partial = listed(['1.25', '1.26'], false);
    assert.ok(!show(run({ app: partial })).some((s) => s.startsWith('notFound(tag)')));
    const heads = new Map([['localhost:5000/team/app:0.9', { exists: false }]]);
    assert.ok(show(run({ app: partial, heads })).some((s) => s.startsWith('notFound(tag) "0.9"')));
  });

  it('a registry that failed or was not asked says nothing', () => {
    assert.deepEqual(show(run({ app: { state: 'unknown' }, settings: { notConnected: false } })), ['notFound(repository) "localhost:5000/nothing" nothing localhost:5000']);
  });
});

describe('the requests diagnostics need', () => {
  const input = (app: RepositoryFacts, r: (registry: string) => Reach = reach) => ({
    refs: refs(),
    reach: r,
    repository: (_registry: string, repository: string): RepositoryFacts => (repository === 'team/app' ? app : { state: 'unknown' }),
    settings: DEFAULT_DIAGNOSTIC_SETTINGS,
  });
  const values = (list: DeployRef[]) => list.map((r) => r.value);

  it('one listing per distinct repository of a connected registry, none for others or for variables', () => {
    assert.deepEqual(repositoriesNeeded(refs(), reach), [
      { registry: 'localhost:5000', repository: 'team/app' },
      { registry: 'localhost:5000', repository: 'nothing' },
    ]);
  });

  it('a HEAD only for a pin whose tag the listing does not show at the pinned digest', () => {
    assert.deepEqual(values(headsNeeded(input(listed(['1.25', '1.26', '0.9'], true, { '1.26': D1 })))), []);
    assert.deepEqual(values(headsNeeded(input(listed(['1.25', '1.26', '0.9'], true, { '1.26': D2 })))), [`localhost:5000/team/app:1.26@${D1}`]);
    assert.deepEqual(values(headsNeeded(input(listed(['1.25', '1.26', '0.9'])))), [`localhost:5000/team/app:1.26@${D1}`]);
  });

  it('anonymous Docker Hub: HEADs only, never a listing', () => {
    const anon = (registry: string): Reach => (registry === 'docker.io' ? 'anonymous' : reach(registry));
    assert.ok(!repositoriesNeeded(refs(), anon).some((r) => r.registry === 'docker.io'));
    assert.deepEqual(values(headsNeeded(input(listed(['1.25', '1.26', '0.9'], true, { '1.26': D1 }), anon))), ['nginx:1.25']);
  });
});

describe('references by digest alone', () => {
  const PINNED = `services:
  kept:
    image: localhost:5000/team/app@${D1}
  collected:
    image: "localhost:5000/team/app@${D2}"
  hub:
    image: nginx@${D2}
`;
  const pinnedRefs = () => scanText('compose.yaml', PINNED, 'compose').refs;
  const anon = (registry: string): Reach => (registry === 'docker.io' ? 'anonymous' : reach(registry));
  const input = (settings: Partial<DiagnosticSettings> = {}) => ({
    refs: pinnedRefs(),
    reach: anon,
    repository: (): RepositoryFacts => listed(['1.25', '1.26'], true, { '1.26': D1 }),
    settings: { ...DEFAULT_DIAGNOSTIC_SETTINGS, ...settings },
  });

  it('each needs a HEAD of its digest (no listing names digests), anonymous Docker Hub too; none when not-found is off', () => {
    assert.deepEqual(
      headsNeeded(input()).map((r) => r.value),
      [`localhost:5000/team/app@${D1}`, `localhost:5000/team/app@${D2}`, `nginx@${D2}`],
    );
    assert.deepEqual(headsNeeded(input({ notFound: false })), []);
  });

  it('a digest the registry no longer holds is underlined; one it holds, or one not asked about, says nothing', () => {
    const heads = new Map<string, TagFacts>([
      [`localhost:5000/team/app@${D1}`, { exists: true, digest: D1 }],
      [`localhost:5000/team/app@${D2}`, { exists: false }],
    ]);
    const list = diagnose({ ...input({ notPinned: true }), tag: (ref) => heads.get(ref.value) });
    assert.deepEqual(
      list.map((d) => `${d.code}(${d.detail}) ${JSON.stringify(PINNED.slice(d.offset, d.offset + d.length))} ${d.args.join(' ')}`),
      [`notFound(digest) "${D2}" ${D2} team/app`],
    );
  });
});

describe('a file that names more images than one check asks about', () => {
  // 40 distinct digests and 40 distinct repositories, each written twice, then one written a third time.
  const digest = (i: number) => `sha256:${i.toString(16).padStart(64, 'e')}`;
  const lines = ['services:'];
  for (let i = 0; i < 40; i++) lines.push(`  pin${i}:`, `    image: localhost:5000/team/app@${digest(i)}`, `  again${i}:`, `    image: localhost:5000/team/app@${digest(i)}`);
  for (let i = 0; i < 40; i++) lines.push(`  repo${i}:`, `    image: localhost:5000/r${i}:1.0`, `  repo${i}b:`, `    image: localhost:5000/r${i}:1.0`);
  lines.push('  late:', `    image: localhost:5000/team/app@${digest(0)}`);
  const many = () => scanText('compose.yaml', `${lines.join('\n')}\n`, 'compose').refs;

  it('asks for the first LOOKUPS_PER_FILE distinct HEADs in the order written; a reference repeating one of them is still checked', () => {
    const needed = headsNeeded({ refs: many(), reach, repository: () => ({ state: 'unknown' }), settings: DEFAULT_DIAGNOSTIC_SETTINGS });
    assert.equal(needed.length, 81);
    const { kept, left } = boundLookups(needed, headLookup);
    assert.equal(LOOKUPS_PER_FILE, 32);
    assert.equal(left, 40 - LOOKUPS_PER_FILE);
    assert.equal(new Set(kept.map(headLookup)).size, LOOKUPS_PER_FILE);
    assert.equal(kept.length, 2 * LOOKUPS_PER_FILE + 1, 'both spellings of each image asked about, and the late repeat of the first');
    assert.deepEqual(kept.slice(0, 2).map((r) => r.value), [`localhost:5000/team/app@${digest(0)}`, `localhost:5000/team/app@${digest(0)}`]);
    assert.ok(!kept.some((r) => r.value.endsWith(digest(LOOKUPS_PER_FILE))), 'the 33rd digest is not asked about');
    assert.equal(kept.at(-1)!.value, `localhost:5000/team/app@${digest(0)}`);
  });

  it('lists the first LOOKUPS_PER_FILE distinct repositories', () => {
    const repos = repositoriesNeeded(many(), reach);
    assert.equal(repos.length, 41);
    const { kept, left } = boundLookups(repos, (r) => `${r.registry}\n${r.repository}`);
    assert.equal(left, 41 - LOOKUPS_PER_FILE);
    assert.deepEqual(kept.map((r) => r.repository), ['team/app', ...Array.from({ length: LOOKUPS_PER_FILE - 1 }, (_, i) => `r${i}`)]);
  });

  it('under the bound, everything is kept', () => {
    assert.deepEqual(boundLookups(['a', 'b', 'a'], (x) => x, 2), { kept: ['a', 'b', 'a'], left: 0 });
    assert.deepEqual(boundLookups(['a', 'b', 'c', 'b', 'c'], (x) => x, 2), { kept: ['a', 'b', 'b'], left: 1 });
  });
});
