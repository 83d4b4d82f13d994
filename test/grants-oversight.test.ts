import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BIN } from '@countersign/admin-cli/testing';
import { startStack, createAgent, createApprover } from './support/server.js';
import { errorCode, gql, gqlOk } from './support/graphql.js';
import { ACTION_FIELDS, apply } from './support/fixtures.js';

/**
 * The fatigue loop of DESIGN §12 through the real API: an approver who keeps approving the
 * same agent and type is offered a grant of exactly that scope; once it exists the offer
 * goes; a granted request flagged in review turns into advice to revoke the grant; metrics
 * and Prometheus count what happened.
 *
 * Payments need one approval, allow grants for a day up to HIGH and break-glass once a
 * day; records need one approval under a policy with no grants block (so no grant is ever
 * suggested for them).
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
    breakGlass: { allowed: true, maxPerDay: 1 }
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
const CREATE_GRANT = 'mutation($input: CreateGrantInput!) { createGrant(input: $input) { id actionType maxAmount { value currency } maxUses active } }';
const GRANTS = '{ grants { nodes { id actionType when maxAmount { value currency } maxUses uses expiresAt active reason agent { name } grantedBy { kind name } } } }';
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
    // bob's approvals of the same are his, not alice's; he also approves five refunds.
    for (const value of [3000, 3500]) await approve(bob.token, invoiceBot.apiKey, payment(value, 'EUR'));
    for (const value of [40, 60, 20, 75, 10]) await approve(bob.token, invoiceBot.apiKey, { ...payment(value, 'USD'), type: 'payments.refund' });
    // keeper approves six archives, under a policy that allows no grants.
    for (let i = 0; i < 6; i++) await approve(keeper.token, archiver.apiKey, RECORD);
  });
  afterAll(() => stack?.dispose());

  it('should suggest a grant of exactly what alice kept approving: agent, type, the largest EUR amount, six uses, a day', async () => {
    const m = await metrics();
    const suggestions = alertsOf(m, 'SUGGEST_GRANT');
    expect(suggestions.map((a) => [a.subject, a.suggestedGrant?.actionType])).toEqual([['alice', 'payments.transfer'], ['bob', 'payments.refund']]);
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

  it('should stop suggesting it once alice creates that grant with the command it gives, pasted into a shell', async () => {
    const alert = alertsOf(await metrics(), 'SUGGEST_GRANT').find((a) => a.subject === 'alice')!;
    let ran: number[] = [];
    const home = await mkdtemp(join(tmpdir(), 'cs-grants-oversight-'));
    try {
      // `countersign` as installed: the built CLI, called by the very command line the alert gives.
      const script = `countersign() { "$NODE" "$CLI" "$@"; }\n${alert.suggestedGrant!.command}`;
      ran = [Date.now()];
      await promisify(execFile)('/bin/sh', ['-c', script], {
        env: { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: home, NO_COLOR: '1', NODE: process.execPath, CLI: BIN, COUNTERSIGN_URL: stack.url, COUNTERSIGN_TOKEN: alice.token },
      });
      ran.push(Date.now());
    } finally {
      await rm(home, { recursive: true, force: true });
    }
    const [grant] = (await gqlOk(stack.url, GRANTS, {}, stack.adminToken)).grants.nodes;
    expect(ran).toHaveLength(2);
    expect(grant).toMatchObject({
      actionType: 'payments.transfer', when: null, maxAmount: { value: 2000, currency: 'EUR' }, maxUses: 6, uses: 0, active: true,
      reason: 'Suggested by oversight: alice approved 6 such requests in the last 24h.', agent: { name: 'invoice-bot' }, grantedBy: { kind: 'APPROVER', name: 'alice' },
    });
    // --expires 24h: a day from when the command ran.
    const expires = new Date(grant.expiresAt).getTime();
    expect(expires).toBeGreaterThanOrEqual(ran[0]! + 86_400_000 - 1000);
    expect(expires).toBeLessThanOrEqual(ran[1]! + 86_400_000 + 1000);
    grantId = grant.id;
    const m = await metrics();
    expect(alertsOf(m, 'SUGGEST_GRANT').map((a) => a.subject)).toEqual(['bob']);
    expect(m.grants).toMatchObject({ active: 1, created: 1, uses: 0 });
  });

  it('should stop suggesting bob\'s once he creates it with the createGrant input it gives', async () => {
    const [alert] = alertsOf(await metrics(), 'SUGGEST_GRANT') as [Alert];
    expect(alert.suggestedGrant).toMatchObject({ approver: { name: 'bob' }, actionType: 'payments.refund', maxAmount: { value: 75, currency: 'USD' }, maxUses: 5, ttl: '24h' });
    const grant = (await gqlOk(stack.url, CREATE_GRANT, { input: alert.suggestedGrant!.input }, bob.token)).createGrant;
    expect(grant).toMatchObject({ actionType: 'payments.refund', maxAmount: { value: 75, currency: 'USD' }, maxUses: 5, active: true });
    const m = await metrics();
    expect(alertsOf(m, 'SUGGEST_GRANT')).toEqual([]);
    expect(m.grants).toMatchObject({ active: 2, created: 2, uses: 0 });
  });

  it('should count the requests the grant lets through, and turn a flag in review into advice to revoke it', async () => {
    const first = await submit(invoiceBot.apiKey, payment(1500, 'EUR'));
    const second = await submit(invoiceBot.apiKey, payment(300, 'EUR'));
    for (const action of [first, second]) expect(action).toMatchObject({ status: 'APPROVED', statusReason: 'GRANTED', grant: { id: grantId } });
    flaggedId = first.id;
    expect((await gqlOk(stack.url, REVIEW, { input: { actionId: first.id, verdict: 'FLAG', comment: 'Not an invoice we owe' } }, alice.token)).review.reviewStatus).toBe('FLAGGED');
    expect((await gqlOk(stack.url, REVIEW, { input: { actionId: second.id, verdict: 'ACKNOWLEDGE' } }, alice.token)).review.reviewStatus).toBe('ACKNOWLEDGED');

    const m = await metrics();
    // 6 + 3 + 2 payments, 5 refunds and 6 archives held for approval, then 2 payments granted.
    expect(m.byMode).toContainEqual({ mode: 'SYNC_APPROVAL', count: 24 });
    expect(m.grants).toMatchObject({ uses: 2, granted: 2, active: 2, created: 2, revoked: 0, reviews: 2, flagged: 1 });
    expect(m.grants.grantedShare).toBeCloseTo(2 / 24);
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
    expect(m.grants).toMatchObject({ active: 1, created: 2, revoked: 1, uses: 2, flagged: 1 });
    expect(m.grants.flaggedGrants).toEqual([expect.objectContaining({ grantId, active: false, flaggedActionIds: [flaggedId] })]);
    expect(alertsOf(m, 'REVOKE_GRANT')).toEqual([]);
    expect(alertsOf(m, 'SUGGEST_GRANT')).toEqual([]);
  });

  it('should expose grant uses, flags, grants made, revoked and live to Prometheus', async () => {
    const body = await (await fetch(new URL('/metrics', stack.url))).text();
    const samples = new Map(body.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))]));
    expect(samples.get('countersign_grant_uses_total')).toBe(2);
    expect(samples.get('countersign_grant_uses_flagged_total')).toBe(1);
    expect(samples.get('countersign_grants_created_total')).toBe(2);
    expect(samples.get('countersign_grants_revoked_total')).toBe(1);
    expect(samples.get('countersign_grants_active')).toBe(1);
  });

  it('should count break-glass beside grants, not as a grant use', async () => {
    const nightBot = await createAgent(stack, 'night-bot');
    const broken = await submit(nightBot.apiKey, { ...payment(700, 'EUR'), breakGlass: { justification: 'The supplier cuts us off at midnight' } });
    expect(broken).toMatchObject({ status: 'APPROVED', statusReason: 'BREAK_GLASS', grant: null });
    const refused = await submit(nightBot.apiKey, { ...payment(80, 'EUR'), breakGlass: { justification: 'Again' } });
    expect(refused).toMatchObject({ status: 'DENIED', statusReason: 'BREAK_GLASS_LIMIT' });

    const m = (await gqlOk(stack.url, '{ metrics(window: "24h") { breakGlassUses breakGlassRefused grants { uses granted } alerts { kind } } }', {}, stack.adminToken)).metrics;
    expect(m).toMatchObject({ breakGlassUses: 1, breakGlassRefused: 1, grants: { uses: 2, granted: 2 } });
    expect(m.alerts.map((a: { kind: string }) => a.kind)).not.toContain('SUGGEST_GRANT');
    const body = await (await fetch(new URL('/metrics', stack.url))).text();
    expect(body).toContain('countersign_break_glass_total{result="used"} 1');
    expect(body).toContain('countersign_break_glass_total{result="limit"} 1');
    expect(body).toContain('countersign_grant_uses_total 2');
  });

  it('should show the grant figures in `countersign metrics`', async () => {
    const home = await mkdtemp(join(tmpdir(), 'cs-grants-metrics-'));
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'metrics', '--window', '24h'], {
        env: { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: home, NO_COLOR: '1', COLUMNS: '200', COUNTERSIGN_URL: stack.url, COUNTERSIGN_TOKEN: stack.adminToken },
      });
      expect(stdout).toMatch(/Standing approvals:\s+2 approved by a grant \(\d+(\.\d)?% of held requests\); 1 active, 2 made, 1 revoked; 2 reviewed, 1 flagged/);
      expect(stdout).toMatch(/Break-glass:\s+1 used without approval, 1 refused/);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }, 60_000);

  it('should keep the grant figures and suggestions from agents and approvers', async () => {
    const query = '{ metrics { breakGlassUses grants { uses flaggedGrants { grantId } } alerts { suggestedGrant { command } grantId } } }';
    expect(errorCode(await gql(stack.url, query, {}, alice.token))).toBe('FORBIDDEN');
    expect(errorCode(await gql(stack.url, query, {}, invoiceBot.apiKey))).toBe('FORBIDDEN');
    expect(errorCode(await gql(stack.url, query, {}, undefined))).toMatch(/UNAUTHENTICATED|FORBIDDEN/);
  });
});
