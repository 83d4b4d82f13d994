/**
 * Finance's rules, as an admin would apply them with `countersign apply -f`. Small
 * payments go through, mid-sized ones go through and are reviewed afterwards, large ones
 * wait for the finance team, and anything unanswered climbs to the finance lead, then the CFO.
 */
export const governance = `
version: 1
riskModel:
  operation: { READ: 0, WRITE: 20, DELETE: 35, EXECUTE: 25 }
  classification: { PUBLIC: 0, INTERNAL: 5, CONFIDENTIAL: 25, RESTRICTED: 45 }
  externalDestination: 10
  dataCategories: { PII: 10, PHI: 20, PCI: 20 }
  amount: [ { over: 1000, points: 10 }, { over: 10000, points: 25 }, { over: 100000, points: 45 } ]
  # Behaviour signals (a new action type, a rate spike…) are off so that each invoice lands
  # on the mode its size implies; leave them on in production.
  behaviour: { newActionType: 0, rateSpike: 0, unusualAmount: 0, recentDenials: 0 }
  levels: { MEDIUM: 40, HIGH: 60, CRITICAL: 85 }
policies:
  - name: payments
    priority: 10
    match: 'action.type.startsWith("payments.")'
    modes: { LOW: AUTO, MEDIUM: ASYNC_REVIEW, HIGH: SYNC_APPROVAL, CRITICAL: SYNC_APPROVAL }
    consequences:
      approve: The vendor is paid by SEPA transfer; it cannot be recalled.
      deny: The invoice stays unpaid and the vendor may charge late fees.
escalationChains:
  - name: finance
    levels:
      - { approvers: { role: finance }, timeout: 15m }
      - { approvers: { role: finance-lead }, timeout: 30m }
      - { approvers: { role: cfo }, timeout: 1h }
routes:
  - { name: payments, priority: 10, when: 'action.type.startsWith("payments.")', chain: finance }
  - { name: everything-else, priority: 0, when: 'true', chain: finance }
`;
