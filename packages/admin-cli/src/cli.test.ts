import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import stringWidth from 'string-width';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildProgram } from './cli.js';
import { ExitCode } from './errors.js';
import { GOVERNANCE_TEMPLATE } from './governance/template.js';
import { processIo } from './runtime.js';
import { fakeFetch, runInProcess, type FakeAnswer } from './testing.js';

const TOKEN = { COUNTERSIGN_URL: 'http://cs.test:4000', COUNTERSIGN_TOKEN: 'cs_admin_test' };
const NOW = new Date('2025-07-10T12:00:00Z');

const page = <T>(nodes: T[]) => ({ nodes, pageInfo: { hasNextPage: false, endCursor: null }, totalCount: nodes.length });

const agent = (name: string, id = `00000000-0000-4000-8000-00000000000${name.length}`) => ({
  id,
  name,
  description: null,
  tags: ['finance'],
  status: 'ACTIVE',
  suspendedReason: null,
  createdAt: '2025-07-10T11:00:00Z',
  owner: { id: 'o1', name: 'alice' },
});

const pendingAction = {
  id: 'a7f0c2de-0000-4000-8000-000000000001',
  type: 'payments.transfer',
  operation: 'WRITE',
  summary: 'Pay invoice INV-42 to ACME',
  status: 'PENDING',
  mode: 'SYNC_APPROVAL',
  reviewStatus: null,
  risk: { score: 72, level: 'HIGH', factors: [{ dimension: 'amount', points: 25, detail: 'Amount 12,500 EUR is over 10,000.' }] },
  agent: { id: 'g1', name: 'invoice-bot', tags: ['finance'] },
  escalationLevel: 1,
  deadline: '2025-07-10T12:10:00Z',
  requiredApprovals: 2,
  createdAt: '2025-07-10T11:55:00Z',
  justification: 'Invoice due today.',
  expectedOutcome: 'ACME is paid.',
  resource: 'invoice:INV-42',
  dataClassification: 'CONFIDENTIAL',
  dataCategories: ['PCI'],
  recordCount: null,
  destination: { system: 'bank', external: true },
  amount: { value: 12500, currency: 'EUR' },
  payload: { to: 'ACME', amount: 12500 },
  context: null,
  policy: 'payments',
  consequences: { approve: 'Funds leave the company account.', deny: 'The invoice is not paid today.' },
  route: 'payments',
  chain: 'finance',
  governanceVersion: 3,
  statusReason: null,
  notes: [],
  receipt: null,
  assignees: [{ approver: { id: 'p1', name: 'alice' }, onBehalfOf: null, viaRole: 'finance', level: 1 }],
  decisions: [{ id: 'd1', approver: { id: 'p2', name: 'bob' }, onBehalfOf: null, verdict: 'APPROVE', comment: 'ok', at: '2025-07-10T11:58:00Z' }],
  reviews: [],
  approvedPayload: null,
  revisionOf: null,
  outcome: null,
  auditTrail: [{ seq: 41, at: '2025-07-10T11:55:00Z', kind: 'ACTION_SUBMITTED', subjectType: 'ACTION', subjectId: 'a7f0', actorType: 'AGENT', actorId: 'g1', data: null, hash: 'h', prevHash: 'p' }],
  decidedAt: null,
  updatedAt: '2025-07-10T11:58:00Z',
};

