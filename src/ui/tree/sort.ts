// Tag order. `semver` (the default) puts moving names first, then releases newest first, then
// everything else; `date` uses what is known (provider dates or details already fetched) and
// never fetches to sort; `name` is alphabetical with numbers in numeric order.
//
// A repository can hold 100,000 tags and the tree re-sorts when its listing changes, so each
// tag gets one precomputed key (its version parsed once, its date parsed once, its name turned
// into a string that plain `<` orders like a numeric collation) and the comparator only
// compares numbers and strings. semver's compare() and an Intl.Collator inside the comparator
// re-parsed or went through ICU on every call: 107-160 ms for 100,000 releases, over a second
// once commit tags were among them (semver throws and catches inside on each non-version).

import type { TagInfo } from '../../providers/provider';
import { runSliced, runSync, sortSteps, type Steps } from './slices';
import type * as SemverFunctions from './semverFunctions';

export type TagSort = 'name' | 'semver' | 'date';

export interface SortedTags {
  tags: TagInfo[];
  /** How many tags had no known date: in `date` order they are the tail of `tags`. */
  undated: number;
}

// Loaded on first sort of a version-like tag, not at load: semver builds its table of regular
// expressions when it loads, which activation would otherwise pay (and, bundled, its own file:
// dist/semver.js). A repository of only `sha-…` tags never loads it.
let semverFns: typeof SemverFunctions | undefined;
function semver(): typeof SemverFunctions {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  semverFns ??= require('./semverFunctions') as typeof SemverFunctions;
  return semverFns;
}

// Names that move to a new image on every release or build: what people pull by name, so they
// lead, in this order. `latest` is what a bare `docker pull` gets; `stable` and `lts` are the
// released channels; `main`/`master`/`trunk` are the default branch's head, `develop`/`dev` the
// integration branch; then the preview channels from least to most volatile. Exact names only:
// `latest-alpine` and the like are variants that a user finds by name among the rest.
const MOVING = ['latest', 'stable', 'lts', 'main', 'master', 'trunk', 'develop', 'dev', 'next', 'beta', 'rc', 'edge', 'canary', 'nightly'];
const movingRank = new Map(MOVING.map((n, i) => [n, i]));

// The parts of the default order, by `group`: moving names (0..MOVING.length-1), versions,
// other tags with a date, other named tags, other hash-like tags. Commit tags (`sha-0b06a38`)
// come last among the undated: named tags (branches, variants) are what a user looks for, and
// a CI repository has hundreds of commit tags that would otherwise bury them.
const VERSION = 100;
const OTHER_DATED = 200;
const OTHER_NAMED = 300;
const OTHER_HASH = 400;

interface Key {
  tag: TagInfo;
  group: number;
  /** Milliseconds since the epoch, NaN when unknown. */
  date: number;
  major: number;
  minor: number;
  patch: number;
  /** semver's prerelease identifiers (numbers where numeric); empty for a release. */
  pre: readonly (string | number)[];
  /** The name, ordered by `<` like a case-insensitive numeric collation, hashes verbatim; made when first needed. */
  name: string | undefined;
}

const NO_PRE: readonly (string | number)[] = [];

const SEVEN_DIGITS = /\d{7}/;
const HEX_RUN = /[0-9a-fA-F]{7}/;

/** Tag order for the tree and the pickers; `undated` lets the view say how many had no date. */
export function orderTags(tags: readonly TagInfo[], order: TagSort, dateOf?: (t: TagInfo) => string | undefined): SortedTags {
  return runSync(orderSteps(tags, order, dateOf));
}

/**
 * The same order, computed a slice at a time with the event loop let in between (slices.ts):
 * 100,000 tags take 60-90 ms in plain Node and several times that in a busy extension host.
 */
export function orderTagsSliced(tags: readonly TagInfo[], order: TagSort, dateOf?: (t: TagInfo) => string | undefined, stale?: () => boolean): Promise<SortedTags> {
  return runSliced(orderSteps(tags, order, dateOf), { stale });
}

/**
 * Whether a tag's date can move it in `order`: in the default order only tags that are neither
 * moving names nor versions are ordered by date (an all-digit version may turn out to be a
 * commit hash, so those count too). The tree sorts again when such a date arrives, not for
 * every date: 100,000 versions keep their order whatever their dates.
 */
