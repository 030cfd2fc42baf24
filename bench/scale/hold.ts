// One client holding the scale registry's listing, in a process of its own (so its memory is
// its own): the whole catalog and every tag of the big repository, then the process's memory
// after a full GC while it still holds both. Run by bench/index.ts as
//   node --expose-gc --import tsx bench/scale/hold.ts CLIENT URL BIG_REPO
// and prints one JSON line: { catalog, tags, listMs, catalogMs, tagsMs, requests?, before, after }.
// CLIENT: registry-explorer (src/registry's RegistryClient, what the extension's listings use) or
// microsoft (@microsoft/vscode-docker-registries' GenericRegistryV2DataProvider, its tree's
// getRepositories + getTags; getTags' per-tag date lookups switched off, or 100,000 tags would
// start 200,000 requests at once: see "tags + per-tag dates").
import { microsoftHold } from '../clients/microsoft';
import { RegistryClient } from '../../src/registry/client';

const [clientKey, url, bigRepo] = process.argv.slice(2) as [string, string, string];

function memory(): { rss: number; heapUsed: number; external: number; arrayBuffers: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

async function main(): Promise<void> {
  let held: unknown[] = [];
  let close = async (): Promise<void> => undefined;
  let list: () => Promise<[string[], string[], number]>;
  if (clientKey === 'microsoft') {
    const h = await microsoftHold(url);
    close = h.close;
    list = async () => {
      const t0 = performance.now();
      const catalog = await h.catalog();
      const t1 = performance.now();
      const tags = await h.tags(bigRepo);
      held = [catalog, tags];
      return [catalog.map((r) => r.label), tags.map((t) => t.label), t1 - t0];
    };
  } else {
    const client = new RegistryClient({ url });
    close = () => client.close();
    list = async () => {
      const t0 = performance.now();
      const catalog = await client.listCatalog();
      const t1 = performance.now();
      const tags = await client.listTags(bigRepo);
      held = [catalog, tags];
      return [catalog, tags, t1 - t0];
    };
  }
  const before = memory();
  const started = performance.now();
  const [catalog, tags, catalogMs] = await list();
  const listMs = performance.now() - started;
  const after = memory();
  console.log(JSON.stringify({ catalog: catalog.length, tags: tags.length, listMs, catalogMs, tagsMs: listMs - catalogMs, before, after, held: held.length }));
  await close();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
