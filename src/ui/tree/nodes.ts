// The tree's nodes. Each has a stable id (so VS Code keeps expansion and selection across
// refreshes, and `reveal` works) and knows its parent (for Find → reveal).

import type { ConnectionConfig } from '../../providers/provider';
import type { PlatformImage } from '../../registry/client';
import type { ReferrerNode, ReferrersNode } from './referrerNodes';

export type Node = RegistryNode | FolderNode | RepositoryNode | TagNode | PlatformNode | LoadMoreNode | MessageNode | ReferrersNode | ReferrerNode;

export class RegistryNode {
  readonly kind = 'registry';
  constructor(readonly config: ConnectionConfig) {}
  get id(): string {
    return `r:${this.config.id}`;
  }
  get connectionId(): string {
    return this.config.id;
  }
}

export class FolderNode {
  readonly kind = 'folder';
  constructor(
    readonly connectionId: string,
    readonly path: string,
  ) {}
  get id(): string {
    return `f:${this.connectionId}:${this.path}`;
  }
}

export class RepositoryNode {
  readonly kind = 'repository';
  constructor(
    readonly connectionId: string,
    readonly name: string,
  ) {}
  get id(): string {
    return `p:${this.connectionId}:${this.name}`;
  }
}

export class TagNode {
  readonly kind = 'tag';
  constructor(
    readonly connectionId: string,
    readonly repository: string,
    readonly tag: string,
  ) {}
  get id(): string {
    return `t:${this.connectionId}:${this.repository}:${this.tag}`;
  }
}

export class PlatformNode {
  readonly kind = 'platform';
  constructor(
    readonly connectionId: string,
    readonly repository: string,
    readonly tag: string,
    readonly image: PlatformImage,
  ) {}
  get id(): string {
    return `pl:${this.connectionId}:${this.repository}:${this.tag}:${this.image.digest}`;
  }
}

export class LoadMoreNode {
  readonly kind = 'loadMore';
  constructor(
    readonly connectionId: string,
    /** Undefined: more repositories (of `folder`); otherwise more tags of this repository. */
    readonly repository: string | undefined,
    readonly remaining: string,
    /** The folder level a repository row pages ('' for the registry's top level). */
    readonly folder = '',
    /** `earlier`: the tags above a revealed one ("N earlier tags — Show"). */
    readonly direction: 'later' | 'earlier' = 'later',
    /** How many rows an `earlier` row stands for. */
    readonly count = 0,
  ) {}
  get id(): string {
    const where = this.repository === undefined ? `f${this.folder}` : `t${this.repository}`;
    return `m:${this.connectionId}:${where}${this.direction === 'earlier' ? ':earlier' : ''}`;
  }
}

export type MessageAction = 'retry' | 'reconnect' | 'editConnection' | 'none';

export class MessageNode {
  readonly kind = 'message';
  constructor(
    readonly connectionId: string,
    readonly repository: string | undefined,
    readonly text: string,
    readonly detail: string,
    readonly severity: 'error' | 'warning' | 'info',
    readonly action: MessageAction,
    /** Tells two messages of the same severity under one parent apart. */
    readonly topic = '',
  ) {}
  get id(): string {
    return `e:${this.connectionId}:${this.repository ?? ''}:${this.severity}${this.topic ? `:${this.topic}` : ''}`;
  }
}
