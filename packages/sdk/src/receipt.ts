import { createHash } from 'node:crypto';
import canonicalizeModule from 'canonicalize';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  errors as jose,
  jwtVerify,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  type JWTVerifyGetKey,
  type KeyObject,
} from 'jose';
import { toMilliseconds, type Duration } from './duration.js';
import { CountersignError, ReceiptVerificationError, type ReceiptFailure } from './errors.js';
import type { ActionRequest } from './types.js';

// canonicalize is CommonJS typed with an ESM `export default`; under NodeNext TypeScript
// reads that default as the module object, while Node hands us the function itself.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

/** Receipts are signed with EdDSA (Ed25519) and nothing else; any other `alg` is refused. */
const ALGORITHMS = ['EdDSA'];

/**
 * What a receipt asserts (DESIGN §2 step 10): this agent may run this action with exactly
 * this payload, until `exp`.
 *
 * @example
 * ```ts
 * const claims: ReceiptClaims = await verifyReceipt(receipt, payload, { jwksUrl });
 * console.log(`action ${claims.sub} of agent ${claims.agt} approved until ${new Date(claims.exp * 1000).toISOString()}`);
 * ```
 */
export interface ReceiptClaims {
  /** The action request id. */
  sub: string;
  /** The agent id. */
  agt: string;
  /** The action type, e.g. `payments.transfer`. */
  act: string;
  /** {@link payloadHash} of the approved payload. */
  pld: string;
  /** Issued at, in seconds since the epoch. */
  iat: number;
  /** Expires at, in seconds since the epoch. */
  exp: number;
  /** The Countersign deployment that signed it. */
  iss: string;
  /**
   * `true` when break-glass approved it (DESIGN §12): nobody approved it before it ran, and
   * a review follows. Absent on every other receipt.
   */
  bg?: true;
}

/**
 * A key to check receipts against without fetching the JWKS: an Ed25519 public key as a
 * JWK, a JWKS, a WebCrypto `CryptoKey` or a Node `KeyObject`.
 *
 * @example
 * ```ts
 * const receiptKey: ReceiptKey = JSON.parse(process.env.COUNTERSIGN_RECEIPT_JWKS!);
 * const cs = createClient({ url, apiKey, receiptKey });
 * ```
 */
export type ReceiptKey = JWK | JSONWebKeySet | CryptoKey | KeyObject;

/**
 * Options of {@link verifyReceipt}: where the public keys come from (exactly one of
 * `jwksUrl` and `key`), and optionally what the receipt must have been issued for.
 *
 * @example
 * ```ts
 * const options: VerifyReceiptOptions = {
 *   jwksUrl: 'https://countersign.example.com/.well-known/jwks.json',
 *   actionType: 'payments.transfer',
 * };
 * ```
 */
export type VerifyReceiptOptions = ReceiptExpectations &
  (
    | {
        /** The server's JWKS, normally `<origin>/.well-known/jwks.json`. Fetched once and cached; refetched for an unknown `kid`. */
        jwksUrl: string | URL;
        key?: never;
        /** Fetches the JWKS. @default globalThis.fetch */
        fetch?: typeof globalThis.fetch;
      }
    | {
        /** A pinned public key (or key set): nothing is fetched. */
        key: ReceiptKey;
        jwksUrl?: never;
        fetch?: never;
      }
  );

/**
 * What the receipt must have been issued for. Each given field is checked; the signature,
 * the payload hash and the expiry are checked always.
 *
 * @example
 * ```ts
 * await cs.verifyReceipt(receipt, payload, { actionId: id, actionType: 'payments.transfer', clockTolerance: '2m' });
 * ```
 */
export interface ReceiptExpectations {
  /** The action request id (`sub`). */
  actionId?: string;
  /** The agent id (`agt`). */
  agentId?: string;
  /** The action type (`act`). */
  actionType?: string;
  /** The issuer (`iss`). */
  issuer?: string;
  /**
   * Clock skew allowed between the signer and this machine when checking `exp` and `iat`.
   * @default '30s'
   */
  clockTolerance?: Duration;
}

/**
 * The fingerprint a receipt binds to: base64url(SHA-256(RFC 8785 canonical JSON of
 * `payload`)). Key order and number formatting do not change it; a missing payload hashes
 * as JSON `null`.
 *
 * @throws TypeError when the payload has no JSON form (a function, a symbol).
 *
 * @example
 * ```ts
 * payloadHash({ b: 1, a: 2 }) === payloadHash({ a: 2, b: 1 }); // true
 * ```
 */
export function payloadHash(payload: unknown): string {
  const canonical = canonicalize(payload ?? null);
  if (canonical === undefined) throw new TypeError(`payload of type ${typeof payload} has no JSON form`);
  return createHash('sha256').update(canonical).digest('base64url');
}

/**
 * Checks that `receipt` is a Countersign signature over exactly `payload`: signed with
 * EdDSA by a key of the server's JWKS (or the key you pin), not expired, with `pld` equal
 * to {@link payloadHash}(`payload`), and issued for the action, agent, type and issuer you
 * name. Use it in the system that executes an action, to refuse anything not approved as is.
 *
 * @returns the receipt's claims.
 * @throws {@link ReceiptVerificationError} when any check fails (`failure` says which).
 * @throws {@link CountersignError} with code `NETWORK_ERROR` when the JWKS cannot be fetched.
 *
 * @example
 * ```ts
 * import { verifyReceipt } from '@countersign/sdk';
 *
 * // In the payment service: run only what was approved, exactly as approved.
 * await verifyReceipt(request.receipt, request.payload, {
 *   jwksUrl: 'https://countersign.example.com/.well-known/jwks.json',
 *   actionType: 'payments.transfer',
 * });
 * ```
 */
