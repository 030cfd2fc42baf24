// The rows under a tag that list what refers to its image: one group row ("3 referrers"), and
// a row per signature, SBOM or attestation. Ids carry the subject digest, so a tag moved to
// another image gets new rows.

import type { Referrer } from '../../registry/referrers';

export class ReferrersNode {
  readonly kind = 'referrers';
  constructor(
    readonly connectionId: string,
    readonly repository: string,
    readonly tag: string,
    /** The image the referrers refer to. */
    readonly subject: string,
    /** Under a platform row of a multi-arch tag (its BuildKit attestations), not the tag row. */
    readonly onPlatform = false,
  ) {}
  get id(): string {
    return `rs:${this.connectionId}:${this.repository}:${this.tag}:${this.subject}`;
  }
}

export class ReferrerNode {
  readonly kind = 'referrer';
  constructor(
    readonly connectionId: string,
    readonly repository: string,
    readonly tag: string,
    readonly subject: string,
    readonly referrer: Referrer,
  ) {}
  get id(): string {
    return `rf:${this.connectionId}:${this.repository}:${this.tag}:${this.subject}:${this.referrer.digest}`;
  }
}
