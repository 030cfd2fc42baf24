// Schemas for what servers send: valibot, because it is modular and tree-shakes to a few KB,
// which keeps dist/extension.js under 400 KB (a schema library with one big class would not).
//
// Every answer from a registry, a cloud API, Docker's config or a credential helper is checked
// by a schema at the point where it is read. A shape we cannot use becomes one `protocol`
// RegistryError in plain words ("registry.example.com sent a manifest whose layers is not a
// list"), never a TypeError further down. Messages name the place and the kind of problem,
// never the value: a malformed answer may carry a token, and a helper's output is a password.

import * as v from 'valibot';
import { isValidDigest } from './digest';
import { RegistryError, type RegistryErrorOptions } from './errors';

/** `algorithm:hex` with a registered algorithm and the right length. */
export const digestSchema = v.pipe(v.string(), v.check((s: string) => isValidDigest(s), 'is not a digest (algorithm:hex)'));

/** A digest a listing may leave out (absent, null or empty); when given, it must be valid. */
export const optionalDigestSchema = v.nullish(v.pipe(v.string(), v.check((s: string) => s === '' || isValidDigest(s), 'is not a digest (algorithm:hex)')));

/** A count or size in bytes: a non-negative whole number. */
export const sizeSchema = v.pipe(
  v.number(),
  v.check((n: number) => Number.isSafeInteger(n) && n >= 0, 'is not a whole number of zero or more'),
);

/**
 * A JSON object with these entries (others pass through untouched). valibot's objects accept
 * arrays, which no wire format here means, so they are refused first.
 */
export function wireObject<E extends v.ObjectEntries>(entries: E) {
  return v.pipe(
    v.custom<Record<string, unknown>>((x) => typeof x === 'object' && x !== null && !Array.isArray(x), 'is not an object'),
    v.looseObject(entries),
  );
}

type Issue = v.BaseIssue<unknown>;

/** `layers[2].digest`: where in the document the problem is (keys shortened, never values). */
export function issuePath(issue: Issue): string {
  let out = '';
  for (const item of issue.path ?? []) {
    const key = (item as { key?: unknown }).key;
    if (typeof key === 'number') out += `[${key}]`;
    else {
      // eslint-disable-next-line no-control-regex
      const name = String(key).replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 40);
      out += out ? `.${name}` : name;
    }
  }
  return out;
}

/** What is wrong, as the end of a sentence: "is not a list", "is missing". */
export function issueProblem(issue: Issue): string {
  // Our own checks carry their wording; library messages quote the value, so they are not used.
  if (issue.kind === 'validation') return issue.type === 'check' ? issue.message : 'is not valid';
  if (issue.type === 'custom') return issue.message;
  const last = issue.path?.at(-1) as { origin?: string } | undefined;
  if (last?.origin === 'key' && issue.received === 'undefined') return 'is missing';
  switch (issue.expected) {
    case 'Array':
      return 'is not a list';
    case 'Object':
      return 'is not an object';
    case 'string':
      return 'is not text';
    case 'number':
      return 'is not a number';
    case 'boolean':
      return 'is not true or false';
  }
  if (issue.type === 'literal' && issue.expected) return `is not ${issue.expected}`;
  return 'has an unexpected type';
}

/** "whose layers is not a list" / "that is not an object": the first issue, in words. */
export function describeIssues(issues: readonly Issue[]): string {
  const first = issues[0];
  if (!first) return 'that is not valid';
  const path = issuePath(first);
  const problem = issueProblem(first);
  return path ? `whose ${path} ${problem}` : `that ${problem === 'is not an object' ? 'is not a JSON object' : problem}`;
}

/**
 * `input` checked against `schema`, or a protocol error: "`who` sent `what` whose … is …".
 * `who` names the server ("registry.example.com", "Docker Hub"), `what` the document ("a manifest").
 */
export function parseWire<S extends v.GenericSchema>(schema: S, input: unknown, who: string, what: string, options: RegistryErrorOptions = {}): v.InferOutput<S> {
  const r = v.safeParse(schema, input);
  if (r.success) return r.output;
  throw new RegistryError('protocol', `${who} sent ${what} ${describeIssues(r.issues)}.`, options);
}

/** JSON text parsed, or a protocol error that quotes none of it. */
export function parseJsonText(body: Buffer | string, who: string, what: string): unknown {
  try {
    return JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    throw new RegistryError('protocol', `${who} sent ${what} that is not valid JSON.`);
  }
}