export function dateMovesTag(name: string, order: TagSort): boolean {
  if (order !== 'semver') return order === 'date';
  if (movingRank.has(name)) return false;
  return !parseVersion(name) || SEVEN_DIGITS.test(name);
}

function* orderSteps(tags: readonly TagInfo[], order: TagSort, dateOf: (t: TagInfo) => string | undefined = (t) => t.created): Steps<SortedTags> {
  const keys: Key[] = new Array(tags.length);
  // Hash shapes seen (`sha-:7`, `:40`): an all-digit part of the same shape is a hash too. A
  // bare 7-character commit hash is all digits about one time in 27, and read as a number it
  // would be version 1234567.0.0, above every release.
  const hashShapes = new Set<string>();
  const digitsOnly: number[] = [];
  let undated = 0;
  for (let i = 0; i < tags.length; i++) {
    const tag = tags[i];
    const raw = dateOf(tag);
    const date = raw ? Date.parse(raw) : NaN;
    if (Number.isNaN(date)) undated++;
    const k = keyOf(tag, date, order, hashShapes);
    if (k.name === undefined && SEVEN_DIGITS.test(tag.name)) digitsOnly.push(i);
    keys[i] = k;
    if ((i & 1023) === 1023) yield;
  }
  if (hashShapes.size) {
    for (let d = 0; d < digitsOnly.length; d++) {
      if ((d & 1023) === 1023) yield;
      const k = keys[digitsOnly[d]!]!;
      // Only when the digits make the difference: `20240101-0b06a38` stays a version.
      if (k.group === VERSION && hashKey(k.tag.name, new Set(), false) !== undefined) continue;
      const name = hashKey(k.tag.name, hashShapes, true);
      if (name === undefined) continue;
      k.name = name;
      if (order !== 'name' && k.group >= VERSION) k.group = Number.isNaN(k.date) ? OTHER_HASH : OTHER_DATED;
    }
  }
  // Each part sorted on its own, with a comparator that only looks at what differs within it:
  // most of a CI repository is one part (versions or commit tags) compared by one string.
  const parts = yield* partition(keys, order);
  const out: TagInfo[] = new Array(keys.length);
  let o = 0;
  for (const [part, by] of parts) {
    yield* sortSteps(part, by);
    for (const k of part) out[o++] = k.tag;
  }
  return { tags: out, undated };
}

export function sortTags(tags: readonly TagInfo[], order: TagSort, dateOf?: (t: TagInfo) => string | undefined): TagInfo[] {
  return orderTags(tags, order, dateOf).tags;
}

function keyOf(tag: TagInfo, date: number, order: TagSort, hashShapes: Set<string>): Key {
  const n = tag.name;
  const k: Key = { tag, group: OTHER_NAMED, date, major: 0, minor: 0, patch: 0, pre: NO_PRE, name: undefined };
  if (order === 'name') {
    k.name = hashKey(n, hashShapes, false);
    return k;
  }
  const moving = movingRank.get(n);
  if (moving !== undefined) {
    k.group = moving;
    return k;
  }
  // Before the hash test: `1.2.3-0b06a38` is a prerelease of 1.2.3, as semver reads it. A
  // version's name only breaks ties (1.10 and 1.10.0), so it is made when one comes up.
  const v = parseVersion(n);
  if (v) {
    k.group = VERSION;
    k.major = v.major;
    k.minor = v.minor;
    k.patch = v.patch;
    k.pre = v.prerelease.length ? v.prerelease : NO_PRE;
    return k;
  }
  k.name = hashKey(n, hashShapes, false);
  k.group = !Number.isNaN(date) ? OTHER_DATED : k.name !== undefined ? OTHER_HASH : OTHER_NAMED;
  return k;
}

interface Version {
  major: number;
  minor: number;
  patch: number;
  prerelease: readonly (string | number)[];
}

