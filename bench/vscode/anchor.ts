// The anchor of the expand figure: the tree's first request (the first catalog page) made
// directly, on a fresh client (new pool, nothing learnt). Its own module so that a fresh Node
// process can load it with nothing else (the cold anchor in bench/vscode/index.ts).
import { RegistryClient } from '../../src/registry/client';

export async function firstCatalogPage(url: string): Promise<{ ms: number; items: number }> {
  const client = new RegistryClient({ url });
  try {
    const started = performance.now();
    const first = await client.catalogPages().next();
    const ms = performance.now() - started;
    return { ms, items: first.done ? 0 : first.value.items.length };
  } finally {
    await client.close();
  }
}
