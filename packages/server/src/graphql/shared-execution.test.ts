import { describe, expect, it } from 'vitest';
import { GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, GraphQLBoolean, parse, type ExecutionResult } from 'graphql';
import { sharedSubscribe, shareable } from './shared-execution.js';
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
    subscription: new GraphQLObjectType<unknown, Context & { feed: unknown[] }>({
      name: 'Subscription',
      fields: {
        news: {
          type: new GraphQLNonNull(news),
          subscribe: async function* (_root, _args, ctx) {
            yield* ctx.feed;
          },
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
