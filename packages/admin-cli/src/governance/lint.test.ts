import { describe, expect, it } from 'vitest';
import { lintGovernance, parsePath, type Problem } from './lint.js';

const CHAINS = `
escalationChains:
  - name: finance
    levels:
      - { approvers: { role: finance }, timeout: 15m }
routes:
  - { name: everything, priority: 0, when: 'true', chain: finance }
`;

function errors(text: string): Problem[] {
  return lintGovernance(text).problems.filter((p) => p.severity === 'error');
}

describe('lintGovernance', () => {
  it('should accept a minimal document', () => {
    expect(lintGovernance(`version: 1\n${CHAINS}`).problems).toEqual([]);
  });

  it('should point at a YAML syntax error by line and column', () => {
    const [problem] = errors('version: 1\npolicies: [\n  - name: x\n');
    expect(problem).toMatchObject({ severity: 'error', line: expect.any(Number), column: expect.any(Number) });
    expect(problem!.message).not.toMatch(/at line/);
  });

  it('should locate a misspelt CEL field at its column in the file', () => {
    const text = `version: 1\npolicies:\n  - name: pay\n    match: 'action.amonut > 10'\n${CHAINS}`;
    expect(errors(text)).toEqual([
      { severity: 'error', path: 'policies[pay].match', message: 'invalid CEL: No such key: amonut', line: 4, column: 20 },
    ]);
  });

  it('should name a route whose chain does not exist at the line of the chain, and list the ones that do', () => {
    const text = `version: 1\n${CHAINS}  - { name: pay, when: 'true', chain: treasury }\n`;
    expect(errors(text)).toEqual([
      { severity: 'error', path: 'routes[pay].chain', message: 'no escalation chain named "treasury" (defined: finance)', line: 9, column: 39 },
    ]);
  });

  it('should point at the entry that lacks a required key', () => {
    const text = `version: 1\nescalationChains:\n  - name: c\n    levels:\n      - { approvers: { role: x } }\nroutes:\n  - { name: all, when: 'true', chain: c }\n`;
    expect(errors(text)).toEqual([expect.objectContaining({ path: 'escalationChains[c].levels[0].timeout', line: 5, column: 9 })]);
  });

  it('should place an unknown key where it is written', () => {
    expect(errors(`version: 1\npolicy: []\n${CHAINS}`)).toEqual([expect.objectContaining({ path: 'policy', line: 2 })]);
  });

  it('should report what the document alone shows to be a mistake as a warning', () => {
    const text = `version: 1\nescalationChains:\n  - { name: c, levels: [{ approvers: { role: x }, timeout: 1h }] }\nroutes:\n  - { name: pay, when: 'action.type.startsWith("payments.")', chain: c }\n`;
    expect(lintGovernance(text).problems).toEqual([expect.objectContaining({ severity: 'warning', message: expect.stringMatching(/catch-all/) })]);
  });

  it('should count what the document defines', () => {
    expect(lintGovernance(`version: 1\n${CHAINS}`).counts).toEqual({ policies: 0, escalationChains: 1, routes: 1 });
  });
});

describe('parsePath', () => {
  it('should read the paths the governance rules write', () => {
    expect(parsePath('policies[2].adjust[0].when')).toEqual(['policies', 2, 'adjust', 0, 'when']);
    expect(parsePath('riskModel.dataCategories["a b"]')).toEqual(['riskModel', 'dataCategories', 'a b']);
    expect(parsePath('')).toEqual([]);
  });
});
