// Digests that come from a server (a `Docker-Content-Digest` header, an index descriptor, an
// API listing) end up in the user's YAML, in URLs and in cache keys. Only the algorithms the
// OCI image spec registers, each with its exact hex length, are accepted: anything else (a
// header carrying `sha256:zz not hex #comment`) is a protocol error, never text we write.

const LENGTHS: Readonly<Record<string, number>> = { sha256: 64, sha512: 128, blake3: 64 };

/** `algorithm:hex` with a registered algorithm and the right number of lower-case hex digits. */
export function isValidDigest(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const i = value.indexOf(':');
  if (i < 0) return false;
  const length = LENGTHS[value.slice(0, i)];
  const hex = value.slice(i + 1);
  return length !== undefined && hex.length === length && /^[0-9a-f]+$/.test(hex);
}
