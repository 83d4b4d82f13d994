import { describe, expect, it } from 'vitest';
import { Mode, RiskLevel, toCelVars } from '@countersign/governance';
import { covers, grantLimitsOf, grantable, isLive, levelWithin, lifetimeWithin, type GrantTerms, type GrantedRequest } from './scope.js';

const now = new Date('2026-12-05T12:00:00Z');
const hour = 3_600_000;

function grant(overrides: Partial<GrantTerms> = {}): GrantTerms {
  return {
    id: 'g1', agentId: 'agent-1', actionType: 'payments.transfer', when: null, maxAmount: null, sameDestination: false, destination: null, payloadHash: null,
    maxUses: 3, uses: 0, expiresAt: new Date(now.getTime() + hour), revokedAt: null, createdAt: new Date(now.getTime() - hour), ...overrides,
  };
}

function request(overrides: Partial<Omit<GrantedRequest, 'vars'>> & { resource?: string } = {}): GrantedRequest {
  const { resource, ...rest } = overrides;
  const base = { agentId: 'agent-1', type: 'payments.transfer', amount: { value: 100, currency: 'USD' }, destination: { system: 'stripe', external: true }, payloadHash: 'hash-a', ...rest };
  const vars = toCelVars({ type: base.type, operation: 'WRITE', amount: base.amount, destination: base.destination, resource: resource ?? null }, { name: 'payer', tags: [] }, { score: 50, level: RiskLevel.MEDIUM });
  return { ...base, vars };
}

describe('covers', () => {
  it('lets through a request in scope', () => {
    expect(covers(grant(), request(), now)).toEqual({ covered: true });
  });

  it('covers an amount at the ceiling and not one cent over', () => {
    const ceiling = grant({ maxAmount: { value: 100, currency: 'USD' } });
    expect(covers(ceiling, request({ amount: { value: 100, currency: 'USD' } }), now).covered).toBe(true);
    expect(covers(ceiling, request({ amount: { value: 100.01, currency: 'USD' } }), now)).toEqual({ covered: false, reason: 'the amount 100.01 is over its ceiling 100' });
  });

  it('does not cover another currency, nor a request without an amount, under a ceiling', () => {
    const ceiling = grant({ maxAmount: { value: 100, currency: 'USD' } });
    expect(covers(ceiling, request({ amount: { value: 1, currency: 'EUR' } }), now)).toEqual({ covered: false, reason: 'its ceiling is in USD, the request in EUR' });
    expect(covers(ceiling, request({ amount: null }), now).covered).toBe(false);
  });

  it('does not cover another agent or another type; a prefix covers the types under it only', () => {
    expect(covers(grant(), request({ agentId: 'agent-2' }), now).covered).toBe(false);
    expect(covers(grant(), request({ type: 'payments.refund' }), now).covered).toBe(false);
    expect(covers(grant({ actionType: 'payments.*' }), request({ type: 'payments.refund' }), now).covered).toBe(true);
    expect(covers(grant({ actionType: 'payments.*' }), request({ type: 'paymentsx.refund' }), now).covered).toBe(false);
  });

  it('covers only the same destination when it is part of the scope (none means none)', () => {
    const stripe = grant({ sameDestination: true, destination: { system: 'stripe', external: true } });
    expect(covers(stripe, request(), now).covered).toBe(true);
    expect(covers(stripe, request({ destination: { system: 'swift', external: true } }), now)).toEqual({ covered: false, reason: 'the destination differs' });
    expect(covers(stripe, request({ destination: { system: 'stripe', external: false } }), now).covered).toBe(false);
    expect(covers(stripe, request({ destination: null }), now).covered).toBe(false);
    const nowhere = grant({ sameDestination: true, destination: null });
    expect(covers(nowhere, request({ destination: null }), now).covered).toBe(true);
    expect(covers(nowhere, request(), now).covered).toBe(false);
  });

  it('covers only the same arguments under sameArguments', () => {
    const same = grant({ payloadHash: 'hash-a' });
    expect(covers(same, request(), now).covered).toBe(true);
    expect(covers(same, request({ payloadHash: 'hash-b' }), now)).toEqual({ covered: false, reason: 'the arguments differ' });
  });

  it('needs its condition to hold; one that fails to evaluate counts as false', () => {
    const invoices = grant({ when: 'action.resource.startsWith("invoice:")' });
    expect(covers(invoices, request({ resource: 'invoice:7' }), now).covered).toBe(true);
    expect(covers(invoices, request({ resource: 'payroll:7' }), now)).toEqual({ covered: false, reason: 'its condition does not hold' });
    expect(covers(invoices, request(), now)).toMatchObject({ covered: false, reason: expect.stringMatching(/^its condition failed to evaluate/) });
  });

  it('lets nothing through once expired, used up or revoked', () => {
    expect(covers(grant({ expiresAt: now }), request(), now)).toEqual({ covered: false, reason: 'it expired' });
    expect(covers(grant({ uses: 3 }), request(), now)).toEqual({ covered: false, reason: 'it is used up' });
    expect(covers(grant({ revokedAt: new Date(now.getTime() - 1) }), request(), now)).toEqual({ covered: false, reason: 'it is revoked' });
    expect(isLive(grant({ maxUses: null, uses: 10_000 }), now)).toBe(true);
  });
});

