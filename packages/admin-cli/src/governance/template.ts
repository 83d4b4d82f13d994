/**
 * The starter document `countersign init` writes. It is meant to be read: every section
 * says what it does and how to change it, and it covers the cases most teams start with.
 * It applies cleanly as written; until approvers hold the roles it names, `apply` warns
 * that those levels resolve to nobody (create them with `countersign approvers create`).
 */
export const GOVERNANCE_TEMPLATE = `# Countersign governance: risk model, policies, escalation chains and routes.
#
#   countersign lint  -f governance.yaml            # check it (offline, then on the server)
#   countersign apply -f governance.yaml --dry-run  # see what would change
#   countersign apply -f governance.yaml            # make it the new version
#
# Conditions are CEL expressions (as in Kubernetes admission policies) over:
#   action  what the agent asked: type, operation, summary, resource, dataClassification,
#           dataCategories, recordCount, destination {system, external},
#           amount {value, currency}, payload, context. Optional fields are absent when
#           not given: guard them with has(), e.g. has(action.amount).
#   agent   name, tags
#   risk    score, level            (in routes only)
# Durations: 30s, 15m, 2h, 1d, or a number of seconds.
version: 1

# How risky is a request? Each dimension adds points; the sum (capped at 100) is the
# score, and the score sets the level. Behaviour points come from the agent's own
# history: a type it never used, a burst above its usual rate, an unusual amount,
# recent denials or flags.
riskModel:
  operation: { READ: 0, WRITE: 20, DELETE: 35, EXECUTE: 25 }
  classification: { PUBLIC: 0, INTERNAL: 5, CONFIDENTIAL: 25, RESTRICTED: 45 }
  externalDestination: 25
  dataCategories: { PII: 10, PHI: 20, PCI: 20 }
  amount:
    - { over: 1000, points: 10 }
    - { over: 10000, points: 25 }
    - { over: 100000, points: 45 }
  behaviour: { newActionType: 15, rateSpike: 20, unusualAmount: 20, recentDenials: 15 }
  levels: { MEDIUM: 30, HIGH: 60, CRITICAL: 85 }   # the score at which each level starts

# What happens at each level. The first policy whose \`match\` holds, highest priority
# first, decides: AUTO (runs now), ASYNC_REVIEW (runs now, reviewed after),
# SYNC_APPROVAL (waits for a person) or BLOCK (never runs). \`adjust\` rules can raise
# the level, force a mode or ask for more than one approval. A request no policy matches
# gets LOW: AUTO, MEDIUM: ASYNC_REVIEW, HIGH and CRITICAL: SYNC_APPROVAL.
# \`consequences\` are shown to the approver next to the Approve and Deny buttons.
policies:
  # Health records (PHI) always wait for a clinician, whatever their score.
  - name: health-records
    priority: 100
    match: '"PHI" in action.dataCategories'
    modes: { LOW: SYNC_APPROVAL, MEDIUM: SYNC_APPROVAL, HIGH: SYNC_APPROVAL, CRITICAL: SYNC_APPROVAL }
    adjust:
      - when: 'has(action.destination) && action.destination.external'
        level: CRITICAL
    consequences:
      approve: The patient's health record is read or changed as described.
      deny: The agent cannot use this health record; a clinician must follow up.

  # Exports of customer data never leave for an external system; internal exports of
  # many records need a privacy officer.
  - name: customer-data-exports
    priority: 90
    match: 'action.type.endsWith(".export") && "PII" in action.dataCategories'
    modes: { LOW: ASYNC_REVIEW, MEDIUM: SYNC_APPROVAL, HIGH: SYNC_APPROVAL, CRITICAL: SYNC_APPROVAL }
    adjust:
      - when: 'has(action.destination) && action.destination.external'
        mode: BLOCK
      - when: 'has(action.recordCount) && action.recordCount > 10000'
        level: HIGH
    consequences:
      approve: Customer records are copied to the named internal system.
      deny: The export does not happen.

  # Payments: small ones run, larger ones need finance, and above 50,000 (in the
  # payment's currency) two different people must approve.
  - name: payments
    priority: 80
    match: 'action.type.startsWith("payments.")'
    modes: { LOW: AUTO, MEDIUM: ASYNC_REVIEW, HIGH: SYNC_APPROVAL, CRITICAL: SYNC_APPROVAL }
    adjust:
      - when: 'has(action.amount) && action.amount.value > 50000.0'
        mode: SYNC_APPROVAL
        requiredApprovals: 2
      - when: 'has(action.destination) && action.destination.external && action.dataClassification == "RESTRICTED"'
        mode: BLOCK
    consequences:
      approve: Funds leave the company account; transfers cannot be recalled.
      deny: The payment is not made; the agent reports it as refused.

  # Calls to external APIs that carry confidential or restricted data are held for
  # the security on-call, even when their score alone would let them through.
  - name: external-calls
    priority: 70
    match: 'has(action.destination) && action.destination.external'
    modes: { LOW: AUTO, MEDIUM: ASYNC_REVIEW, HIGH: SYNC_APPROVAL, CRITICAL: SYNC_APPROVAL }
    adjust:
      - when: 'has(action.dataClassification) && action.dataClassification in ["CONFIDENTIAL", "RESTRICTED"]'
        level: HIGH
    consequences:
      approve: The payload is sent to the external system named in the request.
      deny: Nothing is sent.

# Who decides, and what happens when they do not. Each level's approvers are assigned in
# turn; when a level's timeout passes, the next level takes over. When the last level
# times out the request EXPIRES and the action must not run. Approvers are chosen by
# \`role\`, \`roles\` or \`names\`.
escalationChains:
  - name: finance
    levels:
      - { approvers: { role: finance }, timeout: 15m }
      - { approvers: { role: finance-lead }, timeout: 30m }
  - name: clinical
    levels:
      - { approvers: { role: clinician }, timeout: 30m }
      - { approvers: { role: medical-director }, timeout: 2h }
  - name: privacy
    levels:
      - { approvers: { role: privacy-officer }, timeout: 4h }
  - name: security
    levels:
      - { approvers: { role: security-oncall }, timeout: 10m }
      - { approvers: { role: security-lead }, timeout: 30m }
  - name: operations
    levels:
      - { approvers: { role: ops-oncall }, timeout: 30m }
      - { approvers: { role: ops-lead }, timeout: 2h }

# Which chain a request that needs a person goes to: the first route whose \`when\` holds,
# highest priority first. Keep a catch-all route (\`when: 'true'\`) last: a request no
# route matches is DENIED (fail closed).
routes:
  - { name: health-records, priority: 100, when: '"PHI" in action.dataCategories', chain: clinical }
  - { name: customer-data, priority: 90, when: '"PII" in action.dataCategories', chain: privacy }
  - { name: payments, priority: 80, when: 'action.type.startsWith("payments.")', chain: finance }
  - { name: external-calls, priority: 70, when: 'has(action.destination) && action.destination.external', chain: security }
  - { name: everything-else, priority: 0, when: 'true', chain: operations }
`;
