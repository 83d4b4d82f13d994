import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from './support/wait.js';
import { gqlOk } from './support/graphql.js';
import { SERVER_MAIN, freePort, run, type Spawned } from './support/process.js';

describe('running the server as a user does', () => {
  const dirs: string[] = [];
  const children: Spawned[] = [];
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
  });

  it("starts with the README's command on the embedded database, serves /readyz, and stops cleanly on SIGTERM", async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cs-start-'));
    dirs.push(dataDir);
    const port = await freePort();
    const server = run('pnpm', ['start'], { PORT: String(port), COUNTERSIGN_DATA_DIR: dataDir, LOG_LEVEL: 'info', DATABASE_URL: '', COUNTERSIGN_BOOTSTRAP_TOKEN: '' });
    children.push(server);
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, { timeoutMs: 200_000, what: `/readyz (output: ${server.output()})` });

    // The generated admin token is in the data dir, and the log says where (never the token itself).
    const token = (await fs.readFile(path.join(dataDir, 'admin-token'), 'utf8')).trim();
    expect(server.output()).toContain(path.join(dataDir, 'admin-token'));
    expect(server.output()).not.toContain(token);
    const data = await gqlOk(`${base}/graphql`, '{ me { kind } }', {}, token);
    expect(data.me.kind).toBe('ADMIN');

    server.kill('SIGTERM');
    await server.exited;
    // The server finished its graceful shutdown (pnpm's own exit status reflects the signal).
    await waitFor(() => server.output().includes('"msg":"stopped"'), { what: 'the server to log that it stopped' });
    expect(server.output()).not.toContain('shutdown took longer');
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  }, 240_000);

  it('fails fast on bad configuration, naming the variable', async () => {
    const server = run(process.execPath, [SERVER_MAIN], { PORT: 'abc', LOG_LEVEL: 'loud', COUNTERSIGN_GROUP_ASSIGNMENT_FROM: '0' });
    children.push(server);
    expect(await server.exited).toBe(2);
    expect(server.output()).toMatch(/PORT="abc" is not valid/);
    expect(server.output()).toMatch(/LOG_LEVEL="loud" is not valid/);
    expect(server.output()).toMatch(/COUNTERSIGN_GROUP_ASSIGNMENT_FROM="0" is not valid: expected a whole number from 1/);
  });
});
