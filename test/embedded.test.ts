import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createApp, loadConfig, type App } from '@countersign/server';
import { gqlOk } from './support/graphql.js';

async function startEmbedded(dataDir: string): Promise<App> {
  const result = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', COUNTERSIGN_DATA_DIR: dataDir });
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
});
