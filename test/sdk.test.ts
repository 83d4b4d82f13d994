import { connect, createServer, type Server, type Socket } from 'node:net';
import { generateKeyPair, SignJWT, decodeProtectedHeader, decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ActionCancelledError,
  ActionDeniedError,
  ApprovalExpiredError,
  ApprovalTimeoutError,
  ChangesRequestedError,
  CountersignError,
  ReceiptVerificationError,
  createClient,
  verifyReceipt,
  type ActionInput,
  type Client,
  type ClientOptions,
} from '../packages/sdk/src/index.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { DECIDE, INPUTS, apply, governanceYaml } from './support/fixtures.js';
import { gqlOk } from './support/graphql.js';
import { createAgent, createApprover, startServer, startStack, type TestServer } from './support/server.js';
import { waitFor } from './support/wait.js';

type Approver = { id: string; name: string; token: string };

/** `INPUTS.sync` (CRITICAL → SYNC_APPROVAL, routed to finance) with a summary the test can find in a queue. */
let serial = 0;
function syncInput(label: string): ActionInput<{ to: string; amount: number; currency: string }> & { summary: string } {
  serial += 1;
  return { ...INPUTS.sync, payload: { ...INPUTS.sync.payload }, summary: `${label} #${serial}` } as never;
}

/** The id of the pending request with this summary, once it is in the approver's queue. */
function pendingId(server: TestServer, approver: Approver, summary: string): Promise<string> {
  return waitFor(
    async () => {
      const data = await gqlOk<{ approvalQueue: { nodes: { id: string; summary: string }[] } }>(server.url, '{ approvalQueue(first: 100) { nodes { id summary } } }', {}, approver.token);
      return data.approvalQueue.nodes.find((node) => node.summary === summary)?.id;
    },
    { what: `"${summary}" in ${approver.name}'s queue` },
  );
}

function decide(server: TestServer, approver: Approver, input: { actionId: string; verdict: 'APPROVE' | 'DENY' | 'REQUEST_CHANGES'; comment?: string; modifiedPayload?: unknown }) {
  return gqlOk(server.url, DECIDE, { input }, approver.token);
}

function action(server: TestServer, id: string) {
  return gqlOk<{ action: { status: string; outcome: { status: string; detail: string | null; result: unknown } | null; revisionOf: { id: string } | null } }>(
    server.url,
    'query($id: ID!) { action(id: $id) { status outcome { status detail result } revisionOf { id } } }',
    { id },
    server.adminToken,
  ).then((data) => data.action);
}

