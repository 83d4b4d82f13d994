import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { toPayloads, type ChangeEvent } from './event-bus.js';

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