// semver's loose grammar for a full version, in the characters a tag may hold (no `+`, `=` or
// spaces). The common case is parsed here, which is several times faster than semver's parse
// (and never loads it); the unit tests hold it to semver's answers.
const LOOSE_VERSION = /^v*(\d{1,15})\.(\d{1,15})\.(\d{1,15})(?:-?([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;
// Tags that only look like versions, left to semver's coerce: `1.25`, `v2`, `3.19-alpine`.
const VERSION_LIKE = /^v?\d+(\.\d+){0,2}([-+][\w.-]+)?$/;
const NUMERIC_ID = /^[0-9]+$/;
const LONG_NUMBER = /\d{16}/;

// semver compares all-digit identifiers by value even when it keeps them as strings (beyond
// 2^53), so they become numbers here, the comparator's one numeric case.
function identifier(id: string | number): string | number {
  return typeof id === 'string' && NUMERIC_ID.test(id) ? +id : id;
}

function parseVersion(name: string): Version | null {
  const c = name.charCodeAt(0);
  if (c !== 118 /* v */ && !(c >= 48 && c <= 57)) return null;
  const m = LOOSE_VERSION.exec(name);
  if (m) {
    const pre = m[4];
    return {
      major: +m[1],
      minor: +m[2],
      patch: +m[3],
      prerelease: pre ? pre.split('.').map(identifier) : NO_PRE,
    };
  }
  if (!VERSION_LIKE.test(name)) return null;
  // A number too long for the pattern above is semver's to judge; otherwise parse would only
  // fail (semver throws and catches inside, which is slow).
  const v = (LONG_NUMBER.test(name) ? semver().parse(name.replace(/^v/, ''), { loose: true }) : null) ?? semver().coerce(name, { includePrerelease: true });
  return v && { major: v.major, minor: v.minor, patch: v.patch, prerelease: v.prerelease.map(identifier) };
}

/** The sort name of a tag with no hash part: lower case, each number as its length then its digits. */
// Separators in the order ICU's root collation has them (`_` < `-` < `.`), all below digits and
// letters, so `1.10` < `1.10-alpine` < `1.10.0` as the numeric Intl.Collator used to put them.
function plainKey(name: string): string {
  let out = '';
  let from = 0; // start of the pending run of letters, copied in one slice
  const n = name.length;
  for (let i = 0; i < n; ) {
    const c = name.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      out += name.slice(from, i);
      let j = i + 1;
      while (j < n && name.charCodeAt(j) >= 48 && name.charCodeAt(j) <= 57) j++;
      out += numberKey(name, i, j);
      from = i = j;
    } else if (c === 95 || c === 45 || c === 46) {
      out += name.slice(from, i) + (c === 95 ? '\x01' : c === 45 ? '\x02' : '\x03');
      from = ++i;
    } else i++;
  }
  out += name.slice(from);
  return out.toLowerCase();
}

function numberKey(s: string, from: number, to: number): string {
  while (from < to - 1 && s.charCodeAt(from) === 48) from++;
  // \x10 ranks a number above separators and below letters; the length makes 9 < 10.
  return '\x10' + String.fromCharCode(0x20 + to - from) + s.slice(from, to);
}

/**
 * The sort name of a tag with a hash part (`sha-0b06a38`, `git-…`, a bare hash), with the hash
 * verbatim so hashes sort as plain strings; undefined when the name has no hash part. Records
 * the shape of every hash it finds; with `digitsAsHash`, all-digit parts of a recorded shape
 * count as hashes.
 */
function hashKey(name: string, hashShapes: Set<string>, digitsAsHash: boolean): string | undefined {
  // Most names have no run of 7 hex digits: nothing to scan.
  if (!HEX_RUN.test(name)) return undefined;
  const n = name.length;
  let out = '';
  let found = false;
  let start = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? name.charCodeAt(i) : 0;
    if (i < n && c !== 95 && c !== 45 && c !== 46) continue;
    const kind = hexKind(name, start, i);
    let hash = kind === HASH;
    if (kind !== NOT_HEX) {
      const shape = `${name.slice(0, start).toLowerCase()}:${i - start}`;
      if (hash) hashShapes.add(shape);
      else hash = digitsAsHash && hashShapes.has(shape);
    }
    if (hash) found = true;
    out += hash ? name.slice(start, i).toLowerCase() : plainKey(name.slice(start, i));
    if (i < n) out += c === 95 ? '\x01' : c === 45 ? '\x02' : '\x03';
    start = i + 1;
  }
  return found ? out : undefined;
}

const NOT_HEX = 0;
const HASH = 1;
const DIGITS = 2;

// A commit hash as a name part: 7 to 64 hex digits with at least one digit and one letter
// (all-letter runs are words like `defaced`; all-digit runs are numbers unless the repository
// shows hashes of that shape, see `hashShapes`).
function hexKind(s: string, from: number, to: number): number {
  const len = to - from;
  if (len < 7 || len > 64) return NOT_HEX;
  let digits = false;
  let letters = false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) | 0x20; // lower case; digits keep their codes
    if (c >= 48 && c <= 57) digits = true;
    else if (c >= 97 && c <= 102) letters = true;
    else return NOT_HEX;
  }
  return letters ? (digits ? HASH : NOT_HEX) : DIGITS;
}

