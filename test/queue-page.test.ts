import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, createAgent, createApprover } from './support/server.js';
import { gqlOk } from './support/graphql.js';
import { waitFor } from './support/wait.js';
import { DECIDE, INPUTS, apply, governanceYaml, submit } from './support/fixtures.js';

type Stack = Awaited<ReturnType<typeof startStack>>;

/**
 * Everything a queue page can show of a request. The page reads requests and their
 * relations in one statement (decisions/queue.service.ts); `action(id)` reads the same
 * request through the ORM and the batch loaders. An approver must see the same either way.
 */
const FIELDS = `
  id type operation summary justification expectedOutcome resource dataClassification dataCategories recordCount
  destination { system external } amount { value currency } payload context idempotencyKey
  risk { score level factors { dimension points detail } } mode status statusReason reviewStatus policy
  consequences { approve deny } notes route chain escalationLevel deadline requiredApprovals governanceVersion
  approvedPayload receipt outcome { status detail result at } createdAt updatedAt decidedAt
  agent { id name description tags status suspendedReason createdAt updatedAt }
  assignees { viaRole level approver { id name email roles active createdAt updatedAt } onBehalfOf { id name email roles active createdAt updatedAt } }
  decisions { id verdict comment modifiedPayload escalationLevel at approver { id name email roles active } onBehalfOf { id name } }
  revisionOf { id status decisions { verdict comment approver { name } } }
`;
const QUEUE = `query($first: Int, $after: String) { approvalQueue(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { ${FIELDS} } } }`;
const ACTION = `query($id: ID!) { action(id: $id) { ${FIELDS} } }`;
const DELEGATE = 'mutation($input: DelegationInput!) { createDelegation(input: $input) { id } }';

describe('the approval queue page', () => {
  let stack: Stack;
  let bob: { id: string; token: string };
  let ann: { id: string; token: string };
  let cara: { id: string; token: string };
  let dave: { id: string; token: string };
  let quorum: { id: string };
  let revision: { id: string };

  beforeAll(async () => {
    stack = await startStack();
    ann = await createApprover(stack, 'ann', ['finance']);
    bob = await createApprover(stack, 'bob', ['finance']);
    cara = await createApprover(stack, 'cara', ['finance']);
    dave = await createApprover(stack, 'dave', []);
    await apply(stack, governanceYaml());
    const agents = [await createAgent(stack, 'agent-a', { tags: ['ap'] }), await createAgent(stack, 'agent-b')];
    // Cara is away: what would be hers goes to dave, on her behalf.
    await gqlOk(stack.url, DELEGATE, { input: { toApproverId: dave.id, reason: 'On leave' } }, cara.token);
    for (let i = 0; i < 6; i++) await submit(stack, agents[i % 2]!.apiKey, { ...INPUTS.sync, summary: `Wire ${i}` });
    // Over 1,000,000: two approvals needed; ann gives the first, so it stays pending with her decision.
    quorum = await submit(stack, agents[0]!.apiKey, { ...INPUTS.sync, summary: 'Wire 2,000,000', amount: { value: 2_000_000, currency: 'USD' } });
    await gqlOk(stack.url, DECIDE, { input: { actionId: quorum.id, verdict: 'APPROVE', comment: 'First of two' } }, ann.token);
    const original = await submit(stack, agents[1]!.apiKey, INPUTS.sync);
    await gqlOk(stack.url, DECIDE, { input: { actionId: original.id, verdict: 'REQUEST_CHANGES', comment: 'Less', modifiedPayload: { amount: 9000 } } }, ann.token);
    revision = await submit(stack, agents[1]!.apiKey, { ...INPUTS.sync, summary: 'Wire 9,000', payload: { amount: 9000 }, revisionOf: original.id });
  });
  afterAll(() => stack?.dispose());

  it('should show each request exactly as the request itself reads, delegations and decisions so far included', async () => {
    const { approvalQueue } = await gqlOk(stack.url, QUEUE, { first: 50 }, bob.token);
    expect(approvalQueue.totalCount).toBe(8);
    expect(approvalQueue.nodes).toHaveLength(8);
    for (const node of approvalQueue.nodes) {
      const { action } = await gqlOk(stack.url, ACTION, { id: node.id }, bob.token);
      expect(node).toEqual(action);
    }

    const pending = approvalQueue.nodes.find((n: { id: string }) => n.id === quorum.id);
    expect(pending).toMatchObject({ status: 'PENDING', requiredApprovals: 2, agent: { name: 'agent-a', tags: ['ap'] } });
    expect(pending.decisions).toEqual([expect.objectContaining({ verdict: 'APPROVE', comment: 'First of two', approver: expect.objectContaining({ name: 'ann' }), onBehalfOf: null })]);
    // Ann has given her approval; bob, and dave for cara while she is away, may give the second.
    const holders = pending.assignees.map((a: { approver: { name: string }; onBehalfOf: { name: string } | null }) => [a.approver.name, a.onBehalfOf?.name ?? null]);
    expect(holders.sort()).toEqual([['bob', null], ['dave', 'cara']]);

    const revised = approvalQueue.nodes.find((n: { id: string }) => n.id === revision.id);
    expect(revised.revisionOf).toEqual({ id: expect.any(String), status: 'CHANGES_REQUESTED', decisions: [{ verdict: 'REQUEST_CHANGES', comment: 'Less', approver: { name: 'ann' } }] });
  });

  it('should page through the queue with the same count on every page, each request once', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let more = true; more; ) {
      const { approvalQueue }: { approvalQueue: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: { id: string }[] } } =
        await gqlOk(stack.url, QUEUE, { first: 3, after }, bob.token);
      expect(approvalQueue.totalCount).toBe(8);
      seen.push(...approvalQueue.nodes.map((n) => n.id));
      more = approvalQueue.pageInfo.hasNextPage;
      after = approvalQueue.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);
    // Past the end: an empty page, still counted.
    const { approvalQueue } = await gqlOk(stack.url, QUEUE, { first: 3, after }, bob.token);
    expect(approvalQueue).toMatchObject({ totalCount: 8, nodes: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  // Last: it decides one of the queue.
  it("should show an agent's baseline with a decision made since, seconds later at most", async () => {
    const BASELINES = '{ approvalQueue(first: 50) { nodes { id agent { name baseline { requests humanDecisions approvalRate changesRequestedRate } } } } }';
    const baselineOfB = async () => {
      const { approvalQueue } = await gqlOk(stack.url, BASELINES, {}, bob.token);
      return approvalQueue.nodes.find((n: { agent: { name: string } }) => n.agent.name === 'agent-b');
    };
    // agent-b: three wires, the original (changes requested) and its revision.
    const before = await baselineOfB();
    expect(before.agent.baseline).toEqual({ requests: 5, humanDecisions: 1, approvalRate: 0, changesRequestedRate: 1 });
    await gqlOk(stack.url, DECIDE, { input: { actionId: before.id, verdict: 'APPROVE' } }, bob.token);
    // Baselines are reused for a few seconds (actions/baseline-cache.ts), never longer.
    const after = await waitFor(async () => {
      const node = await baselineOfB();
      return node.agent.baseline.humanDecisions === 2 && node;
    }, { what: "agent-b's baseline to count bob's approval" });
    expect(after.agent.baseline).toEqual({ requests: 5, humanDecisions: 2, approvalRate: 0.5, changesRequestedRate: 0.5 });
  });
});
