import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type RunOptions, type RunResult } from '@countersign/admin-cli/testing';
import { startStack } from './support/server.js';
import { gqlOk } from './support/graphql.js';
import { INPUTS, submit } from './support/fixtures.js';

/** A payment small and plain enough to run at once under the starter document (LOW: AUTO). */
const SMALL_PAYMENT = {
  type: 'payments.transfer', operation: 'READ', summary: 'Check the Acme balance fee', dataClassification: 'PUBLIC',
  amount: { value: 120, currency: 'USD' }, payload: { fee: 120 },
};

/**
 * The built `countersign` binary, spawned as a user runs it, against a real server: from
 * nothing (`init`) to a request approved from a terminal. Tests run in order and build on
 * each other, as the steps of a new admin's first session do.
 */
describe('the countersign CLI, run as a user runs it', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  /** HOME, XDG_CONFIG_HOME and the working directory: no real profile is read or written. */
  let home: string;
  let configDir: string;
  const approvers: Record<string, { id: string; token: string }> = {};
  let agent: { id: string; apiKey: string };

  /** Only a temp HOME and config dir; no COUNTERSIGN_* unless given. */
  const bare = (): Record<string, string> => ({ HOME: home, XDG_CONFIG_HOME: configDir });
  /** `countersign …` with the connection in the environment, as admin unless another token is given. */
  const cs = (args: string[], options: RunOptions & { token?: string } = {}): Promise<RunResult> =>
    runCli(args, { cwd: home, ...options, env: { ...bare(), COUNTERSIGN_URL: stack.url, COUNTERSIGN_TOKEN: options.token ?? stack.adminToken, ...options.env } });

  /** `countersign …` with nothing in the environment but HOME: only a saved profile can connect it. */
  const csWithProfile = (args: string[], input?: string): Promise<RunResult> => runCli(args, { cwd: home, env: bare(), input });

  /** Fails with what the user would have seen, so a broken command explains itself. */
  function succeeded(result: RunResult): RunResult {
    expect(result.code, `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(0);
    return result;
  }

  /** A failure as DESIGN §8 wants it: non-zero, one line on stderr, no stack trace. */
  function failedWithOneLine(result: RunResult, code: number): string {
    expect(result.code, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(code);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    return lines[0]!;
  }

  const governanceVersion = async () => (await gqlOk(stack.url, '{ governance { version } }', {}, stack.adminToken)).governance.version;

  beforeAll(async () => {
    stack = await startStack();
    home = await mkdtemp(join(tmpdir(), 'countersign-cli-'));
    configDir = join(home, '.config');
  });
  afterAll(async () => {
    await stack?.dispose();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('writes a starter governance.yaml with init that lints, plans with --dry-run, and applies as written', async () => {
    const init = succeeded(await cs(['init']));
    expect(init.stdout).toMatch(/^Wrote governance\.yaml: \d+ policies, \d+ escalation chains, \d+ routes\./m);
    expect(await readFile(join(home, 'governance.yaml'), 'utf8')).toMatch(/^# Countersign governance/);
    expect(failedWithOneLine(await cs(['init']), 7)).toMatch(/governance\.yaml already exists.*--force/);

    const [lint, dryRun] = await Promise.all([cs(['lint', '-f', 'governance.yaml']), cs(['apply', '-f', 'governance.yaml', '--dry-run', '--json'])]);
    expect(succeeded(lint).stdout).toMatch(/^governance\.yaml is valid with \d+ warnings; checked offline and on the server\.$/m);
    const planned = succeeded(dryRun).json<{ outcome: string; version: number; changes: { kind: string; name: string; op: string }[] }>();
    expect(planned).toMatchObject({ outcome: 'planned', version: 1 });
    expect(planned.changes).toContainEqual(expect.objectContaining({ kind: 'escalationChain', name: 'finance' }));
    expect(await governanceVersion()).toBeNull();

    // stdin is not a terminal here, as in CI: apply must not ask.
    const applied = succeeded(await cs(['apply', '-f', 'governance.yaml']));
    expect(applied.stdout).toMatch(/^Changes \(/m);
    expect(applied.stdout).toContain('+ escalationChain finance (added)');
    // Nobody holds the roles yet: apply says so, and says what it means.
    expect(applied.stdout).toMatch(/^  ! Role "finance" .* is held by no approver yet\.$/m);
    expect(applied.stdout).toMatch(/^Applied: governance is now version 1\.$/m);
    expect(await governanceVersion()).toBe(1);

    const again = succeeded(await cs(['apply', '-f', 'governance.yaml', '--json'])).json<{ outcome: string }>();
    expect(again.outcome).toBe('unchanged');
  });

  it('creates approvers and an agent, printing the secret once, and lists them as JSON', async () => {
    const people = [['alice', ['finance', 'finance-lead']], ['bob', ['finance']], ['carol', ['finance-lead']]] as const;
    const created = await Promise.all(people.map(([name, roles]) => cs(['approvers', 'create', '--name', name, '--email', `${name}@example.com`, ...roles.flatMap((r) => ['--role', r]), '--json'])));
    for (const [i, [name, roles]] of people.entries()) {
      const { approver, token } = succeeded(created[i]!).json<{ approver: { id: string; name: string; roles: string[] }; token: string }>();
      expect(approver).toMatchObject({ name, roles: [...roles] });
      expect(token).toEqual(expect.any(String));
      approvers[name] = { id: approver.id, token };
    }
    const human = succeeded(await cs(['agents', 'create', '--name', 'invoice-bot', '--tag', 'finance', '--owner', 'alice']));
    expect(human.stdout).toMatch(/^API key:\s+\S+/m);
    expect(human.stdout).toContain('it is not shown again');
    const apiKey = /^API key:\s+(\S+)/m.exec(human.stdout)![1]!;
    const [agentList, financeList, approverTable, replan] = await Promise.all([
      cs(['agents', 'list', '--json']),
      cs(['approvers', 'list', '--role', 'finance', '--json']),
      cs(['approvers']),
      cs(['apply', '-f', 'governance.yaml', '--dry-run', '--json']),
    ]);
    const listedAgents = succeeded(agentList).json<{ nodes: { id: string; name: string; status: string; tags: string[]; owner: { name: string } | null }[]; totalCount: number }>();
    expect(listedAgents.nodes).toEqual([expect.objectContaining({ name: 'invoice-bot', status: 'ACTIVE', tags: ['finance'], owner: expect.objectContaining({ name: 'alice' }) })]);
    agent = { id: listedAgents.nodes[0]!.id, apiKey };

    const listed = succeeded(financeList).json<{ nodes: { name: string }[] }>();
    expect(listed.nodes.map((a) => a.name).sort()).toEqual(['alice', 'bob']);
    for (const name of ['alice', 'bob', 'carol']) expect(succeeded(approverTable).stdout).toMatch(new RegExp(`^\\S+\\s+${name}\\s+${name}@example\\.com\\s`, 'm'));

    // With people in both finance roles, the warnings about the finance chain are gone.
    const replanned = succeeded(replan).json<{ outcome: string; warnings: string[] }>();
    expect(replanned.outcome).toBe('unchanged');
    expect(replanned.warnings.join('\n')).not.toMatch(/"finance(-lead)?"/);
  });

  it('creates a delegation and lists it', async () => {
    const created = succeeded(await cs(['delegations', 'create', '--from', 'alice', '--to', 'carol', '--end', '14d', '--role', 'finance-lead', '--reason', 'annual leave', '--json']));
    const delegation = created.json<{ id: string; from: { name: string }; to: { name: string }; roles: string[]; reason: string; endsAt: string }>();
    expect(delegation).toMatchObject({ from: { name: 'alice' }, to: { name: 'carol' }, roles: ['finance-lead'], reason: 'annual leave' });
    expect(new Date(delegation.endsAt).getTime()).toBeGreaterThan(Date.now() + 13 * 86_400_000);

    const [json, table] = await Promise.all([cs(['delegations', 'list', '--json']), cs(['delegations'])]);
    expect(succeeded(json).json<{ nodes: { id: string }[] }>().nodes.map((d) => d.id)).toEqual([delegation.id]);
    expect(succeeded(table).stdout).toMatch(new RegExp(`${delegation.id}\\s+alice\\s+carol\\s+active`));
  });

  it("works a pending request from the approver's terminal: queue, show, approve; the agent sees it approved", async () => {
    // A small payment first, which runs at once: the agent's history when bob looks at the big one.
    const earlier = await submit(stack, agent.apiKey, SMALL_PAYMENT);
    expect(earlier).toMatchObject({ mode: 'AUTO', status: 'APPROVED' });
    const pending = await submit(stack, agent.apiKey, INPUTS.sync);
    expect(pending).toMatchObject({ status: 'PENDING', chain: 'finance' });
    const asBob = { token: approvers.bob!.token };

    const [queueJson, queueTable, alicesQueue, showTable, showJson] = await Promise.all([
      cs(['queue', '--json'], asBob),
      cs(['queue'], asBob),
      cs(['queue', '--json'], { token: approvers.alice!.token }),
      cs(['show', pending.id], asBob),
      cs(['show', pending.id, '--json'], asBob),
    ]);
    expect(succeeded(queueJson).json<{ nodes: { id: string }[] }>().nodes.map((a) => a.id)).toEqual([pending.id]);
    expect(succeeded(queueTable).stdout).toMatch(new RegExp(`^${pending.id}\\s+\\d+ CRITICAL\\s+payments\\.transfer\\s+invoice-bot\\s+Wire 25,000 USD to Acme Ltd\\s+1\\s+in `, 'm'));
    // The agent's owner may not approve its requests, so nothing waits for alice.
    expect(succeeded(alicesQueue).json<{ nodes: unknown[] }>().nodes).toEqual([]);

    const shown = succeeded(showTable).stdout;
    for (const line of [
      `payments.transfer ${pending.id}`,
      'Wire 25,000 USD to Acme Ltd', // summary
      'Invoice INV-42 is due today', // justification
      'Acme is paid', // expected outcome
      'Funds leave the company account', // consequences of approving
      'The payment is not made', // and of denying
      '"to": "ACME-IBAN"', // the payload, pretty-printed
      'invoice-bot  asked: risk', // the audit timeline, in words and names
      `countersign approve ${pending.id}`, // what to do next
    ]) {
      expect(shown).toContain(line);
    }
    expect(shown).toMatch(/^Risk \d+\/100, CRITICAL$/m);
    // The agent's history and baseline, which an approver (not only an admin) may see.
    expect(shown).toMatch(/^Agent invoice-bot: what is normal for it$/m);
    expect(shown).toMatch(/^Requests:\s+2 since /m);
    expect(shown).toMatch(/^This request:\s+25,000\.00 USD: 208× the largest of its last 1 payments\.transfer in USD \(120\.00 USD\)$/m);
    expect(shown).toMatch(/^Recent:\s+last 1: 1 approved; amount 120\.00 USD$/m);
    expect(shown).toMatch(new RegExp(`^${earlier.id}\\s+\\d+ LOW\\s+payments\\.transfer\\s+APPROVED\\s+120\\.00 USD\\s+Check the Acme balance fee`, 'm'));
    expect(shown).not.toContain('history not shown');
    // Precedent: the same kind of request, and how it was decided.
    expect(shown).toMatch(/^Earlier payments\.transfer requests and how they were decided$/m);
    expect(shown).toMatch(/^By invoice-bot:\s+last 1: 1 approved$/m);
    expect(shown).toMatch(new RegExp(`^${earlier.id}\\s+invoice-bot\\s+.*approved, automatically`, 'm'));
    const detail = succeeded(showJson).json<{
      payload: unknown; risk: { factors: { dimension: string; points: number }[] };
      agent: { recentActions: { id: string }[]; baseline: { requests: number } }; similar: { sameAgent: { id: string }[] };
    }>();
    expect(detail.payload).toEqual(INPUTS.sync.payload);
    expect(detail.agent.recentActions.map((a) => a.id)).toEqual([pending.id, earlier.id]);
    expect(detail.agent.baseline.requests).toBe(2);
    expect(detail.similar.sameAgent.map((a) => a.id)).toEqual([earlier.id]);
    expect(detail.risk.factors.map((f) => f.dimension)).toEqual(expect.arrayContaining(['operation', 'classification']));

    // approve shows what it approves, and the approval is for that payload alone (its hash goes with the vote).
    const approved = succeeded(await cs(['approve', pending.id, '--comment', 'matches INV-42'], asBob));
    expect(approved.stdout).toContain(`Approving ${pending.id}: ${pending.summary}`);
    expect(approved.stdout).toContain('The payload up for approval (as submitted):');
    expect(approved.stdout).toContain(`"amount": ${INPUTS.sync.payload.amount}`);
    expect(approved.stdout.trimEnd().split('\n').at(-1)).toBe(`Approved ${pending.id}: it is now APPROVED.`);

    const seen = await gqlOk(stack.url, 'query($id: ID!) { action(id: $id) { status approvedPayload receipt decisions { verdict comment approver { name } } } }', { id: pending.id }, agent.apiKey);
    expect(seen.action).toMatchObject({ status: 'APPROVED', approvedPayload: INPUTS.sync.payload, decisions: [{ verdict: 'APPROVE', comment: 'matches INV-42', approver: { name: 'bob' } }] });
    expect(seen.action.receipt).toEqual(expect.any(String));

    const [again, queueAfter] = await Promise.all([cs(['approve', pending.id], asBob), cs(['queue', '--json'], asBob)]);
    expect(failedWithOneLine(again, 7)).toMatch(/^error: .*already APPROVED/);
    expect(succeeded(queueAfter).json<{ nodes: unknown[] }>().nodes).toEqual([]);
  });

  it("shows metrics over the requests so far, and simulates a stricter draft against them", async () => {
    const [json, human] = await Promise.all([cs(['metrics', '--window', '24h', '--bucket', '1h', '--json']), cs(['metrics', '--window', '24h', '--bucket', '1h'])]);
    const m = succeeded(json).json<{ window: string; bucket: string; submitted: number; decided: number; approvalRate: number; approvers: { approver: { name: string }; decisions: number }[]; policies: { policy: string | null; submitted: number }[]; alerts: unknown[] }>();
    expect(m).toMatchObject({ window: '24h', bucket: '1h', submitted: 2, decided: 1, approvalRate: 1 });
    expect(m.approvers).toContainEqual(expect.objectContaining({ approver: expect.objectContaining({ name: 'bob' }), decisions: 1 }));
    expect(m.policies).toContainEqual(expect.objectContaining({ policy: 'payments', submitted: 2 }));
    expect(Array.isArray(m.alerts)).toBe(true);
    const table = succeeded(human).stdout;
    expect(table).toMatch(/^Last 24h: \S+ \S+ to \S+ \S+$/m);
    expect(table).toMatch(/^Submitted:\s+2: AUTO 1 · SYNC_APPROVAL 1$/m);
    expect(table).toMatch(/^Decided by people:\s+1: 100% approved · 0% denied$/m);
    expect(table).toMatch(/^bob\s+1\s+100%\s/m);
    expect(table).toMatch(/^payments\s+2\s/m);
    expect(table).toMatch(/^Alerts/m);

    // Stricter: small payments wait for finance too. The one that ran at once would now wait.
    const starter = await readFile(join(home, 'governance.yaml'), 'utf8');
    const at = starter.indexOf('- name: payments');
    const strict = starter.slice(0, at) + starter.slice(at).replace('modes: { LOW: AUTO,', 'modes: { LOW: SYNC_APPROVAL,');
    expect(strict).not.toBe(starter);
    await writeFile(join(home, 'draft.yaml'), strict);
    const [simJson, simHuman] = await Promise.all([cs(['simulate', '-f', 'draft.yaml', '--since', '7d', '--json']), cs(['simulate', '-f', 'draft.yaml', '--since', '7d'])]);
    const sim = succeeded(simJson).json<{ evaluated: number; changed: number; modeChanged: number; transitions: { from: string; to: string; count: number }[]; changes: { actionId: string; fromMode: string; toMode: string }[] }>();
    expect(sim).toMatchObject({ evaluated: 2, changed: 1, modeChanged: 1, transitions: [{ from: 'AUTO', to: 'SYNC_APPROVAL', count: 1 }] });
    expect(sim.changes).toEqual([expect.objectContaining({ fromMode: 'AUTO', toMode: 'SYNC_APPROVAL' })]);
    const simTable = succeeded(simHuman).stdout;
    expect(simTable).toMatch(/^Replayed 2 requests since \S+ \S+ against draft\.yaml: 1 would be handled differently\.$/m);
    expect(simTable).toMatch(/^AUTO\s+SYNC_APPROVAL\s+1\s+more of people$/m);
    expect(simTable).toMatch(new RegExp(`^${sim.changes[0]!.actionId}\\s+payments\\.transfer\\s+invoice-bot\\s+AUTO → SYNC_APPROVAL\\s`, 'm'));
    // Nothing was applied.
    expect(await governanceVersion()).toBe(1);
  });

  it('verifies the audit chain', async () => {
    const [human, json] = await Promise.all([cs(['audit', 'verify']), cs(['audit', 'verify', '--json'])]);
    expect(succeeded(human).stdout).toMatch(/^Audit chain intact: [\d,]+ events verified\.$/m);
    expect(succeeded(json).json()).toMatchObject({ valid: true });
  });

  it('refuses a bad governance document with a non-zero exit and one line naming where the problem is', async () => {
    const starter = await readFile(join(home, 'governance.yaml'), 'utf8');
    const badChain = starter.replace("chain: finance }", "chain: treasury }");
    expect(badChain).not.toBe(starter);
    await writeFile(join(home, 'bad-chain.yaml'), badChain);
    const lineOfMistake = badChain.split('\n').findIndex((l) => l.includes('chain: treasury')) + 1;
    await writeFile(join(home, 'broken.yaml'), 'version: 1\npolicies:\n  - name: payments\n    match: "action.type ==\n');
    const [applied, broken, lint] = await Promise.all([
      cs(['apply', '-f', 'bad-chain.yaml']),
      cs(['apply', '-f', 'broken.yaml', '--dry-run']),
      cs(['lint', '-f', 'bad-chain.yaml']),
    ]);
    expect(failedWithOneLine(applied, 3)).toMatch(new RegExp(`^error: bad-chain\\.yaml:${lineOfMistake}:\\d+: routes\\[payments\\]\\.chain: no escalation chain named "treasury"`));
    expect(failedWithOneLine(broken, 3)).toMatch(/^error: broken\.yaml:\d+:\d+: (?!error:)/);
    expect(lint.code).toBe(3);
    expect(lint.stdout).toMatch(new RegExp(`^bad-chain\\.yaml:${lineOfMistake}:\\d+: error: routes\\[payments\\]\\.chain`, 'm'));
    expect(await governanceVersion()).toBe(1);
  });

  it('logs in: saves the profile with mode 0600, and later commands use it with no env vars', async () => {
    const rejected = await csWithProfile(['login', '--url', stack.url, '--token', 'not-a-token']);
    expect(failedWithOneLine(rejected, 4)).toContain('nothing was saved');

    const login = succeeded(await csWithProfile(['login', '--url', stack.url, '--token', '-'], `${stack.adminToken}\n`));
    expect(login.stdout).toMatch(/^Logged in to \S+ as .+ \(ADMIN\)\.$/m);
    const file = join(configDir, 'countersign', 'config.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(file, 'utf8')) as { current: string; profiles: Record<string, { token: string }> };
    expect(saved.profiles[saved.current]!.token).toBe(stack.adminToken);

    const agents = succeeded(await csWithProfile(['agents', 'list', '--json'])).json<{ nodes: { name: string }[] }>();
    expect(agents.nodes.map((a) => a.name)).toEqual(['invoice-bot']);

    // A second profile, for an approver on the same server (no --url: the current profile's); --profile picks one.
    succeeded(await csWithProfile(['login', '--profile', 'bob', '--token', '-'], approvers.bob!.token));
    const me = succeeded(await csWithProfile(['me', '--profile', 'bob', '--json'])).json<{ principal: { kind: string; name: string } }>();
    expect(me.principal).toMatchObject({ kind: 'APPROVER', name: 'bob' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
