// Writing a new scalar value in the style the old one used. A plain scalar stays plain only
// when YAML would read it back as the same string: `1.10` would become the number 1.1 (and
// Helm would render 1.1), `true` a boolean, `@x` a syntax error; those get double quotes.

import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { LinkError, type ScalarStyle } from './types';

/** Whether `value` reads back as exactly this string when written plain. */
export function isPlainSafe(value: string, flow: boolean): boolean {
  if (value === '' || /[\r\n]/.test(value) || value.trim() !== value) return false;
  // Parse it where it will sit: as a map value, inside a flow collection when it is in one.
  const doc = parseDocument(flow ? `[k: ${value}]` : `k: ${value}`);
  if (doc.errors.length || doc.warnings.length) return false;
  const map = flow ? (isSeq(doc.contents) ? doc.contents.items[0] : undefined) : doc.contents;
  if (!isMap(map) || map.items.length !== 1) return false;
  const node = map.items[0].value;
  // A node, not toJS(): `*x` would be an alias, `&a b` an anchor, `!t x` a tag.
  return isScalar(node) && node.value === value && !node.anchor && !node.tag;
}

function quoteDouble(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Source text for `value` in `style`. */
export function formatScalar(value: string, style: ScalarStyle, flow: boolean): string {
  switch (style) {
    case 'double':
      return quoteDouble(value);
    case 'single':
      return `'${value.replace(/'/g, "''")}'`;
    case 'plain':
      return isPlainSafe(value, flow) ? value : quoteDouble(value);
    case 'block':
      // Finders never report block scalars; keep the guard for hand-made refs.
      throw new LinkError('Block scalars (| or >) are not rewritten.');
  }
}
