// semver "newer version available": same-shaped tags only, `v` prefixes kept apart,
// prereleases only for prereleases, variants kept, non-versions ignored, majors by setting.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newerVersions, newestVersion } from '../../../src/deploy/newer';

const tags = (current: string, list: string[], major = false) => newerVersions(current, list, { major }).map((v) => `${v.tag} ${v.level}`);

describe('newer versions', () => {
  const ALL = ['1.24', '1.25', '1.25.3', '1.25.4', '1.26', '1.26-rc1', '2.0', 'v1.27', 'latest', 'sha-0b06a38', '1.26-alpine', '1.25-alpine', '1.30.0-beta.1'];

  it('patch and minor of the same shape, newest first; no major unless asked', () => {
    assert.deepEqual(tags('1.25', ALL), ['1.26 minor']);
    assert.deepEqual(tags('1.25', ALL, true), ['2.0 major', '1.26 minor']);
    assert.deepEqual(tags('1.25.3', ALL), ['1.25.4 patch']);
  });

  it('a v prefix is its own shape', () => {
    assert.deepEqual(tags('v1.25', ALL), ['v1.27 minor']);
    assert.deepEqual(tags('1.24', ['v1.99', '1.25']), ['1.25 minor']);
  });

  it('prereleases are not offered for a release, but a prerelease gets newer ones and the release', () => {
    assert.deepEqual(tags('1.25', ['1.26-rc1', '1.26-beta.2']), []);
    assert.deepEqual(tags('2.0.0-rc.1', ['2.0.0-rc.2', '2.0.0', '1.9.9', '2.0.0-rc.0']), ['2.0.0 prerelease', '2.0.0-rc.2 prerelease']);
  });

  it('variants (`-alpine`) are compared only with the same variant', () => {
    assert.deepEqual(tags('1.25-alpine', ALL), ['1.26-alpine minor']);
    assert.deepEqual(tags('1.25.3-debian-11', ['1.25.4-debian-11', '1.25.4', '1.25.4-debian-12']), ['1.25.4-debian-11 patch']);
  });

  it('non-versions have nothing newer and are never offered', () => {
    for (const t of ['latest', 'main', 'sha-0b06a38', '01.2', '']) assert.deepEqual(tags(t, ALL), [], t);
    assert.equal(newestVersion('1.0', ['latest', 'nightly', '1.0']), undefined);
  });

  it('numbers compare as numbers, not text', () => {
    assert.equal(newestVersion('3.9', ['3.10', '3.19', '3.2'])?.tag, '3.19');
  });
});
