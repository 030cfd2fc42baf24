// DNS rebinding: every address rule (address.ts) judges a host by its name, but the socket goes
// where DNS says, and DNS is the server's to answer. A public-looking name can resolve (or, on
// the next connection of a keep-alive pool, re-resolve) to 127.0.0.1, 169.254.169.254 or a
// private address. So the resolver the connector uses is wrapped: a name classified public may
// only connect to public addresses. A name that is loopback or internal by itself (localhost,
// `registry.local`, a single label) and an address typed as such connect as before: Node does
// not resolve an IP literal, and the user chose those hosts knowing where they are.
//
// Behind an HTTP proxy the proxy resolves the registry's name, not us: this check then covers
// only hosts that bypass the proxy (NO_PROXY), and the proxy's own policy covers the rest.

import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { classifyHost, describeKind } from './address';
import { RegistryError } from './errors';

/** `dns.lookup`'s shape: what net.connect and undici's connector call to resolve a name. */
export type Resolver = LookupFunction;

type Callback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** The error a refused connection fails with: host, what its address is, what to do. */
export function rebindingError(hostname: string, address: string): RegistryError {
  const kind = classifyHost(address);
  return new RegistryError(
    'insecure',
    `${hostname} resolved to ${address}, ${describeKind(kind)}; refused because the name is public and a public name must reach a public address (DNS rebinding). If this is intended, connect the registry by its address.`,
    { code: 'REBINDING' },
  );
}

/** `resolve` (default `dns.lookup`), refusing a public name whose answer is not public. */
export function publicNamesResolvePublic(resolve: Resolver = dnsLookup as Resolver): Resolver {
  return ((hostname: string, options: LookupOneOptions | LookupAllOptions, callback: Callback) => {
    const mustBePublic = classifyHost(hostname) === 'public';
    resolve(hostname, options, ((err, address, family) => {
      if (err || !mustBePublic) return callback(err, address, family);
      // Every answer is checked, not only the first: with several records the socket may try
      // each in turn (happy eyeballs), and one private record is the attack.
      const all = Array.isArray(address) ? address.map((a) => a.address) : [address];
      const refused = all.find((a) => classifyHost(a) !== 'public');
      if (refused !== undefined) return callback(rebindingError(hostname, refused) as unknown as NodeJS.ErrnoException, address, family);
      callback(null, address, family);
    }) as Callback);
  }) as Resolver;
}
