import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface GraphQLResult<T = Record<string, any>> {
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: { code?: string; field?: string; [key: string]: unknown } }[];
  status: number;
  /** The Retry-After header, if any. */
  retryAfter?: string | null;
}

/** One raw GraphQL request over HTTP, exactly as an integrator would send it. */
export async function gql<T = Record<string, any>>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GraphQLResult<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GraphQLResult<T>;
  return { ...body, status: response.status, retryAfter: response.headers.get('retry-after') };
}

/** Like {@link gql} but fails the test on any error and returns `data`. */
export async function gqlOk<T = Record<string, any>>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const result = await gql<T>(url, query, variables, token);
  if (result.errors?.length) {
    throw new Error(`GraphQL errors: ${JSON.stringify(result.errors, null, 2)}`);
  }
  return result.data as T;
}

/** The `extensions.code` of the first error, for asserting the contract's codes. */
export function errorCode(result: GraphQLResult): string | undefined {
  return result.errors?.[0]?.extensions?.code;
}

/** A graphql-ws client authenticated the way DESIGN §4 says (connectionParams). */
export function wsClient(url: string, token?: string, options: { retryAttempts?: number } = {}): Client {
  return createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: options.retryAttempts ?? 0,
    lazy: true,
  });
}

/** Runs one operation over WebSocket and resolves with its first result. */
export function wsOnce<T = Record<string, any>>(client: Client, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResult<T>> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const dispose = client.subscribe<T>(
      { query, variables },
      {
        next(value) {
          if (settled) return;
          settled = true;
          dispose();
          resolve({ ...(value as GraphQLResult<T>), status: 200 });
        },
        error(error) {
          if (settled) return;
          settled = true;
          // A closed socket arrives as a CloseEvent ({code, reason}); keep it so tests can read the code.
          if (error instanceof Error) reject(error);
          else if (error && typeof error === 'object' && 'code' in error) reject(Object.assign(new Error(`socket closed: ${String((error as { code: unknown }).code)}`), { code: (error as { code: unknown }).code }));
          else reject(new Error(JSON.stringify(error)));
        },
        complete() {
          if (!settled) reject(new Error('completed without a result'));
        },
      },
    );
  });
}

/** A live subscription whose results a test can wait on. */
export interface Collected<T> {
  values: T[];
  errors: unknown[];
  /** Resolves when the server completes the subscription. */
  completed: Promise<void>;
  /** Waits until some value satisfies `predicate` (or the deadline passes). */
  until(predicate: (value: T) => boolean, timeoutMs?: number): Promise<T>;
  dispose(): void;
}

/** Subscribes over graphql-ws and collects every `data` payload. */
export function collect<T = Record<string, any>>(client: Client, query: string, variables: Record<string, unknown> = {}): Collected<T> {
  const values: T[] = [];
  const errors: unknown[] = [];
  const waiters: { predicate: (value: T) => boolean; resolve: (value: T) => void }[] = [];
  let complete!: () => void;
  const completed = new Promise<void>((resolve) => (complete = resolve));
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next(result) {
        if (result.errors) errors.push(...result.errors);
        if (!result.data) return;
        const value = result.data as T;
        values.push(value);
        for (const waiter of [...waiters]) {
          if (waiter.predicate(value)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(value);
          }
        }
      },
      error(error) {
        errors.push(error);
        complete();
      },
      complete,
    },
  );
  return {
    values,
    errors,
    completed,
    until(predicate, timeoutMs = 20_000) {
      const found = values.find(predicate);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching subscription value within ${timeoutMs} ms; got ${JSON.stringify(values).slice(0, 2000)}; errors ${JSON.stringify(errors)}`)), timeoutMs);
        waiters.push({ predicate, resolve: (v) => (clearTimeout(timer), resolve(v)) });
      });
    },
    dispose,
  };
}
