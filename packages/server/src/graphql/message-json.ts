/**
 * The JSON of graphql-ws `next` messages, with each payload serialised once however many
 * subscribers it goes to.
 *
 * graphql-ws turns every message into text for every subscriber (`JSON.stringify` of
 * `{ id, type, payload }` with the server's `jsonMessageReplacer`). A result shared by a
 * thousand subscribers (shared-execution.ts) was so serialised a thousand times, a large
 * part of what each delivery cost the server (BENCHMARKS.md). Instead:
 *
 * - the replacer, asked for the `payload` of a `next` message, returns a placeholder and
 *   keeps the payload's JSON aside — serialised once per shared result and remembered
 *   with it, or serialised there and then for a result of one subscriber (the same work
 *   as before, so nothing else pays for this);
 * - the socket's `send`, called by graphql-ws straight after with that text, puts the
 *   JSON back in place of the placeholder.
 *
 * Both happen in one synchronous step of graphql-ws (`socket.send(stringifyMessage(...))`),
 * so the JSON kept aside always belongs to the text being sent; it is taken (cleared) on
 * every send. The placeholder is only ever replaced at the very end of the text, where
 * graphql-ws writes the payload (`id` and `type` come first), so no client-chosen `id` can
 * make it match.
 */
const PLACEHOLDER = '\u0000countersign:payload';
/** How the placeholder ends a serialised `next` message (JSON escapes the NUL). */
const SUFFIX = `${JSON.stringify(PLACEHOLDER)}}`;

export interface MessageJson {
  /** graphql-ws's `jsonMessageReplacer`. */
  replacer(this: unknown, key: string, value: unknown): unknown;
  /** The text to send in place of `text`, as graphql-ws produced it. */
  restore(text: string): string;
  /** A `next` message for the subscription `id`, as graphql-ws writes one (for results sent past it). */
  next(id: string, payload: object): string;
}

/**
 * @param isShared whether a payload object is handed to many subscribers (its JSON is then
 *   kept with it for the next of them; it must not change once sent).
 */
export function messageJson(isShared: (payload: object) => boolean): MessageJson {
  const serialised = new WeakMap<object, string>();
  let pending: string | undefined;

  const json = (payload: object): string => {
    if (!isShared(payload)) return JSON.stringify(payload);
    let text = serialised.get(payload);
    if (text === undefined) serialised.set(payload, (text = JSON.stringify(payload)));
    return text;
  };

  return {
    replacer(key, value) {
      if (key !== 'payload' || typeof value !== 'object' || value === null) return value;
      const holder = this as { type?: unknown } | null;
      if (holder?.type !== 'next') return value;
      pending = json(value);
      return PLACEHOLDER;
    },
    next(id, payload) {
      return `{"id":${JSON.stringify(id)},"type":"next","payload":${json(payload)}}`;
    },
    restore(text) {
      const payload = pending;
      pending = undefined;
      if (payload === undefined || !text.endsWith(SUFFIX)) return text;
      return `${text.slice(0, -SUFFIX.length)}${payload}}`;
    },
  };
}
