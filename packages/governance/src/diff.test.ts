import { describe, expect, it } from 'vitest';
import { ChangeOp } from './enums.js';
import { diffGovernance } from './diff.js';
import { parseGovernance, type GovernanceDocument } from './document.js';
import { EXAMPLE_GOVERNANCE_YAML } from './examples.js';

function documentOf(yaml: string): GovernanceDocument {
  const result = parseGovernance(yaml);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.document;
}

const EXAMPLE = documentOf(EXAMPLE_GOVERNANCE_YAML);
const { CREATE, UPDATE, DELETE } = ChangeOp;

describe('diffGovernance', () => {
  it('creates everything when there is no previous document', () => {
    expect(diffGovernance(null, EXAMPLE)).toEqual([
      { kind: 'riskModel', name: 'riskModel', op: CREATE },
      { kind: 'policy', name: 'payments', op: CREATE },
      { kind: 'escalationChain', name: 'finance', op: CREATE },
      { kind: 'escalationChain', name: 'compliance', op: CREATE },
      { kind: 'route', name: 'payments', op: CREATE },
      { kind: 'route', name: 'everything-else', op: CREATE },
    ]);
  });

  it("counts a change of a policy's break-glass rule as an update of the policy", () => {
    const allowed = EXAMPLE_GOVERNANCE_YAML.replace('    consequences:\n', '    breakGlass: { allowed: true, maxPerDay: 1 }\n    consequences:\n');
    expect(allowed).not.toBe(EXAMPLE_GOVERNANCE_YAML);
    expect(diffGovernance(EXAMPLE, documentOf(allowed))).toEqual([{ kind: 'policy', name: 'payments', op: UPDATE }]);
    expect(diffGovernance(documentOf(allowed), documentOf(allowed.replace('maxPerDay: 1', 'maxPerDay: 2')))).toEqual([{ kind: 'policy', name: 'payments', op: UPDATE }]);
  });

  it('finds no change between a document and itself', () => {
    expect(diffGovernance(EXAMPLE, documentOf(EXAMPLE_GOVERNANCE_YAML))).toEqual([]);
  });

  it('finds no change when only the spelling differs (15m and 900, defaults written out, key order)', () => {
    const spelled = EXAMPLE_GOVERNANCE_YAML.replace('timeout: 15m', 'timeout: 900').replace(
      "name: payments\n    priority: 10",
      "priority: 10\n    name: payments",
    );
    const withoutRiskModel = `version: 1\n${EXAMPLE_GOVERNANCE_YAML.slice(EXAMPLE_GOVERNANCE_YAML.indexOf('policies:'))}`;
    expect(diffGovernance(EXAMPLE, documentOf(spelled))).toEqual([]);
    expect(diffGovernance(EXAMPLE, documentOf(withoutRiskModel))).toEqual([]);
  });

  it('names each entry that was updated, created or deleted, in a stable order', () => {
    const next = documentOf(
      EXAMPLE_GOVERNANCE_YAML.replace('externalDestination: 25', 'externalDestination: 30')
        .replace('timeout: 4h', 'timeout: 8h')
        .replace(
          "  - { name: everything-else, priority: 0, when: 'true', chain: compliance }",
          "  - { name: catch-all, priority: 0, when: 'true', chain: compliance }",
        )
        .replace('policies:\n', "policies:\n  - { name: exports, match: 'action.type == \"crm.export\"' }\n"),
    );
    expect(diffGovernance(EXAMPLE, next)).toEqual([
      { kind: 'riskModel', name: 'riskModel', op: UPDATE },
      { kind: 'policy', name: 'exports', op: CREATE },
      { kind: 'escalationChain', name: 'compliance', op: UPDATE },
      { kind: 'route', name: 'catch-all', op: CREATE },
      { kind: 'route', name: 'everything-else', op: DELETE },
    ]);
  });

  it('counts two policies of equal priority that swap order as updated, since the winner changes', () => {
    const before = documentOf("version: 1\npolicies:\n  - { name: a, match: 'true' }\n  - { name: b, match: 'true' }\n  - { name: c, priority: 1, match: 'true' }");
    const after = documentOf("version: 1\npolicies:\n  - { name: c, priority: 1, match: 'true' }\n  - { name: b, match: 'true' }\n  - { name: a, match: 'true' }");
    expect(diffGovernance(before, after)).toEqual([
      { kind: 'policy', name: 'b', op: UPDATE },
      { kind: 'policy', name: 'a', op: UPDATE },
    ]);
  });

  it('ignores the order of escalation chains, which are looked up by name', () => {
    const before = documentOf('version: 1\nescalationChains:\n  - { name: a, levels: [ { approvers: { role: x }, timeout: 1h } ] }\n  - { name: b, levels: [ { approvers: { role: x }, timeout: 1h } ] }');
    const after = documentOf('version: 1\nescalationChains:\n  - { name: b, levels: [ { approvers: { role: x }, timeout: 1h } ] }\n  - { name: a, levels: [ { approvers: { role: x }, timeout: 1h } ] }');
    expect(diffGovernance(before, after)).toEqual([]);
  });

  it('says when a policy starts, changes or stops allowing standing approvals', () => {
    const withGrants = documentOf(EXAMPLE_GOVERNANCE_YAML.replace('    consequences:\n', '    grants: { allowed: true, maxTtl: 8h }\n    consequences:\n'));
    expect(diffGovernance(EXAMPLE, withGrants)).toEqual([{ kind: 'policy', name: 'payments', op: UPDATE }, { kind: 'grants', name: 'payments', op: CREATE }]);
    const longer = documentOf(EXAMPLE_GOVERNANCE_YAML.replace('    consequences:\n', '    grants: { allowed: true, maxTtl: 24h }\n    consequences:\n'));
    expect(diffGovernance(withGrants, longer)).toEqual([{ kind: 'policy', name: 'payments', op: UPDATE }, { kind: 'grants', name: 'payments', op: UPDATE }]);
    expect(diffGovernance(longer, EXAMPLE)).toEqual([{ kind: 'policy', name: 'payments', op: UPDATE }, { kind: 'grants', name: 'payments', op: DELETE }]);
  });
});
