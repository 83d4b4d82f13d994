import { describe, expect, it } from 'vitest';
import { GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, GraphQLBoolean, parse, type ExecutionResult } from 'graphql';
import { PUSH, sharedSubscribe, shareable, type PushSource } from './shared-execution.js';
import { Latch } from '../shared/latch.js';
import type { Context } from './context.js';
import type { Principal } from '../auth/principal.js';
import { PrincipalKind } from '../shared/enums.js';

interface News {
  headline: string;
}

/** A subscription whose fields read as little or as much of the subscriber as a resolver may. */
function newsSchema(runs: { headline: number }) {
  const news = new GraphQLObjectType<News, Context>({
    name: 'News',
    fields: {
      headline: { type: new GraphQLNonNull(GraphQLString), resolve: (n) => (runs.headline++, n.headline) },
      // Depends on who asks (their name): never to be shared.
      forYou: { type: new GraphQLNonNull(GraphQLString), resolve: (n, _a, ctx) => `${n.headline}, ${ctx.principal!.name}` },
      // Depends on the kind only, as `@Authorized(kind)` does: shared between subscribers of one kind.
      forApprovers: { type: GraphQLBoolean, resolve: (_n, _a, ctx) => ctx.principal!.kind === PrincipalKind.APPROVER },
    },
  });
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLBoolean } } }),
    subscription: new GraphQLObjectType<unknown, Context & { feed: unknown[]; source?: () => AsyncIterable<unknown> }>({
      name: 'Subscription',
      fields: {
        news: {
          type: new GraphQLNonNull(news),
          subscribe: (_root, _args, ctx) =>
            ctx.source?.() ??
            (async function* () {
              yield* ctx.feed;
            })(),
          resolve: (payload) => payload,
        },
      },
    }),
  });
}

const approver = (name: string): Principal => ({ kind: PrincipalKind.APPROVER, id: `id-${name}`, name, roles: [] });
const admin = (name: string): Principal => ({ kind: PrincipalKind.ADMIN, id: `id-${name}`, name });

/** Subscribes each principal to `query` over the same feed and returns what each received. */
async function deliver(query: string, principals: Principal[], feed: unknown[]) {
  const runs = { headline: 0 };
  const schema = newsSchema(runs);
  const subscribe = sharedSubscribe((principal) => ({ principal }) as Context);
  const document = parse(query);
  const streams = await Promise.all(
    principals.map((principal) => subscribe({ schema, document, contextValue: { principal, feed } })),
  );
  const received: ExecutionResult[][] = principals.map(() => []);
  // Step all subscribers through the feed together, as one event reaches all of them at once.
  for (let i = 0; i < feed.length; i++) {
    const steps = await Promise.all(streams.map((s) => (s as AsyncGenerator<ExecutionResult>).next()));
    steps.forEach((step, j) => received[j].push(step.value as ExecutionResult));
  }
  return { received, runs };
}

describe('one execution of a subscription event for every subscriber it reaches alike', () => {
  it('executes a shared event once for subscribers of one kind, and each event on its own', async () => {
    const feed = [shareable({ headline: 'first' }), shareable({ headline: 'second' })];
    const { received, runs } = await deliver('subscription { news { headline forApprovers } }', [approver('a'), approver('b'), approver('c')], feed);
    expect(received).toEqual(Array(3).fill([
      { data: { news: { headline: 'first', forApprovers: true } } },
      { data: { news: { headline: 'second', forApprovers: true } } },
    ]));
    expect(runs.headline).toBe(2);
  });

  it('keeps kinds apart: what an admin is answered is not an approver’s', async () => {
    const { received, runs } = await deliver('subscription { news { forApprovers headline } }', [approver('a'), admin('root'), approver('b')], [shareable({ headline: 'x' })]);
    expect(received.map((r) => r[0].data)).toEqual([
      { news: { forApprovers: true, headline: 'x' } },
      { news: { forApprovers: false, headline: 'x' } },
      { news: { forApprovers: true, headline: 'x' } },
    ]);
    expect(runs.headline).toBe(2);
  });

  it('executes for each subscriber when a field reads who is asking', async () => {
    const { received, runs } = await deliver('subscription { news { headline forYou } }', [approver('ann'), approver('bob')], [shareable({ headline: 'hi' })]);
    expect(received.map((r) => r[0].data)).toEqual([{ news: { headline: 'hi', forYou: 'hi, ann' } }, { news: { headline: 'hi', forYou: 'hi, bob' } }]);
    // The first run found out it read a name; the second subscriber ran for itself.
    expect(runs.headline).toBe(2);
  });

  it('never shares events the source did not mark as shareable', async () => {
    const { received, runs } = await deliver('subscription { news { headline } }', [approver('a'), approver('b')], [{ headline: 'own' }]);
    expect(received.map((r) => r[0].data)).toEqual([{ news: { headline: 'own' } }, { news: { headline: 'own' } }]);
    expect(runs.headline).toBe(2);
  });
});

