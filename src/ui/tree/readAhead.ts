// Reads started before anyone asks, each handed to the next caller that asks for the same key.
// The tree reads a registry's cached listing while the view shows the registry, so the first
// expand finds it read. Taken once: a read ahead is not a cache (the file can change later),
// and a write of that key drops the one in flight, whose result would be older than the write.
// No `vscode` import.

export class ReadAhead<K, V> {
  private readonly started = new Map<K, Promise<V>>();

  constructor(private readonly read: (key: K) => Promise<V>) {}

  /** Start reading `key` now, unless a read of it is already waiting to be taken. */
  start(key: K): void {
    if (!this.started.has(key)) this.started.set(key, this.read(key));
  }

  /** The read started ahead (and no longer held here), or a fresh one. */
  take(key: K): Promise<V> {
    const ahead = this.started.get(key);
    this.started.delete(key);
    return ahead ?? this.read(key);
  }

  /** Forget a key's read ahead (its source changed): the next `take` reads afresh. */
  drop(key: K): void {
    this.started.delete(key);
  }

  clear(): void {
    this.started.clear();
  }
}
