import { describe, expect, it } from 'vitest';
import { parseGovernance, type GovernanceDocument } from './document.js';
import { EXAMPLE_GOVERNANCE_YAML } from './examples.js';
import { lintGovernance, type DirectoryApprover } from './lint.js';

function documentOf(yaml: string): GovernanceDocument {
  const result = parseGovernance(yaml);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.document;
}

let nextId = 0;
function approver(name: string, roles: string[] = [], active = true): DirectoryApprover {
  nextId += 1;
  return { id: `apr_${nextId}`, name, roles, active };
}

const CATCH_ALL_ROUTE = `
routes:
  - { name: all, when: 'true', chain: ops }
`;

function lint(yaml: string, approvers: DirectoryApprover[]): string[] {
  return lintGovernance(documentOf(yaml), { approvers });
}

describe('lintGovernance', () => {
  it('finds nothing to say about the design example when every role and name is staffed', () => {
    const approvers = [approver('ana', ['finance']), approver('bo', ['finance-lead']), approver('cy', ['compliance']), approver('cfo')];
    expect(lintGovernance(documentOf(EXAMPLE_GOVERNANCE_YAML), { approvers })).toEqual([]);
  });

  describe('approvers', () => {
    it('warns about a role no approver holds yet', () => {
      const warnings = lint(
        `version: 1
escalationChains:
  - name: ops
    levels:
      - { approvers: { roles: [ops, sre] }, timeout: 15m }
${CATCH_ALL_ROUTE}`,
        [approver('ana', ['ops'])],
      );
      expect(warnings).toEqual(['Role "sre" (escalation chain "ops" level 1) is held by no approver yet.']);
    });

    it('warns about a named approver who does not exist or is inactive', () => {
      const warnings = lint(
        `version: 1
escalationChains:
  - name: ops
    levels:
      - { approvers: { role: ops, names: [cfo, ceo] }, timeout: 15m }
${CATCH_ALL_ROUTE}`,
        [approver('ana', ['ops']), approver('ceo', [], false)],
      );
      expect(warnings).toEqual([
        'Approver "cfo" (escalation chain "ops" level 1) does not exist.',
        'Approver "ceo" (escalation chain "ops" level 1) is inactive.',
      ]);
    });

    it('warns about a level whose approvers resolve to nobody active', () => {
      const warnings = lint(
        `version: 1
escalationChains:
  - name: ops
    levels:
      - { approvers: { role: ops }, timeout: 15m }
      - { approvers: { role: ops-lead }, timeout: 15m }
${CATCH_ALL_ROUTE}`,
        [approver('ana', ['ops']), approver('bo', ['ops-lead'], false)],
      );
      expect(warnings).toEqual(['Escalation chain "ops" level 2 (role ops-lead) resolves to no active approver, so requests skip it.']);
    });

    it('warns once for a chain where nobody at all can decide', () => {
      const warnings = lint(
        `version: 1
escalationChains:
  - name: ops
    levels:
      - { approvers: { role: ops }, timeout: 15m }
      - { approvers: { role: ops }, timeout: 15m }
${CATCH_ALL_ROUTE}`,
        [approver('ana', ['ops'], false)],
      );
      expect(warnings).toEqual([
        'Escalation chain "ops" has no active approver at any level: requests routed to it expire without anyone deciding.',
      ]);
    });
  });

  describe('quorums', () => {
    it('warns about a level that requires more approvals than it has people', () => {
      const warnings = lint(
        `version: 1
escalationChains:
  - name: ops
    levels:
      - { approvers: { role: ops }, timeout: 15m, requiredApprovals: 3 }
${CATCH_ALL_ROUTE}`,
        [approver('ana', ['ops']), approver('bo', ['ops'])],
      );
      expect(warnings).toEqual(['Escalation chain "ops" level 1 requires 3 approvals, but only 2 active approvers can give them.']);
    });

    it('counts a person once however many roles bring them in', () => {
      const warnings = lint(
        `version: 1
escalationChains:
  - name: ops
    levels:
      - { approvers: { roles: [ops, sre], names: [ana] }, timeout: 15m, requiredApprovals: 2 }
${CATCH_ALL_ROUTE}`,
        [approver('ana', ['ops', 'sre'])],
      );
      expect(warnings).toEqual(['Escalation chain "ops" level 1 requires 2 approvals, but only 1 active approver can give them.']);
    });

    it('warns about a policy quorum larger than the people of a chain its requests can reach', () => {
      const yaml = `version: 1
policies:
  - name: payments
    match: 'action.type.startsWith("payments.")'
    adjust: [ { when: 'true', requiredApprovals: 3 } ]
escalationChains:
  - { name: finance, levels: [ { approvers: { role: finance }, timeout: 15m }, { approvers: { names: [cfo] }, timeout: 1h } ] }
  - { name: ops, levels: [ { approvers: { role: ops }, timeout: 15m } ] }
routes:
  - { name: payments, priority: 1, when: 'action.type.startsWith("payments.")', chain: finance }
  - { name: all, when: 'true', chain: ops }
`;
      // Approvals from every level of the chain count, so finance has 2 people; ops is never reached.
      expect(lint(yaml, [approver('ana', ['finance']), approver('cfo'), approver('ops1', ['ops'])])).toEqual([
        'Policy "payments" adjust[0] requires 3 approvals, but escalation chain "finance" has only 2 active approvers across its levels.',
      ]);
      expect(lint(yaml, [approver('ana', ['finance']), approver('bo', ['finance']), approver('cfo'), approver('ops1', ['ops'])])).toEqual([]);
    });

    it("counts a quorum without the agent's owner, who may never approve its requests", () => {
      // The README's first setup: two approvals above 50,000, alice (finance, finance-lead) owns invoice-bot, bob is finance.
      const yaml = `version: 1
policies:
  - name: payments
    match: 'action.type.startsWith("payments.")'
    adjust: [ { when: 'has(action.amount) && action.amount.value > 50000.0', requiredApprovals: 2 } ]
escalationChains:
  - { name: finance, levels: [ { approvers: { role: finance }, timeout: 15m }, { approvers: { role: finance-lead }, timeout: 30m } ] }
routes:
  - { name: all, when: 'true', chain: finance }
`;
      const alice = approver('alice', ['finance', 'finance-lead']);
      const bob = approver('bob', ['finance']);
      const agents = [{ name: 'invoice-bot', ownerId: alice.id }, { name: 'ap-bot', ownerId: alice.id }, { name: 'free-bot', ownerId: null }];
      expect(lintGovernance(documentOf(yaml), { approvers: [alice, bob], agents })).toEqual([
        'Policy "payments" adjust[0] requires 2 approvals, but escalation chain "finance" has only 1 active approver across its levels for requests of agents "ap-bot", "invoice-bot", whose owner alice may not approve them.',
      ]);
      // A third approver makes the quorum reachable for every agent; an owner outside the chain takes no vote away.
      expect(lintGovernance(documentOf(yaml), { approvers: [alice, bob, approver('carol', ['finance'])], agents })).toEqual([]);
      const olga = approver('olga', ['ops']);
      expect(lintGovernance(documentOf(yaml), { approvers: [alice, bob, olga], agents: [{ name: 'x', ownerId: olga.id }] })).toEqual([]);
    });

    it('checks a policy quorum against every chain a request could still fall through to', () => {
      const warnings = lint(
        `version: 1
policies:
  - { name: exports, match: 'action.type == "crm.export"', adjust: [ { when: 'true', requiredApprovals: 2 } ] }
escalationChains:
  - { name: privacy, levels: [ { approvers: { role: privacy }, timeout: 15m } ] }
  - { name: ops, levels: [ { approvers: { role: ops }, timeout: 15m } ] }
routes:
  - { name: pii, priority: 1, when: '"PII" in action.dataCategories', chain: privacy }
  - { name: all, when: 'true', chain: ops }
`,
        [approver('p1', ['privacy']), approver('p2', ['privacy']), approver('o1', ['ops'])],
      );
      expect(warnings).toEqual([
        'Policy "exports" adjust[0] requires 2 approvals, but escalation chain "ops" has only 1 active approver across its levels.',
      ]);
    });
  });

  describe('rules that can never match', () => {
    const CHAIN = `
escalationChains:
  - { name: ops, levels: [ { approvers: { role: ops }, timeout: 15m } ] }
`;
    const staff = [approver('ana', ['ops'])];

    it('warns about a policy whose match is always false', () => {
      expect(lint(`version: 1\npolicies:\n  - { name: off, match: 'false' }${CHAIN}${CATCH_ALL_ROUTE}`, staff)).toEqual([
        'Policy "off" can never match: its match is always false.',
      ]);
    });

    it('warns about a policy tried after a catch-all of higher priority', () => {
      const warnings = lint(
        `version: 1
policies:
  - { name: late, priority: 1, match: 'action.type == "x"' }
  - { name: everything, priority: 5, match: 'true' }
${CHAIN}${CATCH_ALL_ROUTE}`,
        staff,
      );
      expect(warnings).toEqual(['Policy "late" can never match: policy "everything" is tried before it and matches every request.']);
    });

    it('warns about a policy whose match repeats one tried before it', () => {
      const warnings = lint(
        `version: 1
policies:
  - { name: first, match: 'action.type == "x"' }
  - { name: copy, match: 'action.type == "x"' }
${CHAIN}${CATCH_ALL_ROUTE}`,
        staff,
      );
      expect(warnings).toEqual(['Policy "copy" can never match: policy "first" is tried before it with the same match.']);
    });

    it('warns about an adjust rule whose condition is always false', () => {
      const warnings = lint(`version: 1\npolicies:\n  - { name: p, match: 'true', adjust: [ { when: '1 > 2', mode: BLOCK } ] }${CHAIN}${CATCH_ALL_ROUTE}`, staff);
      expect(warnings).toEqual(['Policy "p" adjust[0] can never apply: its condition is always false.']);
    });

    it('warns about a policy that allows break-glass on requests that never wait for approval', () => {
      const policy = (modes: string, adjust = '[]') => `version: 1\npolicies:\n  - { name: p, match: 'true', modes: ${modes}, adjust: ${adjust}, breakGlass: { allowed: true } }${CHAIN}${CATCH_ALL_ROUTE}`;
      expect(lint(policy('{ LOW: AUTO, MEDIUM: AUTO, HIGH: ASYNC_REVIEW, CRITICAL: BLOCK }'), staff)).toEqual([
        'Policy "p" allows break-glass, but none of its requests waits for approval (no mode is SYNC_APPROVAL), so it never applies.',
      ]);
      expect(lint(policy('{ LOW: AUTO, MEDIUM: AUTO, HIGH: AUTO, CRITICAL: AUTO }', "[ { when: 'has(action.amount)', mode: SYNC_APPROVAL } ]"), staff)).toEqual([]);
      expect(lint(policy('{}'), staff)).toEqual([]);
    });

    it('warns about a route after a catch-all of higher priority', () => {
      const warnings = lint(
        `version: 1${CHAIN}
routes:
  - { name: all, priority: 10, when: 'true', chain: ops }
  - { name: payments, when: 'action.type.startsWith("payments.")', chain: ops }
`,
        staff,
      );
      expect(warnings).toEqual(['Route "payments" can never match: route "all" is tried before it and matches every request.']);
    });

    it('does not mistake a later catch-all of equal priority for a shadowed route', () => {
      const warnings = lint(
        `version: 1${CHAIN}
routes:
  - { name: payments, when: 'action.type.startsWith("payments.")', chain: ops }
  - { name: all, when: 'true', chain: ops }
`,
        staff,
      );
      expect(warnings).toEqual([]);
    });
  });

  it('warns when no route is a catch-all, saying what happens to unmatched requests', () => {
    const warnings = lint(
      `version: 1
escalationChains:
  - { name: ops, levels: [ { approvers: { role: ops }, timeout: 15m } ] }
routes:
  - { name: payments, when: 'action.type.startsWith("payments.")', chain: ops }
`,
      [approver('ana', ['ops'])],
    );
    expect(warnings).toEqual([
      "No route is a catch-all (when: 'true'): requests that need a human and match no route are DENIED with NO_ROUTE.",
    ]);
  });

  it('warns about a document with no routes at all', () => {
    expect(lint('version: 1', [])).toEqual([
      "No route is a catch-all (when: 'true'): requests that need a human and match no route are DENIED with NO_ROUTE.",
    ]);
  });

  it('checks the document alone when it knows no approvers, as an offline lint does', () => {
    const yaml = `version: 1
escalationChains:
  - { name: ops, levels: [ { approvers: { role: nobody-yet }, timeout: 15m } ] }
routes:
  - { name: payments, when: 'action.type.startsWith("payments.")', chain: ops }
  - { name: never, when: 'false', chain: ops }
`;
    expect(lintGovernance(documentOf(yaml))).toEqual([
      'Route "never" can never match: its when is always false.',
      "No route is a catch-all (when: 'true'): requests that need a human and match no route are DENIED with NO_ROUTE.",
    ]);
  });
});
