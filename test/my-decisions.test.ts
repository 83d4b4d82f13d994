import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, createApprover, startStack } from './support/server.js';
import { errorCode, gql, gqlOk } from './support/graphql.js';
import { DECIDE, INPUTS, apply, governanceYaml, submit } from './support/fixtures.js';

const HISTORY = 'query($first: Int, $after: String) { myDecisions(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id status decisions { verdict approver { id } } } } }';

describe("an approver's history (myDecisions, the web app's /history)", () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  let agent: { id: string; apiKey: string };
  let ana: { id: string; token: string };
  let ben: { id: string; token: string };

  beforeAll(async () => {
    stack = await startStack();
    ana = await createApprover(stack, 'ana', ['finance']);
    ben = await createApprover(stack, 'ben', ['finance']);
    agent = await createAgent(stack, 'history-agent');
    await apply(stack, governanceYaml());
  });
  afterAll(() => stack?.dispose());

  it('lists the requests I gave a verdict on, most recent first, page by page, and not what someone else decided', async () => {
    const first = await submit(stack, agent.apiKey, INPUTS.sync);
    const second = await submit(stack, agent.apiKey, INPUTS.sync);
    const others = await submit(stack, agent.apiKey, INPUTS.sync);
    await gqlOk(stack.url, DECIDE, { input: { actionId: first.id, verdict: 'DENY' } }, ana.token);
    await gqlOk(stack.url, DECIDE, { input: { actionId: second.id, verdict: 'APPROVE' } }, ana.token);
    await gqlOk(stack.url, DECIDE, { input: { actionId: others.id, verdict: 'APPROVE' } }, ben.token);

    const page1 = (await gqlOk(stack.url, HISTORY, { first: 1 }, ana.token)).myDecisions;
    expect(page1).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true }, nodes: [{ id: second.id, status: 'APPROVED' }] });
    const page2 = (await gqlOk(stack.url, HISTORY, { first: 1, after: page1.pageInfo.endCursor }, ana.token)).myDecisions;
    expect(page2).toMatchObject({ pageInfo: { hasNextPage: false }, nodes: [{ id: first.id, status: 'DENIED' }] });
  });

  it('lists a request once, at my latest verdict, when I approved it again after someone changed its payload', async () => {
    const cara = await createApprover(stack, 'cara', ['finance']);
    const dan = await createApprover(stack, 'dan', ['finance']);
    // Over 1,000,000 USD the fixture's policy requires two approvals.
    const wire = await submit(stack, agent.apiKey, { ...INPUTS.sync, amount: { value: 2_000_000, currency: 'USD' }, payload: { to: 'ACME', amount: 2_000_000 } });
    expect(wire.requiredApprovals).toBe(2);
    await gqlOk(stack.url, DECIDE, { input: { actionId: wire.id, verdict: 'APPROVE' } }, cara.token);
    await gqlOk(stack.url, DECIDE, { input: { actionId: wire.id, verdict: 'APPROVE', modifiedPayload: { to: 'ACME', amount: 1_900_000 } } }, dan.token);
    const done = (await gqlOk(stack.url, DECIDE, { input: { actionId: wire.id, verdict: 'APPROVE' } }, cara.token)).decide;
    expect(done.status).toBe('APPROVED');

    const history = (await gqlOk(stack.url, HISTORY, { first: 10 }, cara.token)).myDecisions;
    expect(history.totalCount).toBe(1);
    expect(history.nodes.map((n: { id: string }) => n.id)).toEqual([wire.id]);
    expect(history.nodes[0].decisions.filter((d: { approver: { id: string } }) => d.approver.id === cara.id)).toHaveLength(2);
  });

  it('is for approvers only: an agent and an admin are refused, and so is a request without credentials', async () => {
    expect(errorCode(await gql(stack.url, HISTORY, {}, agent.apiKey))).toBe('FORBIDDEN');
    expect(errorCode(await gql(stack.url, HISTORY, {}, stack.adminToken))).toBe('FORBIDDEN');
    expect(errorCode(await gql(stack.url, HISTORY, {}))).toBe('UNAUTHENTICATED');
  });

  it('refuses a page size beyond the limit and a cursor it did not issue', async () => {
    expect(errorCode(await gql(stack.url, HISTORY, { first: 100_000 }, ana.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await gql(stack.url, HISTORY, { after: 'bm90LWEtY3Vyc29y' }, ana.token))).toBe('BAD_USER_INPUT');
  });
});
