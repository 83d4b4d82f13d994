import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { OpenConnections, WsCloseCode } from './connections.js';
import type { Credential } from '../auth/credentials.js';
import { principalTopic } from '../auth/credentials.js';
import type { Principal } from '../auth/principal.js';
import { EventBus } from '../events/event-bus.js';
import { PrincipalKind } from '../shared/enums.js';
import type { Logger } from '../logger.js';

const logger = { warn() {}, error() {} } as unknown as Logger;

/** A socket as OpenConnections sees one: it closes (once) and says so. */
class FakeSocket extends EventEmitter {
  closedWith: number | null = null;
  close(code: number) {
    if (this.closedWith !== null) return;
    this.closedWith = code;
    setImmediate(() => this.emit('close', code));
  }
}

function credential(principal: Principal, valid: { now: Principal | null }, checks = { count: 0 }): Credential {
  return {
    principal,
    topics: principal.id ? [principalTopic(principal.kind, principal.id)] : [],
    recheck: async () => {
      checks.count++;
      return valid.now;
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
/** Waits for `check` (a socket closed by an announced change waits out the push grace first), up to a deadline. */
const until = async (check: () => boolean) => {
  const deadline = Date.now() + 5000;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('open WebSocket connections', () => {
  const alice: Principal = { kind: PrincipalKind.APPROVER, id: 'a1', name: 'alice', roles: ['finance'] };
  const bob: Principal = { kind: PrincipalKind.APPROVER, id: 'b1', name: 'bob', roles: [] };

  it('counts connections per principal and forgets a connection when its socket closes', async () => {
    const connections = new OpenConnections(logger);
    const sockets = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
    connections.add(sockets[0] as unknown as WebSocket, credential(alice, { now: alice }));
    connections.add(sockets[1] as unknown as WebSocket, credential(alice, { now: alice }));
    connections.add(sockets[2] as unknown as WebSocket, credential(bob, { now: bob }));
    expect(connections.countOf(alice)).toBe(2);
    expect(connections.countOf(bob)).toBe(1);
    sockets[0]!.close(1000);
    await until(() => connections.countOf(alice) === 1);
    expect(connections.countOf(alice)).toBe(1);
    expect(connections.size).toBe(2);
  });

  it('rechecks only the connections of the principal an event names, closing those whose credential died with 4403', async () => {
    const connections = new OpenConnections(logger);
    const aliceValid = { now: alice as Principal | null };
    const bobChecks = { count: 0 };
    const aliceSocket = new FakeSocket();
    const bobSocket = new FakeSocket();
    connections.add(aliceSocket as unknown as WebSocket, credential(alice, aliceValid));
    connections.add(bobSocket as unknown as WebSocket, credential(bob, { now: bob }, bobChecks));
    const bus = EventBus.inProcess(logger);
    bus.onPrincipalChanged((topic) => connections.recheckTopic(topic));

    aliceValid.now = null;
    await bus.principalChanged({ execute: async () => [] as never }, principalTopic(PrincipalKind.APPROVER, 'a1'));
    await until(() => aliceSocket.closedWith !== null);
    expect(aliceSocket.closedWith).toBe(WsCloseCode.FORBIDDEN);
    expect(bobSocket.closedWith).toBeNull();
    expect(bobChecks.count).toBe(0);
    await bus.close();
  });

  it('takes the principal a recheck answers (new roles), and keeps a connection whose recheck could not run', async () => {
    const connections = new OpenConnections(logger);
    const socket = new FakeSocket();
    const promoted: Principal = { ...alice, roles: ['finance', 'finance-lead'] } as Principal;
    const connection = connections.add(socket as unknown as WebSocket, credential(alice, { now: promoted }));
    expect(await connections.recheck(connection)).toBe('valid');
    expect(connection.principal).toEqual(promoted);

    const flakySocket = new FakeSocket();
    const flaky = connections.add(flakySocket as unknown as WebSocket, {
      principal: bob,
      topics: [],
      recheck: () => Promise.reject(new Error('database unreachable')),
    });
    expect(await connections.recheck(flaky)).toBe('unknown');
    await settle();
    expect(flakySocket.closedWith).toBeNull();
  });

  it('sweeps every connection', async () => {
    const connections = new OpenConnections(logger);
    const dead = new FakeSocket();
    const alive = new FakeSocket();
    connections.add(dead as unknown as WebSocket, credential(alice, { now: null }));
    connections.add(alive as unknown as WebSocket, credential(bob, { now: bob }));
    connections.sweep();
    await until(() => dead.closedWith !== null);
    expect(dead.closedWith).toBe(4403);
    expect(alive.closedWith).toBeNull();
  });
});
