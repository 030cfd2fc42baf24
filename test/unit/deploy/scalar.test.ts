import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatScalar, isPlainSafe } from '../../../src/deploy/scalar';
import { LinkError } from '../../../src/deploy/index';

describe('formatScalar', () => {
  it('keeps plain when YAML reads the same string back, else double-quotes', () => {
    assert.equal(formatScalar('nginx:1.25', 'plain', false), 'nginx:1.25');
    assert.equal(formatScalar('nginx@sha256:abc', 'plain', true), 'nginx@sha256:abc');
    for (const v of ['1.10', '20240101', 'true', 'null', '~', '', '@x', 'a #b', 'a: b', '*x', '&a b', '!t x', '- x', '0x1F', ' x']) {
      assert.equal(isPlainSafe(v, false), false, v);
      assert.equal(formatScalar(v, 'plain', false), JSON.stringify(v), v);
    }
    assert.equal(isPlainSafe('a,b', false), true);
    assert.equal(isPlainSafe('a,b', true), false);
  });

  it('keeps the quoting style', () => {
    assert.equal(formatScalar(`it's`, 'single', false), `'it''s'`);
    assert.equal(formatScalar('a"b\\c', 'double', false), '"a\\"b\\\\c"');
    assert.throws(() => formatScalar('x', 'block', false), LinkError);
  });
});

describe('src/deploy', () => {
  it('never imports vscode (it runs under plain Node)', () => {
    const dir = join(__dirname, '..', '..', '..', 'src', 'deploy');
    for (const f of readdirSync(dir)) {
      assert.doesNotMatch(readFileSync(join(dir, f), 'utf8'), /from ['"]vscode['"]|require\(['"]vscode['"]\)/, f);
    }
  });
});
