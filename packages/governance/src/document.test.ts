import { describe, expect, it } from 'vitest';
import { Mode, RiskLevel } from './enums.js';
import { DEFAULT_RISK_MODEL, compileGovernance, formatGovernanceIssue, parseGovernance, type GovernanceIssue } from './document.js';
import { EXAMPLE_GOVERNANCE_YAML } from './examples.js';

function parsed(text: string) {
  const result = parseGovernance(text);
  if (!result.ok) throw new Error(`expected a valid document, got:\n${result.errors.map(formatGovernanceIssue).join('\n')}`);
  return result;
}

function errorsOf(text: string): GovernanceIssue[] {
  const result = parseGovernance(text);
  if (result.ok) throw new Error('expected the document to be refused');
  return [...result.errors];
}

function messagesOf(text: string): string[] {
  return errorsOf(text).map(formatGovernanceIssue);
}

const CHAIN = `
escalationChains:
  - name: ops
    levels:
      - { approvers: { role: ops }, timeout: 15m }
`;

describe('parseGovernance', () => {
  it('accepts the example of the design', () => {
    const { document } = parsed(EXAMPLE_GOVERNANCE_YAML);
    expect(document.policies.map((p) => p.name)).toEqual(['payments']);
    expect(document.escalationChains.map((c) => c.name)).toEqual(['finance', 'compliance']);
    expect(document.routes.map((r) => r.name)).toEqual(['payments', 'everything-else']);
    expect(document.riskModel).toEqual(DEFAULT_RISK_MODEL);
  });

  it('accepts the same document written as JSON', () => {
    const json = JSON.stringify({
      version: 1,
      escalationChains: [{ name: 'ops', levels: [{ approvers: { role: 'ops' }, timeout: '15m' }] }],
      routes: [{ name: 'all', when: 'true', chain: 'ops' }],
    });
    expect(parsed(json).document.routes).toEqual([{ name: 'all', priority: 0, when: 'true', chain: 'ops' }]);
  });

  describe('defaults', () => {
    it('fills in the whole risk model of the design when the document has none', () => {
      expect(parsed('version: 1').document).toEqual({
        version: 1,
        riskModel: DEFAULT_RISK_MODEL,
        policies: [],
        escalationChains: [],
        routes: [],
      });
    });

    it('fills in each part of the risk model the document leaves out, key by key', () => {
      const { riskModel } = parsed('version: 1\nriskModel: { operation: { WRITE: 30 }, levels: { CRITICAL: 90 } }').document;
      expect(riskModel.operation).toEqual({ READ: 0, WRITE: 30, DELETE: 35, EXECUTE: 25 });
      expect(riskModel.levels).toEqual({ MEDIUM: 30, HIGH: 60, CRITICAL: 90 });
      expect(riskModel.classification).toEqual(DEFAULT_RISK_MODEL.classification);
      expect(riskModel.amount).toEqual(DEFAULT_RISK_MODEL.amount);
    });

    it('replaces the data categories whole, so a document can drop a default one', () => {
      const { riskModel } = parsed('version: 1\nriskModel: { dataCategories: { PII: 5 } }').document;
      expect(riskModel.dataCategories).toEqual({ PII: 5 });
    });

    it('does not share the default objects with the documents it returns', () => {
      const first = parsed('version: 1').document;
      Array.prototype.push.call(first.riskModel.amount, { over: 1, points: 1 });
      expect(parsed('version: 1').document.riskModel.amount).toEqual(DEFAULT_RISK_MODEL.amount);
    });

    it('maps levels a policy leaves out to the default modes', () => {
      const { document } = parsed(`version: 1
policies:
  - { name: reads, match: 'action.operation == "READ"', modes: { HIGH: ASYNC_REVIEW } }
`);
      expect(document.policies[0]).toEqual({
        name: 'reads',
        priority: 0,
        match: 'action.operation == "READ"',
        modes: { LOW: Mode.AUTO, MEDIUM: Mode.ASYNC_REVIEW, HIGH: Mode.ASYNC_REVIEW, CRITICAL: Mode.SYNC_APPROVAL },
        adjust: [],
      });
    });

    it('stores durations in seconds and approvers as lists of roles and names', () => {
      const { document } = parsed(`version: 1
escalationChains:
  - name: finance
    repeat: 2
    levels:
      - { approvers: { role: finance, roles: [finance, treasury] }, timeout: 15m, requiredApprovals: 2 }
      - { approvers: { names: [cfo] }, timeout: 3600 }
`);
      expect(document.escalationChains[0]).toEqual({
        name: 'finance',
        repeat: 2,
        levels: [
          { approvers: { roles: ['finance', 'treasury'], names: [] }, timeout: 900, requiredApprovals: 2 },
          { approvers: { roles: [], names: ['cfo'] }, timeout: 3600, requiredApprovals: 1 },
        ],
      });
    });
  });

  describe('errors', () => {
    it('reports every mistake at once, each with its path', () => {
      const errors = messagesOf(`version: 1
policies:
  - name: a
    match: 'action.amonut > 1'
  - name: b
    match: 'true'
    modes: { LOW: NEVER }
escalationChains:
  - name: ops
    levels:
      - { approvers: { role: ops }, timeout: 15 minutes }
`);
      expect(errors).toEqual([
        'policies[0].match: No such key: amonut at column 8',
        'policies[1].modes.LOW: must be one of AUTO, ASYNC_REVIEW, SYNC_APPROVAL, BLOCK',
        'escalationChains[0].levels[0].timeout: "15 minutes" is not a duration (use 30s, 15m, 2h or seconds)',
      ]);
    });

    it('names an unknown field and the fields that would fit', () => {
      expect(messagesOf('version: 1\npolicies:\n  - { name: a, match: "true", prioritty: 3 }')).toEqual([
        'policies[0].prioritty: is not a known field (expected name, description, priority, match, modes, adjust, consequences, grants, breakGlass)',
      ]);
      expect(messagesOf('version: 1\nroute: []')).toEqual([
        'route: is not a known field (expected version, riskModel, policies, escalationChains, routes)',
      ]);
    });

    it('gives the position of a CEL syntax error', () => {
      expect(messagesOf('version: 1\npolicies:\n  - { name: a, match: "action.type.startsWith(" }')).toEqual([
        'policies[0].match: Unexpected token: EOF at column 24',
      ]);
    });

    it('gives a broken condition\'s problem and position apart, for tools that place it in a file', () => {
      const result = parseGovernance('version: 1\npolicies:\n  - { name: a, match: "action.amonut > 1" }');
      expect(result.ok ? [] : result.errors).toEqual([
        {
          path: 'policies[0].match',
          message: 'No such key: amonut at column 8',
          condition: { summary: 'No such key: amonut', position: { line: 1, column: 8 } },
        },
      ]);
    });

    it('points at a broken adjust condition by its index', () => {
      const errors = messagesOf(`version: 1
policies:
  - name: a
    match: 'true'
    adjust:
      - { when: 'true', level: HIGH }
      - { when: 'action.amount.value >', mode: BLOCK }
`);
      expect(errors).toEqual([expect.stringMatching(/^policies\[0\]\.adjust\[1\]\.when: .+ at column \d+$/)]);
    });

    it('refuses an adjust rule with no effect, even alongside other mistakes in it', () => {
      expect(messagesOf('version: 1\npolicies:\n  - { name: a, match: "true", adjust: [ { when: "true", levle: HIGH } ] }')).toEqual([
        'policies[0].adjust[0].levle: is not a known field (expected when, level, mode, requiredApprovals)',
        'policies[0].adjust[0]: needs at least one effect: level, mode or requiredApprovals',
      ]);
    });

    it('refuses a route to a chain the document does not define', () => {
      expect(messagesOf(`version: 1${CHAIN}routes:\n  - { name: all, when: 'true', chain: opps }`)).toEqual([
        'routes[0].chain: no escalation chain named "opps" (defined: ops)',
      ]);
    });

    it('refuses duplicate names of policies, chains and routes', () => {
      const errors = messagesOf(`version: 1
policies:
  - { name: a, match: 'true' }
  - { name: a, match: 'false' }
escalationChains:
  - { name: ops, levels: [ { approvers: { role: ops }, timeout: 1h } ] }
  - { name: ops, levels: [ { approvers: { role: ops }, timeout: 1h } ] }
routes:
  - { name: r, when: 'true', chain: ops }
  - { name: r, when: 'true', chain: ops }
`);
      expect(errors).toEqual([
        'policies[1].name: "a" is already the name of policies[0]; names must be unique',
        'escalationChains[1].name: "ops" is already the name of escalationChains[0]; names must be unique',
        'routes[1].name: "r" is already the name of routes[0]; names must be unique',
      ]);
    });

    it('refuses level thresholds that do not increase', () => {
      expect(messagesOf('version: 1\nriskModel: { levels: { HIGH: 20 } }')).toEqual([
        'riskModel.levels: must increase from MEDIUM to HIGH to CRITICAL, but are MEDIUM 30, HIGH 20, CRITICAL 85',
      ]);
      expect(messagesOf('version: 1\nriskModel: { levels: { MEDIUM: 60 } }')).toHaveLength(1);
    });

    it('keeps thresholds and points within 0–100', () => {
      expect(messagesOf('version: 1\nriskModel: { levels: { CRITICAL: 101 }, operation: { READ: -1 }, externalDestination: 2.5 }')).toEqual([
        'riskModel.operation.READ: must be at least 0',
        'riskModel.externalDestination: must be a whole number, not 2.5',
        'riskModel.levels.CRITICAL: must be at most 100',
      ]);
    });

    it('refuses a data category listed twice in different case', () => {
      expect(messagesOf('version: 1\nriskModel: { dataCategories: { PII: 10, pii: 5 } }')).toEqual([
        'riskModel.dataCategories.pii: is the same category as PII (categories ignore case)',
      ]);
    });

    it('refuses amount bands out of order', () => {
      expect(messagesOf('version: 1\nriskModel: { amount: [ { over: 1000, points: 10 }, { over: 500, points: 20 } ] }')).toEqual([
        'riskModel.amount[1].over: must be above the band before it (1000): list bands from lowest to highest',
      ]);
    });

    it('refuses a chain level with no approvers, and a chain with no levels', () => {
      expect(
        messagesOf(`version: 1
escalationChains:
  - { name: a, levels: [ { approvers: {}, timeout: 1h } ] }
  - { name: b, levels: [] }
  - { name: c, levels: [ { approvers: { roles: [] }, timeout: 1h } ] }
`),
      ).toEqual([
        'escalationChains[0].levels[0].approvers: needs at least one of role, roles or names',
        'escalationChains[1].levels: needs at least 1 entry',
        'escalationChains[2].levels[0].approvers: needs at least one of role, roles or names',
      ]);
    });

    it('says which required fields are missing', () => {
      expect(messagesOf('version: 1\nescalationChains: [ { name: a, levels: [ { approvers: { role: x } } ] } ]\nroutes: [ { when: "true" } ]')).toEqual([
        'escalationChains[0].levels[0].timeout: is required',
        'routes[0].name: is required',
        'routes[0].chain: is required',
      ]);
    });

    it('refuses a negative repeat and a quorum below one', () => {
      expect(messagesOf('version: 1\nescalationChains: [ { name: a, repeat: -1, levels: [ { approvers: { role: x }, timeout: 1h, requiredApprovals: 0 } ] } ]')).toEqual([
        'escalationChains[0].levels[0].requiredApprovals: must be at least 1',
        'escalationChains[0].repeat: must be at least 0',
      ]);
    });

    it('refuses any version but 1', () => {
      expect(messagesOf('version: 2')).toEqual(['version: must be 1']);
      expect(messagesOf('riskModel: {}')).toEqual(['version: is required']);
    });

    it('refuses text that is not YAML or JSON, saying where', () => {
      expect(messagesOf('version: 1\nversion: 1')).toEqual(['not valid YAML or JSON: Map keys must be unique at line 2, column 1']);
      expect(errorsOf('{ "version": 1, ')[0]?.path).toBe('');
    });

    it('refuses an empty document and one that is not a mapping', () => {
      expect(messagesOf('')).toEqual(['the document is empty; it needs at least `version: 1`']);
      expect(messagesOf('- version: 1')).toEqual(['the document must be a mapping, not a list']);
    });
  });
});