export async function verifyReceipt(receipt: string, payload: unknown, options: VerifyReceiptOptions): Promise<ReceiptClaims> {
  const keys = options.key !== undefined ? localKeys(options.key) : remoteKeys(options.jwksUrl, options.fetch);
  return verifyWith(receipt, payload, keys, options);
}

/** The part of {@link verifyReceipt} after the key source is chosen; the client reuses its own source. */
export async function verifyWith(
  receipt: string | null | undefined,
  payload: unknown,
  keys: JWTVerifyGetKey | Exclude<ReceiptKey, JSONWebKeySet>,
  expectations: ReceiptExpectations,
  action?: ActionRequest,
): Promise<ReceiptClaims> {
  if (typeof receipt !== 'string' || receipt.split('.').length !== 3) {
    throw new ReceiptVerificationError('No receipt, or not a compact JWS', { failure: 'MALFORMED', action });
  }
  let claims: ReceiptClaims;
  try {
    const verified = await jwtVerify(receipt, keys as JWTVerifyGetKey, {
      algorithms: ALGORITHMS,
      requiredClaims: ['sub', 'agt', 'act', 'pld', 'iat', 'exp', 'iss'],
      subject: expectations.actionId,
      issuer: expectations.issuer,
      clockTolerance: Math.round(toMilliseconds(expectations.clockTolerance ?? '30s', 'clockTolerance') / 1000),
    });
    claims = verified.payload as unknown as ReceiptClaims;
  } catch (error) {
    throw joseFailure(error, action);
  }
  for (const [claim, expected] of [['agt', expectations.agentId], ['act', expectations.actionType]] as const) {
    if (expected !== undefined && claims[claim] !== expected) {
      throw new ReceiptVerificationError(`Receipt was issued for ${claim} ${JSON.stringify(claims[claim])}, not ${JSON.stringify(expected)}`, { failure: 'CLAIM_MISMATCH', action });
    }
  }
  if (claims.pld !== payloadHash(payload)) {
    throw new ReceiptVerificationError('Receipt does not cover this payload: it was approved with other arguments', { failure: 'PAYLOAD_MISMATCH', action });
  }
  return claims;
}

/** A key source over a pinned key: a JWKS becomes a local key set, anything else is used as is. */
export function localKeys(key: ReceiptKey): JWTVerifyGetKey | Exclude<ReceiptKey, JSONWebKeySet> {
  return typeof key === 'object' && key !== null && 'keys' in key && Array.isArray(key.keys) ? createLocalJWKSet(key) : (key as Exclude<ReceiptKey, JSONWebKeySet>);
}

/**
 * Remote key sets by URL, one per fetch implementation: jose caches the keys inside each,
 * so verifying many receipts fetches the JWKS once (and again only for an unknown `kid`).
 */
const remoteKeySets = new WeakMap<typeof globalThis.fetch, Map<string, JWTVerifyGetKey>>();

export function remoteKeys(jwksUrl: string | URL, fetchImpl: typeof globalThis.fetch = globalThis.fetch): JWTVerifyGetKey {
  const url = new URL(jwksUrl);
  let byUrl = remoteKeySets.get(fetchImpl);
  if (!byUrl) remoteKeySets.set(fetchImpl, (byUrl = new Map()));
  let keys = byUrl.get(url.href);
  if (!keys) {
    keys = createRemoteJWKSet(url, { [customFetch]: (resource, init) => fetchImpl(resource, init) });
    byUrl.set(url.href, keys);
  }
  return keys;
}

/** Where a server serves its JWKS, given its GraphQL endpoint. */
export function jwksUrlFor(graphqlUrl: string | URL): URL {
  return new URL('/.well-known/jwks.json', graphqlUrl);
}

function joseFailure(error: unknown, action: ActionRequest | undefined): CountersignError {
  const failure = receiptFailure(error);
  if (failure === undefined) {
    return new CountersignError(`Could not fetch the keys to verify the receipt: ${errorMessage(error)}`, { code: 'NETWORK_ERROR', action, cause: error });
  }
  return new ReceiptVerificationError(`Receipt rejected: ${errorMessage(error)}`, { failure, action, cause: error });
}

function receiptFailure(error: unknown): ReceiptFailure | undefined {
  if (error instanceof jose.JWTExpired) return 'EXPIRED';
  if (error instanceof jose.JWTClaimValidationFailed) return error.claim === 'iat' || error.claim === 'nbf' ? 'EXPIRED' : error.reason === 'missing' ? 'MALFORMED' : 'CLAIM_MISMATCH';
  if (error instanceof jose.JWSInvalid || error instanceof jose.JWTInvalid) return 'MALFORMED';
  if (
    error instanceof jose.JWSSignatureVerificationFailed ||
    error instanceof jose.JWKSNoMatchingKey ||
    error instanceof jose.JWKSMultipleMatchingKeys ||
    error instanceof jose.JOSEAlgNotAllowed ||
    error instanceof jose.JOSENotSupported ||
    error instanceof jose.JWKInvalid
  ) {
    return 'SIGNATURE';
  }
  // Fetch failures, JWKS timeouts and unreadable key sets: not the receipt's fault.
  return undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
