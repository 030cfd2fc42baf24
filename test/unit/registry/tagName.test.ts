import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TAG_PATTERN, tagNameProblem } from '../../../src/registry/tagName';

describe('tag names (Add Tag, Copy Image To)', () => {
  test('valid tags pass', () => {
    for (const t of ['latest', 'v1.2.3', '_x', '1.0-rc.1', 'a'.repeat(128), 'sha256-abc.sig']) assert.equal(tagNameProblem(t), undefined, t);
  });
  test('each mistake is named, with what is allowed', () => {
    assert.match(tagNameProblem('')!, /cannot be empty/);
    assert.match(tagNameProblem('a'.repeat(129))!, /at most 128 characters; this one has 129/);
    assert.match(tagNameProblem('-x')!, /starts with a letter, a digit or “_”/);
    assert.match(tagNameProblem('.x')!, /starts with/);
    assert.match(tagNameProblem('v1 beta')!, /“space” is not allowed/);
    assert.match(tagNameProblem('v1:2')!, /“:” is not allowed/);
    assert.match(tagNameProblem('a/b')!, /“\/” is not allowed/);
  });
  test('the message and the pattern agree', () => {
    for (const t of ['', 'ok', '-no', 'no way', 'x'.repeat(200), 'é']) assert.equal(tagNameProblem(t) === undefined, TAG_PATTERN.test(t), t);
  });
});
