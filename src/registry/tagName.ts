// Tag names as the distribution spec defines them, checked before a tag is written (Add Tag,
// Copy Image To) so that a mistake is explained in words rather than by a registry's 400.

/** The spec's tag grammar: what Add Tag accepts. */
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Why `tag` is not a tag name, in words that say what to type instead; undefined when it is one. */
export function tagNameProblem(tag: string): string | undefined {
  if (tag === '') return 'A tag cannot be empty.';
  if (tag.length > 128) return `A tag is at most 128 characters; this one has ${tag.length}.`;
  if (!/^[A-Za-z0-9_]/.test(tag)) return 'A tag starts with a letter, a digit or “_”.';
  const bad = [...tag].find((c) => !/[A-Za-z0-9_.-]/.test(c));
  if (bad !== undefined) return `A tag holds only letters, digits, “_”, “.” and “-”; “${bad === ' ' ? 'space' : bad}” is not allowed.`;
  return TAG_PATTERN.test(tag) ? undefined : 'This is not a valid tag.';
}
