/**
 * The governance document of DESIGN §3, verbatim: a starting point for admins (`countersign
 * apply -f` of a fresh install) and the fixture that keeps the parser honest about it.
 */
export const EXAMPLE_GOVERNANCE_YAML = `version: 1
riskModel:
  operation: { READ: 0, WRITE: 20, DELETE: 35, EXECUTE: 25 }
  classification: { PUBLIC: 0, INTERNAL: 5, CONFIDENTIAL: 25, RESTRICTED: 45 }
  externalDestination: 25
  dataCategories: { PII: 10, PHI: 20, PCI: 20 }
  amount: [ { over: 1000, points: 10 }, { over: 10000, points: 25 }, { over: 100000, points: 45 } ]
  behaviour: { newActionType: 15, rateSpike: 20, unusualAmount: 20, recentDenials: 15 }
  levels: { MEDIUM: 30, HIGH: 60, CRITICAL: 85 }      # score at which each level starts
policies:
  - name: payments
    priority: 10
    match: 'action.type.startsWith("payments.")'
    modes: { LOW: AUTO, MEDIUM: ASYNC_REVIEW, HIGH: SYNC_APPROVAL, CRITICAL: SYNC_APPROVAL }
    adjust:
      - when: 'has(action.amount) && action.amount.value > 1000000.0'
        level: CRITICAL
        requiredApprovals: 2
      - when: 'action.destination.external && action.dataClassification == "RESTRICTED"'
        mode: BLOCK
    consequences:
      approve: Funds leave the company account; wires cannot be recalled.
      deny: The invoice is not paid today.
escalationChains:
  - name: finance
    levels:
      - { approvers: { role: finance }, timeout: 15m }
      - { approvers: { role: finance-lead }, timeout: 30m }
      - { approvers: { names: [cfo] }, timeout: 1h }
  - name: compliance
    levels:
      - { approvers: { role: compliance }, timeout: 4h }
routes:
  - { name: payments, priority: 10, when: 'action.type.startsWith("payments.")', chain: finance }
  - { name: everything-else, priority: 0, when: 'true', chain: compliance }
`;
