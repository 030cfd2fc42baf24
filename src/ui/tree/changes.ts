// Tree change events, coalesced. Every `onDidChangeTreeData` makes VS Code's extension host
// drop the changed node's children from its handle map until the workbench asks for them
// again; a command invoked from a context menu in that window receives `undefined` instead of
// its node. Tag details arrive one by one (sixteen at a time on a big repository), so one
// event each would keep that window open almost continuously and flood the tree with
// refreshes. Changes are gathered and sent as one event per batch; a full refresh swallows
// the node events queued with it. No `vscode` import: the provider passes its emitter in.

export class ChangeBatcher<N extends { id: string }> {
  private readonly queued = new Map<string, N>();
  private all = false;
  private timer?: ReturnType<typeof setTimeout>;

  /**
   * @param emit receives the nodes of one batch, or `undefined` for "everything".
   * @param delayMs how long a batch collects; details arrive in bursts, a few ms apart.
   */
  constructor(
    private readonly emit: (nodes: N[] | undefined) => void,
    private readonly delayMs = 30,
  ) {}

  /** Queue a node's refresh, or everything with `undefined`. */
  add(node: N | undefined): void {
    if (node === undefined) this.all = true;
    else if (!this.all) this.queued.set(node.id, node);
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  /** Send what is queued now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const all = this.all;
    const nodes = [...this.queued.values()];
    this.all = false;
    this.queued.clear();
    if (all) this.emit(undefined);
    else if (nodes.length) this.emit(nodes);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queued.clear();
  }
}
