import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { waitFor } from './support/wait.js';
import { gqlOk } from './support/graphql.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = path.join(ROOT, 'packages/server/dist/main.js');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function run(command: string, args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  // Its own process group, so a signal reaches pnpm and the server it started, as Ctrl-C would.
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe('running the server as a user does', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
    for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
  });

  it("starts with the README's command on the embedded database, serves /readyz, and stops cleanly on SIGTERM", async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cs-start-'));
    dirs.push(dataDir);
    const port = await freePort();
    const server = run('pnpm', ['start'], { PORT: String(port), COUNTERSIGN_DATA_DIR: dataDir, LOG_LEVEL: 'info', DATABASE_URL: '', COUNTERSIGN_BOOTSTRAP_TOKEN: '' });
    children.push(server.child);
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, { timeoutMs: 90_000, what: `/readyz (output: ${server.output()})` });

    // The generated admin token is in the data dir, and the log says where (never the token itself).
    const token = (await fs.readFile(path.join(dataDir, 'admin-token'), 'utf8')).trim();
    expect(server.output()).toContain(path.join(dataDir, 'admin-token'));
    expect(server.output()).not.toContain(token);
    const data = await gqlOk(`${base}/graphql`, '{ me { kind } }', {}, token);
    expect(data.me.kind).toBe('ADMIN');

    process.kill(-server.child.pid!, 'SIGTERM');
    await server.exited;
    // The server finished its graceful shutdown (pnpm's own exit status reflects the signal).
    await waitFor(() => server.output().includes('"msg":"stopped"'), { what: 'the server to log that it stopped' });
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('fails fast on bad configuration, naming the variable', async () => {
    const server = run(process.execPath, [MAIN], { PORT: 'abc', LOG_LEVEL: 'loud' });
    children.push(server.child);
    expect(await server.exited).toBe(2);
    expect(server.output()).toMatch(/PORT="abc" is not valid/);
    expect(server.output()).toMatch(/LOG_LEVEL="loud" is not valid/);
  });
});
