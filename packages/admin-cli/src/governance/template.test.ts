import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
// The rules `applyGovernance` runs: the template must pass them as written.
import { lintGovernance as lintOnServer, parseGovernance } from '@countersign/governance';
import { lintGovernance } from './lint.js';
import { GOVERNANCE_TEMPLATE } from './template.js';

describe('the init template', () => {
  it('should parse as YAML with the sections of DESIGN §3', () => {
    const document = parse(GOVERNANCE_TEMPLATE) as Record<string, unknown>;
    expect(Object.keys(document)).toEqual(['version', 'riskModel', 'policies', 'escalationChains', 'routes']);
    expect(document.version).toBe(1);
  });

  it('should be explained by comments', () => {
    expect(GOVERNANCE_TEMPLATE.split('\n').filter((line) => line.trim().startsWith('#')).length).toBeGreaterThan(30);
  });

  it('should cover payments with a two-person rule, health records to clinicians, exports kept internal and external calls', () => {
    const document = parse(GOVERNANCE_TEMPLATE) as {
      policies: Array<{ name: string; adjust?: Array<{ mode?: string; requiredApprovals?: number }> }>;
      routes: Array<{ name: string; chain: string; when: string }>;
      escalationChains: Array<{ name: string; levels: Array<{ approvers: { role?: string } }> }>;
    };
    const policy = (name: string) => document.policies.find((p) => p.name === name)!;
    expect(policy('payments').adjust).toContainEqual(expect.objectContaining({ requiredApprovals: 2 }));
    expect(policy('customer-data-exports').adjust).toContainEqual(expect.objectContaining({ mode: 'BLOCK' }));
    expect(policy('external-calls')).toBeDefined();
    const healthRoute = document.routes.find((r) => r.name === 'health-records')!;
    const clinical = document.escalationChains.find((c) => c.name === healthRoute.chain)!;
    expect(clinical.levels[0]!.approvers.role).toBe('clinician');
    expect(document.routes.some((r) => r.when === 'true')).toBe(true);
  });

  it('should pass the offline lint without a single problem', () => {
    expect(lintGovernance(GOVERNANCE_TEMPLATE).problems).toEqual([]);
  });

  it('should be accepted by the server as written', () => {
    const result = parseGovernance(GOVERNANCE_TEMPLATE);
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('should draw no server warning once approvers hold its roles (two for the finance quorum)', () => {
    const result = parseGovernance(GOVERNANCE_TEMPLATE);
    if (!result.ok) throw new Error('template invalid');
    const roles = ['finance', 'finance-lead', 'clinician', 'medical-director', 'privacy-officer', 'security-oncall', 'security-lead', 'ops-oncall', 'ops-lead'];
    const approvers = roles.flatMap((role) => [1, 2].map((n) => ({ id: `${role}-${n}`, name: `${role}-${n}`, roles: [role], active: true })));
    expect(lintOnServer(result.document, { approvers })).toEqual([]);
  });
});
