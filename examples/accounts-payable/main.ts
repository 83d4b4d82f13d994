/**
 * An accounts-payable agent pays five invoices of different sizes against an embedded
 * Countersign. Run it with `pnpm --filter @countersign/examples accounts-payable`.
 *
 *   180 EUR      → AUTO: paid at once
 *   4,800 EUR    → ASYNC_REVIEW: paid at once, reviewed by finance afterwards
 *   24,000 EUR   → SYNC_APPROVAL: waits for finance, who approve
 *   48,000 EUR   → SYNC_APPROVAL: finance ask for the early-payment discount; the revision is approved
 *   180,000 EUR  → SYNC_APPROVAL: finance deny it (vendor not on the approved list)
 */
import { startStage } from '../support/embedded.js';
import { workQueue, type QueuedRequest, type Verdict } from '../support/approver.js';
import { payInvoices } from './agent.js';
import { governance } from './governance.js';
import type { Payment } from './bank.js';

const invoices: Payment[] = [
  { invoice: 'INV-1001', vendor: 'Paper & Pens Ltd', iban: 'DE02 1203 0000 0000 2020 51', amount: 180, currency: 'EUR' },
  { invoice: 'INV-1002', vendor: 'Cloudhost GmbH', iban: 'DE44 5001 0517 5407 3249 31', amount: 4_800, currency: 'EUR' },
  { invoice: 'INV-1003', vendor: 'Delta Consulting', iban: 'FR14 2004 1010 0505 0001 3M02 606', amount: 24_000, currency: 'EUR' },
  { invoice: 'INV-1004', vendor: 'Forklift Systems', iban: 'NL91 ABNA 0417 1643 00', amount: 48_000, currency: 'EUR' },
  { invoice: 'INV-1005', vendor: 'Unknown Holdings SA', iban: 'LU28 0019 4006 4475 0000', amount: 180_000, currency: 'EUR' },
];

/** How Fiona in finance decides (a person, in real life). */
function fiona(request: QueuedRequest): Verdict {
  const payment = request.payload as Payment;
  if (payment.vendor === 'Unknown Holdings SA') return { verdict: 'DENY', comment: 'Vendor is not on the approved vendor list' };
  if (payment.invoice === 'INV-1004' && !request.revisionOf) {
    return { verdict: 'REQUEST_CHANGES', comment: 'Take the 2% early-payment discount', modifiedPayload: { ...payment, amount: payment.amount * 0.98 } };
  }
  return { verdict: 'APPROVE' };
}

const stage = await startStage({ governance, approvers: ['fiona (finance)', 'lars (finance-lead)', 'clara (cfo)'], agent: 'accounts-payable' });
try {
  await stage.applyGovernance(governance);
  const finance = await stage.approver('fiona', ['finance']);
  await stage.approver('lars', ['finance-lead']);
  await stage.approver('clara', ['cfo']);
  const agent = await stage.agent('accounts-payable');
  const desk = workQueue(stage.url, finance, fiona);

  console.log(`Countersign at ${stage.url}; paying ${invoices.length} invoices:`);
  await payInvoices({ url: stage.url, apiKey: agent.apiKey, invoices });

  await desk.stop();
} finally {
  await stage.dispose();
}
