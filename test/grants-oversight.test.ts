import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, createAgent, createApprover } from './support/server.js';
import { errorCode, gql, gqlOk } from './support/graphql.js';
import { ACTION_FIELDS, apply } from './support/fixtures.js';

/**
 * The fatigue loop of DESIGN §12 through the real API: an approver who keeps approving the
 * same agent and type is offered a grant of exactly that scope; once it exists the offer
 * goes; a granted request flagged in review turns into advice to revoke the grant; metrics
 * and Prometheus count what happened.
 *
 * Payments need one approval and allow grants for a day up to HIGH; records need one
 * approval under a policy with no grants block (so no grant is ever suggested for them).
 */
const GOVERNANCE = `version: 1
riskModel:
  behaviour: { newActionType: 0, rateSpike: 0, unusualAmount: 0, recentDenials: 0 }
policies:
  - name: payments
    priority: 10
    match: 'action.type.startsWith("payments.")'
    modes: { LOW: SYNC_APPROVAL, MEDIUM: SYNC_APPROVAL, HIGH: SYNC_APPROVAL, CRITICAL: SYNC_APPROVAL }
    grants: { allowed: true, maxTtl: 24h, maxLevel: HIGH }
  - name: records
    priority: 5
    match: 'action.type.startsWith("records.")'
    modes: { LOW: SYNC_APPROVAL, MEDIUM: SYNC_APPROVAL, HIGH: SYNC_APPROVAL, CRITICAL: SYNC_APPROVAL }
escalationChains:
  - name: finance
    levels:
      - { approvers: { role: finance }, timeout: 1h }
  - name: records
    levels:
      - { approvers: { role: records }, timeout: 1h }
routes:
  - { name: payments, priority: 10, when: 'action.type.startsWith("payments.")', chain: finance }
  - { name: records, priority: 0, when: 'true', chain: records }
`;

/** WRITE (20) + INTERNAL (5) = 25 → LOW → SYNC_APPROVAL under payments, routed to finance. */
const payment = (value: number, currency: string) => ({
  type: 'payments.transfer', operation: 'WRITE', summary: `Pay ${value} ${currency}`, dataClassification: 'INTERNAL',
  amount: { value, currency }, destination: { system: 'stripe', external: false }, payload: { value, currency },
});
const RECORD = { type: 'records.archive', operation: 'WRITE', summary: 'Archive a closed case', dataClassification: 'INTERNAL' };

const SUBMIT = `mutation($input: ActionInput!) { submitAction(input: $input) { ${ACTION_FIELDS} grant { id } } }`;
const DECIDE = 'mutation($input: DecisionInput!) { decide(input: $input) { id status } }';
const REVIEW = 'mutation($input: ReviewInput!) { review(input: $input) { reviewStatus } }';
const CREATE_GRANT = 'mutation($input: CreateGrantInput!) { createGrant(input: $input) { id actionType maxAmount { value currency } maxUses expiresAt active } }';
const METRICS = `query { metrics(window: "24h") {
  submitted byMode { mode count }
  grants {
    uses granted grantedShare active created revoked reviews flagged
    flaggedGrants { grantId agent { name } actionType grantedBy active uses flagged flaggedActionIds comments }
  }
  alerts {
    kind severity subject message suggestion evidence grantId
    suggestedGrant { agent { id name } approver { name } actionType when maxAmount { value currency } maxUses ttl command input }
  }
} }`;

interface Alert {
  kind: string; severity: string; subject: string | null; message: string; suggestion: string; evidence: Record<string, unknown>; grantId: string | null;
  suggestedGrant: {
    agent: { id: string; name: string }; approver: { name: string }; actionType: string; when: string | null; maxAmount: { value: number; currency: string } | null;
    maxUses: number; ttl: string; command: string; input: Record<string, unknown>;
  } | null;
}

