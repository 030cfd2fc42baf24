// The tree's nodes. Each has a stable id (so VS Code keeps expansion and selection across
// refreshes, and `reveal` works) and knows its parent (for Find → reveal).

import type { ConnectionConfig } from '../../providers/provider';
import type { PlatformImage } from '../../registry/client';

export type Node = RegistryNode | FolderNode | RepositoryNode | TagNode | PlatformNode | LoadMoreNode | MessageNode;

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
    /** Undefined: more repositories; otherwise more tags of this repository. */
    readonly repository: string | undefined,
    readonly remaining: string,
  ) {}
  get id(): string {
    return `m:${this.connectionId}:${this.repository ?? ''}`;
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
  ) {}
  get id(): string {
    return `e:${this.connectionId}:${this.repository ?? ''}:${this.severity}`;
  }
}