describe('the command line', () => {
  it('should print help with the exit codes and a getting-started guide', async () => {
    const r = await runInProcess(['--help']);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toMatch(/Exit codes:\n\s+0 {2}success/);
    expect(r.stdout).toContain('countersign init');
  });

  it('should print help when run with no arguments', async () => {
    const r = await runInProcess([]);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toContain('Usage: countersign');
  });

  it('should give every command an example in its help', () => {
    const program = buildProgram(processIo(), {}, () => undefined);
    const all = program.commands.flatMap((c) => [c, ...c.commands]);
    const withoutExamples = all
      .filter((c) => c.name() !== 'help')
      .filter((c) => !captureHelp(c).includes('Examples:'))
      .map((c) => c.name());
    expect(withoutExamples).toEqual([]);
  });

  it.each([
    [['agents', 'list', '--bogus'], /unknown option '--bogus'/],
    [['apply'], /required option '-f, --file <path>' not specified/],
    [['queue', '--limit', '0'], /whole number of 1 or more/],
    [['deny', 'a7f0'], /required option '--comment <text>'/],
    [['aprove', 'x'], /unknown command 'aprove'/],
  ])('should refuse %j as a usage error (exit 2) in one line', async (args, message) => {
    const r = await runInProcess(args);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('should say how to log in when there is no token (exit 4)', async () => {
    const r = await runInProcess(['queue']);
    expect(r.code).toBe(ExitCode.UNAUTHENTICATED);
    expect(r.stderr).toMatch(/^error: Not logged in to http:\/\/127\.0\.0\.1:4000\/graphql: run `countersign login/);
  });
});

describe('reading from the server', () => {
  it('should list agents as JSON for scripts, sending the bearer token', async () => {
    const fetch = fakeFetch({ Agents: { data: { agents: page([agent('invoice-bot'), agent('refund-bot')]) } } });
    const r = await runInProcess(['agents', 'list', '--json'], { fetch, env: TOKEN });
    expect(r.code).toBe(ExitCode.OK);
    expect(r.json<{ nodes: Array<{ name: string }> }>().nodes.map((a) => a.name)).toEqual(['invoice-bot', 'refund-bot']);
    expect(fetch.calls[0]).toMatchObject({ operationName: 'Agents', authorization: 'Bearer cs_admin_test', variables: { first: 100 } });
  });

  it('should print a table that fits the terminal', async () => {
    const long = { ...agent('invoice-bot'), tags: ['finance', 'payments', 'europe', 'production', 'tier-one', 'accounts-payable'] };
    const fetch = fakeFetch({ Agents: { data: { agents: page([long]) } } });
    const r = await runInProcess(['agents'], { fetch, env: TOKEN, columns: 90, now: NOW });
    expect(r.code).toBe(ExitCode.OK);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+STATUS\s+TAGS\s+OWNER\s+AGE$/);
    for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(90);
    expect(lines[1]).toContain(long.id);
    expect(lines[1]).toContain('…');
  });

  it('should colour only when asked and NO_COLOR is unset', async () => {
    const fetch = () => fakeFetch({ VerifyAuditChain: { data: { verifyAuditChain: { valid: true, checked: 3, brokenAt: null } } } });
    const plain = await runInProcess(['audit', 'verify'], { fetch: fetch(), env: TOKEN, columns: 80 });
    const coloured = await runInProcess(['audit', 'verify'], { fetch: fetch(), env: { ...TOKEN, NO_COLOR: undefined, FORCE_COLOR: '1' }, columns: 80 });
    expect(plain.stdout).not.toMatch(/\u001b\[/);
    expect(coloured.stdout).toMatch(/\u001b\[32m/);
  });

  it('should give a server error one line and its own exit code', async () => {
    const fetch = fakeFetch({ Agents: { errors: [{ message: 'This operation is for admins.', extensions: { code: 'FORBIDDEN' } }] } });
    const r = await runInProcess(['agents', 'list'], { fetch, env: TOKEN });
    expect(r.code).toBe(ExitCode.FORBIDDEN);
    expect(r.stderr).toBe('error: This operation is for admins.\n');
    expect(r.stdout).toBe('');
  });

  it('should exit 10 when the audit chain is broken, and say where', async () => {
    const fetch = fakeFetch({ VerifyAuditChain: { data: { verifyAuditChain: { valid: false, checked: 41, brokenAt: 42 } } } });
    const r = await runInProcess(['audit', 'verify'], { fetch, env: TOKEN });
    expect(r.code).toBe(ExitCode.INTEGRITY);
    expect(r.stdout).toMatch(/BROKEN at event #42/);
  });
  // show, metrics and simulate: commands/oversight.test.ts, against the server's schema.
});

describe('deciding', () => {
  const decided = (status: string, verdict: string) => ({
    data: { decide: { id: pendingAction.id, status, reviewStatus: null, requiredApprovals: 1, decisions: [{ id: 'd', approver: { id: 'p', name: 'ann' }, onBehalfOf: null, verdict, comment: null, at: NOW.toISOString() }] } },
  });

  const HASH = 'pX0vQm2bT9cK4yLw8NfR1sJ6dHzA3uEgVbY7iOqC5tM';
  const OTHER_HASH = 'Zk3wQm2bT9cK4yLw8NfR1sJ6dHzA3uEgVbY7iOqC5tA';
  const candidate = (status = 'PENDING', candidatePayload: unknown = pendingAction.payload): FakeAnswer => ({
    data: { action: { id: pendingAction.id, summary: pendingAction.summary, status, payload: pendingAction.payload, candidatePayload, candidatePayloadHash: HASH, approvals: 1, requiredApprovals: 2 } },
  });

  it('should approve with a comment and a modified payload, showing what it replaces and naming its hash', async () => {
    const fetch = fakeFetch({ ApprovalCandidate: candidate(), Decide: decided('APPROVED', 'APPROVE') });
    const r = await runInProcess(['approve', pendingAction.id, '--comment', 'capped', '--payload', '{"amount": 900}'], { fetch, env: TOKEN });
    expect(r.code).toBe(ExitCode.OK);
    expect(fetch.calls.map((c) => c.operationName)).toEqual(['ApprovalCandidate', 'Decide']);
    expect(fetch.calls[1]!.variables).toEqual({ input: { actionId: pendingAction.id, verdict: 'APPROVE', comment: 'capped', modifiedPayload: { amount: 900 }, expectedPayloadHash: HASH } });
    expect(r.stdout).toContain(`Approving ${pendingAction.id}: ${pendingAction.summary}`);
    expect(r.stdout).toContain('The payload up for approval (as submitted), which your --payload replaces:');
    expect(r.stdout).toMatch(new RegExp(`Payload hash:\\s+${HASH}`));
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(`Approved ${pendingAction.id}: it is now APPROVED.`);
  });

  it('should show the payload an approver changed as the one being approved', async () => {
    const fetch = fakeFetch({ ApprovalCandidate: candidate('PENDING', { to: 'ACME', amount: 9000 }), Decide: decided('APPROVED', 'APPROVE') });
    const r = await runInProcess(['approve', pendingAction.id], { fetch, env: TOKEN });
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toContain('The payload up for approval (modified by an approver; approving approves this):');
    expect(r.stdout).toContain('"amount": 9000');
  });

  it('should keep --json output to the decision alone', async () => {
    const fetch = fakeFetch({ ApprovalCandidate: candidate(), Decide: decided('APPROVED', 'APPROVE') });
    const r = await runInProcess(['approve', pendingAction.id, '--json'], { fetch, env: TOKEN });
    expect(r.code).toBe(ExitCode.OK);
    expect(r.json()).toMatchObject({ verdict: 'APPROVE', status: 'APPROVED' });
  });

  it('should send the hash given with --payload-hash, without reading the request again', async () => {
    const fetch = fakeFetch({ Decide: decided('APPROVED', 'APPROVE') });
    const r = await runInProcess(['approve', pendingAction.id, '--payload-hash', OTHER_HASH], { fetch, env: TOKEN });
    expect(r.code).toBe(ExitCode.OK);
    expect(fetch.calls.map((c) => c.operationName)).toEqual(['Decide']);
    expect(fetch.calls[0]!.variables).toMatchObject({ input: { verdict: 'APPROVE', expectedPayloadHash: OTHER_HASH } });
  });

  it('should say plainly that the payload changed since it was shown (exit 7)', async () => {
    const fetch = fakeFetch({
      ApprovalCandidate: candidate(),
      Decide: { errors: [{ message: 'The payload up for approval changed since you loaded it: reload and review it.', extensions: { code: 'CONFLICT', reason: 'PAYLOAD_CHANGED', candidatePayloadHash: OTHER_HASH } }] },
    });
    const r = await runInProcess(['approve', pendingAction.id], { fetch, env: TOKEN });
    expect(r.code).toBe(ExitCode.CONFLICT);
    expect(r.stderr).toBe(`error: Not approved: the payload up for approval on ${pendingAction.id} changed since it was shown above (another approver changed it). Review it with \`countersign show ${pendingAction.id}\`, then approve again.\n`);
  });

  it('should neither read nor name a payload to deny', async () => {
    const fetch = fakeFetch({ Decide: decided('DENIED', 'DENY') });
    const r = await runInProcess(['deny', pendingAction.id, '--comment', 'no'], { fetch, env: TOKEN });
    expect(r.code).toBe(ExitCode.OK);
    expect(fetch.calls.map((c) => c.operationName)).toEqual(['Decide']);
    expect(fetch.calls[0]!.variables).toEqual({ input: { actionId: pendingAction.id, verdict: 'DENY', comment: 'no' } });
  });

  it('should read a payload from a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'countersign-payload-'));
    await writeFile(join(dir, 'payload.yaml'), 'amount: 900\nto: ACME\n');
    const fetch = fakeFetch({ ApprovalCandidate: candidate(), Decide: decided('APPROVED', 'APPROVE') });
    const r = await runInProcess(['approve', pendingAction.id, '--payload', 'payload.yaml'], { fetch, env: TOKEN, cwd: dir });
    await rm(dir, { recursive: true });
    expect(r.code).toBe(ExitCode.OK);
    expect(fetch.calls[1]!.variables).toMatchObject({ input: { modifiedPayload: { amount: 900, to: 'ACME' } } });
  });

  it('should report a request decided by someone else first as a conflict (exit 7)', async () => {
    const fetch = fakeFetch({ Decide: { errors: [{ message: 'The request is no longer pending (APPROVED).', extensions: { code: 'CONFLICT' } }] } });
    const r = await runInProcess(['deny', pendingAction.id, '--comment', 'no'], { fetch, env: TOKEN });
    expect(r.code).toBe(ExitCode.CONFLICT);
    expect(r.stderr).toBe('error: The request is no longer pending (APPROVED).\n');
  });

  it('should review with exactly one of --ack or --flag', async () => {
    const both = await runInProcess(['review', 'x', '--ack', '--flag'], { env: TOKEN });
    expect(both.code).toBe(ExitCode.USAGE);
    const none = await runInProcess(['review', 'x'], { env: TOKEN });
    expect(none.code).toBe(ExitCode.USAGE);
    expect(none.stderr).toMatch(/exactly one of --ack or --flag/);
  });
});

describe('governance as code', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'countersign-gov-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const plan = (applied: boolean): FakeAnswer => ({
    data: {
      applyGovernance: {
        version: 4,
        applied,
        changes: [
          { kind: 'policy', name: 'payments', op: 'CREATE' },
          { kind: 'route', name: 'everything-else', op: 'UPDATE' },
          { kind: 'escalationChain', name: 'old', op: 'DELETE' },
        ],
        warnings: ['Level 1 of chain "finance": no approver holds role "finance".'],
      },
    },
  });

  it('should write a starter document once, and refuse to overwrite it (exit 7)', async () => {
    const first = await runInProcess(['init'], { cwd: dir });
    expect(first.code).toBe(ExitCode.OK);
    expect(await readFile(join(dir, 'governance.yaml'), 'utf8')).toBe(GOVERNANCE_TEMPLATE);
    const second = await runInProcess(['init'], { cwd: dir });
    expect(second.code).toBe(ExitCode.CONFLICT);
    expect(second.stderr).toMatch(/already exists: pass --force/);
  });

  it('should apply without asking when stdin is not a terminal, printing the diff and warnings', async () => {
    await writeFile(join(dir, 'governance.yaml'), GOVERNANCE_TEMPLATE);
    const fetch = fakeFetch({ ApplyGovernance: (v) => plan(v.dryRun === false) });
    const r = await runInProcess(['apply', '-f', 'governance.yaml'], { fetch, env: TOKEN, cwd: dir });
    expect(r.code).toBe(ExitCode.OK);
    expect(fetch.calls.map((c) => c.variables.dryRun)).toEqual([true, false]);
    expect(r.stdout).toContain('+ policy payments (added)');
    expect(r.stdout).toContain('~ route everything-else (changed)');
    expect(r.stdout).toContain('- escalationChain old (removed)');
    expect(r.stdout).toContain('! Level 1 of chain "finance"');
    expect(r.stdout).toContain('Applied: governance is now version 4.');
  });

  it('should change nothing on --dry-run', async () => {
    await writeFile(join(dir, 'governance.yaml'), GOVERNANCE_TEMPLATE);
    const fetch = fakeFetch({ ApplyGovernance: plan(false) });
    const r = await runInProcess(['apply', '-f', 'governance.yaml', '--dry-run', '--json'], { fetch, env: TOKEN, cwd: dir });
    expect(fetch.calls).toHaveLength(1);
    expect(r.json()).toMatchObject({ outcome: 'planned', version: 4, changes: expect.any(Array) });
  });

  it('should ask at a terminal, and change nothing when the answer is no (exit 1)', async () => {
    await writeFile(join(dir, 'governance.yaml'), GOVERNANCE_TEMPLATE);
    const fetch = fakeFetch({ ApplyGovernance: plan(false) });
    const r = await runInProcess(['apply', '-f', 'governance.yaml'], { fetch, env: TOKEN, cwd: dir, tty: true, input: 'n\n' });
    expect(r.code).toBe(ExitCode.ERROR);
    expect(r.stderr).toMatch(/Apply these changes to the governance of http:\/\/cs\.test:4000\/graphql\? \[y\/N\]/);
    expect(r.stdout).toContain('Apply cancelled');
    expect(fetch.calls).toHaveLength(1);
  });

  it('should refuse a broken document before sending it, naming file, line and problem (exit 3)', async () => {
    await writeFile(join(dir, 'bad.yaml'), "version: 1\nroutes:\n  - { name: all, when: 'true', chain: nope }\n");
    const fetch = fakeFetch({});
    const r = await runInProcess(['apply', '-f', 'bad.yaml'], { fetch, env: TOKEN, cwd: dir });
    expect(r.code).toBe(ExitCode.INVALID);
    expect(r.stderr).toBe('error: bad.yaml:3:39: routes[all].chain: no escalation chain named "nope"\n');
    expect(fetch.calls).toHaveLength(0);
  });

  it('should read the document from stdin with -f -', async () => {
    const fetch = fakeFetch({ ApplyGovernance: plan(false) });
    const r = await runInProcess(['diff', '-f', '-'], { fetch, env: TOKEN, input: GOVERNANCE_TEMPLATE });
    expect(r.code).toBe(ExitCode.OK);
    expect(fetch.calls[0]!.variables.document).toBe(GOVERNANCE_TEMPLATE);
  });

  it('should exit 11 from diff --exit-code when there are changes', async () => {
    await writeFile(join(dir, 'governance.yaml'), GOVERNANCE_TEMPLATE);
    const r = await runInProcess(['diff', '-f', 'governance.yaml', '--exit-code'], { fetch: fakeFetch({ ApplyGovernance: plan(false) }), env: TOKEN, cwd: dir });
    expect(r.code).toBe(ExitCode.DIFFERENCES);
  });

  it('should lint offline and list every problem with its location (exit 3)', async () => {
    await writeFile(join(dir, 'bad.yaml'), "version: 1\npolicies:\n  - { name: p, match: 'action.amonut > 1' }\nroutes:\n  - { name: all, when: 'true', chain: nope }\n");
    const r = await runInProcess(['lint', '-f', 'bad.yaml', '--offline'], { cwd: dir });
    expect(r.code).toBe(ExitCode.INVALID);
    expect(r.stdout).toContain('bad.yaml:3:31: error: policies[p].match: invalid CEL: No such key: amonut');
    expect(r.stdout).toContain('bad.yaml:5:39: error: routes[all].chain');
    expect(r.stdout).toContain('bad.yaml has 2 errors');
  });

  it('should print the applied document exactly with -o yaml', async () => {
    const document = '# ours\nversion: 1\nroutes: []\n';
    const fetch = fakeFetch({ Governance: { data: { governance: { version: 2, document, current: { appliedAt: NOW.toISOString(), appliedBy: 'ADMIN:x', warnings: [] } } } } });
    const r = await runInProcess(['get', 'governance', '-o', 'yaml'], { fetch, env: TOKEN });
    expect(r.stdout).toBe(document);
  });
});

