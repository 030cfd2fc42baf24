// A value many requests share and a rejection makes stale: the provider's credentials. When N
// requests in flight are rejected together (the token they carried expired), each asks for a
// refresh; one refresh must serve them all, and a refresh that fails must fail each of them
// once rather than be retried N times. So every value has a generation: a caller says which
// generation was rejected, and a refresh made or started since then is joined, not repeated.
// The load runs detached from any one caller (shared.ts).

import { share, type Shared } from './shared';

export interface Held<T> {
  value: T;
  /** Which load produced it; hand it back to `refresh` when it is rejected. */
  generation: number;
}

interface Load<T> {
  generation: number;
  shared: Shared<T>;
  failed: boolean;
}

export class Refreshable<T> {
  private current?: Load<T>;
  private generations = 0;

  constructor(private readonly load: (refresh: boolean, signal: AbortSignal) => Promise<T>) {}

  /** The generation a request about to be sent would use (0 before the first load). */
  get generation(): number {
    return this.current?.generation ?? 0;
  }

  /** The current value, loading it when there is none or the last load failed. */
  get(signal?: AbortSignal): Promise<Held<T>> {
    if (!this.current || this.current.failed) this.start(false);
    return this.join(this.current!, signal);
  }

  /** A value newer than generation `stale`: the refresh already made or under way since, or a new one. */
  refresh(stale: number, signal?: AbortSignal): Promise<Held<T>> {
    if (!this.current || this.current.generation <= stale) this.start(true);
    return this.join(this.current!, signal);
  }

  private start(refresh: boolean): void {
    const forget = (): void => {
      if (this.current === load) this.current = undefined;
    };
    const load: Load<T> = { generation: ++this.generations, shared: share((signal) => this.load(refresh, signal), forget), failed: false };
    load.shared.done.catch(() => (load.failed = true));
    this.current = load;
  }

  private async join(load: Load<T>, signal?: AbortSignal): Promise<Held<T>> {
    return { value: await load.shared.join(signal), generation: load.generation };
  }
}
