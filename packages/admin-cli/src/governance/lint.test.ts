import { describe, expect, it } from 'vitest';
import { lintGovernance, type Problem } from './lint.js';

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
    expect(problem).toMatchObject({ severity: 'error', line: expect.any(Number) });
    expect(problem!.message).not.toMatch(/at line/);
  });

  it('should locate a misspelt CEL field at its column in the file', () => {
    const text = `version: 1\npolicies:\n  - name: pay\n    match: 'action.amonut > 10'\n${CHAINS}`;
    expect(errors(text)).toEqual([
      { severity: 'error', path: 'policies[pay].match', message: 'invalid CEL: No such key: amonut', line: 4, column: 20 },
    ]);
  });

  it('should refuse a condition that is not true or false', () => {
    const text = `version: 1\npolicies:\n  - { name: p, match: 'action.type' }\n${CHAINS}`;
    expect(errors(text)[0]!.message).toMatch(/must be true or false/);
  });

  it('should refuse an unquoted true, which YAML reads as a boolean', () => {
    const text = `version: 1\npolicies:\n  - { name: p, match: true }\n${CHAINS}`;
    expect(errors(text)[0]!.message).toMatch(/quote it/);
  });

  it('should name a route whose chain does not exist, and list the ones that do', () => {
    const text = `version: 1\n${CHAINS}  - { name: pay, when: 'true', chain: treasury }\n`;
    expect(errors(text)).toEqual([expect.objectContaining({ path: 'routes[pay].chain', message: 'no escalation chain named "treasury" (defined: finance)' })]);
  });

  it('should treat unknown keys as errors, as the server does', () => {
    const text = `version: 1\npolicy: []\n${CHAINS}`;
    expect(errors(text)).toEqual([expect.objectContaining({ path: 'policy', message: expect.stringMatching(/unknown key "policy"/) })]);
  });

  it.each([
    ['a mode that does not exist', `policies:\n  - { name: p, match: 'true', modes: { LOW: MANUAL } }`, /not a mode/],
    ['a level that does not exist', `policies:\n  - { name: p, match: 'true', adjust: [{ when: 'true', level: SEVERE }] }`, /not a level/],
    ['an adjust rule without effect', `policies:\n  - { name: p, match: 'true', adjust: [{ when: 'true' }] }`, /needs at least one effect/],
    ['a quorum of zero', `policies:\n  - { name: p, match: 'true', adjust: [{ when: 'true', requiredApprovals: 0 }] }`, /requiredApprovals/],
    ['thresholds that do not rise', `riskModel:\n  levels: { MEDIUM: 60, HIGH: 30, CRITICAL: 85 }`, /must rise/],
    ['a threshold above the default of the next level', `riskModel:\n  levels: { MEDIUM: 70 }`, /must rise/],
    ['fractional points', `riskModel:\n  operation: { WRITE: 2.5 }`, /whole number/],
    ['bands out of order', `riskModel:\n  amount: [{ over: 100, points: 5 }, { over: 50, points: 10 }]`, /above the band before/],
    ['categories differing only in case', `riskModel:\n  dataCategories: { PII: 10, pii: 5 }`, /same category/],
    ['duplicate policy names', `policies:\n  - { name: p, match: 'true' }\n  - { name: p, match: 'false' }`, /already the name/],
  ])('should refuse %s', (_what, section, message) => {
    expect(errors(`version: 1\n${section}\n${CHAINS}`).map((p) => p.message).join('\n')).toMatch(message);
  });

  it.each([
    ['a missing timeout', `  - name: c\n    levels:\n      - { approvers: { role: x } }`, /needs a timeout/],
    ['a malformed timeout', `  - name: c\n    levels:\n      - { approvers: { role: x }, timeout: 15 minutes }`, /not a duration/],
    ['a level without approvers', `  - name: c\n    levels:\n      - { approvers: {}, timeout: 1h }`, /role, roles or names/],
    ['a chain without levels', `  - { name: c, levels: [] }`, /at least one level/],
  ])('should refuse a chain with %s', (_what, chain, message) => {
    const text = `version: 1\nescalationChains:\n${chain}\nroutes:\n  - { name: all, when: 'true', chain: c }\n`;
    expect(errors(text).map((p) => p.message).join('\n')).toMatch(message);
  });

  it('should require version: 1', () => {
    expect(errors(CHAINS)).toEqual([expect.objectContaining({ path: 'version' })]);
  });

  it('should warn, not refuse, when no route catches everything', () => {
    const text = `version: 1\nescalationChains:\n  - { name: c, levels: [{ approvers: { role: x }, timeout: 1h }] }\nroutes:\n  - { name: pay, when: 'action.type.startsWith("payments.")', chain: c }\n`;
    expect(lintGovernance(text).problems).toEqual([expect.objectContaining({ severity: 'warning', path: 'routes', message: expect.stringMatching(/catch-all/) })]);
  });

  it('should count what the document defines', () => {
    expect(lintGovernance(`version: 1\n${CHAINS}`).counts).toEqual({ policies: 0, escalationChains: 1, routes: 1 });
  });
});

