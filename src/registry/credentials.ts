// What a provider hands the registry client. Providers own where credentials come from and
// how they are refreshed (ECR's 12-hour password, Google access tokens); the client only asks
// again with `forceRefresh` when the registry has just rejected what it was given.

export type Credentials =
  /** Username + password or personal access token. */
  | { kind: 'basic'; username: string; password: string }
  /** An OAuth2 refresh token ("identity token"), exchanged at the token endpoint by POST. */
  | { kind: 'refreshToken'; refreshToken: string; username?: string }
  /** A token sent as it is (`Authorization: Bearer`), to the registry and its token service (Artifactory access tokens). */
  | { kind: 'bearer'; token: string };

export interface CredentialRequest {
  /** The last credentials were rejected (or are about to expire): fetch new ones. */
  forceRefresh: boolean;
  signal?: AbortSignal;
}

export type CredentialSource = (request: CredentialRequest) => Promise<Credentials | undefined>;

export function staticCredentials(creds: Credentials | undefined): CredentialSource {
  return async () => creds;
}

export function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}
