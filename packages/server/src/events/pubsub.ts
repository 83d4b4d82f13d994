import { EventEmitter } from 'node:events';
import type { PubSub } from 'type-graphql';
import { BoundedStream } from './bounded-stream.js';

/**
 * The in-process PubSub type-graphql requires for `@Subscription(topics)`. Countersign's
 * own subscriptions use `subscribe` functions over the {@link EventBus} instead (they must
 * read state and check access), so this serves only topic-based subscriptions, with the
 * same bounded buffer per subscriber (STACK-NOTES: one unbounded shared buffer crashed).
 */
export function createPubSub(limit = 1000): PubSub {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    publish(routingKey: string, payload?: unknown) {
      emitter.emit(routingKey, payload);
    },
    subscribe(routingKey: string) {
      const stream = new BoundedStream<unknown>(limit, () => undefined);
      const listener = (payload: unknown) => stream.push(payload);
      emitter.on(routingKey, listener);
      stream.onClose(() => emitter.off(routingKey, listener));
      return stream;
    },
  };
}
