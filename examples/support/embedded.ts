/**
 * The stage the examples play on: an embedded Countersign server (PGlite in a temporary
 * directory, nothing to install), with approvers, an agent and a governance document,
 * set up through the admin API exactly as `countersign` would. None of this is agent code.
 *
 * Set COUNTERSIGN_URL and COUNTERSIGN_TOKEN (an admin token) to use a running server
 * instead, e.g. one started with `pnpm start`. An example replaces that server's governance
 * and adds approvers and an agent, so it refuses, saying what it would change, unless run
 * with --reset-governance.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createApp, loadConfig } from '@countersign/server';

export interface Stage {
  url: string;
  adminToken: string;
  /** Creates an approver; returns its id and token. */
  approver(name: string, roles: string[]): Promise<{ id: string; name: string; token: string }>;
  /** Creates an agent; returns its API key. */
  agent(name: string): Promise<{ id: string; apiKey: string }>;
  applyGovernance(document: string): Promise<void>;
  dispose(): Promise<void>;
}

/** What an example sets up, so that it can say so before touching a server that is not its own. */
export interface Setup {
  readonly governance: string;
  readonly approvers: readonly string[];
  readonly agent: string;
}

/** The flag that lets an example replace the governance of a server it did not start. */
export const RESET_FLAG = '--reset-governance';

export async function startStage(setup: Setup): Promise<Stage> {
  const external = process.env.COUNTERSIGN_URL && process.env.COUNTERSIGN_TOKEN;
  let url: string;
  let adminToken: string;
  let dispose = async () => {};
  if (external) {
    url = graphqlEndpoint(process.env.COUNTERSIGN_URL!);
    adminToken = process.env.COUNTERSIGN_TOKEN!;
    if (!process.argv.includes(RESET_FLAG)) {
      process.stderr.write(`${await refusal(url, adminToken, setup)}\n`);
      process.exit(1);
    }
  } else {
    const dataDir = await mkdtemp(join(tmpdir(), 'countersign-example-'));
    adminToken = randomBytes(24).toString('hex');
    const loaded = loadConfig({ COUNTERSIGN_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', COUNTERSIGN_BOOTSTRAP_TOKEN: adminToken });
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    console.log('Starting an embedded Countersign server (a few seconds on first start)…');
    const app = await createApp(loaded.config);
    url = app.url;
    dispose = async () => {
      await app.dispose();
      await rm(dataDir, { recursive: true, force: true });
    };
  }
  const admin = graphql(url, adminToken);
  const suffix = randomBytes(3).toString('hex');
  return {
    url,
    adminToken,
    async approver(name, roles) {
      const { createApprover } = await admin<{ createApprover: { approver: { id: string }; token: string } }>(
        'mutation($input: CreateApproverInput!) { createApprover(input: $input) { approver { id } token } }',
        { input: { name: external ? `${name}-${suffix}` : name, roles, email: `${name}@example.com` } },
      );
      return { id: createApprover.approver.id, name, token: createApprover.token };
    },
    async agent(name) {
      const { createAgent } = await admin<{ createAgent: { agent: { id: string }; apiKey: string } }>(
        'mutation($input: CreateAgentInput!) { createAgent(input: $input) { agent { id } apiKey } }',
        { input: { name: external ? `${name}-${suffix}` : name } },
      );
      return { id: createAgent.agent.id, apiKey: createAgent.apiKey };
    },
    async applyGovernance(document) {
      await admin('mutation($document: String!) { applyGovernance(document: $document) { version } }', { document });
    },
    dispose,
  };
}

/** The server's base URL (as `countersign login` takes it) means its /graphql endpoint. */
function graphqlEndpoint(url: string): string {
  const endpoint = new URL(url);
  if (endpoint.pathname === '' || endpoint.pathname === '/') endpoint.pathname = '/graphql';
  return endpoint.toString();
}

/** What the example would do to a server that is not its own, from a dry run of its document. */
async function refusal(url: string, token: string, setup: Setup): Promise<string> {
  const admin = graphql(url, token);
  const { governance } = await admin<{ governance: { version: number | null } }>('{ governance { version } }');
  const { applyGovernance: plan } = await admin<{ applyGovernance: { changes: { kind: string; name: string; op: string }[] } }>(
    'mutation($document: String!) { applyGovernance(document: $document, dryRun: true) { changes { kind name op } } }',
    { document: setup.governance },
  );
  const count = (op: string) => plan.changes.filter((c) => c.op === op).length;
  const changes = plan.changes.map((c) => `  ${c.op === 'CREATE' ? '+' : c.op === 'DELETE' ? '-' : '~'} ${c.kind} ${c.name}`).join('\n');
  const current = governance.version === null ? 'no governance yet' : `governance version ${governance.version}`;
  return [
    `This example would change ${url}, which is not its own server (${current}):`,
    `- replace its governance with the example's: ${count('CREATE')} added, ${count('UPDATE')} changed, ${count('DELETE')} removed`,
    ...(changes ? [changes] : []),
    `- add approvers ${setup.approvers.join(', ')} and agent ${setup.agent} (with a random suffix)`,
    `Nothing was changed. Run it again with ${RESET_FLAG} to do this, or without COUNTERSIGN_URL to use its own embedded server.`,
  ].join('\n');
}

/** A minimal GraphQL caller for the admin and approver sides of the examples. */
export function graphql(url: string, token: string) {
  return async <T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
    if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
    return body.data as T;
  };
}
