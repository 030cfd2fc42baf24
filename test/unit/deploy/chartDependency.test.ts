// Link a chart into Chart.yaml: exact text after each edit, everything else byte-identical.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { chartDependencyFor, linkChartDependency } from '../../../src/deploy/chartDependency';
import { LinkError } from '../../../src/deploy/types';

const dep = chartDependencyFor('localhost:5000', 'charts/demo', 'demo', '0.3.1');
const HEAD = '# My umbrella chart\napiVersion: v2\nname: shop # the shop\nversion: 1.0.0\n';

describe('linkChartDependency', () => {
  test('the dependency is oci://HOST/PATH without the chart name; a path not ending in it is refused', () => {
    assert.deepEqual(dep, { name: 'demo', version: '0.3.1', repository: 'oci://localhost:5000/charts' });
    assert.equal(chartDependencyFor('r.example', 'demo', 'demo', '1.0.0').repository, 'oci://r.example');
    assert.throws(() => chartDependencyFor('r.example', 'charts/other', 'demo', '1'), (e: unknown) => e instanceof LinkError && /last segment is “other”, not “demo”/.test(e.message));
  });

  test('no dependencies yet: a list is started at the end, the rest untouched', () => {
    const r = linkChartDependency(HEAD, dep);
    assert.equal(r.action, 'added');
    assert.equal(r.text, `${HEAD}dependencies:\n  - name: demo\n    version: 0.3.1\n    repository: oci://localhost:5000/charts\n`);
    assert.deepEqual(parse(r.text).dependencies, [{ name: 'demo', version: '0.3.1', repository: 'oci://localhost:5000/charts' }]);
  });

  test('a file without a final newline gets one before the list', () => {
    assert.equal(linkChartDependency('name: shop', dep).text, 'name: shop\ndependencies:\n  - name: demo\n    version: 0.3.1\n    repository: oci://localhost:5000/charts\n');
  });

  test('an existing block list gets the entry after its last one, in its own indentation', () => {
    const text = `${HEAD}dependencies:\n- name: redis # cache\n  version: 18.0.0\n  repository: https://charts.bitnami.com/bitnami\n# trailing comment\nkeywords: [shop]\n`;
    const r = linkChartDependency(text, dep);
    assert.equal(
      r.text,
      `${HEAD}dependencies:\n- name: redis # cache\n  version: 18.0.0\n  repository: https://charts.bitnami.com/bitnami\n- name: demo\n  version: 0.3.1\n  repository: oci://localhost:5000/charts\n# trailing comment\nkeywords: [shop]\n`,
    );
  });

  test('an entry of the same name is updated in place, quoting kept', () => {
    const text = `${HEAD}dependencies:\n  - name: demo\n    version: "0.1.0" # pinned\n    repository: 'oci://old.example/charts'\n    condition: demo.enabled\n`;
    const r = linkChartDependency(text, dep);
    assert.equal(r.action, 'updated');
    assert.equal(r.text, `${HEAD}dependencies:\n  - name: demo\n    version: "0.3.1" # pinned\n    repository: 'oci://localhost:5000/charts'\n    condition: demo.enabled\n`);
    assert.equal(linkChartDependency(r.text, dep).action, 'unchanged');
  });

  test('an entry without a repository gets one after its name', () => {
    const text = `dependencies:\n  - name: demo\n    version: 0.1.0\n`;
    assert.equal(linkChartDependency(text, dep).text, `dependencies:\n  - name: demo\n    repository: oci://localhost:5000/charts\n    version: 0.3.1\n`);
  });

  test('a version YAML would read as a number is quoted', () => {
    const r = linkChartDependency('name: x\n', { ...dep, version: '1.10' });
    assert.match(r.text, /version: "1\.10"/);
    assert.equal(parse(r.text).dependencies[0].version, '1.10');
  });

  test('an empty flow list is replaced by a block list; a full one is refused in words', () => {
    assert.equal(linkChartDependency('name: x\ndependencies: []\n', dep).text, 'name: x\ndependencies:\n  - name: demo\n    version: 0.3.1\n    repository: oci://localhost:5000/charts\n');
    assert.throws(() => linkChartDependency('dependencies: [{name: a}]\n', dep), (e: unknown) => e instanceof LinkError && /flow list/.test(e.message));
    assert.throws(() => linkChartDependency('dependencies: nope\n', dep), (e: unknown) => e instanceof LinkError && /not a list/.test(e.message));
    assert.throws(() => linkChartDependency('a: [\n', dep), (e: unknown) => e instanceof LinkError && /does not parse/.test(e.message));
  });
});
