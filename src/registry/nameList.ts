// The names in a listing page (`_catalog`'s `repositories`, `tags/list`'s `tags`), read from its
// JSON text. Checked by hand, not by a schema: this is the hot path of 100,000-name listings and
// only the one list matters. No imports: it runs in the listing worker too (nameListWorker.ts).

export type NameListField = 'repositories' | 'tags';

/** The names, or what is wrong with the page (worded by the caller, which knows the server). */
export type NameListRead = { names: string[] } | { problem: 'json' | 'object' | 'list' };

export function readNameList(text: string, field: NameListField): NameListRead {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { problem: 'json' };
  }
  // `null`, a number or an array is a shape error like any other.
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { problem: 'object' };
  const items = (json as Record<string, unknown>)[field];
  if (items === null || items === undefined) return { names: [] };
  if (!Array.isArray(items)) return { problem: 'list' };
  return { names: items.filter((x): x is string => typeof x === 'string') };
}
