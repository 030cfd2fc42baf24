// DSSE envelopes (cosign attestations, BuildKit, sigstore bundles carry one): the payload is
// base64 of an in-toto statement. Decoded here for reading only; nothing is verified, and the
// document says so.

import * as v from 'valibot';
import { RegistryError } from './errors';
import { parseJsonText, parseWire, wireObject } from './wire';

export const IN_TOTO_PAYLOAD = 'application/vnd.in-toto+json';

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

const envelopeSchema = wireObject({
  payloadType: v.string(),
  payload: v.pipe(v.string(), v.check((s: string) => BASE64.test(s), 'is not base64')),
  signatures: v.optional(v.array(wireObject({ keyid: v.optional(v.string()), sig: v.optional(v.string()) }))),
});

const statementSchema = wireObject({
  _type: v.optional(v.string()),
  predicateType: v.optional(v.string()),
  subject: v.optional(v.array(wireObject({ name: v.optional(v.string()), digest: v.optional(v.record(v.string(), v.string())) }))),
});

export interface DecodedEnvelope {
  payloadType: string;
  /** The statement as JSON when the payload is JSON; otherwise the payload as text. */
  payload: unknown;
  predicateType?: string;
  signatures: number;
}

/** Whether a parsed JSON value looks like a DSSE envelope (so a layer is decoded, not shown raw). */
export function isEnvelope(json: unknown): boolean {
  return typeof json === 'object' && json !== null && 'payloadType' in json && 'payload' in json;
}

/** An envelope already parsed as JSON, from `host`, decoded; a bad shape is a protocol error. */
export function decodeEnvelope(json: unknown, host: string): DecodedEnvelope {
  const env = parseWire(envelopeSchema, json, host, 'a DSSE envelope');
  const text = Buffer.from(env.payload, env.payload.includes('-') || env.payload.includes('_') ? 'base64url' : 'base64').toString('utf8');
  const signatures = env.signatures?.length ?? 0;
  if (!/json/i.test(env.payloadType)) return { payloadType: env.payloadType, payload: text, signatures };
  const payload = parseJsonText(text, host, 'a DSSE payload');
  if (env.payloadType === IN_TOTO_PAYLOAD) {
    const statement = parseWire(statementSchema, payload, host, 'an in-toto statement');
    return { payloadType: env.payloadType, payload, signatures, ...(statement.predicateType ? { predicateType: statement.predicateType } : {}) };
  }
  return { payloadType: env.payloadType, payload, signatures };
}

/** An envelope from raw bytes (a `.att` layer). */
export function decodeEnvelopeBytes(body: Buffer, host: string): DecodedEnvelope {
  const json = parseJsonText(body, host, 'a DSSE envelope');
  if (!isEnvelope(json)) throw new RegistryError('protocol', `${host} sent a DSSE envelope without payloadType and payload.`);
  return decodeEnvelope(json, host);
}
