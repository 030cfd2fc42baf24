// Diagnostics of a deploy file's image references, from what the registries said: a newer
// version, a pinned tag that moved, a tag or repository that does not exist, a reference not
// pinned to a digest, a registry that is not connected. Pure: the VS Code side gathers the facts
// (one tag listing per repository, a HEAD per pin that may have moved) and shows the result.

import { normalizeTarget } from './naming';
import { newestVersion } from './newer';
import type { DeployRef, FieldLocation } from './types';

export type DiagnosticCode = 'newerVersion' | 'tagMoved' | 'notFound' | 'notPinned' | 'notConnected';

export interface DiagnosticSettings {
  newerVersion: boolean;
  /** Name a new major version too. */
  newerMajor: boolean;
  tagMoved: boolean;
  notFound: boolean;
  notPinned: boolean;
  notConnected: boolean;
}

export const DEFAULT_DIAGNOSTIC_SETTINGS: DiagnosticSettings = {
  newerVersion: true,
  newerMajor: false,
  tagMoved: true,
  notFound: true,
  notPinned: false,
  notConnected: true,
};

/** What the registry said about a repository. */
export type RepositoryFacts =
  | { state: 'listed'; tags: readonly { name: string; digest?: string }[]; /** The listing has every tag (no page left unread). */ complete: boolean }
  | { state: 'missing' }
  /** Not asked (not allowed, or cancelled), or the registry failed: nothing is claimed. */
  | { state: 'unknown' };

/** What a HEAD of the reference's tag (of its digest, for a reference by digest alone) said. */
export interface TagFacts {
  exists: boolean;
  /** Where the tag points now. */
  digest?: string;
  /** A pinned digest is neither the tag's digest nor one of its platform images. */
  moved?: boolean;
}

export type Fix =
  | { kind: 'update'; tag: string }
  | { kind: 'updatePin'; digest: string }
  | { kind: 'connect'; registry: string }
  | { kind: 'pin' };

export interface ImageDiagnostic {
  code: DiagnosticCode;
  /** The span to underline: the part the diagnostic is about (the tag, the digest, the name). */
  offset: number;
  length: number;
  /** Message arguments, in the order of the message for `code` (see the UI's messages). */
  args: string[];
  /** Which problem: `notFound` is about a `tag`, a `repository`, or the image a bare `@digest` names. */
  detail?: 'tag' | 'repository' | 'digest';
  ref: DeployRef;
  fix?: Fix;
}

/** How a registry is reached: through a connection, anonymously with HEAD only (public Docker Hub), or not at all. */
export type Reach = 'connected' | 'anonymous' | 'none';

export interface DiagnoseInput {
  refs: readonly DeployRef[];
  reach(registry: string): Reach;
  repository(registry: string, repository: string): RepositoryFacts;
  /** The HEAD of a reference's tag, when one was made (see `headsNeeded`). */
  tag(ref: DeployRef): TagFacts | undefined;
  settings: DiagnosticSettings;
}

/** References whose value is fixed in the file: a variable or template decides the rest at deploy time. */
export function checkable(ref: DeployRef): boolean {
  return !!ref.image && !ref.expressions?.length;
}

/** `registry\nrepository` of a ref, Docker Hub aliases folded: one listing serves every spelling. */
export function repositoryKey(ref: DeployRef): string | undefined {
  if (!ref.image) return undefined;
  const t = normalizeTarget(ref.image);
  return `${t.registry}\n${t.repository}`;
}

/** The distinct repositories to list: only on connected registries (listing is a pull-free GET, but never anonymous). */
/** What one HEAD asks for a reference: the same image written twice costs one. */
export function headLookup(ref: DeployRef): string {
  const t = normalizeTarget(ref.image!);
  return [t.registry, t.repository, ref.image!.tag ?? '', ref.image!.digest ?? ''].join('\n');
}

export function repositoriesNeeded(refs: readonly DeployRef[], reach: (registry: string) => Reach): { registry: string; repository: string }[] {
  const out = new Map<string, { registry: string; repository: string }>();
  for (const ref of refs) {
    if (!checkable(ref) || reach(ref.image!.registry) !== 'connected') continue;
    const t = normalizeTarget(ref.image!);
    out.set(`${t.registry}\n${t.repository}`, { registry: t.registry, repository: t.repository });
  }
  return [...out.values()];
}

/**
 * References that need a HEAD of their tag: a `tag@digest` pin whose tag may have moved (the
 * listing does not already say it points at the pin), and, when not-found is checked, a tag a
 * cut-short listing does not show, and a reference by digest alone (`repo@sha256:…`: no
 * listing says whether the registry still holds that image; a garbage-collected digest fails
 * only at deploy time). Anonymous registries are known by HEAD only.
 */
