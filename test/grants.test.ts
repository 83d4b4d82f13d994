import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '@countersign/sdk';
import { runCli, type RunResult } from '@countersign/admin-cli/testing';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startServer, createAgent, createApprover, type TestServer } from './support/server.js';
import { errorCode, gql, gqlOk, type GraphQLResult } from './support/graphql.js';
import { ACTION_FIELDS, apply } from './support/fixtures.js';
import { waitFor } from './support/wait.js';

/**
 * Payments need one approval at every level (the agent's own history scores nothing, so
 * each input lands where its fields say) and allow grants up to HIGH for a day; a payment
 * over 1,000,000 needs two approvals; `resource: "blocked"` is BLOCKed. Records need an
 * approval too, under a policy with no grants block. Finance approves payments, records
 * keepers records.
 */
const GOVERNANCE = `version: 1
riskModel:
  behaviour: { newActionType: 0, rateSpike: 0, unusualAmount: 0, recentDenials: 0 }
policies:
  - name: payments
    priority: 10
    match: 'action.type.startsWith("payments.")'
    modes: { LOW: SYNC_APPROVAL, MEDIUM: SYNC_APPROVAL, HIGH: SYNC_APPROVAL, CRITICAL: SYNC_APPROVAL }
    adjust:
      - when: 'has(action.amount) && action.amount.value > 1000000.0'
        requiredApprovals: 2
      - when: 'has(action.resource) && action.resource == "blocked"'
        mode: BLOCK
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

const GRANT_FIELDS = `id actionType when maxAmount { value currency } sameDestination destination { system external } sameArguments payloadHash
  maxUses uses expiresAt revokedAt reason createdAt active agent { id name } grantedBy { kind id name } fromAction { id }`;
const CREATE_GRANT = `mutation($input: CreateGrantInput!) { createGrant(input: $input) { ${GRANT_FIELDS} } }`;
const REVOKE_GRANT = `mutation($id: ID!) { revokeGrant(id: $id) { ${GRANT_FIELDS} } }`;
const LIST_GRANTS = `query($filter: GrantFilter, $first: Int, $after: String) { grants(filter: $filter, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } nodes { ${GRANT_FIELDS} } } }`;
const SUBMIT = `mutation($input: ActionInput!) { submitAction(input: $input) { ${ACTION_FIELDS} reviewStatus grant { id uses } } }`;
const DECIDE = `mutation($input: DecisionInput!) { decide(input: $input) { ${ACTION_FIELDS} } }`;
const TRAIL = `query($id: ID!) { action(id: $id) { id statusReason grant { id } auditTrail { kind actorType data } } }`;

/** A low-risk payment: WRITE (20) + INTERNAL (5) = 25 → LOW, SYNC_APPROVAL under the payments policy. */
const PAYMENT = {
  type: 'payments.transfer', operation: 'WRITE', summary: 'Pay the Acme invoice', dataClassification: 'INTERNAL',
  amount: { value: 100, currency: 'USD' }, destination: { system: 'stripe', external: false }, payload: { invoice: 'INV-1', amount: 100 },
};
/** RESTRICTED (45) + WRITE (20) + external (25) = 90 → CRITICAL. */
const CRITICAL_PAYMENT = { ...PAYMENT, dataClassification: 'RESTRICTED', destination: { system: 'swift', external: true } };

describe('grants: standing approvals let covered requests through, and nothing else', () => {
  let database: TestDatabase;
  let server: TestServer;
  let other: TestServer;
  let alice: { id: string; name: string; token: string };
  let bob: { id: string; name: string; token: string };
  let keeper: { id: string; name: string; token: string };

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startServer({ database });
    other = await startServer({ database, adminToken: server.adminToken });
    alice = await createApprover(server, 'alice', ['finance']);
    bob = await createApprover(server, 'bob', ['finance']);
    keeper = await createApprover(server, 'keeper', ['records']);
    expect((await apply(server, GOVERNANCE)).applied).toBe(true);
  });
  afterAll(async () => {
    await other?.dispose();
    await server?.dispose();
    await database?.drop();
  });

  let agents = 0;
  const newAgent = (extra: { ownerId?: string } = {}) => createAgent(server, `payer-${++agents}`, extra);
  const submitVia = async (at: TestServer, apiKey: string, input: Record<string, unknown>) => (await gqlOk(at.url, SUBMIT, { input }, apiKey)).submitAction;
  const submit = (apiKey: string, input: Record<string, unknown>) => submitVia(server, apiKey, input);
  const grantAs = (token: string, input: Record<string, unknown>) => gql(server.url, CREATE_GRANT, { input }, token);
  const grantOk = async (token: string, input: Record<string, unknown>) => (await gqlOk(server.url, CREATE_GRANT, { input }, token)).createGrant;
  const reason = (result: GraphQLResult) => ({ code: errorCode(result), message: result.errors?.[0]?.message });
  const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

  /** Asserts the request went through by `grantId` and otherwise waits for a human. */
  const granted = (action: { status: string; statusReason: string | null; grant: { id: string } | null }, grantId: string) =>
    expect(action).toMatchObject({ status: 'APPROVED', statusReason: 'GRANTED', grant: { id: grantId } });
  const waits = (action: { status: string; grant: unknown }) => expect(action).toMatchObject({ status: 'PENDING', grant: null });

  describe('each scope dimension lets through what it should and nothing else', () => {
    it('an amount at the ceiling goes through; one cent over, another currency or no amount does not', async () => {
      const agent = await newAgent();
      const grant = await grantOk(alice.token, { agentId: agent.id, actionType: 'payments.transfer', maxAmount: { value: 100, currency: 'usd' }, maxUses: 10, expiresAt: inHours(1) });
      expect(grant).toMatchObject({ maxAmount: { value: 100, currency: 'USD' }, uses: 0, active: true, grantedBy: { kind: 'APPROVER', id: alice.id, name: 'alice' } });
      granted(await submit(agent.apiKey, PAYMENT), grant.id);
      waits(await submit(agent.apiKey, { ...PAYMENT, amount: { value: 100.01, currency: 'USD' } }));
      waits(await submit(agent.apiKey, { ...PAYMENT, amount: { value: 50, currency: 'EUR' } }));
      waits(await submit(agent.apiKey, { ...PAYMENT, amount: undefined }));
    });

    it('covers only its agent and its type (exact), or the types under a prefix', async () => {
      const agent = await newAgent();
      const stranger = await newAgent();
      const exact = await grantOk(alice.token, { agentId: agent.id, actionType: 'payments.transfer', expiresAt: inHours(1) });
      waits(await submit(stranger.apiKey, PAYMENT));
      waits(await submit(agent.apiKey, { ...PAYMENT, type: 'payments.refund' }));
      granted(await submit(agent.apiKey, PAYMENT), exact.id);
      await gqlOk(server.url, REVOKE_GRANT, { id: exact.id }, alice.token);
      const prefix = await grantOk(alice.token, { agentId: agent.id, actionType: 'payments.*', expiresAt: inHours(1) });
      granted(await submit(agent.apiKey, { ...PAYMENT, type: 'payments.refund' }), prefix.id);
    });

    it('covers only its destination', async () => {
      const agent = await newAgent();
      const grant = await grantOk(alice.token, { agentId: agent.id, actionType: 'payments.transfer', destination: { system: 'stripe', external: false }, expiresAt: inHours(1) });
      expect(grant).toMatchObject({ sameDestination: true, destination: { system: 'stripe', external: false } });
      waits(await submit(agent.apiKey, { ...PAYMENT, destination: { system: 'paypal', external: false } }));
      waits(await submit(agent.apiKey, { ...PAYMENT, destination: undefined }));
      granted(await submit(agent.apiKey, PAYMENT), grant.id);
    });

    it('needs its CEL condition to hold', async () => {
      const agent = await newAgent();
      const grant = await grantOk(alice.token, { agentId: agent.id, actionType: 'payments.transfer', when: 'has(action.resource) && action.resource.startsWith("invoice:")', expiresAt: inHours(1) });
      waits(await submit(agent.apiKey, { ...PAYMENT, resource: 'payroll:7' }));
      granted(await submit(agent.apiKey, { ...PAYMENT, resource: 'invoice:7' }), grant.id);
    });

    it('from a decision: the same agent and type, within the ceiling in the request\'s currency, the same destination and arguments', async () => {
      const agent = await newAgent();
      const first = await submit(agent.apiKey, PAYMENT);
      waits(first);
      const decided = (await gqlOk(server.url, DECIDE, {
        input: { actionId: first.id, verdict: 'APPROVE', grant: { ttl: '8h', maxUses: 5, maxAmount: 150, sameDestination: true, sameArguments: true, reason: 'Acme invoices this week' } },
      }, alice.token)).decide;
      expect(decided).toMatchObject({ status: 'APPROVED', statusReason: 'APPROVED_BY_APPROVER' });
      const [grant] = (await gqlOk(server.url, LIST_GRANTS, { filter: { agentId: agent.id } }, alice.token)).grants.nodes;
      expect(grant).toMatchObject({
        actionType: 'payments.transfer', maxAmount: { value: 150, currency: 'USD' }, sameDestination: true, destination: { system: 'stripe', external: false },
        sameArguments: true, maxUses: 5, uses: 0, fromAction: { id: first.id }, reason: 'Acme invoices this week', grantedBy: { kind: 'APPROVER', id: alice.id },
      });
      expect(new Date(grant.expiresAt).getTime() - new Date(grant.createdAt).getTime()).toBe(8 * 3_600_000);
      waits(await submit(agent.apiKey, { ...PAYMENT, payload: { invoice: 'INV-2', amount: 100 } }));
      waits(await submit(agent.apiKey, { ...PAYMENT, destination: { system: 'paypal', external: false } }));
      waits(await submit(agent.apiKey, { ...PAYMENT, type: 'payments.refund' }));
      granted(await submit(agent.apiKey, PAYMENT), grant.id);
    });

    it('lets nothing through once used up, revoked or expired', async () => {
      const agent = await newAgent();
      const once = await grantOk(alice.token, { agentId: agent.id, actionType: 'payments.transfer', maxUses: 1, expiresAt: inHours(1) });
      granted(await submit(agent.apiKey, PAYMENT), once.id);
      waits(await submit(agent.apiKey, PAYMENT));
      expect((await gqlOk(server.url, LIST_GRANTS, { filter: { agentId: agent.id, active: false } }, alice.token)).grants.nodes).toEqual([expect.objectContaining({ id: once.id, uses: 1, active: false })]);

      const revoked = await grantOk(alice.token, { agentId: agent.id, actionType: 'payments.transfer', expiresAt: inHours(1) });
      const after = (await gqlOk(server.url, REVOKE_GRANT, { id: revoked.id }, alice.token)).revokeGrant;
      expect(after).toMatchObject({ active: false, revokedAt: expect.any(String) });
      waits(await submit(agent.apiKey, PAYMENT));

      const expiresAt = new Date(Date.now() + 1500);
      await grantOk(alice.token, { agentId: agent.id, actionType: 'payments.transfer', expiresAt: expiresAt.toISOString() });
      await waitFor(() => Date.now() > expiresAt.getTime() + 50, { what: 'the grant to expire' });
      waits(await submit(agent.apiKey, PAYMENT));
    });
  });

  describe('what a grant never covers', () => {
    it('never a CRITICAL, BLOCKed or two-approval request, never under a policy without grants, never for a suspended agent', async () => {
      const agent = await newAgent();
      await grantOk(server.adminToken, { agentId: agent.id, actionType: 'payments.*', expiresAt: inHours(1) });
      expect(await submit(agent.apiKey, CRITICAL_PAYMENT)).toMatchObject({ status: 'PENDING', risk: { level: 'CRITICAL' }, grant: null });
      expect(await submit(agent.apiKey, { ...PAYMENT, resource: 'blocked' })).toMatchObject({ status: 'DENIED', statusReason: 'BLOCKED_BY_POLICY', grant: null });
      expect(await submit(agent.apiKey, { ...PAYMENT, amount: { value: 2_000_000, currency: 'USD' } })).toMatchObject({ status: 'PENDING', requiredApprovals: 2, grant: null });

      const records = await grantOk(server.adminToken, { agentId: agent.id, actionType: 'records.export', expiresAt: inHours(1) });
      expect(records.grantedBy).toMatchObject({ kind: 'ADMIN' });
      waits(await submit(agent.apiKey, { ...PAYMENT, type: 'records.export', amount: undefined }));

      await gqlOk(server.url, 'mutation($id: ID!) { suspendAgent(id: $id) { id } }', { id: agent.id }, server.adminToken);
      expect(await submit(agent.apiKey, PAYMENT)).toMatchObject({ status: 'DENIED', statusReason: 'AGENT_SUSPENDED', grant: null, receipt: null });
    });
  });

  describe('a granted request', () => {
    it('is APPROVED with the submitted payload and a receipt, names its grant, and waits in the granter\'s review queue', async () => {
      const agent = await newAgent();
      const grant = await grantOk(alice.token, { agentId: agent.id, actionType: 'payments.transfer', maxUses: 2, expiresAt: inHours(1), reason: 'Acme run' });
      // Through the SDK, as an agent sees it.
      const cs = createClient({ url: server.url, apiKey: agent.apiKey, retry: false });
      try {
        const action = await cs.submit(PAYMENT as never);
        expect(action).toMatchObject({
          status: 'APPROVED', statusReason: 'GRANTED', reviewStatus: 'UNREVIEWED', approvedPayload: PAYMENT.payload, receipt: expect.any(String),
          grant: { id: grant.id, actionType: 'payments.transfer', maxUses: 2, uses: 1, grantedBy: { kind: 'APPROVER', name: 'alice' } },
        });
        const queue = (await gqlOk(server.url, '{ reviewQueue { nodes { id statusReason grant { id } } } }', {}, alice.token)).reviewQueue.nodes;
        expect(queue).toContainEqual({ id: action.id, statusReason: 'GRANTED', grant: { id: grant.id } });
        const bobs = (await gqlOk(server.url, '{ reviewQueue { nodes { id } } }', {}, bob.token)).reviewQueue.nodes;
        expect(bobs).not.toContainEqual({ id: action.id });
        const reviewed = (await gqlOk(server.url, 'mutation($input: ReviewInput!) { review(input: $input) { reviewStatus } }', { input: { actionId: action.id, verdict: 'ACKNOWLEDGE' } }, alice.token)).review;
        expect(reviewed.reviewStatus).toBe('ACKNOWLEDGED');

        const trail = (await gqlOk(server.url, TRAIL, { id: action.id }, server.adminToken)).action.auditTrail;
        expect(trail).toContainEqual(expect.objectContaining({ kind: 'ACTION_APPROVED', actorType: 'SYSTEM', data: expect.objectContaining({ reason: 'GRANTED', grantId: grant.id }) }));
      } finally {
        await cs.dispose();
      }
    });

    it('made by an admin goes for review to the route\'s first level', async () => {
      const agent = await newAgent();
      const grant = await grantOk(server.adminToken, { agentId: agent.id, actionType: 'payments.transfer', expiresAt: inHours(1) });
      const action = await submit(agent.apiKey, PAYMENT);
      granted(action, grant.id);
      for (const who of [alice, bob]) {
        const queue = (await gqlOk(server.url, '{ reviewQueue { nodes { id } } }', {}, who.token)).reviewQueue.nodes;
        expect(queue).toContainEqual({ id: action.id });
      }
    });
  });

  it('lets exactly 3 of 20 concurrent submissions through a grant with 3 uses left, across two instances', async () => {
    const agent = await newAgent();
    const grant = await grantOk(alice.token, { agentId: agent.id, actionType: 'payments.transfer', maxUses: 5, expiresAt: inHours(1) });
    granted(await submit(agent.apiKey, PAYMENT), grant.id);
    granted(await submitVia(other, agent.apiKey, PAYMENT), grant.id);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => submitVia(i % 2 === 0 ? server : other, agent.apiKey, { ...PAYMENT, summary: `Pay #${i}` })));
    expect(results.filter((a) => a.statusReason === 'GRANTED')).toHaveLength(3);
    expect(results.filter((a) => a.status === 'PENDING')).toHaveLength(17);
    const [stored] = (await gqlOk(server.url, LIST_GRANTS, { filter: { agentId: agent.id } }, server.adminToken)).grants.nodes;
    expect(stored).toMatchObject({ id: grant.id, uses: 5, active: false });
  });

  it('sees at the next submission, on any instance, a grant made, revoked or delegated away elsewhere', async () => {
    const agent = await newAgent();
    // The other instance has matched this agent's requests against its grants (none yet).
    waits(await submitVia(other, agent.apiKey, PAYMENT));
    const grant = await grantOk(alice.token, { agentId: agent.id, actionType: 'payments.transfer', maxUses: 10, expiresAt: inHours(1) });
    const answer = await gqlOk(other.url, `mutation($input: ActionInput!) { submitAction(input: $input) { status statusReason decisions { verdict } grant { id uses active grantedBy { kind id name roles approver { id name } } } } }`, { input: PAYMENT }, agent.apiKey);
    expect(answer.submitAction).toEqual({
      status: 'APPROVED', statusReason: 'GRANTED', decisions: [],
      grant: { id: grant.id, uses: 1, active: true, grantedBy: { kind: 'APPROVER', id: alice.id, name: 'alice', roles: ['finance'], approver: { id: alice.id, name: 'alice' } } },
    });

    // While alice has handed her approvals to bob, her grant is out of her reach, on either instance.
    const delegation = (await gqlOk(server.url, `mutation($input: DelegationInput!) { createDelegation(input: $input) { id } }`, { input: { toApproverId: bob.id } }, alice.token)).createDelegation;
    waits(await submitVia(other, agent.apiKey, PAYMENT));
    waits(await submit(agent.apiKey, PAYMENT));
    await gqlOk(server.url, `mutation($id: ID!) { revokeDelegation(id: $id) { id } }`, { id: delegation.id }, alice.token);
    granted(await submitVia(other, agent.apiKey, PAYMENT), grant.id);

    await gqlOk(server.url, REVOKE_GRANT, { id: grant.id }, alice.token);
    waits(await submitVia(other, agent.apiKey, PAYMENT));
    const [stored] = (await gqlOk(server.url, LIST_GRANTS, { filter: { agentId: agent.id } }, server.adminToken)).grants.nodes;
    expect(stored).toMatchObject({ id: grant.id, uses: 2, active: false });
  });

  describe('who may grant', () => {
    it('an approver cannot grant what they could not approve, nor for an agent they own', async () => {
      const agent = await newAgent();
      expect(reason(await grantAs(keeper.token, { agentId: agent.id, actionType: 'payments.transfer', expiresAt: inHours(1) }))).toEqual({
        code: 'FORBIDDEN', message: expect.stringMatching(/only what you could approve: payments\.transfer requests of agent payer-\d+ go by route payments to people other than you/),
      });
      expect(errorCode(await grantAs(alice.token, { agentId: agent.id, actionType: 'records.export', expiresAt: inHours(1) }))).toBe('FORBIDDEN');
      const owned = await newAgent({ ownerId: alice.id });
      expect(reason(await grantAs(alice.token, { agentId: owned.id, actionType: 'payments.transfer', expiresAt: inHours(1) }))).toEqual({
        code: 'FORBIDDEN', message: expect.stringMatching(/separation of duties/),
      });
    });

    it('nobody grants beyond the policy\'s limits', async () => {
      const agent = await newAgent();
      const tooLong = await grantAs(server.adminToken, { agentId: agent.id, actionType: 'payments.transfer', expiresAt: inHours(25) });
      expect(reason(tooLong)).toEqual({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/longest grants\.maxTtl/) });
      expect(errorCode(await grantAs(server.adminToken, { agentId: agent.id, actionType: '*', expiresAt: inHours(1) }))).toBe('BAD_USER_INPUT');
      expect(errorCode(await grantAs(server.adminToken, { agentId: agent.id, actionType: 'payments.transfer', when: 'action.amount >', expiresAt: inHours(1) }))).toBe('BAD_USER_INPUT');

      const decideWith = async (input: Record<string, unknown>, grant: Record<string, unknown>) => {
        const action = await submit(agent.apiKey, input);
        return { action, result: await gql(server.url, DECIDE, { input: { actionId: action.id, verdict: 'APPROVE', grant } }, alice.token) };
      };
      const ttl = await decideWith(PAYMENT, { ttl: '25h' });
      expect(reason(ttl.result)).toEqual({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/allows at most 86400 \(grants\.maxTtl\)/) });
      // The decision is undone with the grant: the request still waits.
      expect((await gqlOk(server.url, TRAIL, { id: ttl.action.id }, server.adminToken)).action.statusReason).toBeNull();
      expect(reason((await decideWith(CRITICAL_PAYMENT, { ttl: '1h' })).result)).toEqual({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/CRITICAL never/) });
      const records = await submit(agent.apiKey, { ...PAYMENT, type: 'records.export', amount: undefined });
      expect(reason(await gql(server.url, DECIDE, { input: { actionId: records.id, verdict: 'APPROVE', grant: { ttl: '1h' } } }, keeper.token))).toEqual({
        code: 'BAD_USER_INPUT', message: expect.stringMatching(/Policy records allows no grants/),
      });
      const quorum = await decideWith({ ...PAYMENT, amount: { value: 2_000_000, currency: 'USD' } }, { ttl: '1h' });
      expect(reason(quorum.result)).toEqual({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/needs 2 approvals/) });
      expect(errorCode((await decideWith({ ...PAYMENT, amount: undefined }, { ttl: '1h', maxAmount: 10 })).result)).toBe('BAD_USER_INPUT');
      const deny = await submit(agent.apiKey, PAYMENT);
      expect(errorCode(await gql(server.url, DECIDE, { input: { actionId: deny.id, verdict: 'DENY', grant: { ttl: '1h' } } }, alice.token))).toBe('BAD_USER_INPUT');
    });
  });

  describe('access', () => {
    it('agents cannot create or list grants', async () => {
      const agent = await newAgent();
      expect(errorCode(await grantAs(agent.apiKey, { agentId: agent.id, actionType: 'payments.transfer' }))).toBe('FORBIDDEN');
      expect(errorCode(await gql(server.url, LIST_GRANTS, {}, agent.apiKey))).toBe('FORBIDDEN');
      expect(errorCode(await gql(server.url, REVOKE_GRANT, { id: '00000000-0000-4000-8000-000000000000' }, agent.apiKey))).toBe('FORBIDDEN');
    });

    it('approvers see and revoke only their own grants; admins see and revoke all', async () => {
      const agent = await newAgent();
      const alices = await grantOk(alice.token, { agentId: agent.id, actionType: 'payments.transfer', expiresAt: inHours(1) });
      const bobs = await grantOk(bob.token, { agentId: agent.id, actionType: 'payments.refund', expiresAt: inHours(1) });
      const seenBy = async (token: string) => (await gqlOk(server.url, LIST_GRANTS, { filter: { agentId: agent.id } }, token)).grants.nodes.map((g: { id: string }) => g.id);
      expect(await seenBy(bob.token)).toEqual([bobs.id]);
      expect(await seenBy(alice.token)).toEqual([alices.id]);
      expect(await seenBy(server.adminToken)).toEqual([bobs.id, alices.id]);
      expect((await gqlOk(server.url, LIST_GRANTS, { filter: { agentId: agent.id, grantedBy: bob.id } }, server.adminToken)).grants.nodes).toEqual([expect.objectContaining({ id: bobs.id })]);

      expect(reason(await gql(server.url, REVOKE_GRANT, { id: alices.id }, bob.token))).toEqual({ code: 'FORBIDDEN', message: expect.stringMatching(/Only whoever granted/) });
      expect((await gqlOk(server.url, REVOKE_GRANT, { id: alices.id }, server.adminToken)).revokeGrant.revokedAt).not.toBeNull();
      expect(errorCode(await gql(server.url, REVOKE_GRANT, { id: alices.id }, alice.token))).toBe('CONFLICT');
      expect(errorCode(await gql(server.url, REVOKE_GRANT, { id: '00000000-0000-4000-8000-000000000000' }, server.adminToken))).toBe('NOT_FOUND');
    });

    it('pages grants with a cursor', async () => {
      const first = (await gqlOk(server.url, LIST_GRANTS, { first: 2 }, server.adminToken)).grants;
      expect(first.nodes).toHaveLength(2);
      expect(first.pageInfo.hasNextPage).toBe(true);
      const next = (await gqlOk(server.url, LIST_GRANTS, { first: 2, after: first.pageInfo.endCursor }, server.adminToken)).grants;
      expect(next.nodes.map((g: { id: string }) => g.id)).not.toContain(first.nodes[0].id);
      expect(next.totalCount).toBe(first.totalCount);
    });
  });

  describe('the CLI', () => {
    const cs = (args: string[], token: string) => runCli(args, { env: { COUNTERSIGN_URL: server.url, COUNTERSIGN_TOKEN: token } });
    const ok = (result: RunResult) => {
      expect(result.code, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(0);
      return result;
    };

    it('creates, lists and revokes grants, and `show` names the grant that let a request through', async () => {
      const agent = await newAgent();
      const created = ok(await cs(['grants', 'create', '--agent', agent.name, '--action-type', 'payments.transfer', '--max-amount', '100 USD', '--max-uses', '2', '--expires', '2h', '--reason', 'Acme run', '--json'], alice.token))
        .json<{ id: string; maxAmount: { value: number; currency: string }; maxUses: number; grantedBy: { name: string } }>();
      expect(created).toMatchObject({ maxAmount: { value: 100, currency: 'USD' }, maxUses: 2, grantedBy: { name: 'alice' } });

      const action = await submit(agent.apiKey, PAYMENT);
      granted(action, created.id);
      // Commands that change nothing run side by side: each is a process of its own.
      const [shown, listed, bobs, refused, forbidden] = await Promise.all([
        cs(['show', action.id], alice.token),
        cs(['grants', 'list', '--agent', agent.name], alice.token),
        cs(['grants', 'list', '--json'], bob.token),
        cs(['grants', 'revoke', created.id], bob.token),
        cs(['grants', 'create', '--agent', agent.name, '--action-type', 'payments.transfer'], keeper.token),
      ]);
      expect(ok(shown).stdout).toMatch(new RegExp(`Granted by:\\s+grant ${created.id} of alice \\(payments\\.transfer\\), 1 of 2 uses`));
      expect(shown.stdout).toContain('GRANTED');
      expect(shown.stdout).toContain(`approved at once by grant ${created.id}`);
      expect(ok(listed).stdout).toContain(created.id);
      expect(listed.stdout).toContain('≤ 100.00 USD');
      expect(ok(bobs).json<{ nodes: { id: string }[] }>().nodes.map((g) => g.id)).not.toContain(created.id);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/Only whoever granted/);
      expect(forbidden.code).not.toBe(0);
      expect(forbidden.stderr).toMatch(/only what you could approve/);

      expect(ok(await cs(['grants', 'revoke', created.id, '--json'], alice.token)).json<{ revokedAt: string | null; active: boolean }>()).toMatchObject({ active: false, revokedAt: expect.any(String) });
      const [active, all] = await Promise.all([cs(['grants', 'list', '--agent', agent.name], alice.token), cs(['grants', 'list', '--all', '--agent', agent.name], alice.token)]);
      expect(ok(active).stdout).toContain('No active grants');
      expect(ok(all).stdout).toMatch(/revoked/);
    }, 180_000);

    it('`approve --allow-similar` approves and grants in one step; scope flags without it, or a ceiling that is no number, are refused before anything is sent', async () => {
      const agent = await newAgent();
      const first = await submit(agent.apiKey, PAYMENT);
      waits(first);
      const [lone, badAmount] = await Promise.all([
        cs(['approve', first.id, '--max-uses', '3'], alice.token),
        cs(['approve', first.id, '--allow-similar', '2h', '--max-amount', '150 USD'], alice.token),
      ]);
      expect(lone.code).toBe(2);
      expect(lone.stderr).toContain('--max-uses shapes the standing approval of --allow-similar <ttl>, which is missing');
      expect(badAmount.code).toBe(2);
      expect(badAmount.stderr).toContain('--max-amount takes a number');
      waits((await gqlOk(server.url, 'query($id: ID!) { action(id: $id) { status grant { id } } }', { id: first.id }, alice.token)).action);

      const approved = ok(await cs(['approve', first.id, '--allow-similar', '2h', '--max-uses', '3', '--max-amount', '150', '--same-destination', '--grant-reason', 'Acme this week'], alice.token));
      expect(approved.stdout).toContain(`Approved ${first.id}: it is now APPROVED. Similar requests are approved at once for 2h`);
      const [grant] = (await gqlOk(server.url, LIST_GRANTS, { filter: { agentId: agent.id } }, alice.token)).grants.nodes;
      expect(grant).toMatchObject({ maxUses: 3, maxAmount: { value: 150, currency: 'USD' }, sameDestination: true, sameArguments: false, reason: 'Acme this week', fromAction: { id: first.id } });
      granted(await submit(agent.apiKey, PAYMENT), grant.id);
      waits(await submit(agent.apiKey, { ...PAYMENT, amount: { value: 150.01, currency: 'USD' } }));

      // Longer than the policy allows: the server's reason, and nothing approved.
      const second = await submit(agent.apiKey, { ...PAYMENT, type: 'payments.refund' });
      const tooLong = await cs(['approve', second.id, '--allow-similar', '48h'], alice.token);
      expect(tooLong.code).not.toBe(0);
      expect(tooLong.stderr).toMatch(/24h|maxTtl/);
      waits((await gqlOk(server.url, 'query($id: ID!) { action(id: $id) { status grant { id } } }', { id: second.id }, alice.token)).action);
    }, 180_000);
  });

  it('audits every grant made, used and revoked, and the chain verifies', async () => {
    const log = (await gqlOk(server.url, '{ auditLog(first: 500) { nodes { kind subjectId data } } }', {}, server.adminToken)).auditLog.nodes as { kind: string; subjectId: string; data: Record<string, unknown> }[];
    const made = new Set(log.filter((e) => e.kind === 'GRANT_CREATED').map((e) => e.subjectId));
    expect(made.size).toBeGreaterThan(10);
    expect(log.some((e) => e.kind === 'GRANT_REVOKED')).toBe(true);
    const grantedIds = (await gqlOk(server.url, '{ actions(first: 500) { nodes { id statusReason } } }', {}, server.adminToken)).actions.nodes
      .filter((a: { statusReason: string | null }) => a.statusReason === 'GRANTED')
      .map((a: { id: string }) => a.id);
    expect(grantedIds.length).toBeGreaterThan(10);
    for (const id of grantedIds) {
      const approval = log.find((e) => e.kind === 'ACTION_APPROVED' && e.subjectId === id);
      expect(approval?.data).toMatchObject({ reason: 'GRANTED' });
      expect(made).toContain(approval!.data.grantId);
    }
    expect((await gqlOk(server.url, '{ verifyAuditChain { valid checked brokenAt } }', {}, server.adminToken)).verifyAuditChain).toMatchObject({ valid: true, brokenAt: null });
  });
});