function* partition(keys: Key[], order: TagSort): Steps<[Key[], (a: Key, b: Key) => number][]> {
  if (order === 'name') {
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      k.name ??= plainKey(k.tag.name);
      if ((i & 1023) === 1023) yield;
    }
    return [[keys, byNameKnown]];
  }
  // `date` order: dated tags newest first, the undated after them in the default order, so a
  // registry that gives no dates still shows its moving names and newest releases first.
  const dated: Key[] = [];
  const moving: Key[] = [];
  const versions: Key[] = [];
  const other: Key[][] = [[], [], []];
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if ((i & 1023) === 1023) yield;
    if (order === 'date' && !Number.isNaN(k.date)) dated.push(k);
    else if (k.group < VERSION) moving.push(k);
    else if (k.group === VERSION) versions.push(k);
    else {
      k.name ??= plainKey(k.tag.name);
      other[(k.group - OTHER_DATED) / 100].push(k);
    }
  }
  for (let i = 0; i < dated.length; i++) {
    dated[i]!.name ??= plainKey(dated[i]!.tag.name);
    if ((i & 1023) === 1023) yield;
  }
  return [
    [dated, byDateKnown],
    [moving, byGroup],
    [versions, byVersion],
    [other[0], byDateKnown],
    [other[1], byNameKnown],
    [other[2], byNameKnown],
  ];
}

function byGroup(a: Key, b: Key): number {
  return a.group - b.group;
}

function byVersion(a: Key, b: Key): number {
  return versionDesc(a, b) || byName(a, b);
}

function byDateKnown(a: Key, b: Key): number {
  return b.date - a.date || byNameKnown(a, b);
}

function byNameKnown(a: Key, b: Key): number {
  const x = a.name!;
  const y = b.name!;
  return x < y ? -1 : x > y ? 1 : cmp(a.tag.name, b.tag.name);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byName(a: Key, b: Key): number {
  return cmp((a.name ??= plainKey(a.tag.name)), (b.name ??= plainKey(b.tag.name))) || cmp(a.tag.name, b.tag.name);
}

// Descending: versions newest first, and like semver a release above its prereleases
// (2.1.0, 2.1.0-rc.2, 2.1.0-rc.1, 2.0.1); variants such as `1.25-alpine` are prereleases to
// semver, so they follow their release too. Version order, not push dates: a 1.9.5 backport
// pushed after 2.0.0 stays below it, which is what someone looking for the newest release
// expects, and the order does not shift as dates arrive for the rows on screen.
function versionDesc(a: Key, b: Key): number {
  if (a.major !== b.major) return b.major - a.major;
  if (a.minor !== b.minor) return b.minor - a.minor;
  if (a.patch !== b.patch) return b.patch - a.patch;
  const pa = a.pre;
  const pb = b.pre;
  if (pa.length === 0) return pb.length === 0 ? 0 : -1;
  if (pb.length === 0) return 1;
  for (let i = 0; ; i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined && y === undefined) return 0;
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    if (x === y) continue;
    // semver: numeric identifiers below alphanumeric ones, numbers by value, strings by code unit.
    const xn = typeof x === 'number';
    const yn = typeof y === 'number';
    if (xn && yn) return (y as number) - (x as number);
    if (xn) return 1;
    if (yn) return -1;
    return x < y ? 1 : -1;
  }
}