describe('lintGovernance and the server agree on what is valid', async () => {
  // The server's validator, imported from its source: the offline lint exists to answer
  // sooner, never differently.
  const { parseGovernance } = await import('@countersign/governance');
  const chains = (levels: string) => `escalationChains:\n  - name: c\n    levels:\n${levels}\nroutes:\n  - { name: all, when: 'true', chain: c }\n`;
  const good = chains(`      - { approvers: { role: x }, timeout: 15m }`);
  const corpus: Record<string, string> = {
    minimal: `version: 1\n${good}`,
    'json document': JSON.stringify({ version: 1, escalationChains: [{ name: 'c', levels: [{ approvers: { names: ['ann'] }, timeout: 60 }] }], routes: [{ name: 'all', when: 'true', chain: 'c' }] }),
    'no version': good,
    'version 2': `version: 2\n${good}`,
    'unknown top-level key': `version: 1\nroute: []\n${good}`,
    'unknown policy key': `version: 1\npolicies:\n  - { name: p, match: 'true', mach: 'x' }\n${good}`,
    'bad CEL': `version: 1\npolicies:\n  - { name: p, match: 'action.amonut > 1' }\n${good}`,
    'non-boolean CEL': `version: 1\npolicies:\n  - { name: p, match: 'action.type' }\n${good}`,
    'boolean condition': `version: 1\npolicies:\n  - { name: p, match: true }\n${good}`,
    'bad mode': `version: 1\npolicies:\n  - { name: p, match: 'true', modes: { LOW: MANUAL } }\n${good}`,
    'effectless adjust': `version: 1\npolicies:\n  - { name: p, match: 'true', adjust: [{ when: 'true' }] }\n${good}`,
    'good adjust': `version: 1\npolicies:\n  - { name: p, match: 'true', adjust: [{ when: 'has(action.amount) && action.amount.value > 10.0', requiredApprovals: 2 }] }\n${good}`,
    'missing chain': `version: 1\n${good}  - { name: more, when: 'true', chain: nope }\n`,
    'missing timeout': `version: 1\n${chains('      - { approvers: { role: x } }')}`,
    'bad timeout': `version: 1\n${chains('      - { approvers: { role: x }, timeout: 2 hours }')}`,
    'day timeout': `version: 1\n${chains('      - { approvers: { role: x }, timeout: 1d }')}`,
    'empty approvers': `version: 1\n${chains('      - { approvers: { roles: [] }, timeout: 1h }')}`,
    'level quorum and repeat': `version: 1\nescalationChains:\n  - name: c\n    repeat: 1\n    levels:\n      - { approvers: { roles: [a, b] }, timeout: 1h, requiredApprovals: 2 }\nroutes:\n  - { name: all, when: 'true', chain: c }\n`,
    'thresholds falling': `version: 1\nriskModel:\n  levels: { MEDIUM: 60, HIGH: 30 }\n${good}`,
    'points over 100': `version: 1\nriskModel:\n  externalDestination: 120\n${good}`,
    'unknown behaviour': `version: 1\nriskModel:\n  behaviour: { nightTime: 5 }\n${good}`,
    'bands unordered': `version: 1\nriskModel:\n  amount: [{ over: 100, points: 5 }, { over: 50, points: 10 }]\n${good}`,
    'category twice': `version: 1\nriskModel:\n  dataCategories: { PII: 10, pii: 5 }\n${good}`,
    'duplicate route': `version: 1\n${good}  - { name: all, when: 'true', chain: c }\n`,
    'fractional priority': `version: 1\npolicies:\n  - { name: p, priority: 1.5, match: 'true' }\n${good}`,
    'yaml error': 'version: 1\npolicies: [\n',
  };

  for (const [name, text] of Object.entries(corpus)) {
    it(`should agree on: ${name}`, () => {
      const server = parseGovernance(text);
      const offline = lintGovernance(text).problems.filter((p) => p.severity === 'error');
      expect({ valid: offline.length === 0, problems: offline.map((p) => p.message) }).toMatchObject({ valid: server.ok });
    });
  }
});
