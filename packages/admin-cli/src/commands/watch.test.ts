import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { ExitCode } from '../errors.js';
import { fakeFetch, runInProcess } from '../testing.js';

// A bare graphql-ws server with just enough schema for `watch`: the CLI's side of the
// subscription (URL, connectionParams, streaming, Ctrl-C, refusals) without a Countersign server.
const schema = buildSchema(`
  type Query { ok: Boolean }
  type Ref { id: ID!, name: String! }
  type Risk { score: Int!, level: String! }
  type ActionRequest {
    id: ID!, type: String!, operation: String!, summary: String!, status: String!, mode: String!, reviewStatus: String,
    risk: Risk!, agent: Ref!, escalationLevel: Int, deadline: String, requiredApprovals: Int!, createdAt: String!
  }
  type ApprovalQueueUpdate { actionId: ID!, inQueue: Boolean!, action: ActionRequest }
  type Subscription { approvalQueueUpdated: ApprovalQueueUpdate! }
`);

const action = {
  id: 'a1', type: 'payments.transfer', operation: 'WRITE', summary: 'Pay INV-42', status: 'PENDING', mode: 'SYNC_APPROVAL', reviewStatus: null,
  risk: { score: 72, level: 'HIGH' }, agent: { id: 'g1', name: 'invoice-bot' }, escalationLevel: 1, deadline: null, requiredApprovals: 1, createdAt: '2025-07-10T12:00:00Z',
};

/** The queue as the HTTP API answers it before the changes stream. */
const queueOf = (nodes: unknown[]) =>
  fakeFetch({ ApprovalQueue: { data: { approvalQueue: { nodes, totalCount: nodes.length, pageInfo: { hasNextPage: false, endCursor: null } } } } });

describe('watch', () => {
  let server: Server;
  let url: string;
  let authorizations: unknown[];
  /** Resolves when a client's socket closes. */
  let closed: Promise<void>;
  let dispose: () => Promise<void>;

  beforeEach(async () => {
    authorizations = [];
    let onClose = () => {};
    closed = new Promise((resolve) => (onClose = resolve));
    server = createServer();
    const wss = new WebSocketServer({ server, path: '/graphql' });
    const cleanup = useServer(
      {
        schema,
        onClose: () => onClose(),
        onConnect: (ctx) => {
          authorizations.push(ctx.connectionParams?.authorization);
          return ctx.connectionParams?.authorization === 'Bearer good';
        },
        roots: {
          subscription: {
            approvalQueueUpdated: async function* () {
              yield { approvalQueueUpdated: { actionId: action.id, inQueue: true, action } };
              // Then stay open, as a live queue does, until the client leaves.
              await new Promise(() => undefined);
            },
          },
        },
      },
      wss,
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    dispose = async () => {
      await cleanup.dispose();
      await new Promise((resolve) => server.close(resolve));
    };
  });

  afterEach(async () => {
    await dispose();
  });

  it('should stream each change as a JSON line, with the token in connectionParams, and exit 0 on Ctrl-C', async () => {
    const ctrlC = new AbortController();
    // Ctrl-C as soon as the first change is printed.
    const r = await runInProcess(['watch', '--json'], { fetch: queueOf([]), env: { COUNTERSIGN_URL: url, COUNTERSIGN_TOKEN: 'good' }, interrupt: ctrlC.signal, onStdout: () => ctrlC.abort() });
    expect(r.code).toBe(ExitCode.OK);
    expect(authorizations).toEqual(['Bearer good']);
    expect(r.stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual([{ actionId: 'a1', inQueue: true, action }]);
    expect(r.stderr).toMatch(/Watching the approval queue at/);
  });

  it('should print a line per change for people', async () => {
    const ctrlC = new AbortController();
    const r = await runInProcess(['watch'], { fetch: queueOf([]), env: { COUNTERSIGN_URL: url, COUNTERSIGN_TOKEN: 'good' }, interrupt: ctrlC.signal, columns: 160, onStdout: (out) => out.includes('queued') && ctrlC.abort() });
    expect(r.stdout).toMatch(/\+ queued\s+a1\s+72 HIGH\s+payments\.transfer\s+invoice-bot\s+Pay INV-42\s+PENDING/);
  });

  it('should print the queue as it is now, under a header, before the changes', async () => {
    const ctrlC = new AbortController();
    const waiting = { ...action, id: 'a0', summary: 'Pay INV-41' };
    const r = await runInProcess(['watch'], { fetch: queueOf([waiting]), env: { COUNTERSIGN_URL: url, COUNTERSIGN_TOKEN: 'good' }, interrupt: ctrlC.signal, columns: 160, onStdout: (out) => out.includes('queued') && ctrlC.abort() });
    expect(r.code).toBe(ExitCode.OK);
    const lines = r.stdout.split('\n').filter((line) => line.trim() !== '');
    expect(lines[0]).toBe('Waiting for your approval now: 1');
    expect(lines[1]).toMatch(/= waiting\s+a0\s+72 HIGH\s+payments\.transfer\s+invoice-bot\s+Pay INV-41\s+PENDING/);
    expect(lines[2]).toBe('Changes as they happen');
    expect(lines[3]).toMatch(/\+ queued\s+a1\s+.*Pay INV-42/);
  });

  it('should print the requests already waiting as JSON lines marked current, and no headers', async () => {
    const ctrlC = new AbortController();
    const waiting = { ...action, id: 'a0' };
    const r = await runInProcess(['watch', '--json'], { fetch: queueOf([waiting]), env: { COUNTERSIGN_URL: url, COUNTERSIGN_TOKEN: 'good' }, interrupt: ctrlC.signal, onStdout: (out) => out.includes('"a1"') && ctrlC.abort() });
    expect(r.stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual([
      { actionId: 'a0', inQueue: true, action: waiting, current: true },
      { actionId: 'a1', inQueue: true, action },
    ]);
  });

  it('should end, closing its subscription, when the queue cannot be read', async () => {
    const refused = fakeFetch({ ApprovalQueue: { errors: [{ message: 'Forbidden', extensions: { code: 'FORBIDDEN' } }] } });
    const r = await runInProcess(['watch'], { fetch: refused, env: { COUNTERSIGN_URL: url, COUNTERSIGN_TOKEN: 'good' } });
    expect(r.code).toBe(ExitCode.FORBIDDEN);
    // A subscription left open would keep a real process running after the error (the test's timeout fails it).
    await closed;
  });

  it('should stop with the forbidden exit code when the server refuses the token', async () => {
    const r = await runInProcess(['watch'], { fetch: queueOf([]), env: { COUNTERSIGN_URL: url, COUNTERSIGN_TOKEN: 'bad' } });
    expect(r.code).toBe(ExitCode.FORBIDDEN);
    expect(r.stderr).toMatch(/error: .*Forbidden/);
  });
});