describe('grantable', () => {
  const limits = { allowed: true, maxTtl: 86_400, maxLevel: RiskLevel.HIGH };
  const judged = { mode: Mode.SYNC_APPROVAL, level: RiskLevel.HIGH, requiredApprovals: 1, suspended: false };

  it('allows a SYNC_APPROVAL request of one approval at or under maxLevel', () => {
    expect(grantable(judged, limits)).toEqual({ covered: true });
  });

  it('never for BLOCK or another mode, a suspended agent, a quorum, a level above maxLevel, or a policy without grants', () => {
    expect(grantable({ ...judged, mode: Mode.BLOCK }, limits).covered).toBe(false);
    expect(grantable({ ...judged, mode: Mode.ASYNC_REVIEW }, limits).covered).toBe(false);
    expect(grantable({ ...judged, suspended: true }, limits).covered).toBe(false);
    expect(grantable({ ...judged, requiredApprovals: 2 }, limits)).toEqual({ covered: false, reason: 'it needs 2 approvals' });
    expect(grantable({ ...judged, level: RiskLevel.HIGH }, { ...limits, maxLevel: RiskLevel.MEDIUM }).covered).toBe(false);
    expect(grantable(judged, null)).toEqual({ covered: false, reason: 'its policy allows no grants' });
    expect(grantable(judged, { ...limits, allowed: false }).covered).toBe(false);
  });

  it('never reaches CRITICAL, whatever maxLevel says', () => {
    expect(levelWithin(RiskLevel.CRITICAL, RiskLevel.CRITICAL)).toBe(false);
    expect(levelWithin(RiskLevel.LOW, RiskLevel.MEDIUM)).toBe(true);
  });
});

describe('lifetimeWithin and grantLimitsOf', () => {
  it('holds a grant to the maxTtl of the policy it is used under', () => {
    const limits = { allowed: true, maxTtl: 3600, maxLevel: RiskLevel.HIGH };
    expect(lifetimeWithin({ createdAt: now, expiresAt: new Date(now.getTime() + hour) }, limits)).toBe(true);
    expect(lifetimeWithin({ createdAt: now, expiresAt: new Date(now.getTime() + hour + 1) }, limits)).toBe(false);
  });

  it('finds the grants block of the named policy; no policy or no block means none', () => {
    const compiled = { policies: [{ name: 'payments', grants: { allowed: true, maxTtl: 60, maxLevel: RiskLevel.HIGH } }, { name: 'records' }] };
    expect(grantLimitsOf(compiled, 'payments')).toMatchObject({ maxTtl: 60 });
    expect(grantLimitsOf(compiled, 'records')).toBeNull();
    expect(grantLimitsOf(compiled, null)).toBeNull();
  });
});
