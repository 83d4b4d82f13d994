/** A stand-in for the bank's payment API: the side effect Countersign guards. */
export interface Payment {
  invoice: string;
  vendor: string;
  iban: string;
  amount: number;
  currency: string;
}

let next = 1;

export const bank = {
  async pay(payment: Payment): Promise<{ transferId: string; amount: number; currency: string }> {
    return { transferId: `SEPA-${String(next++).padStart(6, '0')}`, amount: payment.amount, currency: payment.currency };
  },
};
