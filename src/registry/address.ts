// Where a host lives, for the security rules that depend on it: plain HTTP is automatic only
// for loopback, and a token realm may not send credentials from a public registry to a
// loopback or private address (a classic SSRF pivot).

import { isIP } from 'node:net';

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** `hostname` as URL gives it (IPv6 in brackets, no port). */
export function isLoopbackHost(hostname: string): boolean {
  const h = stripBrackets(hostname.toLowerCase());
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

export function isPrivateHost(hostname: string): boolean {
  const h = stripBrackets(hostname.toLowerCase());
  if (isLoopbackHost(h)) return true;
  if (isIP(h) === 4) {
    const [a, b] = h.split('.').map(Number) as [number, number];
    return a === 10 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
  }
  if (isIP(h) === 6) return /^(fc|fd|fe8|fe9|fea|feb)/.test(h) || h.startsWith('::ffff:10.') || h.startsWith('::ffff:192.168.');
  return h.endsWith('.local') || h.endsWith('.internal') || h.endsWith('.lan');
}
