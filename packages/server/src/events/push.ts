import type { Latch } from '../shared/latch.js';

/**
 * What a subscription's source offers the GraphQL layer (graphql/shared-execution.ts, which
 * owns shared execution): payloads marked as handed to many subscribers, and a way to push
 * them instead of being pulled. A leaf module, so event sources need nothing of graphql/.
 */

const SHAREABLE = new WeakSet<object>();

/** Marks a subscription payload as one object handed to many subscribers (see shared-execution.ts). */
export function shareable<T extends object>(payload: T): T {
  SHAREABLE.add(payload);
  return payload;
}

/** Whether `payload` was marked with {@link shareable}. */
export function isShareable(payload: unknown): payload is object {
  return typeof payload === 'object' && payload !== null && SHAREABLE.has(payload);
}

/**
 * A source stream that can push its events instead of being pulled: each event's payload
 * (a latch, settled when what it needs has been read), in order.
 */
export interface PushSource<T> extends AsyncIterator<T> {
  [PUSH](deliver: (payload: Latch<T>) => void): void;
}

/** The method by which a {@link PushSource} is told where to push. */
export const PUSH = Symbol('push');
