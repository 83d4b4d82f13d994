import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { BIN, runCli, type RunOptions, type RunResult } from '@countersign/admin-cli/testing';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { gqlOk } from './support/graphql.js';
import { ROOT, SERVER_MAIN, freePort, run, type Spawned } from './support/process.js';
import { waitFor } from './support/wait.js';

/** The README's submission, with an amount chosen per step. */
const payment = (value: number) => ({
  type: 'payments.transfer', operation: 'WRITE', summary: `Wire ${value.toLocaleString('en-US')} USD to Acme Ltd`,
  justification: 'Invoice INV-42 is due today', dataClassification: 'CONFIDENTIAL',
  destination: { system: 'swift', external: true }, amount: { value, currency: 'USD' },
  payload: { to: 'ACME-IBAN', amount: value, currency: 'USD' },
});

const SUBMIT = 'mutation($input: ActionInput!) { submitAction(input: $input) { id status statusReason requiredApprovals notes } }';

/**
 * The README's walk-through, step by step, as a new user follows it: the server started as
 * a process, the `countersign` binary spawned for every step. Every request it shows must
 * be decidable by the people it creates.
 */
describe("the README's walk-through, followed from the top", () => {
  let database: TestDatabase;
  let server: Spawned;
  let url: string;
  let home: string;
  const token = `walkthrough-${randomBytes(16).toString('hex')}`;
  const people: Record<string, string> = {};
  let apiKey: string;

  const cs = (args: string[], options: RunOptions & { token?: string } = {}): Promise<RunResult> =>
    runCli(args, { cwd: home, ...options, env: { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), COUNTERSIGN_URL: url, COUNTERSIGN_TOKEN: options.token ?? token, ...options.env } });

  function succeeded(result: RunResult): RunResult {
    expect(result.code, `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(0);
    return result;
  }

  /** `countersign watch` as a user runs it: until `until` is printed, then Ctrl-C. */
  function watchUntil(until: RegExp, token: string): Promise<{ code: number | null; stdout: string }> {
    const child = spawn(process.execPath, [BIN, 'watch'], { cwd: home, env: { PATH: process.env.PATH ?? '', HOME: home, NO_COLOR: '1', COUNTERSIGN_URL: url, COUNTERSIGN_TOKEN: token } });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (until.test(stdout)) child.kill('SIGINT');
    });
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout })));
  }

  const submit = async (value: number) => (await gqlOk(`${url}/graphql`, SUBMIT, { input: payment(value) }, apiKey)).submitAction;

  beforeAll(async () => {
    database = await createTestDatabase();
    home = await mkdtemp(join(tmpdir(), 'countersign-walk-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = run(process.execPath, [SERVER_MAIN], { DATABASE_URL: database.url, PORT: String(port), COUNTERSIGN_BOOTSTRAP_TOKEN: token, LOG_LEVEL: 'warn' });
    await waitFor(async () => (await fetch(`${url}/readyz`).catch(() => null))?.status === 200, { timeoutMs: 60_000, what: `the server to be ready (output: ${server.output()})` });
  }, 90_000);
  afterAll(async () => {
    server?.kill('SIGTERM');
    await server?.exited;
    await database?.drop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('warns at apply, and on the request at once, when the owner rule leaves a two-person payment one person', async () => {
    succeeded(await cs(['init']));
    succeeded(await cs(['apply', '-f', 'governance.yaml']));
    for (const [name, roles] of [['alice', ['finance', 'finance-lead']], ['bob', ['finance']]] as const) {
      const created = succeeded(await cs(['approvers', 'create', '--name', name, '--email', `${name}@example.com`, ...roles.flatMap((r) => ['--role', r]), '--json']));
      people[name] = created.json<{ token: string }>().token;
    }
    apiKey = succeeded(await cs(['agents', 'create', '--name', 'invoice-bot', '--tag', 'finance', '--owner', 'alice', '--json'])).json<{ apiKey: string }>().apiKey;

    const plan = succeeded(await cs(['apply', '-f', 'governance.yaml', '--dry-run']));
    expect(plan.stdout).toContain(
      'Policy "payments" adjust[0] requires 2 approvals, but escalation chain "finance" has only 1 active approver across its levels for requests of agent "invoice-bot", whose owner alice may not approve them.',
    );
    const lint = succeeded(await cs(['lint', '-f', 'governance.yaml']));
    expect(lint.stdout + lint.stderr).toContain('whose owner alice may not approve them');

    const stuck = await submit(120_000);
    expect(stuck).toMatchObject({ status: 'PENDING', statusReason: 'QUORUM_UNREACHABLE', requiredApprovals: 2 });
    expect(stuck.notes).toContain("It needs 2 approvals, but only 1 person in chain finance may approve it (the agent's owner may not): it will expire unless approvers are added.");
    const shown = succeeded(await cs(['show', stuck.id])).stdout;
    expect(shown).toContain('Warning: nobody can complete this request. It needs 2 approvals, but only 1 person in chain finance may approve it');

    // The timeline names people and agents and says what happened, in words.
    expect(shown).toMatch(/^\d+\s+\S+ \S+Z\s+invoice-bot\s+asked: risk \d+ \w+, SYNC_APPROVAL by policy payments, governance version 1$/m);
    expect(shown).toMatch(/Countersign\s+sent to bob to approve \(chain finance level 1\), until /);
    expect(shown).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\s+\{/);
    expect(shown).not.toMatch(/ACTION_SUBMITTED|"approverId"/);
    // One earlier payment is no baseline.
    expect(shown).toMatch(/^Usual amount:\s+no baseline yet: 1 payments\.transfer in USD so far, this one included \(it takes 5\)$/m);
    // An admin cannot decide: show offers no approve/deny commands, and says who decides.
    expect(shown).not.toContain(`countersign approve ${stuck.id}`);
    expect(shown).toMatch(/An admin token cannot decide it; it waits for bob, with their own tokens\./);
    const asBob = succeeded(await cs(['show', stuck.id], { token: people.bob })).stdout;
    expect(asBob).toContain(`countersign approve ${stuck.id}`);

    // Admins list requests with the API's filters.
    const listed = succeeded(await cs(['actions', '--status', 'pending', '--type', 'payments.*', '--agent', 'invoice-bot', '--since', '1h', '--json'])).json<{ nodes: { id: string }[] }>();
    expect(listed.nodes.map((n) => n.id)).toEqual([stuck.id]);
    expect(succeeded(await cs(['actions', '--status', 'approved'])).stdout).toMatch(/^No requests match\.$/m);
    expect(succeeded(await cs(['actions'])).stdout).toMatch(new RegExp(`^${stuck.id}\\s+\\d+ \\w+\\s+payments\\.transfer\\s+invoice-bot\\s+PENDING\\s+SYNC_APPROVAL\\s+Wire 120,000 USD`, 'm'));
    const notForBob = await cs(['actions'], { token: people.bob });
    expect(notForBob.code).toBe(5);
    expect(notForBob.stderr).toMatch(/^error: .*admins/);

    // bob watches his queue: what already waits for him comes first, under a header.
    const watched = await watchUntil(/Changes as they happen/, people.bob!);
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(new RegExp(`^Waiting for your approval now: 1\n.*= waiting\\s+${stuck.id}\\s+.*Wire 120,000 USD to Acme Ltd`, 'm'));
  });

  it('lets bob and carol approve a payment above the two-person threshold once carol is created', async () => {
    const carol = succeeded(await cs(['approvers', 'create', '--name', 'carol', '--email', 'carol@example.com', '--role', 'finance', '--json']));
    people.carol = carol.json<{ token: string }>().token;
    const plan = succeeded(await cs(['apply', '-f', 'governance.yaml', '--dry-run']));
    expect(plan.stdout).toMatch(/No changes/);
    expect(plan.stdout).not.toMatch(/finance/);

    const big = await submit(120_000);
    expect(big).toMatchObject({ status: 'PENDING', statusReason: null, requiredApprovals: 2 });
    expect(succeeded(await cs(['approve', big.id, '--comment', 'matches INV-42'], { token: people.bob })).stdout).toMatch(/1 of 2 approvals/);
    // approve first shows the payload it approves (and its hash), then the verdict.
    const second = succeeded(await cs(['approve', big.id, '--comment', 'second pair of eyes'], { token: people.carol })).stdout.trim().split('\n');
    expect(second[0]).toBe(`Approving ${big.id}: Wire 120,000 USD to Acme Ltd`);
    expect(second).toContain('Approvals:    1 of 2 so far');
    expect(second.at(-1)).toBe(`Approved ${big.id}: it is now APPROVED.`);
    const seen = await gqlOk(`${url}/graphql`, 'query($id: ID!) { action(id: $id) { status receipt } }', { id: big.id }, apiKey);
    expect(seen.action).toMatchObject({ status: 'APPROVED', receipt: expect.any(String) });
  });
});

describe('starting the server for the first time', () => {
  const children: Spawned[] = [];
  const databases: TestDatabase[] = [];
  const start = (env: Record<string, string>) => {
    const child = run(process.execPath, [SERVER_MAIN], { LOG_LEVEL: 'info', COUNTERSIGN_BOOTSTRAP_TOKEN: `first-start-${randomBytes(16).toString('hex')}`, ...env });
    children.push(child);
    return child;
  };
  afterAll(async () => {
    for (const child of children) {
      child.kill('SIGTERM');
      await child.exited;
    }
    for (const database of databases) await database.drop();
  });

  it('says which port is in use and to set PORT, with no stack, and exits non-zero', async () => {
    const database = await createTestDatabase();
    databases.push(database);
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as AddressInfo).port;
    try {
      const server = start({ DATABASE_URL: database.url, PORT: String(port) });
      expect(await server.exited).toBe(1);
      expect(server.output()).toContain(`countersign: port ${port} is in use; set PORT to another port`);
      expect(server.output()).not.toMatch(/^\s+at /m);
      expect(server.output()).not.toContain('EADDRINUSE');
    } finally {
      blocker.close();
    }
  });

  it('refuses a DATABASE_URL naming a database that does not exist, and creates it only when asked', async () => {
    const admin = await createTestDatabase();
    databases.push(admin);
    const missing = `cs_typo_${randomBytes(4).toString('hex')}`;
    const url = new URL(admin.url);
    url.pathname = `/${missing}`;
    const exists = async () => (await admin.query('select 1 from pg_database where datname = $1', [missing])).length > 0;

    const refused = start({ DATABASE_URL: url.toString(), PORT: String(await freePort()) });
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toContain(`countersign: database "${missing}" does not exist: check DATABASE_URL, or set COUNTERSIGN_CREATE_DATABASE=true to create it`);
    expect(refused.output()).not.toMatch(/^\s+at /m);
    expect(await exists()).toBe(false);

    const port = await freePort();
    const created = start({ DATABASE_URL: url.toString(), PORT: String(port), COUNTERSIGN_CREATE_DATABASE: 'true' });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.status === 200, { timeoutMs: 60_000, what: `readyz (output: ${created.output()})` });
    expect(await exists()).toBe(true);
    created.kill('SIGTERM');
    await created.exited;
    await admin.query(`drop database if exists "${missing}" with (force)`);
  });

  it('prints a short banner for people on a terminal (URL, admin token, CLI login), and only JSON logs to a pipe', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cs-banner-'));
    try {
      const port = await freePort();
      const env = { PORT: String(port), COUNTERSIGN_DATA_DIR: dataDir, DATABASE_URL: '', COUNTERSIGN_BOOTSTRAP_TOKEN: '', LOG_LEVEL: 'info' };
      // `script` gives the server a terminal for its stdout, as a shell does.
      const onTerminal = run('script', ['-qfec', `"${process.execPath}" "${SERVER_MAIN}"`, '/dev/null'], env);
      children.push(onTerminal);
      await waitFor(() => onTerminal.output().includes('Stop with Ctrl-C'), { timeoutMs: 200_000, what: `the banner (output: ${onTerminal.output()})` });
      const text = onTerminal.output();
      expect(text).toContain(`Countersign is running at http://127.0.0.1:${port}`);
      expect(text).toContain(`Admin token:  in ${join(dataDir, 'admin-token')}`);
      expect(text).toContain(`Log the CLI in:  pnpm -s countersign login --url http://127.0.0.1:${port} --token - < ${join(dataDir, 'admin-token')}`);
      onTerminal.kill('SIGTERM');
      await onTerminal.exited;

      const port2 = await freePort();
      const piped = start({ ...env, PORT: String(port2) });
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port2}/readyz`).catch(() => null))?.status === 200, { timeoutMs: 200_000, what: 'readyz' });
      expect(piped.output()).not.toContain('Countersign is running at');
      for (const line of piped.output().trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});

describe('a fresh clone, before anything is built', () => {
  it('links every bin at install: each points at a file in the repository, not at the build output', async () => {
    const { readFile: read } = await import('node:fs/promises');
    const { existsSync } = await import('node:fs');
    for (const pkg of ['packages/admin-cli', 'packages/server']) {
      const manifest = JSON.parse(await read(join(ROOT, pkg, 'package.json'), 'utf8')) as { bin: Record<string, string>; files?: string[] };
      for (const [name, target] of Object.entries(manifest.bin)) {
        expect(target, `${pkg} bin ${name}`).not.toMatch(/^(\.\/)?dist\//);
        expect(existsSync(join(ROOT, pkg, target)), `${pkg}/${target}`).toBe(true);
      }
    }
    // The shim runs the built CLI.
    const shim = spawnSync(process.execPath, [join(ROOT, 'packages/admin-cli/bin/countersign.js'), '--version'], { encoding: 'utf8' });
    expect(shim.status).toBe(0);
    expect(shim.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
