import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createApp, loadConfig, type App } from '@countersign/server';
import { collect, gqlOk, wsClient } from './support/graphql.js';
import { ACTION_FIELDS, APPLY, DECIDE, INPUTS, SUBMIT, governanceYaml } from './support/fixtures.js';

async function startEmbedded(dataDir: string): Promise<App> {
  const grouped = process.env.COUNTERSIGN_GROUP_ASSIGNMENT_FROM;
  const result = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', COUNTERSIGN_DATA_DIR: dataDir, ...(grouped ? { COUNTERSIGN_GROUP_ASSIGNMENT_FROM: grouped } : {}) });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return createApp(result.config);
}

describe('the embedded database', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
  });

  it('keeps its data across a restart: an agent created before still authenticates after', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cs-embedded-'));
    dirs.push(dataDir);

    const first = await startEmbedded(dataDir);
    const adminToken = (await fs.readFile(path.join(dataDir, 'admin-token'), 'utf8')).trim();
    let apiKey: string;
    try {
      const created = await gqlOk(first.url, 'mutation { createAgent(input: {name: "survivor"}) { agent { id } apiKey } }', {}, adminToken);
      apiKey = created.createAgent.apiKey;
    } finally {
      await first.dispose();
    }

    const second = await startEmbedded(dataDir);
    try {
      // Same admin token (kept in the data dir), same agent, same key.
      expect((await fs.readFile(path.join(dataDir, 'admin-token'), 'utf8')).trim()).toBe(adminToken);
      const me = await gqlOk(second.url, '{ me { kind name } }', {}, apiKey);
      expect(me.me).toEqual({ kind: 'AGENT', name: 'survivor' });
    } finally {
      await second.dispose();
    }
  });

  it('runs the whole pipeline on PGlite: governance, every mode, a decision pushed live, and a valid audit chain', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cs-embedded-'));
    dirs.push(dataDir);
    const app = await startEmbedded(dataDir);
    try {
      const admin = (await fs.readFile(path.join(dataDir, 'admin-token'), 'utf8')).trim();
      const fiona = (await gqlOk(app.url, 'mutation { createApprover(input: {name: "fiona", roles: ["finance"]}) { token } }', {}, admin)).createApprover;
      await gqlOk(app.url, 'mutation { createApprover(input: {name: "carla", roles: ["compliance", "finance-lead"]}) { token } }', {}, admin);
      await gqlOk(app.url, 'mutation { createApprover(input: {name: "cfo"}) { token } }', {}, admin);
      const agent = (await gqlOk(app.url, 'mutation { createAgent(input: {name: "ap-agent"}) { apiKey } }', {}, admin)).createAgent;
      expect((await gqlOk(app.url, APPLY, { document: governanceYaml() }, admin)).applyGovernance.warnings).toEqual([]);

      const modes = [];
      for (const input of [INPUTS.auto, INPUTS.asyncReview, INPUTS.blocked]) {
        modes.push((await gqlOk(app.url, SUBMIT, { input }, agent.apiKey)).submitAction);
      }
      expect(modes.map((a) => [a.mode, a.status])).toEqual([['AUTO', 'APPROVED'], ['ASYNC_REVIEW', 'APPROVED'], ['BLOCK', 'DENIED']]);

      const pending = (await gqlOk(app.url, SUBMIT, { input: INPUTS.sync }, agent.apiKey)).submitAction;
      expect(pending.status).toBe('PENDING');
      const client = wsClient(app.url, agent.apiKey);
      try {
        const updates = collect<{ actionUpdated: { status: string } }>(client, `subscription($id: ID!) { actionUpdated(id: $id) { ${ACTION_FIELDS} } }`, { id: pending.id });
        await updates.until((v) => v.actionUpdated.status === 'PENDING');
        await gqlOk(app.url, DECIDE, { input: { actionId: pending.id, verdict: 'APPROVE' } }, fiona.token);
        await updates.until((v) => v.actionUpdated.status === 'APPROVED');
      } finally {
        await client.dispose();
      }
      expect((await gqlOk(app.url, '{ verifyAuditChain { valid checked } }', {}, admin)).verifyAuditChain).toMatchObject({ valid: true });
      const trail = (await gqlOk(app.url, 'query($id: ID!) { action(id: $id) { auditTrail { at kind } } }', { id: pending.id }, admin)).action.auditTrail;
      expect(trail.map((e: { kind: string }) => e.kind)).toEqual(['ACTION_SUBMITTED', 'ACTION_ASSIGNED', 'ACTION_DECIDED', 'ACTION_APPROVED']);
      for (const event of trail) expect(Number.isNaN(Date.parse(event.at))).toBe(false);
    } finally {
      await app.dispose();
    }
  });
});
