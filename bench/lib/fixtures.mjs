// The governance document and inputs the bench drives: the DESIGN §3 example with the same
// edits as the e2e tests' document (test/support/fixtures.ts: no points for a new action
// type, the BLOCK rule guarded with has(), timeouts as given), so each input lands on the
// mode its name says.
import { EXAMPLE_GOVERNANCE_YAML } from '@countersign/governance';

function edit(document, from, to) {
  if (document.split(from).length !== 2) throw new Error(`the DESIGN example no longer contains ${JSON.stringify(from)} exactly once`);
  return document.replace(from, to);
}

export function governanceYaml({ financeTimeout = '1h', leadTimeout = '1h', cfoTimeout = '1h', complianceTimeout = '4h' } = {}) {
  let document = EXAMPLE_GOVERNANCE_YAML;
  document = edit(document, 'newActionType: 15', 'newActionType: 0');
  document = edit(document, "when: 'action.destination.external", "when: 'has(action.destination) && action.destination.external");
  document = edit(document, '{ role: finance }, timeout: 15m', `{ role: finance }, timeout: ${financeTimeout}`);
  document = edit(document, '{ role: finance-lead }, timeout: 30m', `{ role: finance-lead }, timeout: ${leadTimeout}`);
  document = edit(document, '{ names: [cfo] }, timeout: 1h', `{ names: [cfo] }, timeout: ${cfoTimeout}`);
  return edit(document, '{ role: compliance }, timeout: 4h', `{ role: compliance }, timeout: ${complianceTimeout}`);
}

/** What an agent typically attaches: the conversation that led to the request (~1 KB). */
const CONTEXT = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  onBehalfOf: { user: 'j.doe@example.com', team: 'accounts-payable' },
  conversation: [
    { role: 'user', content: 'Please settle the outstanding Acme invoice before the end of the quarter.' },
    { role: 'assistant', content: 'Invoice INV-42 from Acme Ltd is due today: 25,000 USD to their SWIFT account on file.' },
    { role: 'tool', content: 'erp.invoices.get(INV-42) → { status: "OPEN", amount: 25000, currency: "USD", vendor: "ACME" }' },
    { role: 'assistant', content: 'I will request approval to wire the amount; the payment terms say net 30 and the invoice is 30 days old.' },
  ],
};

/** Inputs that land on each mode under {@link governanceYaml}. */
export const INPUTS = {
  /** READ of public data: 0 points → LOW → AUTO. */
  auto: { type: 'reports.read', operation: 'READ', summary: 'Read the public price list', dataClassification: 'PUBLIC', payload: { report: 'prices' } },
  /** 95 points → CRITICAL → SYNC_APPROVAL, routed to the finance chain. */
  sync: {
    type: 'payments.transfer', operation: 'WRITE', summary: 'Wire 25,000 USD to Acme Ltd', justification: 'Invoice INV-42 is due today',
    expectedOutcome: 'Acme is paid', dataClassification: 'CONFIDENTIAL', destination: { system: 'swift', external: true },
    amount: { value: 25000, currency: 'USD' }, payload: { to: 'ACME-IBAN', amount: 25000, currency: 'USD', reference: 'INV-42' },
    context: CONTEXT,
  },
  /** DELETE (35) + RESTRICTED (45) + PII (10) = 90 → CRITICAL → SYNC_APPROVAL, routed to compliance. */
  compliance: {
    type: 'records.delete', operation: 'DELETE', summary: 'Delete the customer records of closed account 7731', dataClassification: 'RESTRICTED',
    dataCategories: ['PII'], recordCount: 1200, resource: 'crm://accounts/7731', payload: { account: 7731 },
  },
};

/** The fields the SDK returns for an action request (packages/sdk/graphql/operations.graphql). */
export const SDK_ACTION_FIELDS = `fragment ActionFields on ActionRequest {
  id type operation summary resource payload idempotencyKey mode status statusReason reviewStatus
  risk { score level factors { dimension points detail } }
  policy consequences { approve deny } notes route chain escalationLevel deadline requiredApprovals governanceVersion
  decisions { verdict comment modifiedPayload at approver { id name } onBehalfOf { id name } }
  approvedPayload receipt outcome { status detail result at } createdAt updatedAt decidedAt
}`;

export const SUBMIT = `mutation SubmitAction($input: ActionInput!) { submitAction(input: $input) { ...ActionFields } }\n${SDK_ACTION_FIELDS}`;
export const ACTION_UPDATED = `subscription ActionUpdated($id: ID!) { actionUpdated(id: $id) { ...ActionFields } }\n${SDK_ACTION_FIELDS}`;

/** What the CLI's `decide` sends (packages/admin-cli/src/api/operations.ts). */
export const DECIDE = `mutation Decide($input: DecisionInput!) { decide(input: $input) {
  id status reviewStatus requiredApprovals decisions { id approver { id name } onBehalfOf { id name } verdict comment at } } }`;

/** What the CLI's `watch` subscribes to. */
export const QUEUE_UPDATED = `subscription ApprovalQueueUpdated { approvalQueueUpdated { actionId inQueue action {
  id type operation summary status mode reviewStatus risk { score level } agent { id name } escalationLevel deadline requiredApprovals createdAt } } }`;

/**
 * A page of the approval queue with the context an approver decides on: what the CLI's
 * `show` prints for one request (less the audit trail), for every request on the page.
 */
export const QUEUE_PAGE = `query ApprovalQueue($first: Int, $after: String) {
  approvalQueue(first: $first, after: $after) {
    nodes {
      id type operation summary status mode reviewStatus escalationLevel deadline requiredApprovals createdAt
      justification expectedOutcome resource dataClassification dataCategories recordCount
      destination { system external } amount { value currency } payload context
      risk { score level factors { dimension points detail } }
      policy consequences { approve deny } route chain governanceVersion statusReason notes
      assignees { approver { id name } onBehalfOf { id name } viaRole level }
      decisions { id verdict comment at approver { id name } onBehalfOf { id name } }
      agent { id name tags }
    }
    pageInfo { hasNextPage endCursor } totalCount
  }
}`;

export const APPLY = 'mutation($document: String!) { applyGovernance(document: $document) { version warnings } }';
export const CREATE_AGENT = 'mutation($input: CreateAgentInput!) { createAgent(input: $input) { agent { id name } apiKey } }';
export const CREATE_APPROVER = 'mutation($input: CreateApproverInput!) { createApprover(input: $input) { approver { id name } token } }';
