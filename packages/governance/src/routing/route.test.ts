import { describe, expect, it } from 'vitest';
import { toCelVars, type SubmittedAction } from '../cel.js';
import { parseGovernance, type CompiledGovernance } from '../document.js';
import { EXAMPLE_GOVERNANCE_YAML } from '../examples.js';
import { Operation, RiskLevel } from '../enums.js';
import { matchRoute, selectRoute } from './route.js';

function compile(yaml: string): CompiledGovernance {
  const result = parseGovernance(yaml);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.compiled;
}

function vars(action: Partial<SubmittedAction> = {}, level = RiskLevel.HIGH) {
  return toCelVars({ type: 'payments.transfer', operation: Operation.WRITE, ...action }, { name: 'bot', tags: ['eu'] }, { score: 70, level });
}

const CHAINS = `
escalationChains:
  - { name: finance, levels: [ { approvers: { role: finance }, timeout: 15m } ] }
  - { name: oncall, levels: [ { approvers: { role: oncall }, timeout: 5m } ] }
`;

describe('selectRoute', () => {
  it('sends a request to the chain of the first route whose condition holds', () => {
    const compiled = compile(EXAMPLE_GOVERNANCE_YAML);
    expect(selectRoute(compiled, vars())).toEqual({ route: 'payments', chain: 'finance', notes: [] });
    expect(selectRoute(compiled, vars({ type: 'crm.export' }))).toEqual({ route: 'everything-else', chain: 'compliance', notes: [] });
  });

  it('tries higher priorities first, and equal priorities in document order', () => {
    const compiled = compile(`version: 1${CHAINS}
routes:
  - { name: finance-eu, priority: 5, when: '"eu" in agent.tags', chain: finance }
  - { name: critical, priority: 5, when: 'risk.level == "CRITICAL"', chain: oncall }
  - { name: anything, priority: 10, when: 'risk.score > 90', chain: oncall }
`);
    expect(selectRoute(compiled, vars({}, RiskLevel.CRITICAL))?.route).toBe('finance-eu');
  });

  it('can route on the risk level', () => {
    const compiled = compile(`version: 1${CHAINS}
routes:
  - { name: critical, priority: 1, when: 'risk.level == "CRITICAL"', chain: oncall }
  - { name: rest, when: 'true', chain: finance }
`);
    expect(selectRoute(compiled, vars({}, RiskLevel.CRITICAL))?.chain).toBe('oncall');
    expect(selectRoute(compiled, vars({}, RiskLevel.HIGH))?.chain).toBe('finance');
  });

  it('finds no route when no condition holds, so the caller can deny with NO_ROUTE', () => {
    const compiled = compile(`version: 1${CHAINS}
routes:
  - { name: payments, when: 'action.type.startsWith("payments.")', chain: finance }
`);
    expect(selectRoute(compiled, vars({ type: 'crm.export' }))).toBeNull();
  });

  it('finds no route before any governance is applied', () => {
    expect(selectRoute(null, vars())).toBeNull();
  });

  it('counts a failing condition as false, notes it and tries the next route', () => {
    const compiled = compile(`version: 1${CHAINS}
routes:
  - { name: big, priority: 1, when: 'action.amount.value > 10000.0', chain: oncall }
  - { name: rest, when: 'true', chain: finance }
`);
    expect(selectRoute(compiled, vars())).toEqual({ route: 'rest', chain: 'finance', notes: ['route big when: No such key: amount'] });
  });
});

describe('matchRoute', () => {
  it('keeps the notes when no route matched', () => {
    const compiled = compile(`version: 1${CHAINS}
routes:
  - { name: big, when: 'action.amount.value > 10000.0', chain: oncall }
`);
    expect(matchRoute(compiled, vars())).toEqual({ route: null, notes: ['route big when: No such key: amount'] });
  });
});
