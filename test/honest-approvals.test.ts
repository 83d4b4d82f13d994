import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ActionCancelledError,
  ActionDeniedError,
  ReceiptVerificationError,
  createClient,
  verifyReceipt,
  type Client,
} from '../packages/sdk/src/index.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, runInProcess } from '@countersign/admin-cli/testing';
import { startStack, createAgent, createApprover } from './support/server.js';
import { collect, errorCode, gql, gqlOk, wsClient } from './support/graphql.js';
import { ACTION_FIELDS, DECIDE, GET_ACTION, INPUTS, apply, governanceYaml, submit } from './support/fixtures.js';
import { waitFor } from './support/wait.js';

type Stack = Awaited<ReturnType<typeof startStack>>;
type Person = { id: string; name: string; token: string };

/**
 * DESIGN §2 "Rules that keep approvals honest", end to end: what a receipt binds when
 * approvers modify the payload under a quorum, the kill switch on requests in flight, and
 * one access rule for every path to a request.
 */

/** The payments policy of the fixture, with two `adjust` rules over `action.payload`. */
function payloadRules(): string {
  const rules =
    `      - when: 'has(action.payload.amount) && action.payload.amount > 100000'\n        requiredApprovals: 2\n` +
    `      - when: 'has(action.payload.to) && action.payload.to == "OFFSHORE-IBAN"'\n        mode: BLOCK\n`;
  const document = governanceYaml();
  if (document.split('    adjust:\n').length !== 2) throw new Error('the fixture no longer has exactly one adjust block');
  return document.replace('    adjust:\n', `    adjust:\n${rules}`);
}

const DETAIL = `query($id: ID!) { action(id: $id) {
  ${ACTION_FIELDS} approvals candidatePayload
  decisions { verdict modifiedPayload candidate superseded approver { id name } }
  auditTrail { seq kind actorType actorId data }
} }`;
const QUEUE = '{ approvalQueue(first: 100) { nodes { id } } }';

async function queueOf(stack: Stack, person: Person): Promise<string[]> {
  return (await gqlOk(stack.url, QUEUE, {}, person.token)).approvalQueue.nodes.map((n: { id: string }) => n.id);
}

