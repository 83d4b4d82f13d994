import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { startStack, createAgent, createApprover } from './support/server.js';
import { gqlOk, wsClient } from './support/graphql.js';
import { DECIDE, INPUTS, apply, governanceYaml, submit } from './support/fixtures.js';
import { waitFor } from './support/wait.js';

type Person = { id: string; name: string; token: string };

interface Update {
  actionId: string;
  inQueue: boolean;
  action: { id: string; summary: string; status: string; agent: { name: string }; similar: { sameAgent: { id: string }[] } } | null;
}

/** Every message one subscriber received, data and errors together, in order. */
interface Received {
  messages: { data?: { approvalQueueUpdated: Update } | null; errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[] }[];
  /** The messages about one request. */
  about(actionId: string): Received['messages'];
}

/** What the CLI's `watch` asks for, plus a field whose argument comes from each subscriber's variables. */
const WATCH = `subscription Watch($similar: Int!) {
  approvalQueueUpdated { actionId inQueue action { id summary status agent { name } similar(first: $similar) { sameAgent { id } } } }
}`;

function subscribe(client: Client, variables: Record<string, unknown>): Received {
  const messages: Received['messages'] = [];
  client.subscribe({ query: WATCH, variables }, {
    next: (result) => void messages.push(result as Received['messages'][number]),
    error: (error) => void messages.push({ errors: [{ message: `subscription failed: ${JSON.stringify(error)}` }] }),
    complete: () => undefined,
  });
  return { messages, about: (id) => messages.filter((m) => m.data?.approvalQueueUpdated.actionId === id) };
}

/**
 * A request assigned to a whole role reaches every approver of the role at once; the
 * server answers the subscription for all of them from one execution where their answers
 * are the same. Each must still get exactly what their own subscription asks for.
 */
