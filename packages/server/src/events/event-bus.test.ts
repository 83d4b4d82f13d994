import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { EventBus, toPayloads, type ChangeEvent } from './event-bus.js';
import type { Logger } from '../logger.js';

describe('change events as NOTIFY payloads', () => {
  it('sends a small event as one payload', () => {
    const event: ChangeEvent = { actionId: randomUUID(), agentId: randomUUID(), queueChanged: [randomUUID()] };
    expect(toPayloads(event).map((p) => JSON.parse(p))).toEqual([event]);
  });

  it('splits a request assigned to a thousand approvers into payloads PostgreSQL accepts, losing nobody', () => {
    const queueChanged = Array.from({ length: 1000 }, () => randomUUID());
    const event: ChangeEvent = { actionId: randomUUID(), agentId: randomUUID(), queueChanged };
    const payloads = toPayloads(event);
    expect(payloads.length).toBeGreaterThan(1);
    for (const payload of payloads) {
      expect(Buffer.byteLength(payload)).toBeLessThan(8000);
      expect(JSON.parse(payload)).toMatchObject({ actionId: event.actionId, agentId: event.agentId });
    }
    expect(payloads.flatMap((p) => (JSON.parse(p) as ChangeEvent).queueChanged)).toEqual(queueChanged);
    // Every part names the same change, so that a subscriber reads it once for all parts.
    expect(new Set(payloads.map((p) => (JSON.parse(p) as ChangeEvent).change)).size).toBe(1);
    expect((JSON.parse(payloads[0]) as ChangeEvent).change).toEqual(expect.any(String));
  });
});

describe('handing events to approvers\' queues', () => {
  it('tells onQueueChange at once, then each queue in the order the events arrived, in a later turn', async () => {
    const bus = EventBus.inProcess({ warn() {}, error() {} } as unknown as Logger);
    const heard: string[] = [];
    const first: ChangeEvent = { actionId: 'a1', agentId: 'g', queueChanged: ['ann', 'bob'] };
    const second: ChangeEvent = { actionId: 'a2', agentId: 'g', queueChanged: ['bob'] };
    bus.onQueueChange((e) => heard.push(`prepare ${e.actionId}`));
    bus.onAction('a1', (e) => heard.push(`request ${e.actionId}`));
    for (const who of ['ann', 'bob']) bus.onQueue(who, (e) => heard.push(`${who} ${e.actionId}`));
    expect(bus.hasQueueListener('bob')).toBe(true);
    expect(bus.hasQueueListener('cid')).toBe(false);

    bus.afterCommit([first, second]);
    // The request's own listeners and the preparation now; nobody's queue yet.
    expect(heard).toEqual(['request a1', 'prepare a1', 'prepare a2']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(heard.slice(3)).toEqual(['ann a1', 'bob a1', 'bob a2']);
    await bus.close();
  });

  it('hands the event to every other queue when one subscriber fails, and logs the failure', async () => {
    const errors: unknown[] = [];
    const bus = EventBus.inProcess({ warn() {}, error: (fields: unknown) => errors.push(fields) } as unknown as Logger);
    const heard: string[] = [];
    bus.onQueue('ann', () => {
      throw new Error('ann broke');
    });
    bus.onQueue('bob', (e) => heard.push(`bob ${e.actionId}`));
    bus.afterCommit([{ actionId: 'a1', agentId: 'g', queueChanged: ['ann', 'bob'] }]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(heard).toEqual(['bob a1']);
    expect(errors).toEqual([expect.objectContaining({ approverId: 'ann', actionId: 'a1' })]);
    await bus.close();
  });
});
