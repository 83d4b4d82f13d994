import { EXAMPLE_GOVERNANCE_YAML } from '@countersign/governance';
import { gqlOk } from './graphql.js';
import type { TestServer } from './server.js';

/** Every field of an ActionRequest a test may look at. */
export const ACTION_FIELDS = `
  id type operation summary status statusReason mode reviewStatus policy route chain notes
  escalationLevel deadline requiredApprovals governanceVersion approvedPayload receipt payload idempotencyKey
  risk { score level factors { dimension points detail } }
  consequences { approve deny }
  amount { value currency } destination { system external }
  assignees { approver { id name } onBehalfOf { id name } viaRole level }
  decisions { verdict comment modifiedPayload approver { id name } onBehalfOf { id name } }
  outcome { status detail result }
  revisionOf { id status }
  agent { id name }
`;

export const SUBMIT = `mutation($input: ActionInput!) { submitAction(input: $input) { ${ACTION_FIELDS} } }`;
export const DECIDE = `mutation($input: DecisionInput!) { decide(input: $input) { ${ACTION_FIELDS} } }`;
export const GET_ACTION = `query($id: ID!) { action(id: $id) { ${ACTION_FIELDS} auditTrail { seq kind actorType actorId data } } }`;
export const APPLY = 'mutation($document: String!, $dryRun: Boolean) { applyGovernance(document: $document, dryRun: $dryRun) { version changes { kind name op } warnings applied } }';

/** Replaces exactly one occurrence, or fails: a fixture must not drift silently from the example. */
function edit(document: string, from: string, to: string): string {
  if (document.split(from).length !== 2) throw new Error(`the DESIGN example no longer contains ${JSON.stringify(from)} exactly once`);
  return document.replace(from, to);
}

/**
 * The DESIGN §3 example (EXAMPLE_GOVERNANCE_YAML), with the timeouts a test can wait for,
 * no points for a new action type (so each input below lands on the mode its name says),
 * and the BLOCK rule guarded with `has()` (so requests without a destination carry no
 * evaluation note). Payments go to finance (then finance-lead, then the cfo); everything
 * else to compliance.
 */
export function governanceYaml({ financeTimeout = '15m', leadTimeout = '30m', cfoTimeout = '1h', complianceTimeout = '4h', catchAll = true } = {}): string {
  let document = EXAMPLE_GOVERNANCE_YAML;
  document = edit(document, 'newActionType: 15', 'newActionType: 0');
  document = edit(document, "when: 'action.destination.external", "when: 'has(action.destination) && action.destination.external");
  document = edit(document, '{ role: finance }, timeout: 15m', `{ role: finance }, timeout: ${financeTimeout}`);
  document = edit(document, '{ role: finance-lead }, timeout: 30m', `{ role: finance-lead }, timeout: ${leadTimeout}`);
  document = edit(document, '{ names: [cfo] }, timeout: 1h', `{ names: [cfo] }, timeout: ${cfoTimeout}`);
  document = edit(document, '{ role: compliance }, timeout: 4h', `{ role: compliance }, timeout: ${complianceTimeout}`);
  if (!catchAll) {
    document = edit(document, "{ name: everything-else, priority: 0, when: 'true', chain: compliance }", `{ name: records, priority: 0, when: 'action.type.startsWith("records.")', chain: compliance }`);
  }
  return document;
}

/** Inputs that land on each mode under {@link governanceYaml} (newActionType scores 0 there). */
export const INPUTS = {
  /** READ of public data: 0 points → LOW → AUTO. */
  auto: { type: 'reports.read', operation: 'READ', summary: 'Read the public price list', dataClassification: 'PUBLIC', payload: { report: 'prices' } },
  /** WRITE (20) + INTERNAL (5) + amount > 1000 (10) = 35 → MEDIUM → ASYNC_REVIEW. */
  asyncReview: {
    type: 'payments.transfer', operation: 'WRITE', summary: 'Pay invoice INV-7 (2,500 EUR)', dataClassification: 'INTERNAL',
    amount: { value: 2500, currency: 'EUR' }, payload: { invoice: 'INV-7', amount: 2500 },
  },
  /** WRITE (20) + CONFIDENTIAL (25) + external (25) + amount > 10000 (25) = 95 → CRITICAL → SYNC_APPROVAL. */
  sync: {
    type: 'payments.transfer', operation: 'WRITE', summary: 'Wire 25,000 USD to Acme Ltd', justification: 'Invoice INV-42 is due today',
    expectedOutcome: 'Acme is paid', dataClassification: 'CONFIDENTIAL', destination: { system: 'swift', external: true },
    amount: { value: 25000, currency: 'USD' }, payload: { to: 'ACME-IBAN', amount: 25000, currency: 'USD' },
  },
  /** External + RESTRICTED under the payments policy → adjust forces BLOCK. */
  blocked: {
    type: 'payments.export', operation: 'READ', summary: 'Send the ledger to an outside auditor', dataClassification: 'RESTRICTED',
    destination: { system: 'dropbox', external: true }, payload: { ledger: '2026' },
  },
} as const;

export async function submit(server: TestServer, apiKey: string, input: Record<string, unknown>) {
  return (await gqlOk(server.url, SUBMIT, { input }, apiKey)).submitAction;
}

export async function apply(server: TestServer, document: string, dryRun = false) {
  return (await gqlOk(server.url, APPLY, { document, dryRun }, server.adminToken)).applyGovernance;
}
