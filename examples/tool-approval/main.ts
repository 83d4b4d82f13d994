/**
 * A support agent's tools, guarded by Countersign through the adapter in
 * countersign-tools.ts. Run it with `pnpm --filter @countersign/examples tool-approval`.
 *
 *   a 25 EUR refund           → AUTO: runs at once
 *   a 900 EUR refund          → SYNC_APPROVAL: support lead approves it, capped at 600 EUR
 *   erasing a customer's data → SYNC_APPROVAL: compliance deny it (legal hold)
 */
import { createClient } from '@countersign/sdk';
import { startStage } from '../support/embedded.js';
import { workQueue, type QueuedRequest, type Verdict } from '../support/approver.js';
import { withCountersign } from './countersign-tools.js';
import { runToolCalls, tool } from './framework.js';

const governance = `
version: 1
riskModel:
  operation: { READ: 0, WRITE: 20, DELETE: 45, EXECUTE: 25 }
  classification: { PUBLIC: 0, INTERNAL: 5, CONFIDENTIAL: 25, RESTRICTED: 45 }
  externalDestination: 10
  dataCategories: { PII: 20, PHI: 20, PCI: 20 }
  amount: [ { over: 100, points: 40 } ]
  behaviour: { newActionType: 0, rateSpike: 0, unusualAmount: 0, recentDenials: 0 }
  levels: { MEDIUM: 40, HIGH: 60, CRITICAL: 85 }
escalationChains:
  - name: support
    levels: [ { approvers: { role: support-lead }, timeout: 30m } ]
  - name: compliance
    levels: [ { approvers: { role: compliance }, timeout: 4h } ]
routes:
  - { name: refunds, priority: 10, when: 'action.type == "support.refund"', chain: support }
  - { name: everything-else, priority: 0, when: 'true', chain: compliance }
`;

// The agent's tools, written for the framework, with its own approval flag.
const refundOrder = tool({
  name: 'refund_order',
  description: 'Refund part or all of an order',
  needsApproval: true,
  async execute(input: { orderId: string; amount: number }) {
    return `Refunded ${input.amount} EUR on order ${input.orderId}`;
  },
});
const eraseCustomer = tool({
  name: 'erase_customer',
  description: "Erase a customer's personal data",
  needsApproval: true,
  async execute(input: { customerId: string }) {
    return `Erased customer ${input.customerId}`;
  },
});

const stage = await startStage({ governance, approvers: ['sam (support-lead)', 'carla (compliance)'], agent: 'support-agent' });
try {
  await stage.applyGovernance(governance);
  const lead = await stage.approver('sam', ['support-lead']);
  const compliance = await stage.approver('carla', ['compliance']);
  const agent = await stage.agent('support-agent');
  const desks = [
    workQueue(stage.url, lead, (r: QueuedRequest): Verdict => ({ verdict: 'APPROVE', comment: 'Goodwill is capped at 600 EUR', modifiedPayload: { ...(r.payload as object), amount: 600 } })),
    workQueue(stage.url, compliance, (): Verdict => ({ verdict: 'DENY', comment: 'The account is under legal hold' })),
  ];

  // The integration: the same tools, with Countersign as their approval step.
  const cs = createClient({ url: stage.url, apiKey: agent.apiKey });
  const tools = [
    withCountersign(cs, refundOrder, (input) => ({
      type: 'support.refund',
      operation: 'WRITE',
      summary: `Refund ${input.amount} EUR on order ${input.orderId}`,
      amount: { value: input.amount, currency: 'EUR' },
    })),
    withCountersign(cs, eraseCustomer, (input) => ({
      type: 'privacy.erase',
      operation: 'DELETE',
      summary: `Erase all personal data of customer ${input.customerId}`,
      dataCategories: ['PII'],
      resource: `customer:${input.customerId}`,
    })),
  ];

  // What the model asked for in this conversation.
  const results = await runToolCalls(tools, [
    { callId: 'call_1', name: 'refund_order', input: { orderId: 'A-1001', amount: 25 } },
    { callId: 'call_2', name: 'refund_order', input: { orderId: 'A-1002', amount: 900 } },
    { callId: 'call_3', name: 'erase_customer', input: { customerId: 'C-77' } },
  ]);
  for (const { call, output } of results) console.log(`  ${call.name}(${JSON.stringify(call.input)}) → ${String(output)}`);

  await cs.dispose();
  await Promise.all(desks.map((desk) => desk.stop()));
} finally {
  await stage.dispose();
}
