/**
 * A GraphQL document with the TypeScript types of its result and variables attached, so
 * `api.request(AGENTS, { first: 50 })` is checked at compile time and returns typed data.
 * The phantom `__types` field is never set; it only carries the types.
 */
export interface Operation<TData, TVariables> {
  readonly name: string;
  readonly source: string;
  readonly __types?: (variables: TVariables) => TData;
}

/** Declares an operation; the name is read from the document so the two never disagree. */
export function operation<TData, TVariables = Record<string, never>>(source: string): Operation<TData, TVariables> {
  const name = /(?:query|mutation|subscription)\s+(\w+)/.exec(source)?.[1];
  if (!name) throw new Error(`Operation without a name: ${source.slice(0, 60)}`);
  return { name, source };
}