describe('policies[].breakGlass', () => {
  const withBreakGlass = (block: string) => `version: 1\npolicies:\n  - { name: payments, match: 'true', breakGlass: ${block} }\n`;

  it('is absent (not allowed) unless a policy opts in, and maxPerDay defaults to 1', () => {
    expect(parsed('version: 1\npolicies:\n  - { name: payments, match: "true" }').document.policies[0]!.breakGlass).toBeUndefined();
    expect(parsed(withBreakGlass('{ allowed: true, maxPerDay: 3 }')).document.policies[0]!.breakGlass).toEqual({ allowed: true, maxPerDay: 3 });
    expect(parsed(withBreakGlass('{ allowed: true }')).document.policies[0]!.breakGlass).toEqual({ allowed: true, maxPerDay: 1 });
    expect(parsed(withBreakGlass('{ allowed: false }')).document.policies[0]!.breakGlass).toEqual({ allowed: false, maxPerDay: 1 });
  });

  it('refuses a maxPerDay that is not a whole number from 1, a missing allowed, and unknown fields', () => {
    expect(messagesOf(withBreakGlass('{ allowed: true, maxPerDay: 0 }'))).toEqual(['policies[0].breakGlass.maxPerDay: must be at least 1']);
    expect(messagesOf(withBreakGlass('{ allowed: true, maxPerDay: 1.5 }'))).toEqual(['policies[0].breakGlass.maxPerDay: must be a whole number, not 1.5']);
    expect(messagesOf(withBreakGlass('{ maxPerDay: 2 }'))).toEqual(['policies[0].breakGlass.allowed: is required']);
    expect(messagesOf(withBreakGlass('{ allowed: "yes" }'))).toEqual(['policies[0].breakGlass.allowed: must be a boolean, not text "yes"']);
    expect(messagesOf(withBreakGlass('{ allowed: true, perDay: 2 }'))).toEqual(['policies[0].breakGlass.perDay: is not a known field (expected allowed, maxPerDay)']);
  });
});