describe('grants in oversight: suggest a grant, then its revocation', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let invoiceBot: { id: string; name: string; apiKey: string };
  let grantId: string;
  let flaggedId: string;

  const submit = async (apiKey: string, input: Record<string, unknown>) => (await gqlOk(stack.url, SUBMIT, { input }, apiKey)).submitAction;
  const approve = async (token: string, apiKey: string, input: Record<string, unknown>) => {
    const action = await submit(apiKey, input);
    expect(action.status).toBe('PENDING');
    expect((await gqlOk(stack.url, DECIDE, { input: { actionId: action.id, verdict: 'APPROVE' } }, token)).decide.status).toBe('APPROVED');
  };
  const metrics = async () => (await gqlOk(stack.url, METRICS, {}, stack.adminToken)).metrics;
  const alertsOf = (m: { alerts: Alert[] }, kind: string) => m.alerts.filter((a) => a.kind === kind);

  beforeAll(async () => {
    stack = await startStack();
    alice = await createApprover(stack, 'alice', ['finance']);
    bob = await createApprover(stack, 'bob', ['finance']);
    const keeper = await createApprover(stack, 'keeper', ['records']);
    expect((await apply(stack, GOVERNANCE)).applied).toBe(true);
    invoiceBot = await createAgent(stack, 'invoice-bot');
    const archiver = await createAgent(stack, 'archiver');

    // alice approves six EUR payments of invoice-bot, the largest 2,000 EUR, and three in USD (too few on their own).
    for (const value of [100, 250, 2000, 900, 1200, 50]) await approve(alice.token, invoiceBot.apiKey, payment(value, 'EUR'));
    for (const value of [5000, 10, 20]) await approve(alice.token, invoiceBot.apiKey, payment(value, 'USD'));
    // bob's approvals of the same are his, not alice's.
    for (const value of [3000, 3500]) await approve(bob.token, invoiceBot.apiKey, payment(value, 'EUR'));
    // keeper approves six archives, under a policy that allows no grants.
    for (let i = 0; i < 6; i++) await approve(keeper.token, archiver.apiKey, RECORD);
  });
  afterAll(() => stack?.dispose());

  it('should suggest a grant of exactly what alice kept approving: agent, type, the largest EUR amount, six uses, a day', async () => {
    const m = await metrics();
    const suggestions = alertsOf(m, 'SUGGEST_GRANT');
    expect(suggestions).toHaveLength(1);
    const [alert] = suggestions as [Alert];
    expect(alert).toMatchObject({ severity: 'INFO', subject: 'alice', grantId: null });
    expect(alert.message).toBe('alice approved 6 payments.transfer requests of agent invoice-bot in the last 24h (the largest 2000 EUR), and nobody denied or sent one back.');
    expect(alert.suggestedGrant).toMatchObject({
      agent: { id: invoiceBot.id, name: 'invoice-bot' }, approver: { name: 'alice' }, actionType: 'payments.transfer', when: null,
      maxAmount: { value: 2000, currency: 'EUR' }, maxUses: 6, ttl: '24h',
    });
    expect(alert.suggestedGrant!.command).toBe(
      "countersign grants create --agent invoice-bot --action-type payments.transfer --max-amount '2000 EUR' --max-uses 6 --expires 24h " +
        "--reason 'Suggested by oversight: alice approved 6 such requests in the last 24h.'",
    );
    expect(alert.suggestion).toContain(alert.suggestedGrant!.command);
    expect(alert.suggestedGrant!.input).toMatchObject({ agentId: invoiceBot.id, actionType: 'payments.transfer', maxAmount: { value: 2000, currency: 'EUR' }, maxUses: 6 });
    expect(alert.evidence).toMatchObject({ approver: 'alice', agent: 'invoice-bot', approvals: 6, currency: 'EUR', maxAmount: 2000, policies: ['payments'] });
    expect(m.grants).toMatchObject({ uses: 0, granted: 0, grantedShare: 0, active: 0, created: 0, revoked: 0, reviews: 0, flagged: 0, flaggedGrants: [] });
  });

  it('should stop suggesting it once alice creates that grant', async () => {
    const [alert] = alertsOf(await metrics(), 'SUGGEST_GRANT') as [Alert];
    const grant = (await gqlOk(stack.url, CREATE_GRANT, { input: alert.suggestedGrant!.input }, alice.token)).createGrant;
    expect(grant).toMatchObject({ actionType: 'payments.transfer', maxAmount: { value: 2000, currency: 'EUR' }, maxUses: 6, active: true });
    grantId = grant.id;
    const m = await metrics();
    expect(alertsOf(m, 'SUGGEST_GRANT')).toEqual([]);
    expect(m.grants).toMatchObject({ active: 1, created: 1, uses: 0 });
  });

  it('should count the requests the grant lets through, and turn a flag in review into advice to revoke it', async () => {
    const first = await submit(invoiceBot.apiKey, payment(1500, 'EUR'));
    const second = await submit(invoiceBot.apiKey, payment(300, 'EUR'));
    for (const action of [first, second]) expect(action).toMatchObject({ status: 'APPROVED', statusReason: 'GRANTED', grant: { id: grantId } });
    flaggedId = first.id;
    expect((await gqlOk(stack.url, REVIEW, { input: { actionId: first.id, verdict: 'FLAG', comment: 'Not an invoice we owe' } }, alice.token)).review.reviewStatus).toBe('FLAGGED');
    expect((await gqlOk(stack.url, REVIEW, { input: { actionId: second.id, verdict: 'ACKNOWLEDGE' } }, alice.token)).review.reviewStatus).toBe('ACKNOWLEDGED');

    const m = await metrics();
    // 6 + 3 + 2 payments and 6 archives held for approval, then 2 payments granted.
    expect(m.byMode).toContainEqual({ mode: 'SYNC_APPROVAL', count: 19 });
    expect(m.grants).toMatchObject({ uses: 2, granted: 2, active: 1, created: 1, revoked: 0, reviews: 2, flagged: 1 });
    expect(m.grants.grantedShare).toBeCloseTo(2 / 19);
    expect(m.grants.flaggedGrants).toEqual([{
      grantId, agent: { name: 'invoice-bot' }, actionType: 'payments.transfer', grantedBy: 'alice', active: true, uses: 2, flagged: 1,
      flaggedActionIds: [first.id], comments: ['Not an invoice we owe'],
    }]);

    const revocations = alertsOf(m, 'REVOKE_GRANT');
    expect(revocations).toHaveLength(1);
    const [alert] = revocations as [Alert];
    expect(alert).toMatchObject({ severity: 'WARNING', subject: grantId, grantId, suggestedGrant: null });
    expect(alert.message).toContain(`grant ${grantId} let through (agent invoice-bot, payments.transfer, granted by alice)`);
    expect(alert.message).toContain(first.id);
    expect(alert.suggestion).toContain(`countersign grants revoke ${grantId}`);
    expect(alert.suggestion).toContain('"Not an invoice we owe"');
    expect(alertsOf(m, 'SUGGEST_GRANT')).toEqual([]);
  });

  it('should drop the advice once the grant is revoked, and not suggest the same grant again', async () => {
    await gqlOk(stack.url, 'mutation($id: ID!) { revokeGrant(id: $id) { id } }', { id: grantId }, alice.token);
    const m = await metrics();
    expect(m.grants).toMatchObject({ active: 0, created: 1, revoked: 1, uses: 2, flagged: 1 });
    expect(m.grants.flaggedGrants).toEqual([expect.objectContaining({ grantId, active: false, flaggedActionIds: [flaggedId] })]);
    expect(alertsOf(m, 'REVOKE_GRANT')).toEqual([]);
    expect(alertsOf(m, 'SUGGEST_GRANT')).toEqual([]);
  });

  it('should expose grant uses, flags, grants made, revoked and live to Prometheus', async () => {
    const body = await (await fetch(new URL('/metrics', stack.url))).text();
    const samples = new Map(body.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))]));
    expect(samples.get('countersign_grant_uses_total')).toBe(2);
    expect(samples.get('countersign_grant_uses_flagged_total')).toBe(1);
    expect(samples.get('countersign_grants_created_total')).toBe(1);
    expect(samples.get('countersign_grants_revoked_total')).toBe(1);
    expect(samples.get('countersign_grants_active')).toBe(0);
  });

  it('should keep the grant figures and suggestions from agents and approvers', async () => {
    const query = '{ metrics { grants { uses flaggedGrants { grantId } } alerts { suggestedGrant { command } grantId } } }';
    expect(errorCode(await gql(stack.url, query, {}, alice.token))).toBe('FORBIDDEN');
    expect(errorCode(await gql(stack.url, query, {}, invoiceBot.apiKey))).toBe('FORBIDDEN');
    expect(errorCode(await gql(stack.url, query, {}, undefined))).toMatch(/UNAUTHENTICATED|FORBIDDEN/);
  });
});