/** A source that pushes the latches it is given, as the approval queue's does. */
class TestSource implements PushSource<unknown>, AsyncIterableIterator<unknown> {
  deliver?: (payload: Latch<unknown>) => void;
  returned = false;
  [PUSH](deliver: (payload: Latch<unknown>) => void): void {
    this.deliver = deliver;
  }
  next(): Promise<IteratorResult<unknown>> {
    throw new Error('a push source is not pulled when the subscriber can be sent to');
  }
  async return(): Promise<IteratorResult<unknown>> {
    this.returned = true;
    return { value: undefined, done: true };
  }
  [Symbol.asyncIterator]() {
    return this;
  }
}

/** Subscribes each principal over its own pushing source; each context sends into its own list. */
async function pushed(query: string, principals: Principal[]) {
  const runs = { headline: 0 };
  const schema = newsSchema(runs);
  const subscribe = sharedSubscribe((principal) => ({ principal }) as Context);
  const document = parse(query);
  const sent: ExecutionResult[][] = principals.map(() => []);
  const sources = principals.map(() => new TestSource());
  const streams = await Promise.all(
    principals.map(
      (principal, i) =>
        subscribe({ schema, document, contextValue: { principal, feed: [], source: () => sources[i], sendNext: (r: ExecutionResult) => sent[i].push(r) } }) as Promise<AsyncGenerator<ExecutionResult>>,
    ),
  );
  /** Pushes the same payload latch to every subscriber, as one event reaching all of them. */
  const push = (payload: Latch<unknown>) => sources.forEach((source) => source.deliver!(payload));
  return { sent, sources, streams, runs, push };
}

/** Lets pending promise callbacks (an execution's) run. */
const settleDown = () => new Promise((resolve) => setImmediate(resolve));

describe('results pushed to subscribers who can be sent to directly', () => {
  it('sends one shared execution to every subscriber, each result in the order its event arrived', async () => {
    const { sent, runs, push } = await pushed('subscription { news { headline } }', [approver('a'), approver('b'), approver('c')]);
    const first = new Latch<unknown>();
    const second = Latch.of(shareable({ headline: 'second' }));
    push(first);
    // The second event is ready first; it waits for the first, which is still being read.
    push(second);
    await settleDown();
    expect(sent).toEqual([[], [], []]);
    first.settle({ ok: true, value: shareable({ headline: 'first' }) });
    await settleDown();
    expect(sent.map((s) => s.map((r) => (r.data as { news: News }).news.headline))).toEqual(Array(3).fill(['first', 'second']));
    // One execution per event for all three, and the one result object is what each was sent.
    expect(runs.headline).toBe(2);
    expect(sent[1][0]).toBe(sent[0][0]);
  });

  it('ends the stream with the error of an event that could not be made, after the results before it', async () => {
    const { sent, streams, sources, push } = await pushed('subscription { news { headline } }', [approver('a')]);
    const ending = streams[0].next();
    push(Latch.of(shareable({ headline: 'before' })));
    push(Latch.of(Promise.reject(new Error('the read failed'))));
    push(Latch.of(shareable({ headline: 'after' })));
    await expect(ending).rejects.toThrow('the read failed');
    await settleDown();
    expect(sent[0].map((r) => (r.data as { news: News }).news.headline)).toEqual(['before']);
    expect(sources[0].returned).toBe(true);
  });

  it('sends nothing more once the subscriber unsubscribes, and ends its stream as done', async () => {
    const { sent, streams, sources, push } = await pushed('subscription { news { headline } }', [approver('a')]);
    const ending = streams[0].next();
    const late = new Latch<unknown>();
    push(late);
    await streams[0].return();
    late.settle({ ok: true, value: shareable({ headline: 'too late' }) });
    await settleDown();
    expect(sent[0]).toEqual([]);
    await expect(ending).resolves.toEqual({ value: undefined, done: true });
    expect(sources[0].returned).toBe(true);
  });

  it('executes for each subscriber when a field reads who is asking, still in order', async () => {
    const { sent, runs, push } = await pushed('subscription { news { headline forYou } }', [approver('ann'), approver('bob')]);
    push(Latch.of(shareable({ headline: 'hi' })));
    await settleDown();
    expect(sent.map((s) => s.map((r) => r.data))).toEqual([[{ news: { headline: 'hi', forYou: 'hi, ann' } }], [{ news: { headline: 'hi', forYou: 'hi, bob' } }]]);
    expect(runs.headline).toBe(2);
  });
});
