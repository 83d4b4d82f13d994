import { describe, expect, it } from 'vitest';
import { MessageType, stringifyMessage, type Message } from 'graphql-ws';
import { GraphQLError } from 'graphql';
import { messageJson } from './message-json.js';

/** What graphql-ws sends for `message` with the server's replacer, after the socket's send restores it. */
function sent(json: ReturnType<typeof messageJson>, message: Message): string {
  return json.restore(stringifyMessage(message, json.replacer));
}

/** A payload, and how many times it has been serialised (each serialisation reads `data` once). */
function counted(data: Record<string, unknown>): { payload: { data: Record<string, unknown> }; serialised(): number } {
  let reads = 0;
  const payload = {
    get data() {
      reads++;
      return data;
    },
  };
  return { payload, serialised: () => reads };
}

describe('graphql-ws messages with each shared payload serialised once', () => {
  it('sends exactly the text graphql-ws would send, and serialises a shared payload once for all its subscribers', () => {
    const shared = counted({ approvalQueueUpdated: { actionId: 'a1', inQueue: true, action: { summary: 'Pay "ACME" €1,200\n' } } });
    const json = messageJson((payload) => payload === shared.payload);
    for (const id of ['1', '2', 'sub-3']) {
      const message = { id, type: MessageType.Next, payload: shared.payload } as Message;
      const text = sent(json, message);
      expect(JSON.parse(text)).toMatchObject({ id, type: 'next', payload: { data: { approvalQueueUpdated: { actionId: 'a1' } } } });
      expect(text).toBe(stringifyMessage(message));
    }
    // Serialised once by the server's replacer; the comparisons above serialised it once each more.
    expect(shared.serialised()).toBe(1 + 3);
  });

  it('serialises a payload of one subscriber afresh each time, as graphql-ws did', () => {
    const own = counted({ actionUpdated: { id: 'a2', status: 'PENDING' } });
    const json = messageJson(() => false);
    sent(json, { id: '1', type: MessageType.Next, payload: own.payload } as Message);
    const text = sent(json, { id: '1', type: MessageType.Next, payload: own.payload } as Message);
    expect(JSON.parse(text)).toMatchObject({ id: '1', type: 'next', payload: { data: { actionUpdated: { id: 'a2' } } } });
    expect(own.serialised()).toBe(2);
  });

  it('leaves other messages as they are, errors included', () => {
    const json = messageJson(() => true);
    const error = { id: '7', type: MessageType.Error, payload: [new GraphQLError('Not allowed', { extensions: { code: 'FORBIDDEN' } }).toJSON()] } as Message;
    expect(sent(json, error)).toBe(stringifyMessage(error));
    const complete = { id: '7', type: MessageType.Complete } as Message;
    expect(sent(json, complete)).toBe(stringifyMessage(complete));
    const next = { id: '8', type: MessageType.Next, payload: { data: null, errors: [new GraphQLError('Internal server error.')] } } as unknown as Message;
    expect(JSON.parse(sent(json, next))).toEqual({ id: '8', type: 'next', payload: { data: null, errors: [{ message: 'Internal server error.' }] } });
  });

  it('cannot be steered by an id that spells the placeholder, nor by a payload set aside and never sent', () => {
    const json = messageJson(() => true);
    const id = '\u0000countersign:payload"}';
    const payload = { data: { ok: true } };
    expect(JSON.parse(sent(json, { id, type: MessageType.Next, payload } as Message))).toEqual({ id, type: 'next', payload });

    // graphql-ws serialises but does not send when the socket has closed meanwhile: what was
    // set aside must not end up in the next text sent on any socket.
    stringifyMessage({ id: '1', type: MessageType.Next, payload: { data: { stale: true } } } as Message, json.replacer);
    expect(sent(json, { id: '2', type: MessageType.Complete } as Message)).toBe('{"id":"2","type":"complete"}');
    expect(JSON.parse(sent(json, { id: '3', type: MessageType.Next, payload } as Message)).payload).toEqual(payload);
  });

  it('writes a pushed result as the next message graphql-ws would send, the shared payload serialised once', () => {
    const shared = counted({ approvalQueueUpdated: { actionId: 'a3', inQueue: false } });
    const json = messageJson((payload) => payload === shared.payload);
    for (const id of ['1', 'a "quoted" id']) {
      expect(json.next(id, shared.payload)).toBe(stringifyMessage({ id, type: MessageType.Next, payload: shared.payload } as Message));
    }
    expect(shared.serialised()).toBe(1 + 2);
    const failed = { data: null, errors: [new GraphQLError('Internal server error.', { extensions: { code: 'INTERNAL' } })] };
    expect(JSON.parse(json.next('9', failed))).toEqual({ id: '9', type: 'next', payload: { data: null, errors: [{ message: 'Internal server error.', extensions: { code: 'INTERNAL' } }] } });
  });
});