describe('a modified payload under a quorum', () => {
  let stack: Stack;
  let ann: Person;
  let ben: Person;
  let cleo: Person;
  let agent: { id: string; apiKey: string };
  const clients: Client[] = [];
  const jwksUrl = () => new URL('/.well-known/jwks.json', stack.url);

  const decide = (person: Person, input: Record<string, unknown>) => gql(stack.url, DECIDE, { input }, person.token);
  const detail = async (id: string) => (await gqlOk(stack.url, DETAIL, { id }, stack.adminToken)).action;

  beforeAll(async () => {
    stack = await startStack();
    ann = await createApprover(stack, 'ann', ['finance']);
    ben = await createApprover(stack, 'ben', ['finance']);
    cleo = await createApprover(stack, 'cleo', ['finance']);
    await createApprover(stack, 'lars', ['finance-lead']);
    agent = await createAgent(stack, 'wire-bot');
    expect((await apply(stack, payloadRules())).applied).toBe(true);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((cs) => cs.dispose()));
  });
  afterAll(() => stack?.dispose());

  it("voids the first approval when the second approver modifies the payload: one person alone never chooses what runs", async () => {
    const cs = createClient({ url: stack.url, apiKey: agent.apiKey });
    clients.push(cs);
    // 2,000,000 USD: the policy requires two approvals (adjust over action.amount).
    const input = { ...INPUTS.sync, summary: 'Wire 2M to Acme', amount: { value: 2_000_000, currency: 'USD' }, payload: { to: 'ACME-IBAN', amount: 50_000, currency: 'USD' } };
    const { id } = await cs.submit(input);
    const waiting = cs.wait(id);

    expect((await decide(ann, { actionId: id, verdict: 'APPROVE' })).data!.decide).toMatchObject({ status: 'PENDING', receipt: null });
    expect(await queueOf(stack, ann)).not.toContain(id);

    const modified = { to: 'ACME-IBAN', amount: 48_000, currency: 'USD', memo: 'early-payment discount' };
    const second = await decide(ben, { actionId: id, verdict: 'APPROVE', modifiedPayload: modified });
    expect(second.errors).toBeUndefined();
    // Before: ben's modification was approved with ann's vote for the original. Now it waits for a second person.
    expect(second.data!.decide).toMatchObject({ status: 'PENDING', receipt: null, approvedPayload: null, requiredApprovals: 2 });

    const pending = await detail(id);
    expect(pending).toMatchObject({ approvals: 1, candidatePayload: modified });
    expect(pending.decisions).toMatchObject([
      { verdict: 'APPROVE', modifiedPayload: null, candidate: 0, superseded: true, approver: { id: ann.id, name: 'ann' } },
      { verdict: 'APPROVE', modifiedPayload: modified, candidate: 1, superseded: false, approver: { id: ben.id, name: 'ben' } },
    ]);
    const changed = pending.auditTrail.find((e: { kind: string }) => e.kind === 'PAYLOAD_MODIFIED');
    expect(changed).toMatchObject({ actorType: 'APPROVER', actorId: ben.id, data: { candidate: 1, approvalsVoided: [ann.id], requeued: [ann.id], blocked: false } });

    // ann may, and must, approve again: the request is back in her queue. ben may not vote twice on his own payload.
    expect(await queueOf(stack, ann)).toContain(id);
    expect(errorCode(await decide(ben, { actionId: id, verdict: 'APPROVE' }))).toBe('CONFLICT');
    const approved = (await decide(ann, { actionId: id, verdict: 'APPROVE', comment: 'The discounted amount is right' })).data!.decide;
    expect(approved).toMatchObject({ status: 'APPROVED', approvedPayload: modified });

    // The waiting agent gets the payload both approved, and the receipt binds exactly it.
    const done = await waiting;
    expect(done.approvedPayload).toEqual(modified);
    await expect(verifyReceipt(done.receipt!, modified, { jwksUrl: jwksUrl() })).resolves.toMatchObject({ sub: id });
    await expect(verifyReceipt(done.receipt!, input.payload, { jwksUrl: jwksUrl() })).rejects.toBeInstanceOf(ReceiptVerificationError);
    expect((await gqlOk(stack.url, '{ verifyAuditChain { valid } }', {}, stack.adminToken)).verifyAuditChain.valid).toBe(true);
  });

  it('does not let a 50k request approved with amount 9,999,999 keep its one-approval quorum: the adjust rule over action.payload asks for two', async () => {
    const pending = await submit(stack, agent.apiKey, { ...INPUTS.sync, summary: 'Wire 50k', amount: { value: 50_000, currency: 'USD' }, payload: { to: 'ACME-IBAN', amount: 50_000 } });
    expect(pending.requiredApprovals).toBe(1);
    const inflated = { to: 'ACME-IBAN', amount: 9_999_999 };
    const first = (await decide(ann, { actionId: pending.id, verdict: 'APPROVE', modifiedPayload: inflated })).data!.decide;
    expect(first).toMatchObject({ status: 'PENDING', requiredApprovals: 2, receipt: null });
    expect(first.notes.join('\n')).toContain('The payload ann approved was evaluated again: 2 approvals are now required (were 1).');
    expect(errorCode(await decide(ann, { actionId: pending.id, verdict: 'APPROVE' }))).toBe('CONFLICT');

    const second = (await decide(cleo, { actionId: pending.id, verdict: 'APPROVE' })).data!.decide;
    expect(second).toMatchObject({ status: 'APPROVED', approvedPayload: inflated });
    await expect(verifyReceipt(second.receipt, inflated, { jwksUrl: jwksUrl() })).resolves.toMatchObject({ sub: pending.id });
    const trail = (await detail(pending.id)).auditTrail;
    expect(trail.find((e: { kind: string }) => e.kind === 'PAYLOAD_MODIFIED').data).toMatchObject({
      requiredApprovals: { before: 1, after: 2 }, evaluation: { requiredApprovals: 2 }, blocked: false,
    });
    expect(trail.find((e: { kind: string }) => e.kind === 'ACTION_APPROVED').data).toMatchObject({ candidate: 1, approvers: [ann.id, cleo.id] });
  });

  it('denies a request whose modified payload the policy blocks (BLOCKED_BY_POLICY), and the waiting agent is told why', async () => {
    const cs = createClient({ url: stack.url, apiKey: agent.apiKey });
    clients.push(cs);
    const { id } = await cs.submit({ ...INPUTS.sync, summary: 'Wire to Acme, again' });
    const waiting = cs.wait(id).catch((error: unknown) => error);
    const blocked = (await decide(ben, { actionId: id, verdict: 'APPROVE', modifiedPayload: { to: 'OFFSHORE-IBAN', amount: 25_000, currency: 'USD' } })).data!.decide;
    expect(blocked).toMatchObject({ status: 'DENIED', statusReason: 'BLOCKED_BY_POLICY', receipt: null, approvedPayload: null, assignees: [] });
    expect(blocked.notes).toContain('The payload ben approved was evaluated again: policy payments blocks it.');
    const error = await waiting;
    expect(error).toBeInstanceOf(ActionDeniedError);
    expect(error).toMatchObject({ reason: 'BLOCKED_BY_POLICY' });
    const kinds = (await detail(id)).auditTrail.map((e: { kind: string }) => e.kind);
    expect(kinds.slice(-3)).toEqual(['ACTION_DECIDED', 'PAYLOAD_MODIFIED', 'ACTION_DENIED']);
    expect(await queueOf(stack, ann)).not.toContain(id);
  });

  it('tells a reader of `countersign show` and `approve` that an approval of an earlier payload no longer counts', async () => {
    const pending = await submit(stack, agent.apiKey, { ...INPUTS.sync, summary: 'Wire 2M, shown', amount: { value: 2_000_000, currency: 'USD' } });
    await gqlOk(stack.url, DECIDE, { input: { actionId: pending.id, verdict: 'APPROVE' } }, ann.token);
    const home = await mkdtemp(join(tmpdir(), 'countersign-quorum-'));
    const cs = (args: string[], token: string) =>
      runCli(args, { cwd: home, env: { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), COUNTERSIGN_URL: stack.url, COUNTERSIGN_TOKEN: token } });
    try {
      const payload = JSON.stringify({ to: 'ACME-IBAN', amount: 20_000, currency: 'USD' });
      const approved = await cs(['approve', pending.id, '--payload', payload], ben.token);
      expect(approved.code, approved.stderr).toBe(0);
      expect(approved.stdout).toContain('1 of 2 approvals');
      const shown = await cs(['show', pending.id], stack.adminToken);
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout).toContain('1 of 2 approvals');
      expect(shown.stdout).toContain('APPROVE (of an earlier payload: no longer counts)');
      expect(shown.stdout).toContain('changed the payload to approve; 1 earlier approval no longer counts');
      expect(shown.stdout).toContain('Payload now up for approval');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('treats a modification equal to the candidate as an approval of it', async () => {
    const pending = await submit(stack, agent.apiKey, { ...INPUTS.sync, summary: 'Wire 2M, same payload', amount: { value: 2_000_000, currency: 'USD' } });
    await gqlOk(stack.url, DECIDE, { input: { actionId: pending.id, verdict: 'APPROVE' } }, ann.token);
    const reordered = { currency: 'USD', amount: 25000, to: 'ACME-IBAN' };
    const approved = (await gqlOk(stack.url, DECIDE, { input: { actionId: pending.id, verdict: 'APPROVE', modifiedPayload: reordered } }, ben.token)).decide;
    expect(approved).toMatchObject({ status: 'APPROVED', approvedPayload: INPUTS.sync.payload });
  });
});