describe('compileGovernance', () => {
  it('orders policies and routes by priority, higher first, ties in document order', () => {
    const { compiled } = parsed(`version: 1${CHAIN}
policies:
  - { name: low, priority: 1, match: 'true' }
  - { name: high-first, priority: 5, match: 'true' }
  - { name: high-second, priority: 5, match: 'true' }
routes:
  - { name: catch-all, when: 'true', chain: ops }
  - { name: urgent, priority: 10, when: 'risk.level == "CRITICAL"', chain: ops }
`);
    expect(compiled.policies.map((p) => p.name)).toEqual(['high-first', 'high-second', 'low']);
    expect(compiled.routes.map((r) => r.name)).toEqual(['urgent', 'catch-all']);
  });

  it('compiles every condition and keeps the chains by name', () => {
    const { document, compiled } = parsed(EXAMPLE_GOVERNANCE_YAML);
    expect(compiled.policies[0]?.match.source).toBe('action.type.startsWith("payments.")');
    expect(compiled.policies[0]?.adjust.map((rule) => rule.index)).toEqual([0, 1]);
    expect(compiled.chains.get('finance')?.levels).toHaveLength(3);
    expect(compileGovernance(document).routes.map((r) => r.when.constant)).toEqual([undefined, true]);
    expect(compiled.riskModel.levels[RiskLevel.HIGH]).toBe(60);
  });

  describe('grants (standing approvals)', () => {
    const withGrants = (block: string) => parseGovernance(`version: 1\npolicies:\n  - { name: payments, match: "true", grants: ${block} }`);

    it('fills in maxTtl 24h and maxLevel HIGH, and leaves a policy without a block with none', () => {
      const result = withGrants('{ allowed: true }');
      expect(result.ok && result.document.policies[0]!.grants).toEqual({ allowed: true, maxTtl: 86_400, maxLevel: 'HIGH' });
      const none = parseGovernance('version: 1\npolicies:\n  - { name: payments, match: "true" }');
      expect(none.ok && none.document.policies[0]!.grants).toBeUndefined();
    });

    it('refuses CRITICAL as maxLevel, a bad duration, a missing allowed and unknown fields', () => {
      const messages = (block: string) => {
        const result = withGrants(block);
        return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
      };
      expect(messages('{ allowed: true, maxLevel: CRITICAL }')).toEqual(['policies[0].grants.maxLevel: must be LOW, MEDIUM or HIGH: a CRITICAL request is never granted']);
      expect(messages('{ allowed: true, maxTtl: forever }')).toEqual([expect.stringMatching(/^policies\[0\]\.grants\.maxTtl: "forever" is not a duration/)]);
      expect(messages('{ maxTtl: 1h }')).toEqual(['policies[0].grants.allowed: is required']);
      expect(messages('{ allowed: true, maxUses: 3 }')).toEqual([expect.stringMatching(/^policies\[0\]\.grants\.maxUses: is not a known field/)]);
    });
  });
});