export function headsNeeded(input: Omit<DiagnoseInput, 'tag'>): DeployRef[] {
  const { settings } = input;
  return input.refs.filter((ref) => {
    if (!checkable(ref)) return false;
    const reach = input.reach(ref.image!.registry);
    if (reach === 'none') return false;
    if (!ref.image!.tag) return !!ref.image!.digest && settings.notFound;
    const pinned = !!ref.image!.digest;
    if (reach === 'anonymous') return (pinned && settings.tagMoved) || settings.notFound;
    const t = normalizeTarget(ref.image!);
    const facts = input.repository(t.registry, t.repository);
    if (facts.state !== 'listed') return false;
    const listed = facts.tags.find((x) => x.name === ref.image!.tag);
    if (!listed) return settings.notFound && !facts.complete;
    return pinned && settings.tagMoved && listed.digest !== ref.image!.digest;
  });
}

interface Span {
  offset: number;
  length: number;
}

const whole = (f: FieldLocation): Span => ({ offset: f.offset, length: Math.max(f.source.length, 1) });

/** A part of a string-shaped reference, located in the scalar when its text is written verbatim. */
function inString(f: FieldLocation, from: number, to: number): Span {
  const quoted = f.style === 'single' || f.style === 'double' ? 1 : 0;
  if (f.source.slice(quoted, quoted + f.value.length) !== f.value || to <= from) return whole(f);
  return { offset: f.offset + quoted + from, length: to - from };
}

function spanOf(ref: DeployRef, part: 'name' | 'tag' | 'digest'): Span {
  const image = ref.fields.image;
  if (image) {
    const v = image.value;
    const at = v.indexOf('@');
    const name = at < 0 ? v : v.slice(0, at);
    const colon = name.lastIndexOf(':') > name.lastIndexOf('/') ? name.lastIndexOf(':') : -1;
    const nameEnd = colon >= 0 ? colon : name.length;
    if (part === 'name') return inString(image, 0, nameEnd);
    if (part === 'tag') return colon >= 0 ? inString(image, colon + 1, name.length) : inString(image, 0, nameEnd);
    return at >= 0 ? inString(image, at + 1, v.length) : whole(image);
  }
  const f = ref.fields;
  const pick = part === 'digest' ? (f.digest ?? f.tag ?? f.newTag) : part === 'tag' ? (f.tag ?? f.newTag) : undefined;
  return whole(pick ?? f.repository ?? f.newName ?? f.name ?? Object.values(f)[0]!);
}

export function diagnose(input: DiagnoseInput): ImageDiagnostic[] {
  const { settings } = input;
  const out: ImageDiagnostic[] = [];
  let unconnected = false;
  for (const ref of input.refs) {
    if (!checkable(ref)) continue;
    const image = ref.image!;
    const reach = input.reach(image.registry);
    if (reach === 'none') {
      // One per file: the quick fix connects the registry, and every reference to it follows.
      if (settings.notConnected && !unconnected) {
        unconnected = true;
        out.push({ code: 'notConnected', ...spanOf(ref, 'name'), args: [image.registry], ref, fix: { kind: 'connect', registry: image.registry } });
      }
      continue;
    }
    const t = normalizeTarget(image);
    const facts = reach === 'connected' ? input.repository(t.registry, t.repository) : ({ state: 'unknown' } as const);
    const head = input.tag(ref);
    if (facts.state === 'missing') {
      if (settings.notFound) out.push({ code: 'notFound', detail: 'repository', ...spanOf(ref, 'name'), args: [t.repository, image.registry], ref });
      continue;
    }
    if (!image.tag) {
      if (image.digest && head && !head.exists && settings.notFound) {
        out.push({ code: 'notFound', detail: 'digest', ...spanOf(ref, 'digest'), args: [image.digest, t.repository], ref });
      }
      continue;
    }
    const listed = facts.state === 'listed' ? facts.tags.find((x) => x.name === image.tag) : undefined;
    const tagMissing = !!image.tag && (head ? !head.exists : facts.state === 'listed' && facts.complete && !listed);
    if (tagMissing) {
      if (settings.notFound) out.push({ code: 'notFound', detail: 'tag', ...spanOf(ref, 'tag'), args: [image.tag!, t.repository], ref });
      continue;
    }
    if (settings.tagMoved && image.tag && image.digest && head?.moved && head.digest) {
      out.push({ code: 'tagMoved', ...spanOf(ref, 'digest'), args: [image.tag, head.digest], ref, fix: { kind: 'updatePin', digest: head.digest } });
    }
    if (settings.newerVersion && image.tag && facts.state === 'listed') {
      const newest = newestVersion(image.tag, facts.tags.map((x) => x.name), { major: settings.newerMajor });
      if (newest) out.push({ code: 'newerVersion', ...spanOf(ref, 'tag'), args: [newest.tag, image.tag, newest.level], ref, fix: { kind: 'update', tag: newest.tag } });
    }
    if (settings.notPinned && !image.digest) {
      out.push({ code: 'notPinned', ...spanOf(ref, 'tag'), args: [image.tag ?? 'latest'], ref, fix: { kind: 'pin' } });
    }
  }
  return out;
}