describe('the SDK against a real server', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  let fiona: Approver;
  const clients: Client[] = [];

  /** A client for a fresh agent: behaviour signals (rate, denials) never leak between tests. */
  async function agentClient(options: ClientOptions = {}, server: TestServer = stack) {
    const agent = await createAgent(server, `agent-${serial++}-${Date.now()}`);
    const cs = createClient({ url: server.url, apiKey: agent.apiKey, retry: { initialDelay: 50, maxDelay: 500 }, ...options });
    clients.push(cs);
    return Object.assign(cs, { agent });
  }

  beforeAll(async () => {
    stack = await startStack();
    fiona = await createApprover(stack, 'fiona', ['finance']);
    await createApprover(stack, 'lars', ['finance-lead']);
    await createApprover(stack, 'cfo', []);
    await createApprover(stack, 'carla', ['compliance']);
    await apply(stack, governanceYaml());
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((cs) => cs.dispose()));
  });
  afterAll(() => stack?.dispose());

  describe('each mode', () => {
    it('AUTO: guard runs the function at once with the payload and records SUCCEEDED with its result', async () => {
      const cs = await agentClient();
      const fn = vi.fn(async (payload: { report: string }) => ({ rows: 42, report: payload.report }));
      await expect(cs.guard(INPUTS.auto, fn)).resolves.toEqual({ rows: 42, report: 'prices' });
      expect(fn).toHaveBeenCalledTimes(1);
      const [, approved] = fn.mock.calls[0]! as unknown as [unknown, { id: string; mode: string }];
      expect(approved.mode).toBe('AUTO');
      expect(await action(stack, approved.id)).toMatchObject({ status: 'APPROVED', outcome: { status: 'SUCCEEDED', result: { rows: 42, report: 'prices' } } });
    });

    it('ASYNC_REVIEW: requestApproval resolves at once; the request waits for review afterwards', async () => {
      const cs = await agentClient();
      const approved = await cs.requestApproval(INPUTS.asyncReview);
      expect(approved).toMatchObject({ mode: 'ASYNC_REVIEW', status: 'APPROVED', reviewStatus: 'UNREVIEWED', approvedPayload: INPUTS.asyncReview.payload });
    });

    it('SYNC_APPROVAL: guard waits for the approver and runs once with the payload they approved', async () => {
      const cs = await agentClient();
      const input = syncInput('Wire to Acme');
      const fn = vi.fn(async (payload: { to: string; amount: number }) => `sent ${payload.amount} to ${payload.to}`);
      const guarded = cs.guard(input, fn);
      const id = await pendingId(stack, fiona, input.summary);
      expect(fn).not.toHaveBeenCalled();
      await decide(stack, fiona, { actionId: id, verdict: 'APPROVE', modifiedPayload: { to: 'ACME-IBAN', amount: 24_000, currency: 'USD' } });
      await expect(guarded).resolves.toBe('sent 24000 to ACME-IBAN');
      expect(fn).toHaveBeenCalledTimes(1);
      expect(await action(stack, id)).toMatchObject({ outcome: { status: 'SUCCEEDED', result: 'sent 24000 to ACME-IBAN' } });
    });

    it('BLOCK: guard throws ActionDeniedError with the policy reason and runs nothing', async () => {
      const cs = await agentClient();
      const fn = vi.fn();
      const error = await cs.guard(INPUTS.blocked, fn).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ActionDeniedError);
      expect(error).toMatchObject({ reason: 'BLOCKED_BY_POLICY', action: { mode: 'BLOCK', status: 'DENIED' } });
      expect(fn).not.toHaveBeenCalled();
    });
  });

  describe('each refusal', () => {
    it('a denial by an approver: ActionDeniedError with who and why, and the function never runs', async () => {
      const cs = await agentClient();
      const input = syncInput('Wire to an unknown vendor');
      const fn = vi.fn();
      const guarded = cs.guard(input, fn).catch((e: unknown) => e);
      await decide(stack, fiona, { actionId: await pendingId(stack, fiona, input.summary), verdict: 'DENY', comment: 'Vendor not on the approved list' });
      const error = await guarded;
      expect(error).toBeInstanceOf(ActionDeniedError);
      expect(error).toMatchObject({ comment: 'Vendor not on the approved list', decision: { verdict: 'DENY', approver: { name: 'fiona' } } });
      expect(fn).not.toHaveBeenCalled();
    });

    it('a request for changes: ChangesRequestedError with the comment and suggested payload, and a revision can follow', async () => {
      const cs = await agentClient();
      const input = syncInput('Wire before the discount');
      const waiting = cs.requestApproval(input).catch((e: unknown) => e);
      const suggestion = { to: 'ACME-IBAN', amount: 22_500, currency: 'USD' };
      await decide(stack, fiona, { actionId: await pendingId(stack, fiona, input.summary), verdict: 'REQUEST_CHANGES', comment: 'Deduct the 10% early-payment discount', modifiedPayload: suggestion });
      const error = (await waiting) as ChangesRequestedError;
      expect(error).toBeInstanceOf(ChangesRequestedError);
      expect(error).toMatchObject({ comment: 'Deduct the 10% early-payment discount', suggestedPayload: suggestion });

      const revision = await cs.submit({ ...input, payload: error.suggestedPayload as typeof suggestion, revisionOf: error.actionId });
      expect(await action(stack, revision.id)).toMatchObject({ revisionOf: { id: error.actionId } });
    });

    it('a cancellation: the waiting call ends with ActionCancelledError', async () => {
      const cs = await agentClient();
      const submitted = await cs.submit(syncInput('Wire, then changed my mind'));
      const waiting = cs.wait(submitted.id).catch((e: unknown) => e);
      await expect(cs.cancel(submitted.id, 'the customer paid by card')).resolves.toMatchObject({ status: 'CANCELLED' });
      const error = await waiting;
      expect(error).toBeInstanceOf(ActionCancelledError);
      expect(error).toMatchObject({ actionId: submitted.id });
    });

    it('a change that lands while the wait is subscribing is not missed (40 cancellations racing their waits)', async () => {
      const cs = await agentClient();
      // The client's WebSocket held open by one wait for the whole test (a second, short
      // wait that times out lets it connect), so that each wait below subscribes at once
      // and its first read can meet a cancellation in flight.
      const keeper = await cs.submit(syncInput('Race keeper'));
      const kept = cs.wait(keeper.id).catch((e: unknown) => e);
      const probe = await cs.submit(syncInput('Race probe'));
      expect(await cs.wait(probe.id, { timeout: 300 }).catch((e: unknown) => e)).toBeInstanceOf(ApprovalTimeoutError);

      const submitted = await Promise.all(Array.from({ length: 40 }, (_, i) => cs.submit(syncInput(`Race ${i}`))));
      const outcomes = await Promise.all(
        submitted.map(async ({ id }, i) => {
          // The cancellations are spread over the time the waits take to subscribe, so that
          // some land while a subscription reads the request's state: whichever comes first,
          // the wait must end with the cancellation, not hang on PENDING. (With the server
          // listening only after that read, and 300 ms added after it to widen the gap,
          // every wait here hung; the natural gap is a millisecond or two, and was hit by
          // the cancellation test above on a loaded CI machine.)
          const waiting = cs.wait(id, { timeout: 10_000 }).catch((e: unknown) => e);
          await new Promise((resolve) => setTimeout(resolve, i));
          await cs.cancel(id, 'raced');
          return waiting;
        }),
      );
      expect(outcomes.filter((e) => !(e instanceof ActionCancelledError))).toEqual([]);
      await cs.cancel(keeper.id, 'done');
      expect(await kept).toBeInstanceOf(ActionCancelledError);
    });

    it('the caller’s own timeout: ApprovalTimeoutError, and the request stays pending', async () => {
      const cs = await agentClient();
      const error = await cs.requestApproval(syncInput('Wire, in a hurry'), { timeout: 300 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApprovalTimeoutError);
      expect(await action(stack, (error as ApprovalTimeoutError).actionId)).toMatchObject({ status: 'PENDING' });
    });

    it('expiry at the end of the escalation chain: ApprovalExpiredError', async () => {
      await apply(stack, governanceYaml({ financeTimeout: '1s', leadTimeout: '1s', cfoTimeout: '1s' }));
      try {
        const cs = await agentClient();
        const error = await cs.requestApproval(syncInput('Wire that nobody answers')).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ApprovalExpiredError);
        expect(error).toMatchObject({ action: { status: 'EXPIRED' } });
      } finally {
        await apply(stack, governanceYaml());
      }
    });

    it('a refused API key: CountersignError UNAUTHENTICATED, over HTTP and over the WebSocket', async () => {
      const cs = createClient({ url: stack.url, apiKey: 'not-a-key', retry: false });
      clients.push(cs);
      await expect(cs.submit(INPUTS.auto)).rejects.toMatchObject({ name: 'CountersignError', code: 'UNAUTHENTICATED' });
      await expect(cs.wait('00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    });

    it('another agent’s request: CountersignError NOT_FOUND', async () => {
      const owner = await agentClient();
      const other = await agentClient();
      const submitted = await owner.submit(syncInput('Mine, not yours'));
      await expect(other.wait(submitted.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(other.cancel(submitted.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('bad input: CountersignError BAD_USER_INPUT naming the field', async () => {
      const cs = await agentClient();
      const error = await cs.submit({ ...INPUTS.auto, amount: { value: -5, currency: 'EUR' } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CountersignError);
      expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: expect.stringMatching(/amount/) });
    });
  });

  it('guard reports FAILED with the error when the function throws, and rethrows it', async () => {
    const cs = await agentClient();
    const failure = new Error('bank rejected the IBAN');
    let id = '';
    await expect(
      cs.guard(INPUTS.asyncReview, (_payload, approved) => {
        id = approved.id;
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await action(stack, id)).toMatchObject({ outcome: { status: 'FAILED', detail: 'bank rejected the IBAN' } });
  });

  it('wrap: the wrapped tool is called as before and runs with the approved arguments', async () => {
    const cs = await agentClient();
    const transfer = vi.fn(async (args: { to: string; amount: number; currency: string }) => ({ transferId: `T-${args.amount}` }));
    const { payload: _submittedElsewhere, ...describeSync } = INPUTS.sync;
    const guardedTransfer = cs.wrap(transfer, (args) => ({ ...describeSync, summary: `Wrapped wire of ${args.amount} to ${args.to}`, amount: { value: args.amount, currency: args.currency } }));
    const result = guardedTransfer({ to: 'ACME-IBAN', amount: 30_000, currency: 'USD' });
    const id = await pendingId(stack, fiona, 'Wrapped wire of 30000 to ACME-IBAN');
    await decide(stack, fiona, { actionId: id, verdict: 'APPROVE' });
    await expect(result).resolves.toEqual({ transferId: 'T-30000' });
    expect(transfer).toHaveBeenCalledTimes(1);
    expect(transfer).toHaveBeenCalledWith({ to: 'ACME-IBAN', amount: 30_000, currency: 'USD' });
  });

  it('a submission retried after a dropped response yields one request', async () => {
    let dropped = 0;
    // Delivers the first submission to the server, then loses its response on the way back.
    const lossy: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (dropped === 0 && String(init?.body).includes('SubmitAction')) {
        dropped += 1;
        await response.text();
        throw new TypeError('fetch failed', { cause: new Error('socket hang up') });
      }
      return response;
    };
    const cs = await agentClient({ fetch: lossy });
    const submitted = await cs.submit(syncInput('Wire over a flaky network'));
    expect(dropped).toBe(1);
    const rows = await stack.database.query<{ count: string }>('select count(*) from action_request where idempotency_key = $1', [submitted.idempotencyKey]);
    expect(rows[0]!.count).toBe('1');
  });

  describe('receipts', () => {
    it('verifyReceipt accepts the real receipt, and rejects a changed payload and a receipt signed by another key', async () => {
      const cs = await agentClient();
      const approved = await cs.requestApproval(INPUTS.auto);
      const jwksUrl = new URL('/.well-known/jwks.json', stack.url);

      const claims = await verifyReceipt(approved.receipt!, INPUTS.auto.payload, { jwksUrl, actionId: approved.id, agentId: cs.agent.id, actionType: 'reports.read' });
      expect(claims).toMatchObject({ sub: approved.id, agt: cs.agent.id, act: 'reports.read' });
      await expect(cs.verifyReceipt(approved.receipt!, approved.approvedPayload)).resolves.toMatchObject({ sub: approved.id });

      await expect(verifyReceipt(approved.receipt!, { report: 'salaries' }, { jwksUrl })).rejects.toMatchObject({ name: 'ReceiptVerificationError', failure: 'PAYLOAD_MISMATCH' });

      // Same claims and kid, signed with a key the server never had.
      const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      const forged = await new SignJWT(decodeJwt(approved.receipt!)).setProtectedHeader(decodeProtectedHeader(approved.receipt!) as { alg: string }).sign(privateKey);
      const error = await verifyReceipt(forged, INPUTS.auto.payload, { jwksUrl }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReceiptVerificationError);
      expect(error).toMatchObject({ failure: 'SIGNATURE' });
    });

    it('guard refuses to run on an approval whose receipt does not come from the server it trusts', async () => {
      const { publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
      const cs = await agentClient({ receiptKey: publicKey });
      const fn = vi.fn();
      await expect(cs.guard(INPUTS.auto, fn)).rejects.toMatchObject({ name: 'ReceiptVerificationError', failure: 'SIGNATURE' });
      expect(fn).not.toHaveBeenCalled();
    });
  });

  describe('durable waits', () => {
    it('receives a decision made while it was disconnected, when it reconnects', async () => {
      const proxy = await tcpProxy(new URL(stack.url).port);
      try {
        // No HTTP polling: the decision must come through the resubscription.
        const cs = await agentClient({ url: `http://127.0.0.1:${proxy.port}/graphql`, pollInterval: 0 });
        const input = syncInput('Wire across a network outage');
        const waiting = cs.requestApproval(input);
        const id = await pendingId(stack, fiona, input.summary);
        await waitFor(() => proxy.open > 0, { what: 'the agent to connect' });

        proxy.cut();
        await decide(stack, fiona, { actionId: id, verdict: 'APPROVE' });
        proxy.restore();

        await expect(waiting).resolves.toMatchObject({ id, status: 'APPROVED' });
      } finally {
        await proxy.close();
      }
    });

    it('receives the decision when the server restarts while it waits', async () => {
      const database = await createTestDatabase();
      let server: TestServer | undefined;
      try {
        server = await startServer({ database });
        const approver = await createApprover(server, 'fiona', ['finance']);
        await apply(server, governanceYaml());
        // The WebSocket alone: no HTTP polling, so the resubscription is what delivers.
        const cs = await agentClient({ pollInterval: 0 }, server);
        const input = syncInput('Wire across a deploy');
        const waiting = cs.requestApproval(input);
        const id = await pendingId(server, approver, input.summary);

        const { port } = new URL(server.url);
        await server.dispose();
        server = await startServer({ database, adminToken: server.adminToken, env: { PORT: port } });
        await decide(server, approver, { actionId: id, verdict: 'APPROVE' });

        await expect(waiting).resolves.toMatchObject({ id, status: 'APPROVED' });
      } finally {
        await server?.dispose();
        await database.drop();
      }
    });
  });
});

/**
 * A TCP proxy in front of the server whose link can be cut: `cut()` drops every open
 * connection and refuses new ones until `restore()`, as a network outage would.
 */
async function tcpProxy(targetPort: string): Promise<{ port: number; readonly open: number; cut(): void; restore(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let down = false;
  const server: Server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const target = connect(Number(targetPort), '127.0.0.1');
    for (const socket of [client, target]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(target).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    get open() {
      return sockets.size;
    },
    cut() {
      down = true;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      down = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