describe('login', () => {
  it('should verify the token with me and save it with mode 0600', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'countersign-login-'));
    const configPath = join(dir, 'countersign', 'config.json');
    const fetch = fakeFetch({ Me: { data: { me: { kind: 'ADMIN', id: null, name: 'bootstrap', roles: [] } } } });
    const r = await runInProcess(['login', '--url', 'cs.test:4000', '--token', '-'], { fetch, configPath, input: 'cs_admin_piped\n' });
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toContain('Logged in to http://cs.test:4000/graphql as bootstrap (ADMIN).');
    expect(fetch.calls[0]!.authorization).toBe('Bearer cs_admin_piped');
    expect((await stat(configPath)).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(configPath, 'utf8')) as { current: string; profiles: Record<string, { token: string }> };
    expect(saved.profiles[saved.current]!.token).toBe('cs_admin_piped');

    // The saved profile is used by later commands with no flags at all.
    const next = fakeFetch({ Me: { data: { me: { kind: 'ADMIN', id: null, name: 'bootstrap', roles: [] } } } });
    const me = await runInProcess(['me'], { fetch: next, configPath });
    expect(me.stdout).toMatch(/Server:\s+http:\/\/cs\.test:4000\/graphql \(from saved profile "default"\)/);
    await rm(dir, { recursive: true });
  });

  it('should prompt for the token at a terminal and read one line, not wait for end-of-file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'countersign-login-'));
    const configPath = join(dir, 'config.json');
    const fetch = fakeFetch({ Me: { data: { me: { kind: 'APPROVER', id: 'a1', name: 'bob', roles: ['finance'] } } } });
    const r = await runInProcess(['login', '--profile', 'bob', '--token', '-'], { fetch, configPath, tty: true, input: 'cs_appr_pasted\nnot part of it\n' });
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stderr).toBe('Paste the token, then press Enter: ');
    expect(fetch.calls[0]!.authorization).toBe('Bearer cs_appr_pasted');
    await rm(dir, { recursive: true });
  });

  it('should not save a token the server rejects', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'countersign-login-'));
    const configPath = join(dir, 'config.json');
    const fetch = fakeFetch({ Me: { errors: [{ message: 'Unknown token.', extensions: { code: 'UNAUTHENTICATED' } }] } });
    const r = await runInProcess(['login', '--token', 'wrong'], { fetch, configPath });
    expect(r.code).toBe(ExitCode.UNAUTHENTICATED);
    await expect(stat(configPath)).rejects.toThrow();
    await rm(dir, { recursive: true });
  });
});

