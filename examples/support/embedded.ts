/**
 * The stage the examples play on: an embedded Countersign server (PGlite in a temporary
 * directory, nothing to install), with approvers, an agent and a governance document,
 * set up through the admin API exactly as `countersign` would. None of this is agent code.
 *
 * Set COUNTERSIGN_URL and COUNTERSIGN_TOKEN (an admin token) to use a running server
 * instead, e.g. one started with `pnpm start`.
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

export async function startStage(): Promise<Stage> {
  const external = process.env.COUNTERSIGN_URL && process.env.COUNTERSIGN_TOKEN;
  let url: string;
  let adminToken: string;
  let dispose = async () => {};
  if (external) {
    url = process.env.COUNTERSIGN_URL!;
    adminToken = process.env.COUNTERSIGN_TOKEN!;
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
