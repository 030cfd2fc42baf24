// The floor of an expand in VS Code: a root row that expands into 36 rows shaped like the
// Registries view's first catalog level (label, description, icon, context value, accessible
// name), returned at once with no work. Click → rows painted here is what VS Code itself takes
// (workbench → extension host → tree items back → render); the bench sets it beside the expand
// of a real registry, whose difference is the request and the extension's own code.
const vscode = require('vscode');

function activate(context) {
  const root = { id: 'root' };
  const rows = Array.from({ length: 36 }, (_, i) => ({ id: `row-${i}`, name: i < 24 ? `floor-ns-${String(i).padStart(2, '0')}` : `floor-repo-${i}` }));
  const provider = {
    getChildren: (el) => (el ? (el === root ? rows : []) : [root]),
    getTreeItem: (el) => {
      if (el === root) {
        const item = new vscode.TreeItem('Floor registry', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = 'floor-root';
        item.iconPath = new vscode.ThemeIcon('server');
        item.accessibilityInformation = { label: 'Floor registry, registry' };
        return item;
      }
      const folder = el.name.startsWith('floor-ns-');
      const item = new vscode.TreeItem(el.name, folder ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
      item.id = el.id;
      item.description = folder ? '50 repositories' : '';
      item.iconPath = new vscode.ThemeIcon(folder ? 'folder' : 'package');
      item.contextValue = folder ? 'folder' : 'repository';
      item.tooltip = el.name;
      item.accessibilityInformation = { label: `${el.name}, ${folder ? 'folder' : 'repository'}, floor` };
      return item;
    },
  };
  context.subscriptions.push(vscode.window.createTreeView('benchFloor.tree', { treeDataProvider: provider }));
}

module.exports = { activate };
