// Failures of the Google token exchange (google-auth-library's errors) as RegistryErrors, by
// what the user should do about them; no assertion, key or token survives in a message.

import { RegistryError, type RegistryErrorKind } from '../../registry/errors';

const JWT_LIKE = /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;
const PEM_LIKE = /-----BEGIN[^-]*-----[\s\S]*?(-----END[^-]*-----|$)/g;
const GOOGLE_TOKEN_LIKE = /\bya29\.[A-Za-z0-9._-]+/g;

/** Keeps a library message readable while making sure no assertion, key or token survives in it. */
export function scrub(text: string): string {
  return text.replace(PEM_LIKE, '[key]').replace(JWT_LIKE, '[jwt]').replace(GOOGLE_TOKEN_LIKE, '[token]').slice(0, 300);
}

/** Errors from the token exchange, by what the user should do about them. */
export function describeGoogleError(e: unknown, account: string, keyId?: string): RegistryError {
  if (e instanceof RegistryError) return e;
  const err = (e ?? {}) as { message?: unknown; code?: unknown; status?: unknown; response?: { status?: unknown; data?: unknown } };
  const status = typeof err.response?.status === 'number' ? err.response.status : typeof err.status === 'number' ? err.status : undefined;
  const data = err.response?.data && typeof err.response.data === 'object' ? (err.response.data as Record<string, unknown>) : undefined;
  const code = typeof data?.error === 'string' ? data.error : undefined;
  const description = typeof data?.error_description === 'string' ? scrub(data.error_description) : undefined;
  const said = code ? ` (${code}${description ? `: ${description}` : ''})` : '';
  const make = (kind: RegistryErrorKind, message: string) => new RegistryError(kind, message, { ...(status !== undefined ? { status } : {}), code: code ?? 'GOOGLE_AUTH' });
  const key = keyId ? ` ${keyId.slice(0, 8)}…` : '';

  if (code === 'invalid_grant') {
    if (/signature/i.test(description ?? '')) {
      return make(
        'unauthorized',
        `Google rejected the key${key} of ${account}${said}. The key was deleted or disabled, or the file is not a key of this account. Create a new JSON key (IAM & Admin → Service accounts → Keys) and edit the connection.`,
      );
    }
    if (/account not found|not found|deleted|disabled/i.test(description ?? '')) {
      return make('unauthorized', `Google does not know ${account}${said}: the account was deleted or disabled. Use a key of an existing service account.`);
    }
    if (/iat|exp|time|short-lived/i.test(description ?? '')) {
      return make('unauthorized', `Google refused the sign-in of ${account} because this computer’s clock is off${said}. Correct the system time, then retry.`);
    }
    return make('unauthorized', `Google rejected the credentials of ${account}${said}. Check the key or sign in again, then reconnect.`);
  }
  if (code === 'invalid_client' || code === 'unauthorized_client' || code === 'access_denied' || code === 'invalid_scope') {
    return make('unauthorized', `Google refused an access token to ${account}${said}. Check that the account is enabled and allowed to use Google Cloud APIs, then reconnect.`);
  }
  if (status === 403) return make('forbidden', `Google refused an access token to ${account}${said}.`);
  if (status === 429) return make('rateLimited', `Google’s token service is rate-limiting ${account}${said}. Wait a minute, then retry.`);
  if (status !== undefined && status >= 500) return make('network', `Google’s token service had a server error (HTTP ${status}). Try again shortly.`);
  if (status !== undefined) return make('unauthorized', `Google’s token service answered HTTP ${status} for ${account}${said}.`);

  const message = typeof err.message === 'string' ? err.message : String(e);
  if (/Could not load the default credentials/i.test(message)) {
    return new RegistryError(
      'invalid',
      'No application default credentials were found. Run “gcloud auth application-default login”, or set GOOGLE_APPLICATION_CREDENTIALS to a key file before starting VS Code, or use a service-account key in this connection.',
      { code: 'GOOGLE_NO_ADC' },
    );
  }
  if (/GOOGLE_APPLICATION_CREDENTIALS/.test(message)) {
    return new RegistryError('invalid', `The file named by GOOGLE_APPLICATION_CREDENTIALS could not be used: ${scrub(message.replace(/^.*?environment variable:\s*/, ''))}. Fix the variable, or use a service-account key in this connection.`, {
      code: 'GOOGLE_ADC_FILE',
    });
  }
  const net = typeof err.code === 'string' ? err.code : (e as { cause?: { code?: unknown } })?.cause?.code;
  if (typeof net === 'string' && /^(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|UND_ERR_\w+)$/.test(net)) {
    return new RegistryError('network', `Could not reach Google’s token service (${net}). Check the network and proxy settings.`, { code: net });
  }
  if (/fetch failed|network|socket|timeout|aborted/i.test(message)) {
    return new RegistryError('network', `Could not reach Google’s token service (${scrub(message)}). Check the network and proxy settings.`, { code: 'GOOGLE_NETWORK' });
  }
  return new RegistryError('unauthorized', `Could not get a Google access token for ${account}: ${scrub(message)}`, { code: 'GOOGLE_AUTH' });
}
