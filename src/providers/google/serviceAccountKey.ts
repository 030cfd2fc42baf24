// Service-account JSON keys: read and checked when the form is saved (never quoted in an error:
// the text may be a private key pasted into the wrong field), and taken from a `docker login
// -u _json_key` entry.

import { createPrivateKey } from 'node:crypto';

const MAX_KEY_BYTES = 64 * 1024;

export interface ServiceAccountKey {
  type: 'service_account';
  client_email: string;
  private_key: string;
  private_key_id?: string;
  project_id?: string;
}

/**
 * Reads a service-account JSON key. Errors say what is wrong and what to do, never quoting the
 * key: the text may be a private key pasted into the wrong field.
 */
export function parseServiceAccountKey(text: string): { ok: true; key: ServiceAccountKey } | { ok: false; message: string } {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, message: 'Choose the service account’s JSON key file, or paste its contents.' };
  if (Buffer.byteLength(trimmed) > MAX_KEY_BYTES) {
    return { ok: false, message: 'This is far larger than a service-account key (about 2 KB). Choose the .json key file downloaded from the Cloud console.' };
  }
  if (trimmed.startsWith('-----BEGIN')) {
    return { ok: false, message: 'This is a bare PEM key. Use the whole JSON key file (IAM & Admin → Service accounts → Keys → Add key → JSON), which also names the account.' };
  }
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return { ok: false, message: 'This is not JSON. Choose the .json key file downloaded from IAM & Admin → Service accounts → Keys, or paste its whole contents.' };
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    return { ok: false, message: 'This JSON is not a service-account key. Choose the .json key file downloaded from IAM & Admin → Service accounts → Keys.' };
  }
  const o = json as Record<string, unknown>;
  const type = typeof o.type === 'string' ? o.type : undefined;
  if (type === 'authorized_user') {
    return { ok: false, message: 'This is a user credential (type authorized_user, from gcloud auth application-default login), not a service-account key. Choose “Application default credentials” instead.' };
  }
  if (type === 'external_account' || type === 'external_account_authorized_user' || type === 'impersonated_service_account') {
    return {
      ok: false,
      message: `This is a ${type === 'impersonated_service_account' ? 'service-account impersonation' : 'workload identity federation'} configuration (type ${type}), not a key. Set GOOGLE_APPLICATION_CREDENTIALS to its path and choose “Application default credentials”.`,
    };
  }
  if (type !== 'service_account') {
    const shown = type && /^[a-z_]{1,40}$/.test(type) ? `“${type}”` : type === undefined ? 'missing' : 'not recognised';
    return { ok: false, message: `The key’s “type” is ${shown}; a service-account key has "type": "service_account". Choose the .json key file of a service account.` };
  }
  const missing = ['client_email', 'private_key'].filter((f) => typeof o[f] !== 'string' || !(o[f] as string).trim());
  if (missing.length) {
    return { ok: false, message: `The key has no ${missing.join(' and no ')}: the file is incomplete. Download a new JSON key for the service account (IAM & Admin → Service accounts → Keys → Add key).` };
  }
  const email = (o.client_email as string).trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 320) {
    return { ok: false, message: 'The key’s client_email is not an e-mail address. Download a new JSON key for the service account.' };
  }
  try {
    createPrivateKey(o.private_key as string);
  } catch {
    return { ok: false, message: `The private_key of ${email} is damaged (not a readable PEM private key). Download a new JSON key for the service account.` };
  }
  return {
    ok: true,
    key: {
      type: 'service_account',
      client_email: email,
      private_key: o.private_key as string,
      ...(typeof o.private_key_id === 'string' && /^[A-Za-z0-9_-]{1,100}$/.test(o.private_key_id) ? { private_key_id: o.private_key_id } : {}),
      ...(typeof o.project_id === 'string' && o.project_id ? { project_id: o.project_id } : {}),
    },
  };
}

/** `_json_key_base64` passwords are the key file in base64. */
export function keyFromDockerPassword(username: string | undefined, password: string | undefined): string | undefined {
  if (!password || !username) return undefined;
  if (username === '_json_key') return password;
  if (username === '_json_key_base64') {
    try {
      return Buffer.from(password, 'base64').toString('utf8');
    } catch {
      return undefined;
    }
  }
  return undefined;
}