describe('an approval names the payload it was given for (expectedPayloadHash)', () => {
  let stack: Stack;
  let ann: Person;
  let ben: Person;
  let cleo: Person;
  let olga: Person;
  let agent: { id: string; apiKey: string };
  const jwksUrl = () => new URL('/.well-known/jwks.json', stack.url);

  const LOAD = 'query($id: ID!) { action(id: $id) { id status candidatePayload candidatePayloadHash } }';
  const load = async (person: Person, id: string) => (await gqlOk(stack.url, LOAD, { id }, person.token)).action as { status: string; candidatePayload: unknown; candidatePayloadHash: string };
  const decide = (person: Person, input: Record<string, unknown>) => gql(stack.url, DECIDE, { input }, person.token);
  const detail = async (id: string) => (await gqlOk(stack.url, DETAIL, { id }, stack.adminToken)).action;
  /** What a refused vote must leave as it was. */
  const state = async (id: string) => {
    const d = await detail(id);
    return { status: d.status, approvals: d.approvals, candidatePayload: d.candidatePayload, decisions: d.decisions, auditTrail: d.auditTrail };
  };
  const twoPersonWire = (summary: string) =>
    submit(stack, agent.apiKey, { ...INPUTS.sync, summary, amount: { value: 2_000_000, currency: 'USD' }, payload: { to: 'ACME-IBAN', amount: 50_000, currency: 'USD' } });

  beforeAll(async () => {
    stack = await startStack();
    ann = await createApprover(stack, 'ann', ['finance']);
    ben = await createApprover(stack, 'ben', ['finance']);
    cleo = await createApprover(stack, 'cleo', ['finance']);
    olga = await createApprover(stack, 'olga', ['compliance']);
    await createApprover(stack, 'lars', ['finance-lead']);
    agent = await createAgent(stack, 'wire-bot');
    expect((await apply(stack, payloadRules())).applied).toBe(true);
  });
  afterAll(() => stack?.dispose());

  it("refuses ann's approval of the payload she loaded once ben changed it, writing nothing; with the new hash it counts", async () => {
    const pending = await twoPersonWire('Wire 2M, changed under ann');
    const seen = await load(ann, pending.id);
    expect(seen).toMatchObject({ status: 'PENDING', candidatePayload: pending.payload, candidatePayloadHash: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    const h1 = seen.candidatePayloadHash;

    const modified = { to: 'ACME-IBAN', amount: 48_000, currency: 'USD', memo: 'early-payment discount' };
    expect((await decide(ben, { actionId: pending.id, verdict: 'APPROVE', modifiedPayload: modified, expectedPayloadHash: h1 })).errors).toBeUndefined();
    const h2 = (await load(ann, pending.id)).candidatePayloadHash;
    expect(h2).not.toBe(h1);
    const before = await state(pending.id);

    const refused = await decide(ann, { actionId: pending.id, verdict: 'APPROVE', comment: 'looks right', expectedPayloadHash: h1 });
    expect(refused.errors?.[0]).toMatchObject({
      message: `The payload up for approval on request ${pending.id} changed since you loaded it: reload and review it.`,
      extensions: { code: 'CONFLICT', reason: 'PAYLOAD_CHANGED', candidatePayloadHash: h2, expectedPayloadHash: h1 },
    });
    // Nothing written: no decision, no audit event, the same candidate and count.
    expect(await state(pending.id)).toEqual(before);
    expect(before).toMatchObject({ status: 'PENDING', approvals: 1, candidatePayload: modified });

    const approved = await decide(ann, { actionId: pending.id, verdict: 'APPROVE', comment: 'the discounted amount is right', expectedPayloadHash: h2 });
    expect(approved.errors).toBeUndefined();
    expect(approved.data!.decide).toMatchObject({ status: 'APPROVED', approvedPayload: modified });
    // The hash an approver sends is the receipt's own `pld` of the payload approved.
    await expect(verifyReceipt(approved.data!.decide.receipt, modified, { jwksUrl: jwksUrl() })).resolves.toMatchObject({ sub: pending.id, pld: h2 });
    // The audit trail says which payload each approval was for, and that the approver's client named it.
    const approvals = (await detail(pending.id)).auditTrail.filter((e: { kind: string; data: { verdict?: string } }) => e.kind === 'ACTION_DECIDED' && e.data.verdict === 'APPROVE');
    expect(approvals.map((e: { data: unknown }) => e.data)).toEqual([
      expect.objectContaining({ payloadHash: h2, payloadHashConfirmed: true }),
      expect.objectContaining({ payloadHash: h2, payloadHashConfirmed: true }),
    ]);
    expect((await gqlOk(stack.url, '{ verifyAuditChain { valid } }', {}, stack.adminToken)).verifyAuditChain.valid).toBe(true);
  });

  it('refuses a modification made from a payload that changed since, too', async () => {
    const pending = await twoPersonWire('Wire 2M, two edits');
    const h1 = (await load(ann, pending.id)).candidatePayloadHash;
    await gqlOk(stack.url, DECIDE, { input: { actionId: pending.id, verdict: 'APPROVE', modifiedPayload: { to: 'ACME-IBAN', amount: 40_000, currency: 'USD' } } }, ben.token);
    const before = await state(pending.id);
    const refused = await decide(ann, { actionId: pending.id, verdict: 'APPROVE', modifiedPayload: { to: 'ACME-IBAN', amount: 45_000, currency: 'USD' }, expectedPayloadHash: h1 });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'PAYLOAD_CHANGED' });
    expect(await state(pending.id)).toEqual(before);
  });

  it('keeps today\'s behaviour without the hash, and lets a denial through whatever the payload', async () => {
    const plain = await twoPersonWire('Wire 2M, no hash');
    await gqlOk(stack.url, DECIDE, { input: { actionId: plain.id, verdict: 'APPROVE', modifiedPayload: { to: 'ACME-IBAN', amount: 1, currency: 'USD' } } }, ben.token);
    expect((await decide(ann, { actionId: plain.id, verdict: 'APPROVE' })).data!.decide).toMatchObject({ status: 'APPROVED', approvedPayload: { to: 'ACME-IBAN', amount: 1, currency: 'USD' } });

    const denied = await twoPersonWire('Wire 2M, denied from a stale page');
    const h1 = (await load(ann, denied.id)).candidatePayloadHash;
    await gqlOk(stack.url, DECIDE, { input: { actionId: denied.id, verdict: 'APPROVE', modifiedPayload: { to: 'ACME-IBAN', amount: 2, currency: 'USD' } } }, ben.token);
    expect((await decide(ann, { actionId: denied.id, verdict: 'DENY', comment: 'no', expectedPayloadHash: h1 })).data!.decide).toMatchObject({ status: 'DENIED' });
  });

  it('answers BAD_USER_INPUT for a hash of the wrong form, writing nothing', async () => {
    const pending = await twoPersonWire('Wire 2M, garbled hash');
    const before = await state(pending.id);
    const hex = (await load(ann, pending.id)).candidatePayloadHash;
    for (const wrong of ['', 'sha256:abc', 'a'.repeat(64), `${hex}=`, hex.slice(1)]) {
      const result = await decide(ann, { actionId: pending.id, verdict: 'APPROVE', expectedPayloadHash: wrong });
      expect(result.errors?.[0]?.extensions, wrong).toMatchObject({ code: 'BAD_USER_INPUT', field: 'expectedPayloadHash' });
    }
    expect(await state(pending.id)).toEqual(before);
  });

  it('tells the current hash to nobody the request is not assigned to: they get FORBIDDEN', async () => {
    const pending = await twoPersonWire('Wire 2M, outsider guesses');
    const stale = (await load(ann, pending.id)).candidatePayloadHash;
    await gqlOk(stack.url, DECIDE, { input: { actionId: pending.id, verdict: 'APPROVE', modifiedPayload: { to: 'ACME-IBAN', amount: 3, currency: 'USD' } } }, ben.token);
    const result = await decide(olga, { actionId: pending.id, verdict: 'APPROVE', expectedPayloadHash: stale });
    expect(errorCode(result)).toBe('FORBIDDEN');
    expect(JSON.stringify(result.errors)).not.toContain('candidatePayloadHash');
  });

  it('`countersign approve` shows the payload it approves and sends its hash: a change that lands in between is refused with a clear line (exit 7)', async () => {
    const pending = await twoPersonWire('Wire 2M, from a terminal');
    const home = await mkdtemp(join(tmpdir(), 'countersign-stale-'));
    const env = (token: string) => ({ HOME: home, XDG_CONFIG_HOME: join(home, '.config'), COUNTERSIGN_URL: stack.url, COUNTERSIGN_TOKEN: token });
    const changed = { to: 'ACME-IBAN', amount: 47_000, currency: 'USD' };
    // The CLI's own HTTP calls, to the real server; ben's change lands after the CLI read the request and before its vote.
    const raceBen: typeof fetch = async (input, init) => {
      if (String(init?.body).includes('mutation Decide')) {
        await gqlOk(stack.url, DECIDE, { input: { actionId: pending.id, verdict: 'APPROVE', modifiedPayload: changed } }, ben.token);
      }
      return fetch(input, init);
    };
    try {
      const h1 = (await load(ann, pending.id)).candidatePayloadHash;
      const raced = await runInProcess(['approve', pending.id, '--comment', 'ok'], { env: env(ann.token), fetch: raceBen, configPath: join(home, 'config.json') });
      expect(raced.code, raced.stderr).toBe(7);
      expect(raced.stdout).toContain(`Approving ${pending.id}: Wire 2M, from a terminal`);
      expect(raced.stdout).toContain('"amount": 50000');
      expect(raced.stdout).toMatch(new RegExp(`^Payload hash:\\s+${h1}$`, 'm'));
      expect(raced.stderr).toBe(`error: Not approved: the payload up for approval on ${pending.id} changed since it was shown above (another approver changed it). Review it with \`countersign show ${pending.id}\`, then approve again.\n`);
      // Ben's vote is the only one, on his payload.
      expect((await detail(pending.id)).decisions).toMatchObject([{ verdict: 'APPROVE', approver: { name: 'ben' }, superseded: false }]);

      // `show` names the hash of what is up now; approving with an older one is refused, with it counts.
      const shown = await runCli(['show', pending.id], { env: env(ann.token) });
      expect(shown.code, shown.stderr).toBe(0);
      const hash = /^Payload hash:\s+(\S+)/m.exec(shown.stdout)?.[1];
      expect(hash).toBe((await load(ann, pending.id)).candidatePayloadHash);
      const stale = await runCli(['approve', pending.id, '--payload-hash', h1], { env: env(cleo.token) });
      expect(stale.code).toBe(7);
      expect(stale.stderr).toContain('changed since you read it');
      const approved = await runCli(['approve', pending.id, '--payload-hash', hash!], { env: env(ann.token) });
      expect(approved.code, approved.stderr).toBe(0);
      expect(approved.stdout.trim()).toBe(`Approved ${pending.id}: it is now APPROVED.`);
      expect((await detail(pending.id)).approvedPayload).toEqual(changed);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('suspending an agent with requests pending', () => {
  let stack: Stack;
  let fiona: Person;
  const clients: Client[] = [];

  beforeAll(async () => {
    stack = await startStack();
    fiona = await createApprover(stack, 'fiona', ['finance']);
    await createApprover(stack, 'lars', ['finance-lead']);
    await apply(stack, governanceYaml());
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((cs) => cs.dispose()));
  });
  afterAll(() => stack?.dispose());

  const suspend = (agentId: string) => gqlOk(stack.url, 'mutation($id: ID!) { suspendAgent(id: $id, reason: "Leaking invoices") { status } }', { id: agentId }, stack.adminToken);

  it('cancels them (AGENT_SUSPENDED): the waiting agent gets ActionCancelledError, no receipt, and a decision afterwards is a CONFLICT', async () => {
    const agent = await createAgent(stack, 'rogue-bot');
    const cs = createClient({ url: stack.url, apiKey: agent.apiKey });
    clients.push(cs);
    const waited = await cs.submit({ ...INPUTS.sync, summary: 'Wire waited on' });
    const other = await cs.submit({ ...INPUTS.sync, summary: 'Wire not waited on' });
    const waiting = cs.wait(waited.id).catch((error: unknown) => error);
    // The agent is subscribed before the switch is thrown: it must be pushed the change.
    const watcher = wsClient(stack.url, agent.apiKey);
    const updates = collect(watcher, 'subscription($id: ID!) { actionUpdated(id: $id) { status statusReason } }', { id: waited.id });
    await waitFor(() => updates.values.length > 0, { what: 'the subscription to be live' });
    expect(await queueOf(stack, fiona)).toEqual(expect.arrayContaining([waited.id, other.id]));

    await suspend(agent.id);

    const error = await waiting;
    expect(error).toBeInstanceOf(ActionCancelledError);
    expect(error).toMatchObject({ reason: 'AGENT_SUSPENDED', action: { status: 'CANCELLED', statusReason: 'AGENT_SUSPENDED', receipt: null } });
    await waitFor(() => updates.values.some((v) => v.actionUpdated.status === 'CANCELLED'), { what: 'the push of the cancellation' });
    await watcher.dispose();

    for (const id of [waited.id, other.id]) {
      const stored = (await gqlOk(stack.url, GET_ACTION, { id }, stack.adminToken)).action;
      expect(stored).toMatchObject({ status: 'CANCELLED', statusReason: 'AGENT_SUSPENDED', receipt: null, approvedPayload: null, assignees: [] });
      expect(stored.auditTrail.at(-1)).toMatchObject({ kind: 'ACTION_CANCELLED', actorType: 'ADMIN', data: { reason: 'AGENT_SUSPENDED' } });
      expect(errorCode(await gql(stack.url, DECIDE, { input: { actionId: id, verdict: 'APPROVE' } }, fiona.token))).toBe('CONFLICT');
    }
    expect(await queueOf(stack, fiona)).not.toEqual(expect.arrayContaining([waited.id]));
    expect(await queueOf(stack, fiona)).not.toContain(other.id);
    expect((await gqlOk(stack.url, '{ verifyAuditChain { valid } }', {}, stack.adminToken)).verifyAuditChain.valid).toBe(true);
  });

  it('never issues a receipt after the suspension, when a decision races it', async () => {
    for (let round = 0; round < 5; round++) {
      const agent = await createAgent(stack, `racing-bot-${round}`);
      const pending = await submit(stack, agent.apiKey, { ...INPUTS.sync, summary: `Race ${round}` });
      const [decided] = await Promise.all([gql(stack.url, DECIDE, { input: { actionId: pending.id, verdict: 'APPROVE' } }, fiona.token), suspend(agent.id)]);
      const stored = (await gqlOk(stack.url, GET_ACTION, { id: pending.id }, stack.adminToken)).action;
      const suspendedAt = (await gqlOk(stack.url, 'query($id: String) { auditLog(first: 1, filter: { subjectId: $id, kind: ["AGENT_SUSPENDED"] }) { nodes { seq } } }', { id: agent.id }, stack.adminToken))
        .auditLog.nodes[0].seq;
      if (stored.status === 'APPROVED') {
        // The decision won the lock: it committed before the suspension did.
        expect(decided.errors).toBeUndefined();
        expect(stored.auditTrail.find((e: { kind: string }) => e.kind === 'ACTION_APPROVED').seq).toBeLessThan(suspendedAt);
      } else {
        expect(stored).toMatchObject({ status: 'CANCELLED', statusReason: 'AGENT_SUSPENDED', receipt: null });
        expect(errorCode(decided)).toBe('CONFLICT');
      }
    }
  });
});

describe('one access rule for every path to a request', () => {
  let stack: Stack;
  let fiona: Person;
  let carla: Person;
  let sam: Person;
  let olga: Person;
  let agent: { id: string; apiKey: string };
  let owned: { id: string; apiKey: string };
  let original: { id: string };
  let revision: { id: string };
  let vault: { id: string };
  let auto: { id: string };
  let ownedRequest: { id: string };

  beforeAll(async () => {
    stack = await startStack();
    fiona = await createApprover(stack, 'fiona', ['finance']);
    carla = await createApprover(stack, 'carla', ['compliance']);
    sam = await createApprover(stack, 'sam', ['secrets']);
    olga = await createApprover(stack, 'olga', ['finance']);
    await createApprover(stack, 'lars', ['finance-lead']);
    const document = governanceYaml()
      .replace('escalationChains:\n', 'escalationChains:\n  - name: secrets\n    levels:\n      - { approvers: { role: secrets }, timeout: 4h }\n')
      .replace('routes:\n', `routes:\n  - { name: vault, priority: 30, when: 'has(action.resource) && action.resource == "vault"', chain: secrets }\n`);
    expect((await apply(stack, document)).applied).toBe(true);
    agent = await createAgent(stack, 'ledger-bot');
    owned = await createAgent(stack, 'olga-bot', { ownerId: olga.id });
    const other = await createAgent(stack, 'vault-bot');

    // A payment routed to fiona, sent back; its revision is a records export (HIGH: SYNC_APPROVAL) routed to carla.
    original = await submit(stack, agent.apiKey, { ...INPUTS.sync, summary: 'Wire with the account number in the memo' });
    await gqlOk(stack.url, DECIDE, { input: { actionId: original.id, verdict: 'REQUEST_CHANGES', comment: 'Export the ledger instead' } }, fiona.token);
    revision = await submit(stack, agent.apiKey, {
      type: 'records.export', operation: 'DELETE', summary: 'Export the ledger', dataClassification: 'RESTRICTED', payload: { ledger: 2026 }, revisionOf: original.id,
    });
    // Never routed to carla: an AUTO request of the same agent, and another agent's export routed to sam.
    auto = await submit(stack, agent.apiKey, INPUTS.auto);
    vault = await submit(stack, other.apiKey, { type: 'records.export', operation: 'DELETE', summary: 'Export the vault keys', dataClassification: 'RESTRICTED', resource: 'vault', payload: { keys: 'all' } });
    ownedRequest = await submit(stack, owned.apiKey, { ...INPUTS.sync, summary: "Olga's bot wires" });
  });
  afterAll(() => stack?.dispose());

  it('does not show an approver the request a revision revises when it was never routed to them (revisionOf { payload decisions })', async () => {
    const query = `query($id: ID!) { action(id: $id) { id revisionOf { id payload decisions { comment } } revisionChanges { fields { field } } } }`;
    const seen = (await gqlOk(stack.url, query, { id: revision.id }, carla.token)).action;
    expect(seen).toEqual({ id: revision.id, revisionOf: null, revisionChanges: null });
    // Those it was routed to, and admins, still see it.
    expect((await gqlOk(stack.url, query, { id: revision.id }, stack.adminToken)).action.revisionOf).toMatchObject({ id: original.id, decisions: [{ comment: 'Export the ledger instead' }] });
    expect(errorCode(await gql(stack.url, query, { id: original.id }, carla.token))).toBe('NOT_FOUND');
  });

  it("does not list an agent's requests routed to other people, nor any to an approver who does not govern the agent (agent(id) { recentActions })", async () => {
    const query = `query($id: ID!) { agent(id: $id) { recentActions(first: 50) { id summary decisions { comment } } } }`;
    const ids = async (token: string) => (await gqlOk(stack.url, query, { id: agent.id }, token)).agent.recentActions.map((a: { id: string }) => a.id);
    // Each sees what was routed to them, and the agent's requests nobody was asked about (AUTO), since they govern it.
    expect(await ids(carla.token)).toEqual([auto.id, revision.id]);
    expect(await ids(fiona.token)).toEqual([auto.id, original.id]);
    // sam was never asked about this agent: nothing of its history.
    expect(await ids(sam.token)).toEqual([]);
    expect(await ids(stack.adminToken)).toEqual(expect.arrayContaining([revision.id, original.id, auto.id]));
    // The same through a request's agent.
    const nested = await gqlOk(stack.url, `query($id: ID!) { action(id: $id) { agent { recentActions(first: 50) { id } } } }`, { id: revision.id }, carla.token);
    expect(nested.action.agent.recentActions.map((a: { id: string }) => a.id)).toEqual([auto.id, revision.id]);
  });

  it('keeps precedent to requests the approver may see (similar), and leaves other agents\' unrouted ones out', async () => {
    const laterExport = await submit(stack, agent.apiKey, { type: 'records.export', operation: 'DELETE', summary: 'Export the ledger, third time', dataClassification: 'RESTRICTED', payload: { ledger: 2028 } });
    const query = `query($id: ID!) { action(id: $id) { similar(first: 50) { sameAgent { id } otherAgents { id } } } }`;
    const mine = (await gqlOk(stack.url, query, { id: laterExport.id }, carla.token)).action.similar;
    expect(mine.otherAgents).toEqual([]);
    expect(mine.sameAgent.map((a: { id: string }) => a.id)).not.toContain(vault.id);
    const admin = (await gqlOk(stack.url, query, { id: laterExport.id }, stack.adminToken)).action.similar;
    expect(admin.otherAgents.map((a: { id: string }) => a.id)).toEqual([vault.id]);
  });

  it('refuses an unrouted request through action(id) and actionUpdated(id), and agents see only their own', async () => {
    expect(errorCode(await gql(stack.url, GET_ACTION, { id: vault.id }, carla.token))).toBe('NOT_FOUND');
    const client = wsClient(stack.url, carla.token);
    const stream = collect(client, 'subscription($id: ID!) { actionUpdated(id: $id) { id payload } }', { id: vault.id });
    await waitFor(() => stream.errors.length > 0 || stream.values.length > 0, { what: 'the subscription to answer' });
    expect(stream.values).toEqual([]);
    expect(JSON.stringify(stream.errors)).toContain('NOT_FOUND');
    await client.dispose();
    expect(errorCode(await gql(stack.url, GET_ACTION, { id: vault.id }, agent.apiKey))).toBe('NOT_FOUND');
    expect(errorCode(await gql(stack.url, `query($id: ID!) { agent(id: $id) { recentActions { id } } }`, { id: agent.id }, owned.apiKey))).toBe('FORBIDDEN');
  });

  it("shows an owner their agent's requests read-only, and refuses their approval with the reason", async () => {
    const seen = (await gqlOk(stack.url, GET_ACTION, { id: ownedRequest.id }, olga.token)).action;
    expect(seen).toMatchObject({ id: ownedRequest.id, status: 'PENDING', payload: INPUTS.sync.payload, agent: { name: 'olga-bot' } });
    expect(seen.assignees.map((a: { approver: { id: string } }) => a.approver.id)).not.toContain(olga.id);
    expect(await queueOf(stack, olga)).not.toContain(ownedRequest.id);
    const recent = (await gqlOk(stack.url, `query($id: ID!) { agent(id: $id) { recentActions { id } } }`, { id: owned.id }, olga.token)).agent.recentActions;
    expect(recent.map((a: { id: string }) => a.id)).toEqual([ownedRequest.id]);

    const refused = await gql(stack.url, DECIDE, { input: { actionId: ownedRequest.id, verdict: 'APPROVE' } }, olga.token);
    expect(errorCode(refused)).toBe('FORBIDDEN');
    expect(refused.errors![0]!.message).toContain('you own this agent, so you cannot approve its requests');
    expect(errorCode(await gql(stack.url, DECIDE, { input: { actionId: ownedRequest.id, verdict: 'DENY' } }, olga.token))).toBe('FORBIDDEN');
    expect((await gqlOk(stack.url, GET_ACTION, { id: ownedRequest.id }, stack.adminToken)).action.status).toBe('PENDING');
  });

  it("lets an owner run `countersign show` on their agent's request", async () => {
    const home = await mkdtemp(join(tmpdir(), 'countersign-owner-'));
    const result = await runCli(['show', ownedRequest.id, '--json'], { cwd: home, env: { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), COUNTERSIGN_URL: stack.url, COUNTERSIGN_TOKEN: olga.token } });
    await rm(home, { recursive: true, force: true });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ id: ownedRequest.id, status: 'PENDING', agent: { name: 'olga-bot', owner: { name: 'olga' } } });
  });
});
