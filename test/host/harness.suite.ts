// Facts about the host the suites run in, that the e2e harness promises (see test/e2e/support).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

describe('harness', () => {
  it('runs in the web UI against a real Node extension host with the test folder open', () => {
    assert.equal(vscode.env.uiKind, vscode.UIKind.Web);
    assert.equal(typeof process.versions.node, 'string');
    assert.equal(vscode.workspace.workspaceFolders?.length, 1);
  });

  it('sees environment variables given to startCodeServer({ env })', () => {
    assert.equal(process.env.E2E_HOST_TESTS, '1');
  });
});
