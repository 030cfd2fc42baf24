// Reading a JWT's claims without verifying it: providers only want to know when a token the
// service just gave them expires (and for ACR, who issued it), never to trust its contents.

/** The claims of a JWT; undefined if the text is not one. */
export function jwtClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const json = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    return json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
