// What part of a repository's tags the tree shows, and the sorted order it shows them in.
// A repository can hold 100,000 tags: revealing one near the end must not put every tag before
// it on screen (each row on screen asks the registry for its details), and a "Load more" click
// must not sort 100,000 tags again. No `vscode` import: unit-tested under plain Node.

/** The rows [start, end) of an ordered list that are on screen, grown one screen page at a time. */
export class ScreenWindow {
  start = 0;
  end: number;

  constructor(readonly page: number) {
    this.end = page;
  }

  /** The window inside a list of `total` items. */
  clamp(total: number): { start: number; end: number } {
    const end = Math.min(this.end, total);
    return { start: Math.min(this.start, end), end };
  }

  /** One more screen page below; returns the rows newly on screen. */
  later(): { start: number; end: number } {
    const from = this.end;
    this.end += this.page;
    return { start: from, end: this.end };
  }

  /** One more screen page above (the "N earlier tags — Show" row); returns the rows newly on screen. */
  earlier(): { start: number; end: number } {
    const to = this.start;
    this.start = Math.max(0, this.start - this.page);
    return { start: this.start, end: to };
  }

  /**
   * Put row `index` on screen. A row just past either edge extends the window by whole pages
   * (what the user loaded stays); one further away moves the window to a page around it, so
   * the rows between are neither shown nor fetched.
   */
  focus(index: number): void {
    if (index < 0) return;
    if (index >= this.start && index < this.end) return;
    if (index >= this.end && index < this.end + this.page) {
      this.end += this.page;
      return;
    }
    if (index < this.start && index >= this.start - this.page) {
      this.start = Math.max(0, this.start - this.page);
      return;
    }
    this.start = Math.max(0, index - Math.floor(this.page / 2));
    this.end = this.start + this.page;
  }

  reset(): void {
    this.start = 0;
    this.end = this.page;
  }
}

/**
 * A listing's items in sorted order, sorted again only when the items (a new array: listings
 * replace theirs, never change them in place), the order or the dates it sorts by change.
 */
export class SortedCache<T extends { name: string }> {
  /** How many times it sorted (tests count them). */
  sorts = 0;
  private items?: readonly T[];
  private order?: string;
  private version = -1;
  private sorted: T[] = [];
  private positions?: Map<string, number>;

  get(items: readonly T[], order: string, version: number, sort: (items: readonly T[]) => T[]): T[] {
    if (items !== this.items || order !== this.order || version !== this.version) {
      this.sorted = sort(items);
      this.items = items;
      this.order = order;
      this.version = version;
      this.positions = undefined;
      this.sorts++;
    }
    return this.sorted;
  }

  /** Position of a name in the last sorted order, -1 when absent. */
  indexOf(name: string): number {
    this.positions ??= new Map(this.sorted.map((t, i) => [t.name, i]));
    return this.positions.get(name) ?? -1;
  }
}
