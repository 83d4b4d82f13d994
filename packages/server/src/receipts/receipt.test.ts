import { createHash } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, jwks, payloadHash, signReceipt, type StoredSigningKey } from './receipt.js';

const ISSUER = 'https://countersign.example';
const claimsFor = (payload: unknown) => ({
  sub: 'act_1',
  agt: 'agt_1',
  act: 'payments.transfer',
  pld: payloadHash(payload),
});

describe('payloadHash', () => {
  it('should give the same hash whatever the key order of the payload', () => {
    const a = { amount: { value: 1200, currency: 'EUR' }, to: 'DE89 3704', memo: 'invoice 17' };
    const b = { memo: 'invoice 17', to: 'DE89 3704', amount: { currency: 'EUR', value: 1200 } };
    expect(payloadHash(b)).toBe(payloadHash(a));
  });

  it('should give a different hash when any value of the payload changes', () => {
    expect(payloadHash({ to: 'DE89 3704', amount: 1200 })).not.toBe(payloadHash({ to: 'DE89 3704', amount: 12000 }));
  });

  it('should be base64url of the SHA-256 of the RFC 8785 form, so any language can recompute it', () => {
    const canonical = '{"a":[1,"x",null],"b":1e+21,"c":0.5}';
    const expected = createHash('sha256').update(canonical).digest('base64url');
    expect(payloadHash({ c: 0.5, b: 1e21, a: [1, 'x', null] })).toBe(expected);
    expect(payloadHash({ c: 0.5, b: 1e21, a: [1, 'x', null] })).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('should hash a missing payload as JSON null', () => {
    const ofNull = createHash('sha256').update('null').digest('base64url');
    expect(payloadHash(undefined)).toBe(ofNull);
    expect(payloadHash(null)).toBe(ofNull);
  });

  it('should refuse a payload that has no JSON form', () => {
    expect(() => payloadHash(() => 1)).toThrow(TypeError);
  });
});

describe('signing keys', () => {
  it('should name a key by the RFC 7638 thumbprint of its public half', async () => {
    const key = await generateSigningKey();
    const { crv, kty, x } = key.publicJwk;
    const thumbprint = createHash('sha256').update(JSON.stringify({ crv, kty, x })).digest('base64url');
    expect(key.kid).toBe(thumbprint);
    expect(key.publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    expect(key.privateJwk.d).toEqual(expect.any(String));
  });

  it('should publish only public members, with kid, alg and use', async () => {
    const key = await generateSigningKey();
    // Even a private JWK stored in the wrong column must not leak through the JWKS.
    const misfiled: StoredSigningKey = { ...key, publicJwk: key.privateJwk };
    expect(jwks([misfiled])).toEqual({
      keys: [{ kty: 'OKP', crv: 'Ed25519', x: key.publicJwk.x, kid: key.kid, alg: 'EdDSA', use: 'sig' }],
    });
  });
});

describe('signReceipt', () => {
  let key: StoredSigningKey;
  beforeAll(async () => {
    key = await generateSigningKey();
  });

  it('should produce a receipt that verifies against the JWKS with exactly the receipt claims', async () => {
    const now = new Date();
    const receipt = await signReceipt(key, claimsFor({ amount: 1200 }), { issuer: ISSUER, ttlSeconds: 600, now });

    const { payload, protectedHeader } = await jwtVerify(receipt, createLocalJWKSet(jwks([key])), { issuer: ISSUER });
    const iat = Math.floor(now.getTime() / 1000);
    expect(protectedHeader).toEqual({ alg: 'EdDSA', kid: key.kid, typ: 'JWT' });
    expect(payload).toEqual({ ...claimsFor({ amount: 1200 }), iss: ISSUER, iat, exp: iat + 600 });
  });

  it('should bind the receipt to the payload, whatever its key order', async () => {
    const approved = { to: 'DE89 3704', amount: { value: 1200, currency: 'EUR' } };
    const receipt = await signReceipt(key, claimsFor(approved), { issuer: ISSUER, ttlSeconds: 600 });
    const { payload } = await jwtVerify(receipt, createLocalJWKSet(jwks([key])));

    expect(payload.pld).toBe(payloadHash({ amount: { currency: 'EUR', value: 1200 }, to: 'DE89 3704' }));
    expect(payload.pld).not.toBe(payloadHash({ ...approved, to: 'GB29 NWBK' }));
  });

  it('should not sign claims the caller slipped in beside the receipt claims', async () => {
    const claims = { ...claimsFor(null), admin: true } as ReturnType<typeof claimsFor>;
    const receipt = await signReceipt(key, claims, { issuer: ISSUER, ttlSeconds: 60 });
    const { payload } = await jwtVerify(receipt, createLocalJWKSet(jwks([key])));
    expect(Object.keys(payload).sort()).toEqual(['act', 'agt', 'exp', 'iat', 'iss', 'pld', 'sub']);
  });

  it('should carry bg: true on a break-glass approval, and no bg claim at all otherwise', async () => {
    const jwkSet = createLocalJWKSet(jwks([key]));
    const broken = await signReceipt(key, { ...claimsFor(null), bg: true }, { issuer: ISSUER, ttlSeconds: 60 });
    expect((await jwtVerify(broken, jwkSet)).payload.bg).toBe(true);
    // Only `true` is ever signed: a truthy value slipped in is not a claim.
    const slipped = await signReceipt(key, { ...claimsFor(null), bg: 'yes' } as unknown as ReturnType<typeof claimsFor>, { issuer: ISSUER, ttlSeconds: 60 });
    expect((await jwtVerify(slipped, jwkSet)).payload).not.toHaveProperty('bg');
  });

  it('should be rejected when signed by a key the JWKS does not publish', async () => {
    const foreign = await generateSigningKey();
    const receipt = await signReceipt(foreign, claimsFor(null), { issuer: ISSUER, ttlSeconds: 600 });
    await expect(jwtVerify(receipt, createLocalJWKSet(jwks([key])))).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
  });

  it('should refuse to sign with a key that borrows the kid of another', async () => {
    const foreign = await generateSigningKey();
    const impostor: StoredSigningKey = { ...foreign, kid: key.kid };
    await expect(signReceipt(impostor, claimsFor(null), { issuer: ISSUER, ttlSeconds: 600 })).rejects.toThrow(
      /not the key its kid names/,
    );
  });

  it('should refuse to sign with only the public half of a key', async () => {
    const publicOnly: StoredSigningKey = { ...key, kid: 'public-only', privateJwk: key.publicJwk };
    await expect(signReceipt(publicOnly, claimsFor(null), { issuer: ISSUER, ttlSeconds: 600 })).rejects.toThrow(
      /no private half/,
    );
  });

  it('should be rejected once expired', async () => {
    const longAgo = new Date(Date.now() - 3_600_000);
    const receipt = await signReceipt(key, claimsFor(null), { issuer: ISSUER, ttlSeconds: 600, now: longAgo });
    await expect(jwtVerify(receipt, createLocalJWKSet(jwks([key])))).rejects.toBeInstanceOf(errors.JWTExpired);
  });

  it('should keep verifying receipts of the old key after a rotation', async () => {
    const oldKey = key;
    const oldReceipt = await signReceipt(oldKey, claimsFor({ n: 1 }), { issuer: ISSUER, ttlSeconds: 600 });
    const newKey = await generateSigningKey();
    const newReceipt = await signReceipt(newKey, claimsFor({ n: 2 }), { issuer: ISSUER, ttlSeconds: 600 });

    const afterRotation = createLocalJWKSet(jwks([newKey, oldKey]));
    expect(decodeProtectedHeader(oldReceipt).kid).toBe(oldKey.kid);
    await expect(jwtVerify(oldReceipt, afterRotation)).resolves.toMatchObject({ payload: { pld: payloadHash({ n: 1 }) } });
    await expect(jwtVerify(newReceipt, afterRotation)).resolves.toMatchObject({ payload: { pld: payloadHash({ n: 2 }) } });
  });

  it('should sign with a key reloaded from storage as plain JSON', async () => {
    const reloaded: StoredSigningKey = JSON.parse(JSON.stringify(key), (k, v) => (k === 'createdAt' ? new Date(v) : v));
    const receipt = await signReceipt(reloaded, claimsFor(null), { issuer: ISSUER, ttlSeconds: 60 });
    await expect(jwtVerify(receipt, createLocalJWKSet(jwks([key])))).resolves.toBeDefined();
  });

  it.each([0, -5, 1.5, Number.NaN])('should refuse a time to live of %s seconds', async (ttlSeconds) => {
    await expect(signReceipt(key, claimsFor(null), { issuer: ISSUER, ttlSeconds })).rejects.toBeInstanceOf(RangeError);
  });
});
