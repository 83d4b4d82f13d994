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

/**
 * The DESIGN §3 example, with the timeouts a test can wait for. Payments go to finance
 * (then finance-lead, then the cfo); everything else to compliance.
 */
export function governanceYaml({ financeTimeout = '15m', leadTimeout = '30m', cfoTimeout = '1h', complianceTimeout = '4h', catchAll = true } = {}): string {
  return `version: 1
riskModel:
  operation: { READ: 0, WRITE: 20, DELETE: 35, EXECUTE: 25 }
  classification: { PUBLIC: 0, INTERNAL: 5, CONFIDENTIAL: 25, RESTRICTED: 45 }
  externalDestination: 25
  dataCategories: { PII: 10, PHI: 20, PCI: 20 }
  amount: [ { over: 1000, points: 10 }, { over: 10000, points: 25 }, { over: 100000, points: 45 } ]
  behaviour: { newActionType: 0, rateSpike: 20, unusualAmount: 20, recentDenials: 15 }
  levels: { MEDIUM: 30, HIGH: 60, CRITICAL: 85 }
policies:
  - name: payments
    priority: 10
    match: 'action.type.startsWith("payments.")'
    modes: { LOW: AUTO, MEDIUM: ASYNC_REVIEW, HIGH: SYNC_APPROVAL, CRITICAL: SYNC_APPROVAL }
    adjust:
      - when: 'has(action.amount) && action.amount.value > 1000000.0'
        level: CRITICAL
        requiredApprovals: 2
      - when: 'has(action.destination) && action.destination.external && action.dataClassification == "RESTRICTED"'
        mode: BLOCK
    consequences:
      approve: Funds leave the company account; wires cannot be recalled.
      deny: The invoice is not paid today.
escalationChains:
  - name: finance
    levels:
      - { approvers: { role: finance }, timeout: ${financeTimeout} }
      - { approvers: { role: finance-lead }, timeout: ${leadTimeout} }
      - { approvers: { names: [cfo] }, timeout: ${cfoTimeout} }
  - name: compliance
    levels:
      - { approvers: { role: compliance }, timeout: ${complianceTimeout} }
routes:
  - { name: payments, priority: 10, when: 'action.type.startsWith("payments.")', chain: finance }
${catchAll ? "  - { name: everything-else, priority: 0, when: 'true', chain: compliance }" : "  - { name: records, priority: 0, when: 'action.type.startsWith(\"records.\")', chain: compliance }"}
`;
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
