import { bench, describe } from 'vitest';
import { assessRisk } from './risk/assess.js';
import { selectRoute } from './routing/route.js';
import { DataClassification, Operation } from './enums.js';
import { toCelVars, type SubmittedAction } from './cel.js';
import { parseGovernance } from './document.js';
import { EXAMPLE_GOVERNANCE_YAML } from './examples.js';
import { decidePolicy } from './policy.js';

// The per-submission work of the deciding logic, on the DESIGN example: it should take
// microseconds, far below the cost of persisting the request.
const parsed = parseGovernance(EXAMPLE_GOVERNANCE_YAML);
if (!parsed.ok) throw new Error('the example does not parse');
const { compiled } = parsed;

const input: SubmittedAction = {
  type: 'payments.transfer',
  operation: Operation.WRITE,
  summary: 'Pay invoice 17',
  dataClassification: DataClassification.CONFIDENTIAL,
  destination: { system: 'stripe', external: true },
  amount: { value: 2_500_000, currency: 'USD' },
  payload: { invoice: 17, iban: 'DE89 3704' },
};
const behaviour = { firstUseOfType: false, requestsLastHour: 3, baselinePerHour: 2, usualAmount: null, recentDenials: 0, recentFlags: 0 };
const agent = { name: 'billing-bot', tags: ['finance'] };
const risk = assessRisk(compiled.riskModel, input, behaviour);
const vars = toCelVars(input, agent, risk);
const [match] = compiled.policies.map((policy) => policy.match);

describe('per submission', () => {
  bench('one compiled condition', () => {
    match!.evaluate(vars);
  });
  bench('decidePolicy (match and two adjust rules)', () => {
    decidePolicy(compiled, vars, risk.level);
  });
  bench('assess, build variables, decide and route', () => {
    const assessment = assessRisk(compiled.riskModel, input, behaviour);
    const celVars = toCelVars(input, agent, assessment);
    decidePolicy(compiled, celVars, assessment.level);
    selectRoute(compiled, celVars);
  });
});
