import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { CountersignError, ReceiptVerificationError } from './errors.js';
import { payloadHash, verifyReceipt } from './receipt.js';
import { receiptSigner, type ReceiptSigner } from './test-support/fixtures.js';

const action = { id: 'act-1', type: 'payments.transfer', payload: { to: 'ACME', amount: 25_000, currency: 'USD' } };

async function rejection(promise: Promise<unknown>): Promise<ReceiptVerificationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReceiptVerificationError);
  return error as ReceiptVerificationError;
}

describe('payloadHash', () => {
  it('is base64url(SHA-256) of the RFC 8785 canonical JSON: sorted keys, shortest numbers', () => {
    const canonical = '{"a":"é","b":[1,1.5,1e+21],"c":{"x":null,"y":true}}';
    const expected = createHash('sha256').update(canonical).digest('base64url');
    expect(payloadHash({ c: { y: true, x: null }, b: [1.0, 1.5, 1e21], a: 'é' })).toBe(expected);
  });

  it('hashes a missing payload as JSON null', () => {
    expect(payloadHash(undefined)).toBe(payloadHash(null));
  });
});

describe('verifyReceipt', () => {
  let signer: ReceiptSigner;
  let stranger: ReceiptSigner;
  beforeAll(async () => {
    signer = await receiptSigner('server-key');
    stranger = await receiptSigner('server-key'); // same kid, other key: a forgery attempt
  });

  it('accepts a receipt for exactly this payload and returns its claims', async () => {
    const receipt = await signer.sign(action);
    const claims = await verifyReceipt(receipt, { currency: 'USD', amount: 25_000, to: 'ACME' }, { key: signer.publicJwk, actionId: 'act-1', actionType: 'payments.transfer', agentId: 'agent-1', issuer: 'http://countersign.test' });
    expect(claims).toMatchObject({ sub: 'act-1', agt: 'agent-1', act: 'payments.transfer', pld: payloadHash(action.payload) });
  });

  it('accepts a key set, picking the key by kid', async () => {
    const receipt = await signer.sign(action);
    const other = { ...(await receiptSigner('old-key')).publicJwk };
    await expect(verifyReceipt(receipt, action.payload, { key: { keys: [other, signer.publicJwk] } })).resolves.toMatchObject({ sub: 'act-1' });
  });

  it('fetches the JWKS from jwksUrl once and reuses it', async () => {
    let fetches = 0;
    const fetch = (async () => {
      fetches += 1;
      return Response.json({ keys: [signer.publicJwk] });
    }) as unknown as typeof globalThis.fetch;
    const jwksUrl = 'http://countersign.test/.well-known/jwks.json';
    await verifyReceipt(await signer.sign(action), action.payload, { jwksUrl, fetch });
    await verifyReceipt(await signer.sign(action), action.payload, { jwksUrl, fetch });
    expect(fetches).toBe(1);
  });

  it('rejects a changed payload', async () => {
    const receipt = await signer.sign(action);
    const error = await rejection(verifyReceipt(receipt, { ...action.payload, to: 'MALLORY' }, { key: signer.publicJwk }));
    expect(error.failure).toBe('PAYLOAD_MISMATCH');
    expect(error.code).toBe('INVALID_RECEIPT');
  });

  it('rejects a receipt signed by another key', async () => {
    const receipt = await stranger.sign(action);
    expect((await rejection(verifyReceipt(receipt, action.payload, { key: signer.publicJwk }))).failure).toBe('SIGNATURE');
    expect((await rejection(verifyReceipt(receipt, action.payload, { key: { keys: [signer.publicJwk] } }))).failure).toBe('SIGNATURE');
  });

  it('rejects a receipt that is not EdDSA, even one signed with the public key as an HMAC secret', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(signer.publicJwk));
    const forged = await new SignJWT({ sub: action.id, agt: 'agent-1', act: action.type, pld: payloadHash(action.payload), iss: 'x' })
      .setProtectedHeader({ alg: 'HS256', kid: 'server-key' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(secret);
    expect((await rejection(verifyReceipt(forged, action.payload, { key: { keys: [signer.publicJwk] } }))).failure).toBe('SIGNATURE');
  });

  it('rejects an expired receipt', async () => {
    const past = Math.floor(Date.now() / 1000) - 7200;
    const receipt = await signer.sign(action, { iat: past, exp: past + 60 });
    expect((await rejection(verifyReceipt(receipt, action.payload, { key: signer.publicJwk }))).failure).toBe('EXPIRED');
  });

  it('rejects a receipt issued for another action, agent, type or issuer', async () => {
    const receipt = await signer.sign(action);
    for (const expectation of [{ actionId: 'act-2' }, { agentId: 'agent-2' }, { actionType: 'payments.refund' }, { issuer: 'http://elsewhere' }]) {
      expect((await rejection(verifyReceipt(receipt, action.payload, { key: signer.publicJwk, ...expectation }))).failure).toBe('CLAIM_MISMATCH');
    }
  });

  it('rejects a receipt missing a claim, and what is not a JWS at all', async () => {
    const receipt = await signer.sign(action, { pld: undefined });
    expect((await rejection(verifyReceipt(receipt, action.payload, { key: signer.publicJwk }))).failure).toBe('MALFORMED');
    expect((await rejection(verifyReceipt('approved', action.payload, { key: signer.publicJwk }))).failure).toBe('MALFORMED');
    expect((await rejection(verifyReceipt('a.b.c', action.payload, { key: signer.publicJwk }))).failure).toBe('MALFORMED');
  });

  it('reports an unreachable JWKS as a network error, not as a bad receipt', async () => {
    const fetch = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof globalThis.fetch;
    const error = await verifyReceipt(await signer.sign(action), action.payload, { jwksUrl: 'http://down.test/.well-known/jwks.json', fetch }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CountersignError);
    expect(error).not.toBeInstanceOf(ReceiptVerificationError);
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
  });
});
