// DNS rebinding: every address rule (address.ts) judges a host by its name, but the socket goes
// where DNS says, and DNS is the server's to answer. A public-looking name can resolve (or, on
// the next connection of a keep-alive pool, re-resolve) to 127.0.0.1, 169.254.169.254 or a
// private address. So the resolver the connector uses is wrapped: a name classified public may
// only connect to public addresses. A name that is loopback or internal by itself (localhost,
// `registry.local`, a single label) and an address typed as such connect as before: Node does
// not resolve an IP literal, and the user chose those hosts knowing where they are.
//
// The registry's own name, as the user typed it, is theirs too: a company registry with a
// public-looking name that the company's DNS (or a VPN, or /etc/hosts) answers with 10.x, a ULA
// or 127.0.0.1 is the common case, not an attack. So the user's chosen host may resolve to a
// private or loopback address; only link-local (169.254.169.254, the cloud metadata service) and
// the unspecified/reserved ranges stay refused for it. Every name a server hands us (a token
// realm, a redirect target, another origin) keeps the strict rule.
//
// Behind an HTTP proxy the proxy resolves the registry's name, not us: this check then covers
// only hosts that bypass the proxy (NO_PROXY), and the proxy's own policy covers the rest.

import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { canonicalHost, classifyHost, describeKind } from './address';
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

/** What a public name may resolve to; the user's own registry name may reach more (see the top of this file). */
const PUBLIC_ONLY = new Set(['public']);
const CHOSEN_HOST_MAY_REACH = new Set(['public', 'private', 'loopback']);

/**
 * `resolve` (default `dns.lookup`), refusing a public name whose answer is not public.
 * `chosenHost`: the registry host the user typed, which may also resolve to a private or
 * loopback address.
 */
export function publicNamesResolvePublic(resolve: Resolver = dnsLookup as Resolver, chosenHost?: string): Resolver {
  const chosen = chosenHost === undefined ? undefined : canonicalHost(chosenHost);
  return ((hostname: string, options: LookupOneOptions | LookupAllOptions, callback: Callback) => {
    const mustBePublic = classifyHost(hostname) === 'public';
    const allowed = chosen !== undefined && canonicalHost(hostname) === chosen ? CHOSEN_HOST_MAY_REACH : PUBLIC_ONLY;
    resolve(hostname, options, ((err, address, family) => {
      if (err || !mustBePublic) return callback(err, address, family);
      // Every answer is checked, not only the first: with several records the socket may try
      // each in turn (happy eyeballs), and one private record is the attack.
      const all = Array.isArray(address) ? address.map((a) => a.address) : [address];
      const refused = all.find((a) => !allowed.has(classifyHost(a)));
      if (refused !== undefined) return callback(rebindingError(hostname, refused) as unknown as NodeJS.ErrnoException, address, family);
      callback(null, address, family);
    }) as Callback);
  }) as Resolver;
}
