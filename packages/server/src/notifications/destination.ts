import dns from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';

/**
 * Where webhooks may go (DESIGN §11): public unicast addresses only. A webhook URL is
 * chosen by an approver, so without this any approver could make the server call
 * 127.0.0.1, the cloud metadata service at 169.254.169.254 or the office network.
 * Classification is ipaddr.js's; only its `unicast` (nothing special) is public.
 */

/** IPv4-compatible IPv6 (`::a.b.c.d`, deprecated): ipaddr.js calls it unicast, but it names an IPv4 host. */
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

/** Whether `address` (an IP literal, as DNS or a URL's hostname gives it) is a public unicast address. */
export function isPublicAddress(address: string): boolean {
  const literal = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  // Only canonical spellings: a URL's hostname and DNS answers are already normalised, and
  // ipaddr.js's lenient parser must not read anything else as an address.
  if (!ipaddr.IPv4.isValidFourPartDecimal(literal) && !ipaddr.IPv6.isValid(literal)) return false;
  // IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it maps.
  const parsed = ipaddr.process(literal);
  if (parsed.kind() === 'ipv6' && parsed.match(IPV4_COMPATIBLE)) return false;
  return parsed.range() === 'unicast';
}

/** Whether `hostname` (a URL's, brackets and all) is an IP literal rather than a name to resolve. */
export function isIpLiteral(hostname: string): boolean {
  return ipaddr.isValid(hostname.startsWith('[') ? hostname.slice(1, -1) : hostname);
}

/** A destination refused because it is not public; its message names the host and the address, never the URL. */
export class PrivateDestinationError extends Error {
  readonly code = 'EPRIVATEDESTINATION';

  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(host === address ? `${host} is not a public address` : `${host} resolves to ${address}, which is not a public address`);
    this.name = 'PrivateDestinationError';
  }
}

/**
 * Checks a webhook URL's host before it is registered: an IP literal is judged as it is, a
 * name by every address it resolves to now. Throws {@link PrivateDestinationError}, or
 * the resolver's error for a name that does not resolve.
 */
export async function checkDestination(url: URL): Promise<void> {
  const host = url.hostname;
  if (isIpLiteral(host)) {
    if (!isPublicAddress(host)) throw new PrivateDestinationError(host, host);
    return;
  }
  const addresses = await dns.promises.lookup(host, { all: true, verbatim: true });
  for (const { address } of addresses) if (!isPublicAddress(address)) throw new PrivateDestinationError(host, address);
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for an outbound request that answers only public addresses: the request
 * connects to exactly the addresses checked here, so a name that resolves differently a
 * moment later (DNS rebinding) cannot move it. Node calls it for names only; IP literals
 * are checked before the request ({@link isPublicAddress}).
 */
export function publicOnlyLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '');
    const refused = addresses.find((a) => !isPublicAddress(a.address));
    if (refused) return callback(new PrivateDestinationError(hostname, refused.address) as unknown as NodeJS.ErrnoException, '');
    if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}