describe('principals', () => {
  it('should address an agent by name, as kubectl does', async () => {
    const bot = agent('invoice-bot', '11111111-1111-4111-8111-111111111111');
    const fetch = fakeFetch({
      Agents: { data: { agents: page([agent('other'), bot]) } },
      SuspendAgent: (v) => ({ data: { suspendAgent: { ...bot, status: 'SUSPENDED', suspendedReason: v.reason } } }),
    });
    const r = await runInProcess(['agents', 'suspend', 'invoice-bot', '--reason', 'looping'], { fetch, env: TOKEN });
    expect(r.code).toBe(ExitCode.OK);
    expect(fetch.calls[1]!.variables).toEqual({ id: bot.id, reason: 'looping' });
    expect(r.stdout).toMatch(/Status:\s+SUSPENDED/);
  });

  it('should say so when no agent has the name (exit 6)', async () => {
    const fetch = fakeFetch({ Agents: { data: { agents: page([agent('other')]) } } });
    const r = await runInProcess(['agents', 'resume', 'ghost'], { fetch, env: TOKEN });
    expect(r.code).toBe(ExitCode.NOT_FOUND);
    expect(r.stderr).toBe('error: No agent named "ghost".\n');
  });

  it('should print a new agent key once, with --json for scripts', async () => {
    const fetch = fakeFetch({ CreateAgent: (v) => ({ data: { createAgent: { agent: { ...agent('x'), tags: (v.input as { tags: string[] }).tags }, apiKey: 'cs_agent_new' } } }) });
    const r = await runInProcess(['agents', 'create', '--name', 'x', '--tag', 'finance,eu', '--tag', 'prod', '--json'], { fetch, env: TOKEN });
    expect(r.json()).toMatchObject({ apiKey: 'cs_agent_new', agent: { tags: ['finance', 'eu', 'prod'] } });
  });

  it('should add a role without retyping the others', async () => {
    const ann = { id: '22222222-2222-4222-8222-222222222222', name: 'ann', email: null, roles: ['finance'], active: true, createdAt: NOW.toISOString() };
    const fetch = fakeFetch({
      Approvers: { data: { approvers: page([ann]) } },
      UpdateApprover: (v) => ({ data: { updateApprover: { ...ann, roles: (v.input as { roles: string[] }).roles } } }),
    });
    const r = await runInProcess(['approvers', 'update', 'ann', '--add-role', 'clinician'], { fetch, env: TOKEN });
    expect(r.code).toBe(ExitCode.OK);
    expect(fetch.calls.at(-1)!.variables).toEqual({ id: ann.id, input: { roles: ['finance', 'clinician'] } });
  });
});

/** The help text commander prints, including `addHelpText('after', ...)`. */
function captureHelp(command: { outputHelp(): void; configureOutput(o: { writeOut(s: string): void }): unknown }): string {
  let text = '';
  command.configureOutput({ writeOut: (s: string) => (text += s) });
  command.outputHelp();
  return text;
}
