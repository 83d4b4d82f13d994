/**
 * The accounts-payable agent: it pays the invoices it is given, and Countersign decides
 * which payments need a person. This file is the part an agent developer writes.
 */
import { ActionDeniedError, ChangesRequestedError, createClient, type ActionInput } from '@countersign/sdk';
import { bank, type Payment } from './bank.js';

export async function payInvoices(options: { url: string; apiKey: string; invoices: Payment[] }): Promise<void> {
  const cs = createClient({ url: options.url, apiKey: options.apiKey });

  // What a payment is, for the people who may have to approve it.
  const describe = (payment: Payment): ActionInput<Payment> => ({
    type: 'payments.transfer',
    operation: 'WRITE',
    summary: `Pay ${payment.invoice} to ${payment.vendor}: ${money(payment.amount, payment.currency)}`,
    justification: `Invoice ${payment.invoice} is due this week`,
    resource: `invoice:${payment.invoice}`,
    dataClassification: 'INTERNAL',
    destination: { system: 'sepa', external: true },
    amount: { value: payment.amount, currency: payment.currency },
    // Stable for this intent: if the agent restarts mid-wait, paying again resumes the same request.
    idempotencyKey: `pay-${payment.invoice}-${payment.amount}`,
  });

  // The bank call, now only ever made with an approved payment.
  const pay = cs.wrap(bank.pay, describe, { timeout: '2h' });

  for (const invoice of options.invoices) {
    try {
      const transfer = await pay(invoice);
      console.log(`  ✓ ${invoice.invoice}: paid ${money(transfer.amount, transfer.currency)} (${transfer.transferId})`);
    } catch (error) {
      if (error instanceof ChangesRequestedError) {
        // The approver suggested a corrected payment: submit it as a revision of the first.
        const revised = error.suggestedPayload as Payment;
        console.log(`  ↻ ${invoice.invoice}: changes requested (${error.comment}); resubmitting ${money(revised.amount, revised.currency)}`);
        const transfer = await cs.guard({ ...describe(revised), payload: revised, revisionOf: error.actionId }, bank.pay);
        console.log(`  ✓ ${invoice.invoice}: paid ${money(transfer.amount, transfer.currency)} after revision (${transfer.transferId})`);
      } else if (error instanceof ActionDeniedError) {
        console.log(`  ✗ ${invoice.invoice}: not paid, denied${error.decision ? ` by ${error.decision.approver.name}` : ''}: ${error.comment ?? error.reason}`);
      } else {
        throw error;
      }
    }
  }
  await cs.dispose();
}

function money(amount: number, currency: string): string {
  return new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(amount);
}
