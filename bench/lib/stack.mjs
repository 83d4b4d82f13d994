import { randomBytes } from 'node:crypto';
import { startChild } from './proc.mjs';
import { gql, pool } from './graphql.mjs';
import { APPLY, CREATE_AGENT, CREATE_APPROVER, governanceYaml } from './fixtures.mjs';

/** The admin token every bench server accepts (COUNTERSIGN_BOOTSTRAP_TOKEN). */
export const ADMIN_TOKEN = `bench-bootstrap-${randomBytes(16).toString('hex')}`;

/**
 * Starts a Countersign server in a child process on `db` (a {@link createDatabase} result),
 * or on embedded PGlite when `db` is null (then `dataDir` is required). Production defaults
 * otherwise (pool size 10, timer poll 250 ms), so the numbers are what a deployment gets —
 * except the rate limit: raised far past what the load generators send (the scenarios
 * drive a few principals at machine speed), but still counted on every request, so its cost
 * is in every row. The noisy-neighbour scenario sets the real default.
 */
export async function startCountersign(name, db, { env = {}, dataDir } = {}) {
  return startChild(name, 'countersign.mjs', {
    ...(db ? { DATABASE_URL: db.url } : { DATABASE_URL: '', COUNTERSIGN_DATA_DIR: dataDir }),
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    COUNTERSIGN_BOOTSTRAP_TOKEN: ADMIN_TOKEN,
    COUNTERSIGN_RATE_LIMIT: '1000000',
    COUNTERSIGN_RATE_LIMIT_BURST: '1000000',
    ...env,
  });
}

export async function applyGovernance(url, options) {
  return (await gql(url, APPLY, { document: governanceYaml(options) }, ADMIN_TOKEN)).applyGovernance;
}

/** Creates `count` agents named `${prefix}-${i}`; returns `{id, name, apiKey}` each. */
export async function createAgents(url, prefix, count, concurrency = 8) {
  return pool(count, concurrency, async (i) => {
    const { createAgent } = await gql(url, CREATE_AGENT, { input: { name: `${prefix}-${i}` } }, ADMIN_TOKEN);
    return { ...createAgent.agent, apiKey: createAgent.apiKey };
  });
}

/** Creates one approver per name with `roles`; returns `{id, name, token}` each. */
export async function createApprovers(url, names, roles, concurrency = 8) {
  return pool(names.length, concurrency, async (i) => {
    const name = names[i];
    const { createApprover } = await gql(url, CREATE_APPROVER, { input: { name, roles, email: `${name}@example.com` } }, ADMIN_TOKEN);
    return { ...createApprover.approver, token: createApprover.token };
  });
}

/** `${prefix}-0` … `${prefix}-${count - 1}`. */
export function names(prefix, count) {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
}
