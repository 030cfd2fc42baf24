// "A newer version is available": which tags of a repository are newer releases of the one a
// file names, by semver, among tags written the same way. `1.25` is followed by `1.26`, not by
// `1.26.1` or `v1.26`; `1.25-alpine` by `1.26-alpine`; a prerelease (`2.0.0-rc.1`) only by
// what is newer than it, and a release never by a prerelease. `latest`, `sha-0b06a38` and
// other names that are not versions have no newer version.

import compare from 'semver/functions/compare';

export type NewerLevel = 'major' | 'minor' | 'patch' | 'prerelease';

export interface NewerOptions {
  /** Offer a new major version too (off by default: a major is a migration, not an update). */
  major?: boolean;
}

export interface NewerVersion {
  tag: string;
  level: NewerLevel;
}

/** Suffixes that mark a prerelease rather than a variant of the same release (`-alpine`, `-debian-12`). */
const PRERELEASE = /^(?:alpha|beta|rc|pre|preview|dev|snapshot|canary|nightly|next)$/i;
const TAG = /^(v?)(0|[1-9]\d{0,8})(?:\.(0|[1-9]\d{0,8}))?(?:\.(0|[1-9]\d{0,8}))?(?:-([0-9A-Za-z][0-9A-Za-z.-]*))?$/;

interface Version {
  tag: string;
  /** Prefix, number of parts and variant: only tags of the same shape are compared. */
  shape: string;
  semver: string;
  prerelease: boolean;
  major: number;
  minor: number;
}

export function parseVersionTag(tag: string): Version | undefined {
  const m = TAG.exec(tag);
  if (!m) return undefined;
  const [, v, major, minor, patch, suffix] = m;
  const parts = 1 + (minor !== undefined ? 1 : 0) + (patch !== undefined ? 1 : 0);
  // `rc.1`, `rc1`, `beta-2`: the first word decides.
  const prerelease = suffix !== undefined && PRERELEASE.test(suffix.split(/[.-]/)[0]!.replace(/\d+$/, ''));
  const variant = suffix !== undefined && !prerelease ? suffix : '';
  const core = `${major}.${minor ?? 0}.${patch ?? 0}`;
  return {
    tag,
    shape: `${v}|${parts}|${variant}`,
    semver: prerelease ? `${core}-${suffix}` : core,
    prerelease,
    major: Number(major),
    minor: Number(minor ?? 0),
  };
}

function levelOf(from: Version, to: Version): NewerLevel {
  if (to.major !== from.major) return 'major';
  if (to.minor !== from.minor) return 'minor';
  return to.semver.split('-')[0] !== from.semver.split('-')[0] ? 'patch' : 'prerelease';
}

/** Newer versions of `current` among `tags`, newest first; empty when `current` is not a version. */
export function newerVersions(current: string, tags: Iterable<string>, options: NewerOptions = {}): NewerVersion[] {
  const cur = parseVersionTag(current);
  if (!cur) return [];
  const out: (NewerVersion & { v: Version })[] = [];
  for (const tag of tags) {
    const v = parseVersionTag(tag);
    if (!v || v.shape !== cur.shape || (v.prerelease && !cur.prerelease)) continue;
    if (compare(v.semver, cur.semver) <= 0) continue;
    const level = levelOf(cur, v);
    if (level === 'major' && !options.major) continue;
    out.push({ tag, level, v });
  }
  return out.sort((a, b) => compare(b.v.semver, a.v.semver) || a.tag.localeCompare(b.tag)).map(({ tag, level }) => ({ tag, level }));
}

/** The newest version `current` could move to, if any. */
export function newestVersion(current: string, tags: Iterable<string>, options: NewerOptions = {}): NewerVersion | undefined {
  return newerVersions(current, tags, options)[0];
}
