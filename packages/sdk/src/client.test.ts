import { createServer } from 'node:net';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClient, type Client, type ClientOptions } from './client.js';
import { ActionDeniedError, ApprovalTimeoutError, CountersignError, ReceiptVerificationError } from './errors.js';
import { actionFixture, decisionFixture, receiptSigner, type ReceiptSigner } from './test-support/fixtures.js';
import type { ActionRequest } from './types.js';

/**
 * A stand-in Countersign server behind `fetch`: each GraphQL operation is answered by a
 * handler, which may return the action, a GraphQL error, or DROP (the request reaches the
 * handler, then the connection dies before the response).
 */
type Answer = ActionRequest | { errors: { message: string; extensions: Record<string, unknown> }[] } | typeof DROP;
type Handler = (variables: Record<string, any>, call: number) => Answer | Promise<Answer>;
const DROP = Symbol('drop');
const FIELDS = { SubmitAction: 'submitAction', Action: 'action', ReportOutcome: 'reportOutcome', CancelAction: 'cancelAction' } as const;
type Operation = keyof typeof FIELDS;

function fakeServer(handlers: Partial<Record<Operation, Handler>>, jwks: { keys: unknown[] } = { keys: [] }) {
  const calls: { operation: Operation; variables: Record<string, any> }[] = [];
  const fetch = async (resource: string | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(resource));
    if (url.pathname === '/.well-known/jwks.json') return Response.json(jwks);
    const { operationName, variables } = JSON.parse(String(init!.body)) as { operationName: Operation; variables: Record<string, any> };
    calls.push({ operation: operationName, variables });
    const handler = handlers[operationName];
    if (!handler) return Response.json({ errors: [{ message: `no handler for ${operationName}`, extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    const answer = await handler(variables, calls.filter((c) => c.operation === operationName).length);
    if (answer === DROP) throw new TypeError('fetch failed', { cause: new Error('socket hang up') });
    if ('errors' in answer) return Response.json(answer);
    return Response.json({ data: { [FIELDS[operationName]]: answer } });
  };
  return { fetch: fetch as typeof globalThis.fetch, calls, callsOf: (operation: Operation) => calls.filter((c) => c.operation === operation) };
}

const gqlError = (code: string, message = code, extra: Record<string, unknown> = {}) => ({ errors: [{ message, extensions: { code, ...extra } }] });

/** A port nothing listens on, so the WebSocket cannot connect and waits must poll. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the client', () => {
  let signer: ReceiptSigner;
  let wsUrl: string;
  const clients: Client[] = [];
  beforeAll(async () => {
    signer = await receiptSigner('server-key');
    wsUrl = `ws://127.0.0.1:${await deadPort()}/graphql`;
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
  });

  const client = (fetch: typeof globalThis.fetch, options: ClientOptions = {}) => {
    const cs = createClient({ url: 'http://countersign.test/graphql', apiKey: 'key', fetch, wsUrl, retry: { initialDelay: 1, maxDelay: 5 }, pollInterval: 20, ...options });
    clients.push(cs);
    return cs;
  };

  /** An APPROVED action carrying a receipt for `approvedPayload`, signed by `by`. */
  const approved = async (approvedPayload: unknown, by: ReceiptSigner = signer, overrides: Partial<ActionRequest> = {}) =>
    actionFixture({ status: 'APPROVED', mode: 'AUTO', approvedPayload, receipt: await by.sign({ id: 'a1', type: 'payments.transfer', payload: approvedPayload }), ...overrides });

  describe('submissions', () => {
    it('retries a submission whose response was lost with the same idempotency key, so it yields one request', async () => {
      const server = fakeServer({ SubmitAction: (_v, call) => (call === 1 ? DROP : actionFixture()) });
      const action = await client(server.fetch).submit({ type: 'payments.transfer', operation: 'WRITE', summary: 'Pay INV-1' });
      expect(action.id).toBe('a1');
      const keys = server.callsOf('SubmitAction').map((c) => c.variables.input.idempotencyKey);
      expect(keys).toHaveLength(2);
      expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
      expect(keys[1]).toBe(keys[0]);
    });

    it('uses a fresh key per call, or the caller’s own', async () => {
      const server = fakeServer({ SubmitAction: () => actionFixture() });
      const cs = client(server.fetch);
      await cs.submit({ type: 't.a', operation: 'READ', summary: 's' });
      await cs.submit({ type: 't.a', operation: 'READ', summary: 's' });
      await cs.submit({ type: 't.a', operation: 'READ', summary: 's', idempotencyKey: 'invoice-INV-1' });
      const [a, b, c] = server.callsOf('SubmitAction').map((call) => call.variables.input.idempotencyKey);
      expect(a).not.toBe(b);
      expect(c).toBe('invoice-INV-1');
    });

    it('fails at once on what retrying cannot fix, naming the field', async () => {
      const server = fakeServer({ SubmitAction: () => gqlError('BAD_USER_INPUT', 'summary must not be empty', { field: 'summary' }) });
      const error = await client(server.fetch).submit({ type: 't.a', operation: 'READ', summary: '' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'CountersignError', code: 'BAD_USER_INPUT', field: 'summary' });
      expect(server.calls).toHaveLength(1);
    });

    it('gives up after the policy’s attempts, with the last error', async () => {
      const server = fakeServer({ SubmitAction: () => gqlError('UNAVAILABLE', 'database restarting') });
      const error = await client(server.fetch, { retry: { attempts: 3, initialDelay: 1, maxDelay: 1 } }).submit({ type: 't.a', operation: 'READ', summary: 's' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'UNAVAILABLE', message: 'database restarting' });
      expect(server.calls).toHaveLength(3);
    });

    it('counts an attempt without a response in requestTimeout as a network failure, and retries it', async () => {
      let calls = 0;
      const hanging = ((_url: string | URL, init?: RequestInit) => {
        calls += 1;
        return new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
      }) as typeof globalThis.fetch;
      const error = await client(hanging, { requestTimeout: 20, retry: { attempts: 2, initialDelay: 1, maxDelay: 1 } }).get('a1').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'NETWORK_ERROR' });
      expect((error as Error).message).toMatch(/No response .* within 20 ms/);
      expect(calls).toBe(2);
    });

    it('rejects with the caller’s abort reason and does not retry', async () => {
      const server = fakeServer({ SubmitAction: () => DROP });
      const controller = new AbortController();
      const reason = new Error('user left');
      controller.abort(reason);
      await expect(client(server.fetch).submit({ type: 't.a', operation: 'READ', summary: 's' }, { signal: controller.signal })).rejects.toBe(reason);
      expect(server.calls).toHaveLength(0);
    });

    it('checks the timeout before submitting, so a typo leaves no request behind', async () => {
      const server = fakeServer({ SubmitAction: () => actionFixture() });
      await expect(client(server.fetch).requestApproval({ type: 't.a', operation: 'READ', summary: 's' }, { timeout: '15 minutes' as never })).rejects.toThrow(RangeError);
      expect(server.calls).toHaveLength(0);
    });
  });

  describe('guard', () => {
    it('runs the function once, with the approved (modified) payload, and reports SUCCEEDED with its result', async () => {
      const modified = { invoice: 'INV-1', amount: 90 };
      const server = fakeServer(
        { SubmitAction: () => approved(modified, signer, { decisions: [decisionFixture({ modifiedPayload: modified })] }), ReportOutcome: () => actionFixture({ status: 'APPROVED' }) },
        { keys: [signer.publicJwk] },
      );
      const fn = vi.fn(async (payload: { invoice: string; amount: number }) => ({ transferId: `T-${payload.amount}` }));
      const result = await client(server.fetch).guard({ type: 'payments.transfer', operation: 'WRITE', summary: 'Pay INV-1', payload: { invoice: 'INV-1', amount: 100 } }, fn);
      expect(result).toEqual({ transferId: 'T-90' });
      expect(fn).toHaveBeenCalledTimes(1);
      expect(fn.mock.calls[0]![0]).toEqual(modified);
      expect(server.callsOf('ReportOutcome').map((c) => c.variables)).toEqual([{ id: 'a1', input: { status: 'SUCCEEDED', result: { transferId: 'T-90' } } }]);
    });

    it('does not run the function on a forged approval (a receipt signed by another key) and reports why', async () => {
      const forger = await receiptSigner('server-key');
      const server = fakeServer({ SubmitAction: () => approved({ invoice: 'INV-1' }, forger), ReportOutcome: () => actionFixture() }, { keys: [signer.publicJwk] });
      const fn = vi.fn();
      const error = await client(server.fetch).guard({ type: 'payments.transfer', operation: 'WRITE', summary: 's' }, fn).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReceiptVerificationError);
      expect(error).toMatchObject({ failure: 'SIGNATURE', action: { id: 'a1' } });
      expect(fn).not.toHaveBeenCalled();
      expect(server.callsOf('ReportOutcome')[0]!.variables.input).toMatchObject({ status: 'FAILED', detail: expect.stringMatching(/^Not run: /) });
    });

    it('does not run the function when the approved payload is not the one the receipt covers', async () => {
      const action = await approved({ invoice: 'INV-1', amount: 100 });
      const server = fakeServer({ SubmitAction: () => ({ ...action, approvedPayload: { invoice: 'INV-1', amount: 100_000 } }), ReportOutcome: () => actionFixture() }, { keys: [signer.publicJwk] });
      const fn = vi.fn();
      await expect(client(server.fetch).guard({ type: 'payments.transfer', operation: 'WRITE', summary: 's' }, fn)).rejects.toMatchObject({ failure: 'PAYLOAD_MISMATCH' });
      expect(fn).not.toHaveBeenCalled();
    });

    it('does not run the function on an approval without a receipt', async () => {
      const server = fakeServer({ SubmitAction: () => actionFixture({ status: 'APPROVED', approvedPayload: {} }), ReportOutcome: () => actionFixture() }, { keys: [signer.publicJwk] });
      const fn = vi.fn();
      await expect(client(server.fetch).guard({ type: 'payments.transfer', operation: 'WRITE', summary: 's' }, fn)).rejects.toMatchObject({ failure: 'MALFORMED' });
      expect(fn).not.toHaveBeenCalled();
    });

    it('reports FAILED with the error message when the function throws, and rethrows the same error', async () => {
      const server = fakeServer({ SubmitAction: () => approved({ invoice: 'INV-1' }), ReportOutcome: () => actionFixture() }, { keys: [signer.publicJwk] });
      const failure = new Error('bank rejected the IBAN');
      await expect(client(server.fetch).guard({ type: 'payments.transfer', operation: 'WRITE', summary: 's' }, () => Promise.reject(failure))).rejects.toBe(failure);
      expect(server.callsOf('ReportOutcome').map((c) => c.variables.input)).toEqual([{ status: 'FAILED', detail: 'bank rejected the IBAN' }]);
    });

    it('throws ActionDeniedError and runs nothing when the request is denied', async () => {
      const server = fakeServer({ SubmitAction: () => actionFixture({ status: 'DENIED', mode: 'BLOCK', statusReason: 'BLOCKED_BY_POLICY' }) });
      const fn = vi.fn();
      await expect(client(server.fetch).guard({ type: 'payments.transfer', operation: 'WRITE', summary: 's' }, fn)).rejects.toBeInstanceOf(ActionDeniedError);
      expect(fn).not.toHaveBeenCalled();
      expect(server.callsOf('ReportOutcome')).toHaveLength(0);
    });

    it('returns the result even when the outcome cannot be reported (the side effect happened), and logs it', async () => {
      const server = fakeServer({ SubmitAction: () => approved({ invoice: 'INV-1' }), ReportOutcome: () => DROP }, { keys: [signer.publicJwk] });
      const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
      const fn = vi.fn(() => 'paid');
      await expect(client(server.fetch, { logger, retry: { attempts: 2, initialDelay: 1, maxDelay: 1 } }).guard({ type: 'payments.transfer', operation: 'WRITE', summary: 's' }, fn)).resolves.toBe('paid');
      expect(fn).toHaveBeenCalledTimes(1);
      expect(logger.error).toHaveBeenCalledWith(expect.stringMatching(/could not report outcome SUCCEEDED of action a1/), expect.anything());
    });

    it('records what `outcome` says instead of the raw result', async () => {
      const server = fakeServer({ SubmitAction: () => approved({ invoice: 'INV-1' }), ReportOutcome: () => actionFixture() }, { keys: [signer.publicJwk] });
      await client(server.fetch).guard({ type: 'payments.transfer', operation: 'WRITE', summary: 's' }, () => ({ secret: 's3cr3t', id: 7 }), { outcome: (r) => ({ detail: `transfer ${r.id}` }) });
      expect(server.callsOf('ReportOutcome')[0]!.variables.input).toEqual({ status: 'SUCCEEDED', detail: 'transfer 7' });
    });
  });

  it('wraps a tool: its argument is the payload, and it runs with the approved arguments', async () => {
    const server = fakeServer({ SubmitAction: (v) => approved({ ...v.input.payload, amount: 50 }), ReportOutcome: () => actionFixture() }, { keys: [signer.publicJwk] });
    const transfer = vi.fn(async (args: { to: string; amount: number }) => `sent ${args.amount} to ${args.to}`);
    const guarded = client(server.fetch).wrap(transfer, (args) => ({ type: 'payments.transfer', operation: 'WRITE', summary: `Send ${args.amount} to ${args.to}` }));
    await expect(guarded({ to: 'ACME', amount: 80 })).resolves.toBe('sent 50 to ACME');
    expect(server.callsOf('SubmitAction')[0]!.variables.input.payload).toEqual({ to: 'ACME', amount: 80 });
  });

  it('treats a cancel whose lost response had landed as done (CONFLICT on retry, CANCELLED now)', async () => {
    const server = fakeServer({
      CancelAction: (_v, call) => (call === 1 ? DROP : gqlError('CONFLICT', 'Request a1 is CANCELLED, not PENDING')),
      Action: () => actionFixture({ status: 'CANCELLED' }),
    });
    await expect(client(server.fetch).cancel('a1', 'no longer needed')).resolves.toMatchObject({ status: 'CANCELLED' });
  });

  it('reports a CONFLICT on a first cancel as it is (the request was decided)', async () => {
    const server = fakeServer({ CancelAction: () => gqlError('CONFLICT', 'Request a1 is APPROVED, not PENDING') });
    await expect(client(server.fetch).cancel('a1')).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  describe('waiting', () => {
    it('sees the decision by polling over HTTP when the WebSocket cannot connect', async () => {
      const final = await approved({ invoice: 'INV-1' });
      const server = fakeServer({ SubmitAction: () => actionFixture(), Action: (_v, call) => (call < 3 ? actionFixture() : final) });
      await expect(client(server.fetch).requestApproval({ type: 'payments.transfer', operation: 'WRITE', summary: 's' })).resolves.toMatchObject({ id: 'a1', status: 'APPROVED' });
    });

    it('keeps polling through network failures', async () => {
      const final = actionFixture({ status: 'EXPIRED' });
      const server = fakeServer({ Action: (_v, call) => (call < 3 ? DROP : final) });
      await expect(client(server.fetch).wait('a1')).rejects.toMatchObject({ name: 'ApprovalExpiredError', action: final });
    });

    it('ends with ApprovalTimeoutError after the caller’s timeout, leaving the request pending', async () => {
      const server = fakeServer({ SubmitAction: () => actionFixture(), Action: () => actionFixture() });
      const error = await client(server.fetch).requestApproval({ type: 'payments.transfer', operation: 'WRITE', summary: 's' }, { timeout: 100 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApprovalTimeoutError);
      expect(error).toMatchObject({ actionId: 'a1', timeoutMs: 100 });
      expect(server.callsOf('CancelAction')).toHaveLength(0);
    });

    it('reads a refusal again when the state it was told of lacks the approver’s decision', async () => {
      const changes = decisionFixture({ verdict: 'REQUEST_CHANGES', comment: 'Deduct the discount', modifiedPayload: { amount: 90 } });
      const server = fakeServer({ Action: (_v, call) => actionFixture({ status: 'CHANGES_REQUESTED', decisions: call === 1 ? [] : [changes] }) });
      await expect(client(server.fetch).wait('a1')).rejects.toMatchObject({ name: 'ChangesRequestedError', comment: 'Deduct the discount', suggestedPayload: { amount: 90 } });
    });

    it('stops at once when the request is not this agent’s', async () => {
      const server = fakeServer({ Action: () => gqlError('NOT_FOUND', 'ActionRequest b2 was not found.') });
      await expect(client(server.fetch).wait('b2')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('stops with DISPOSED when the client is disposed mid-wait, and refuses calls after', async () => {
      const server = fakeServer({ Action: () => actionFixture() });
      const cs = client(server.fetch);
      const waiting = expect(cs.wait('a1')).rejects.toMatchObject({ code: 'DISPOSED' });
      await cs.dispose();
      await waiting;
      await expect(cs.get('a1')).rejects.toBeInstanceOf(CountersignError);
    });
  });

  it("accepts the server's base URL as well as its /graphql endpoint", async () => {
    for (const url of ['http://countersign.test', 'http://countersign.test/', 'http://countersign.test/graphql']) {
      const seen: string[] = [];
      const server = fakeServer({ Action: () => actionFixture() });
      const fetch = (async (resource: string | URL, init?: RequestInit) => {
        seen.push(String(resource));
        return server.fetch(resource, init);
      }) as typeof globalThis.fetch;
      await client(fetch, { url }).get('a1');
      expect(seen).toEqual(['http://countersign.test/graphql']);
    }
  });

  it('makes many calls at once without a MaxListenersExceededWarning (each call listens to the client for its lifetime)', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const server = fakeServer({ Action: async () => actionFixture() });
      const cs = client(server.fetch);
      await Promise.all(Array.from({ length: 25 }, () => cs.get('a1')));
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('requires a URL and an API key', () => {
    expect(() => createClient({ url: 'http://x/graphql', apiKey: '' })).toThrow(/apiKey/);
  });
});
