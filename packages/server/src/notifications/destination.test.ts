import { describe, expect, it } from 'vitest';
import { checkDestination, isPublicAddress, PrivateDestinationError, publicOnlyLookup } from './destination.js';

/** Every spelling of an address that is not public, as a webhook URL's host. */
const PRIVATE_HOSTS = [
  'localhost', '127.0.0.1', '2130706433', '0x7f000001', '0177.0.0.1', '127.1', '[::1]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]',
  '169.254.169.254', '[fe80::1]', '10.0.0.1', '172.16.5.4', '192.168.1.1', '[fd00::1]', '[fc00::1]', '224.0.0.1', '[ff02::1]',
  '0.0.0.0', '[::]', '100.64.0.1', '255.255.255.255', '[::127.0.0.1]', '[64:ff9b::7f00:1]',
];

describe('where webhooks may go', () => {
  it.each(PRIVATE_HOSTS)('refuses %s', async (host) => {
    await expect(checkDestination(new URL(`http://${host}:8080/hook`))).rejects.toBeInstanceOf(PrivateDestinationError);
  });

  it('accepts public addresses', async () => {
    for (const address of ['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(isPublicAddress(address), address).toBe(true);
    await expect(checkDestination(new URL('https://8.8.8.8/hook'))).resolves.toBeUndefined();
    await expect(checkDestination(new URL('https://[2606:4700:4700::1111]/hook'))).resolves.toBeUndefined();
  });

  it('does not read lenient spellings as addresses (only what a URL or DNS normalised)', () => {
    expect(isPublicAddress('0x08080808')).toBe(false);
    expect(isPublicAddress('not an address')).toBe(false);
  });

  it('answers a connection only public addresses of a name, refusing one that resolves to loopback', async () => {
    const answer = await new Promise<{ error: unknown; address: unknown }>((resolve) =>
      publicOnlyLookup('localhost', { all: true }, (error, address) => resolve({ error, address })),
    );
    expect(answer.error).toBeInstanceOf(PrivateDestinationError);
    expect(String((answer.error as Error).message)).toMatch(/^localhost resolves to (127\.0\.0\.1|::1), which is not a public address$/);
  });
});
