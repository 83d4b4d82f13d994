import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { payloadHash } from '../receipt.js';
import type { ActionRequest, Decision } from '../types.js';

/** A complete ActionRequest as the server would send it; override what the test is about. */
export function actionFixture(overrides: Partial<ActionRequest> = {}): ActionRequest {
  return {
    id: 'a1',
    type: 'payments.transfer',
    operation: 'WRITE',
    summary: 'Pay INV-1',
    resource: null,
    payload: { invoice: 'INV-1', amount: 100 },
    idempotencyKey: 'k1',
    mode: 'SYNC_APPROVAL',
    status: 'PENDING',
    statusReason: null,
    reviewStatus: null,
    risk: { score: 70, level: 'HIGH', factors: [] },
    policy: 'payments',
    consequences: null,
    notes: [],
    route: 'payments',
    chain: 'finance',
    escalationLevel: 1,
    deadline: null,
    requiredApprovals: 1,
    governanceVersion: 1,
    decisions: [],
    approvedPayload: null,
    receipt: null,
    grant: null,
    breakGlass: null,
    outcome: null,
    createdAt: '2026-11-24T00:00:00.000Z',
    updatedAt: '2026-11-24T00:00:00.000Z',
    decidedAt: null,
    ...overrides,
  };
}

export function decisionFixture(overrides: Partial<Decision> = {}): Decision {
  return { verdict: 'APPROVE', comment: null, modifiedPayload: null, at: '2026-11-24T00:01:00.000Z', approver: { id: 'p1', name: 'fiona' }, onBehalfOf: null, ...overrides };
}

export interface ReceiptSigner {
  publicJwk: JWK;
  /** Signs a receipt the way the server does (DESIGN §2 step 10); `claims` overrides any claim. */
  sign(action: { id: string; type: string; payload: unknown }, claims?: Record<string, unknown>, options?: { alg?: string }): Promise<string>;
}

/** A fresh Ed25519 signing key, standing in for the server's. */
export async function receiptSigner(kid = 'test-key'): Promise<ReceiptSigner> {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  return {
    publicJwk,
    sign: (action, claims = {}) => signWith(privateKey, kid, action, claims),
  };
}

async function signWith(key: CryptoKey, kid: string, action: { id: string; type: string; payload: unknown }, claims: Record<string, unknown>): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: action.id, agt: 'agent-1', act: action.type, pld: payloadHash(action.payload), iat: now, exp: now + 3600, iss: 'http://countersign.test', ...claims })
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
    .sign(key);
}