describe('queue push to many approvers of one role', () => {
  const DESK = 12;
  let stack: Awaited<ReturnType<typeof startStack>>;
  let agent: { id: string; apiKey: string };
  let desk: Person[];
  let outsider: Person;
  const clients: Client[] = [];
  /** Subscriptions by approver: every desk approver but the last asks for 1 similar request, the last for 99 (more than allowed). */
  const received = new Map<string, Received>();

  const deskRequest = (summary: string) => submit(stack, agent.apiKey, { ...INPUTS.sync, type: 'desk.transfer', summary });

  beforeAll(async () => {
    stack = await startStack();
    agent = await createAgent(stack, 'desk-agent');
    desk = await Promise.all(Array.from({ length: DESK }, (_, i) => createApprover(stack, `desk-${i}`, ['desk'])));
    outsider = await createApprover(stack, 'outsider', ['side-desk']);
    const chains = '  - name: desk\n    levels:\n      - { approvers: { role: desk }, timeout: 1h }\n' +
      '  - name: side-desk\n    levels:\n      - { approvers: { role: side-desk }, timeout: 1h }\n';
    const routes = `  - { name: desk, priority: 20, when: 'action.type.startsWith("desk.")', chain: desk }\n` +
      `  - { name: side-desk, priority: 20, when: 'action.type.startsWith("side-desk.")', chain: side-desk }\n`;
    expect((await apply(stack, governanceYaml().replace('escalationChains:\n', `escalationChains:\n${chains}`).replace('routes:\n', `routes:\n${routes}`))).applied).toBe(true);

    for (const [i, person] of [...desk, outsider].entries()) {
      const client = wsClient(stack.url, person.token);
      clients.push(client);
      received.set(person.id, subscribe(client, { similar: i === DESK - 1 ? 99 : 1 }));
    }
    // Every subscription is live once it has been told of a request routed to it.
    await waitFor(async () => {
      const probe = await deskRequest('warm-up');
      const side = await submit(stack, agent.apiKey, { ...INPUTS.sync, type: 'side-desk.transfer', summary: 'warm-up' });
      await new Promise((r) => setTimeout(r, 200));
      return desk.every((p) => received.get(p.id)!.about(probe.id).length > 0) && received.get(outsider.id)!.about(side.id).length > 0;
    }, { what: 'every subscription to be live' });
  });
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await stack?.dispose();
  });

  it('gives every approver the request with their own inQueue, their own errors, and never one event’s answer for another', async () => {
    const first = await deskRequest('First desk request');
    const second = await deskRequest('Second desk request');
    const allHave = (id: string, n = 1) => desk.every((p) => received.get(p.id)!.about(id).length >= n);
    await waitFor(() => allHave(first.id) && allHave(second.id), { what: 'both requests at every desk approver' });

    for (const [i, person] of desk.entries()) {
      const mine = received.get(person.id)!;
      for (const request of [first, second]) {
        const [message] = mine.about(request.id);
        if (i === DESK - 1) {
          // Their own variables ask for too much: their `action` fails, with their error, and only theirs.
          expect(message.data!.approvalQueueUpdated).toEqual({ actionId: request.id, inQueue: true, action: null });
          expect(message.errors).toEqual([expect.objectContaining({ message: 'first must be between 1 and 50.', path: ['approvalQueueUpdated', 'action', 'similar'] })]);
        } else {
          expect(message.errors).toBeUndefined();
          expect(message.data!.approvalQueueUpdated).toEqual({
            actionId: request.id, inQueue: true,
            action: { id: request.id, summary: request.summary, status: 'PENDING', agent: { name: 'desk-agent' }, similar: { sameAgent: [expect.objectContaining({ id: expect.any(String) })] } },
          });
        }
      }
    }
    expect(received.get(outsider.id)!.about(first.id)).toEqual([]);

    // desk-1 hands their work to the outsider: one change takes the request out of one
    // queue and puts it into another. Each is told their own answer.
    const [, away] = desk;
    await gqlOk(stack.url, 'mutation($input: DelegationInput!) { createDelegation(input: $input) { id } }', { input: { toApproverId: outsider.id, reason: 'Away' } }, away.token);
    await waitFor(() => received.get(away.id)!.about(first.id).length === 2 && received.get(outsider.id)!.about(first.id).length === 1, { what: 'the delegation to reach both' });
    expect(received.get(away.id)!.about(first.id)[1].data!.approvalQueueUpdated).toMatchObject({ actionId: first.id, inQueue: false, action: { summary: 'First desk request', status: 'PENDING' } });
    expect(received.get(outsider.id)!.about(first.id)[0].data!.approvalQueueUpdated).toMatchObject({ actionId: first.id, inQueue: true, action: { summary: 'First desk request', status: 'PENDING' } });

    // A decision takes the request from everyone who still had it: each is told it left, and the state it is in now.
    await gqlOk(stack.url, DECIDE, { input: { actionId: first.id, verdict: 'APPROVE' } }, desk[0].token);
    const holders = [desk[0], ...desk.slice(2), outsider];
    await waitFor(() => holders.every((p) => received.get(p.id)!.about(first.id).some((m) => m.data?.approvalQueueUpdated.inQueue === false)), { what: 'the decision to reach every holder' });
    for (const person of holders) {
      const last = received.get(person.id)!.about(first.id).at(-1)!;
      expect(last.data!.approvalQueueUpdated.inQueue).toBe(false);
      if (person === desk[DESK - 1]) expect(last.data!.approvalQueueUpdated.action).toBeNull();
      else expect(last.data!.approvalQueueUpdated.action).toMatchObject({ id: first.id, summary: 'First desk request', status: 'APPROVED' });
    }
    // The second request is untouched: nobody was told anything more about it.
    for (const person of desk) expect(received.get(person.id)!.about(second.id).length).toBe(person === away ? 2 : 1);
  });

  it('stores one assignment per holder of the role, each with the request’s level, deadline and time', async () => {
    // A role's assignments are inserted as arrays, the values they share sent once (db/row-batch.ts): the rows must be whole.
    const request = await deskRequest('Stored assignments');
    const [action] = await stack.database.query<{ deadline: Date; created_at: Date }>('select "deadline", "created_at" from "action_request" where "id" = $1', [request.id]);
    const rows = await stack.database.query(
      `select "id", "approver_id", "on_behalf_of_id", "via_role", "kind", "level", "active", "deadline", "created_at", "ended_at" from "assignment" where "action_id" = $1`,
      [request.id],
    );
    const [, away] = desk;
    // desk-1 delegated to the outsider above: the outsider holds it on their behalf.
    const expected = [...desk.filter((p) => p !== away).map((p) => [p.id, null]), [outsider.id, away!.id]];
    expect(rows.map((r) => [r.approver_id, r.on_behalf_of_id]).sort()).toEqual(expected.sort());
    expect(new Set(rows.map((r) => r.id)).size).toBe(DESK);
    for (const row of rows) {
      expect(row).toMatchObject({ via_role: 'desk', kind: 'APPROVAL', level: 1, active: true, ended_at: null });
      expect(row.deadline).toEqual(action!.deadline);
      expect(row.created_at).toEqual(action!.created_at);
    }
  });

  it('gives a subscriber who asks for the assignees every one of them, with their approvers', async () => {
    // The read shared by every subscriber leaves the assignees out (events/subscriptions.resolver.ts); asking for them still gets them all.
    const client = wsClient(stack.url, desk[0]!.token);
    clients.push(client);
    const messages: { data?: { approvalQueueUpdated: { actionId: string; inQueue: boolean; action: { assignees: { approver: { id: string; name: string }; onBehalfOf: { id: string } | null; viaRole: string | null; level: number }[] } } }; errors?: unknown[] }[] = [];
    client.subscribe(
      { query: 'subscription { approvalQueueUpdated { actionId inQueue action { assignees { approver { id name } onBehalfOf { id } viaRole level } } } }' },
      { next: (m) => void messages.push(m as never), error: (e) => void messages.push({ errors: [e] }), complete: () => undefined },
    );
    let request: { id: string } | undefined;
    await waitFor(async () => {
      request = await deskRequest('Who holds it');
      await new Promise((r) => setTimeout(r, 100));
      return messages.some((m) => m.data?.approvalQueueUpdated.actionId === request!.id);
    }, { what: 'the new subscription to hear of a request' });
    const message = messages.find((m) => m.data?.approvalQueueUpdated.actionId === request!.id)!;
    expect(message.errors).toBeUndefined();
    expect(message.data!.approvalQueueUpdated.inQueue).toBe(true);
    const [, away] = desk;
    const expected = [...desk.filter((p) => p !== away).map((p) => ({ approver: { id: p.id, name: p.name }, onBehalfOf: null, viaRole: 'desk', level: 1 })),
      { approver: { id: outsider.id, name: outsider.name }, onBehalfOf: { id: away!.id }, viaRole: 'desk', level: 1 }];
    const byId = (a: { approver: { id: string } }, b: { approver: { id: string } }) => a.approver.id.localeCompare(b.approver.id);
    expect([...message.data!.approvalQueueUpdated.action.assignees].sort(byId)).toEqual(expected.sort(byId));
    // Those who did not ask were told as before, from the same change.
    for (const person of desk.filter((p) => p !== away)) await waitFor(() => received.get(person.id)!.about(request!.id).length > 0, { what: `${person.name} to hear of it` });
  });
});
