import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import canonicalizeModule from 'canonicalize';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JSONWebKeySet, type JWK } from 'jose';

// canonicalize is CommonJS typed with an ESM `export default`; under NodeNext TypeScript
// reads that default as the module object, while Node hands us the function itself.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

/** The only signing algorithm receipts use (DESIGN §2 step 10): EdDSA over Ed25519. */
export const RECEIPT_ALG = 'EdDSA';

/**
 * A receipt signing key as the server stores it. Both halves are JWKs so the row is plain
 * JSON; `kid` is the RFC 7638 thumbprint of the public half, so it names the key pair
 * without any registry and a verifier can pick the right key from the JWKS.
 */
export type StoredSigningKey = {
  kid: string;
  publicJwk: JWK;
  privateJwk: JWK;
  createdAt: Date;
};

/** What a receipt asserts: who ran which action with exactly which payload. */
export type ReceiptClaims = {
  /** The action request id. */
  sub: string;
  /** The agent id. */
  agt: string;
  /** The action type, e.g. `payments.transfer`. */
  act: string;
  /** {@link payloadHash} of the approved payload. */
  pld: string;
  /** Present (true) only on a break-glass approval (DESIGN §12): nobody approved it before it ran. */
  bg?: true;
};

/**
 * The fingerprint of a payload that a receipt binds to: base64url(SHA-256(RFC 8785 JSON)).
 *
 * Canonical JSON makes the hash independent of key order and number formatting, so the
 * executing system can recompute it from the arguments it is about to run with, in any
 * language. A missing payload hashes as JSON `null`, the same as an explicit null, so the
 * two cannot be told apart by a verifier either.
 *
 * @throws TypeError when the payload has no JSON form (a function, a symbol).
 */
export function payloadHash(payload: unknown): string {
  const canonical = canonicalize(payload ?? null);
  if (canonical === undefined) {
    throw new TypeError(`payload of type ${typeof payload} has no JSON form`);
  }
  return createHash('sha256').update(canonical).digest('base64url');
}

/** The form of a {@link payloadHash}: 32 bytes of SHA-256 as unpadded base64url, 43 characters. */
const PAYLOAD_HASH = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** Whether `value` has the form of a {@link payloadHash} (the last character carries 4 bits, so only 16 can end one). */
export function isPayloadHash(value: string): boolean {
  return PAYLOAD_HASH.test(value);
}

/**
 * Makes a fresh Ed25519 key pair for signing receipts. The private key is exported so the
 * server can keep it in its database: every instance must sign with the same keys.
 */
export async function generateSigningKey(now: Date = new Date()): Promise<StoredSigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(RECEIPT_ALG, { crv: 'Ed25519', extractable: true });
  const [publicJwk, privateJwk] = await Promise.all([exportJWK(publicKey), exportJWK(privateKey)]);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { kid, publicJwk, privateJwk, createdAt: now };
}

/**
 * Imported private keys by kid. Importing a JWK costs more than the signature itself, so
 * the hot path reuses the import; the entry remembers the private scalar it came from, so
 * a row that reuses a kid with other key material is imported afresh, never confused.
 * The promise is cached so that concurrent first signatures import once.
 */
const importedKeys = new Map<string, { d: string | undefined; key: Promise<KeyObject> }>();

function importedPrivateKey(stored: StoredSigningKey): Promise<KeyObject> {
  const cached = importedKeys.get(stored.kid);
  if (cached !== undefined && cached.d === stored.privateJwk.d) return cached.key;
  const key = importPrivateKey(stored);
  importedKeys.set(stored.kid, { d: stored.privateJwk.d, key });
  // A failed import must not poison the cache: the next signature tries again.
  key.catch(() => {
    if (importedKeys.get(stored.kid)?.key === key) importedKeys.delete(stored.kid);
  });
  return key;
}

/**
 * Imports the private half after checking that `kid` really names it: a receipt whose
 * header points at another key would be unverifiable, so refuse to sign one at all.
 */
async function importPrivateKey({ kid, privateJwk }: StoredSigningKey): Promise<KeyObject> {
  const { kty, crv, x, d } = privateJwk;
  if (d === undefined) throw new TypeError(`signing key ${kid} has no private half`);
  if (kty !== 'OKP' || crv !== 'Ed25519') throw new TypeError(`signing key ${kid} is not an Ed25519 key`);
  if ((await calculateJwkThumbprint({ kty, crv, x })) !== kid) {
    throw new TypeError(`signing key ${kid} is not the key its kid names`);
  }
  return createPrivateKey({ key: { kty, crv, x, d }, format: 'jwk' });
}

function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * Signs the receipt of an approved action: a compact JWS (header `alg: EdDSA`, `kid`,
 * `typ: JWT`) whose claims are exactly `sub`, `agt`, `act`, `pld`, `iat`, `exp` and `iss`
 * (and `bg: true` on a break-glass approval),
 * so the system that executes the action can check offline, against the JWKS, that this
 * exact payload was approved and the approval is still fresh.
 *
 * The JWS is put together here and signed with `node:crypto` (RFC 7515 §7.1: the
 * base64url header and claims, joined by a dot, signed as they are): one synchronous
 * Ed25519 signature per approval, where a JOSE library goes through WebCrypto's job
 * queue at about twice the cost. Any JOSE library verifies it (the tests use jose).
 *
 * @throws RangeError when `ttlSeconds` is not a positive whole number.
 */
export async function signReceipt(
  key: StoredSigningKey,
  claims: ReceiptClaims,
  opts: { issuer: string; ttlSeconds: number; now?: Date },
): Promise<string> {
  if (!Number.isSafeInteger(opts.ttlSeconds) || opts.ttlSeconds <= 0) {
    throw new RangeError(`ttlSeconds must be a positive whole number, got ${opts.ttlSeconds}`);
  }
  const iat = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  const privateKey = await importedPrivateKey(key);
  // Spell the claims out rather than spreading `claims`: a caller's extra field must never
  // end up signed.
  const signingInput = `${base64urlJson({ alg: RECEIPT_ALG, kid: key.kid, typ: 'JWT' })}.${base64urlJson({
    sub: claims.sub,
    agt: claims.agt,
    act: claims.act,
    pld: claims.pld,
    ...(claims.bg === true ? { bg: true } : {}),
    iss: opts.issuer,
    iat,
    exp: iat + opts.ttlSeconds,
  })}`;
  return `${signingInput}.${sign(null, Buffer.from(signingInput), privateKey).toString('base64url')}`;
}

/**
 * The JSON Web Key Set served at `/.well-known/jwks.json`.
 *
 * Pass every key that signed a receipt which has not expired yet, not only the current
 * one: after a rotation, receipts signed with the previous key must keep verifying until
 * they expire. Only the public members (`kty`, `crv`, `x`) are copied, so a private JWK
 * passed by mistake cannot leak its secret here.
 */
export function jwks(keys: readonly StoredSigningKey[]): JSONWebKeySet {
  return {
    keys: keys.map(({ kid, publicJwk: { kty, crv, x } }) => ({ kty, crv, x, kid, alg: RECEIPT_ALG, use: 'sig' })),
  };
}
