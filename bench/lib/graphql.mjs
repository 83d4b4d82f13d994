import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** One GraphQL request over HTTP; throws on transport or GraphQL errors. */
export async function gql(url, query, variables = {}, token) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${response.status}: ${text.slice(0, 500)}`);
  }
  if (body.errors?.length) {
    const error = new Error(`GraphQL: ${body.errors.map((e) => `${e.extensions?.code ?? ''} ${e.message}`).join('; ')}`);
    error.errors = body.errors;
    throw error;
  }
  return body.data;
}

/** A graphql-ws client authenticated as DESIGN §4 says; no retries, so failures show. */
export function wsClient(url, token, options = {}) {
  return createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
    ...options,
  });
}

/**
 * Runs `count` async jobs with at most `concurrency` in flight; returns results in order.
 * Fails fast on the first error.
 */
export async function pool(count, concurrency, job) {
  const results = new Array(count);
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await job(i);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Current time in ms with sub-millisecond resolution, comparable with Date.now(). */
export function nowMs() {
  return performance.timeOrigin + performance.now();
}

/** Resolves when `predicate()` holds, polling; rejects after `timeoutMs`. */
export async function until(predicate, { timeoutMs, intervalMs = 20, what = 'condition' }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
