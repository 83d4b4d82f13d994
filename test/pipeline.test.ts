import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, jwtVerify, generateKeyPair, SignJWT, type JSONWebKeySet } from 'jose';
import { createHash } from 'node:crypto';
import { startStack, createAgent, createApprover } from './support/server.js';
import { errorCode, gql, gqlOk } from './support/graphql.js';
import { ACTION_FIELDS, APPLY, GET_ACTION, INPUTS, SUBMIT, apply, governanceYaml, submit } from './support/fixtures.js';

describe('the decision pipeline: governance, risk, policies, routing, receipts, audit', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  let agent: { id: string; apiKey: string };
  let finance: { id: string; token: string };
  let compliance: { id: string; token: string };

  beforeAll(async () => {
    stack = await startStack();
    finance = await createApprover(stack, 'fiona', ['finance']);
    await createApprover(stack, 'lars', ['finance-lead']);
    await createApprover(stack, 'cfo', []);
    compliance = await createApprover(stack, 'carla', ['compliance']);
    agent = await createAgent(stack, 'ap-agent', { tags: ['finance'] });
    const applied = await apply(stack, governanceYaml());
    expect(applied).toMatchObject({ version: 1, applied: true, warnings: [] });
  });
  afterAll(() => stack?.dispose());

  describe('modes', () => {
    it('runs a low-risk action straight through (AUTO → APPROVED) with a receipt and explained factors', async () => {
      const action = await submit(stack, agent.apiKey, INPUTS.auto);
      expect(action).toMatchObject({ mode: 'AUTO', status: 'APPROVED', statusReason: 'AUTO_APPROVED', policy: null, governanceVersion: 1 });
      expect(action.risk).toMatchObject({ score: 0, level: 'LOW' });
      expect(action.approvedPayload).toEqual(INPUTS.auto.payload);
      expect(action.receipt).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    });

    it('lets a medium-risk action run and queues it for review (ASYNC_REVIEW), where a reviewer flags it', async () => {
      const action = await submit(stack, agent.apiKey, INPUTS.asyncReview);
      expect(action).toMatchObject({ mode: 'ASYNC_REVIEW', status: 'APPROVED', reviewStatus: 'UNREVIEWED', policy: 'payments', route: 'payments', chain: 'finance' });
      expect(action.risk.level).toBe('MEDIUM');
      expect(action.risk.score).toBe(35);
      expect(action.risk.factors).toEqual(expect.arrayContaining([
        expect.objectContaining({ dimension: 'operation', points: 20 }),
        expect.objectContaining({ dimension: 'classification', points: 5 }),
        expect.objectContaining({ dimension: 'amount', points: 10 }),
      ]));
      for (const factor of action.risk.factors) expect(factor.detail).toMatch(/\w+.*\.$/);

      const queue = await gqlOk(stack.url, '{ reviewQueue { totalCount nodes { id summary } } }', {}, finance.token);
      expect(queue.reviewQueue.nodes.map((n: { id: string }) => n.id)).toContain(action.id);

      const flagged = await gqlOk(stack.url, 'mutation($input: ReviewInput!) { review(input: $input) { reviewStatus } }', { input: { actionId: action.id, verdict: 'FLAG', comment: 'Wrong vendor' } }, finance.token);
      expect(flagged.review.reviewStatus).toBe('FLAGGED');
      const after = await gqlOk(stack.url, '{ reviewQueue { nodes { id } } }', {}, finance.token);
      expect(after.reviewQueue.nodes.map((n: { id: string }) => n.id)).not.toContain(action.id);

      // The flag feeds the agent's behaviour: its next request carries a recentDenials factor.
      const next = await submit(stack, agent.apiKey, INPUTS.auto);
      expect(next.risk.factors).toEqual(expect.arrayContaining([expect.objectContaining({ dimension: 'recentDenials', points: 15 })]));
    });

    it('holds a high-risk action for a human (SYNC_APPROVAL → PENDING) with its route, level, deadline and assignees', async () => {
      const before = Date.now();
      const action = await submit(stack, agent.apiKey, INPUTS.sync);
      expect(action).toMatchObject({
        mode: 'SYNC_APPROVAL', status: 'PENDING', route: 'payments', chain: 'finance', escalationLevel: 1, requiredApprovals: 1,
        consequences: { approve: 'Funds leave the company account; wires cannot be recalled.', deny: 'The invoice is not paid today.' },
        approvedPayload: null, receipt: null,
      });
      expect(action.risk.level).toBe('CRITICAL');
      expect(new Date(action.deadline).getTime()).toBeGreaterThanOrEqual(before + 15 * 60_000 - 1000);
      expect(action.assignees).toEqual([{ approver: { id: finance.id, name: 'fiona' }, onBehalfOf: null, viaRole: 'finance', level: 1 }]);

      const queue = await gqlOk(stack.url, '{ approvalQueue { totalCount nodes { id } } }', {}, finance.token);
      expect(queue.approvalQueue.nodes.map((n: { id: string }) => n.id)).toContain(action.id);
    });

    it('denies what a policy blocks (BLOCK → DENIED) and says why', async () => {
      const action = await submit(stack, agent.apiKey, INPUTS.blocked);
      expect(action).toMatchObject({ mode: 'BLOCK', status: 'DENIED', statusReason: 'BLOCKED_BY_POLICY', policy: 'payments', receipt: null });
      expect(action.notes.join(' ')).toMatch(/BLOCK/);
    });

    it('denies every submission of a suspended agent (the kill switch) and lets it work again when resumed', async () => {
      const rogue = await createAgent(stack, 'rogue-agent');
      await gqlOk(stack.url, 'mutation($id: ID!) { suspendAgent(id: $id, reason: "looping") { status } }', { id: rogue.id }, stack.adminToken);
      const denied = await submit(stack, rogue.apiKey, INPUTS.auto);
      expect(denied).toMatchObject({ status: 'DENIED', statusReason: 'AGENT_SUSPENDED', receipt: null });
      await gqlOk(stack.url, 'mutation($id: ID!) { resumeAgent(id: $id) { status } }', { id: rogue.id }, stack.adminToken);
      expect((await submit(stack, rogue.apiKey, INPUTS.auto)).status).toBe('APPROVED');
    });

    it('denies with NO_ROUTE a request that needs a human when no route matches (fail closed), and warns at apply', async () => {
      const noCatchAll = await stack.app.services.orm.em.fork().execute('select 1');
      expect(noCatchAll).toHaveLength(1);
      const applied = await apply(stack, governanceYaml({ catchAll: false }));
      expect(applied.warnings.join('\n')).toMatch(/catch-all|NO_ROUTE/i);
      const action = await submit(stack, agent.apiKey, { type: 'crm.export', operation: 'DELETE', summary: 'Delete all CRM contacts', dataClassification: 'CONFIDENTIAL' });
      expect(action).toMatchObject({ mode: 'SYNC_APPROVAL', status: 'DENIED', statusReason: 'NO_ROUTE', route: null });
      await apply(stack, governanceYaml());
    });
  });

  describe('governance as code', () => {
    const refused = async (document: string) => {
      const result = await gql(stack.url, APPLY, { document }, stack.adminToken);
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      return result.errors![0]!.message;
    };

    it('refuses a bad CEL expression, naming the policy, the field and the position', async () => {
      const message = await refused(governanceYaml().replace('action.type.startsWith("payments.")\'\n    modes', 'action.type.startsWith("payments.") &&\'\n    modes'));
      expect(message).toMatch(/policies\[0\]\.match/);
      expect(message).toMatch(/column \d+/);
    });

    it('refuses a route naming an unknown chain', async () => {
      expect(await refused(governanceYaml().replace('chain: compliance }', 'chain: legal }'))).toMatch(/routes\[1\]\.chain.*legal/);
    });

    it('refuses an unknown field', async () => {
      expect(await refused(governanceYaml().replace('    priority: 10\n    match', '    priority: 10\n    colour: red\n    match'))).toMatch(/policies\[0\].*colour/);
    });

    it('refuses a wrong duration', async () => {
      expect(await refused(governanceYaml({ leadTimeout: '"30 minutes"' }))).toMatch(/escalationChains\[0\]\.levels\[1\]\.timeout/);
    });

    it('changes nothing on a dry run, but shows the diff', async () => {
      const before = await gqlOk(stack.url, '{ governance { version history { version } } }', {}, stack.adminToken);
      const dry = await apply(stack, governanceYaml({ financeTimeout: '5m' }), true);
      expect(dry).toMatchObject({ applied: false, changes: [{ kind: 'escalationChain', name: 'finance', op: 'UPDATE' }] });
      const after = await gqlOk(stack.url, '{ governance { version history { version } } }', {}, stack.adminToken);
      expect(after).toEqual(before);
    });

    it('keeps requests decided under an old version as they were when a new version applies', async () => {
      const pending = await submit(stack, agent.apiKey, INPUTS.sync);
      const decidedVersion = pending.governanceVersion;
      const applied = await apply(stack, governanceYaml().replace('HIGH: SYNC_APPROVAL, CRITICAL: SYNC_APPROVAL', 'HIGH: BLOCK, CRITICAL: BLOCK'));
      expect(applied.version).toBeGreaterThan(decidedVersion);
      const still = (await gqlOk(stack.url, GET_ACTION, { id: pending.id }, stack.adminToken)).action;
      expect(still).toMatchObject({ status: 'PENDING', mode: 'SYNC_APPROVAL', governanceVersion: decidedVersion, chain: 'finance' });
      const fresh = await submit(stack, agent.apiKey, INPUTS.sync);
      expect(fresh).toMatchObject({ mode: 'BLOCK', status: 'DENIED', governanceVersion: applied.version });
      await apply(stack, governanceYaml());
    });

    it('shows the current document and who applied which version', async () => {
      const gov = await gqlOk(stack.url, '{ governance { version document history { version appliedBy appliedAt changes { kind name op } } } }', {}, stack.adminToken);
      expect(gov.governance.document).toBe(governanceYaml());
      expect(gov.governance.history[0].version).toBe(gov.governance.version);
      expect(gov.governance.history.at(-1)).toMatchObject({ version: 1, appliedBy: 'ADMIN:bootstrap' });
    });

    it('lets only admins apply governance', async () => {
      expect(errorCode(await gql(stack.url, APPLY, { document: governanceYaml() }, finance.token))).toBe('FORBIDDEN');
      expect(errorCode(await gql(stack.url, APPLY, { document: governanceYaml() }, agent.apiKey))).toBe('FORBIDDEN');
    });
  });

  describe('input validation', () => {
    it.each([
      [{ ...INPUTS.auto, type: 'NoDots' }, 'type'],
      [{ ...INPUTS.asyncReview, amount: { value: -5, currency: 'EUR' } }, 'amount.value'],
      [{ ...INPUTS.asyncReview, amount: { value: 5, currency: 'EURO' } }, 'amount.currency'],
      [{ ...INPUTS.auto, summary: '   ' }, 'summary'],
      [{ ...INPUTS.auto, payload: { blob: 'x'.repeat(300_000) } }, 'payload'],
      [{ ...INPUTS.auto, recordCount: -1 }, 'recordCount'],
    ])('refuses bad input with BAD_USER_INPUT naming the field (%#)', async (input, field) => {
      const result = await gql(stack.url, SUBMIT, { input }, agent.apiKey);
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(result.errors![0]!.extensions!.field).toBe(field);
    });

    it('refuses an unknown enum value', async () => {
      const result = await gql(stack.url, SUBMIT, { input: { ...INPUTS.auto, operation: 'LAUNCH' } }, agent.apiKey);
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
    });
  });

  it('creates exactly one request from 20 concurrent identical submissions with one idempotency key', async () => {
    const input = { ...INPUTS.sync, idempotencyKey: 'pay-INV-42-attempt' };
    const results = await Promise.all(Array.from({ length: 20 }, () => gqlOk(stack.url, SUBMIT, { input }, agent.apiKey)));
    const ids = new Set(results.map((r) => r.submitAction.id));
    expect(ids.size).toBe(1);
    const rows = await stack.database.query('select count(*)::int as n from action_request where idempotency_key = $1', ['pay-INV-42-attempt']);
    expect(rows[0]!.n).toBe(1);
    const reused = await gql(stack.url, SUBMIT, { input: { ...input, payload: { other: true } } }, agent.apiKey);
    expect(errorCode(reused)).toBe('CONFLICT');
  });

  describe('receipts', () => {
    it('verify against the served JWKS and bind this exact payload; a changed payload or a foreign key fails', async () => {
      const action = await submit(stack, agent.apiKey, { ...INPUTS.auto, payload: { b: 2, a: [1, 'x'] } });
      const jwks = (await (await fetch(new URL('/.well-known/jwks.json', stack.url))).json()) as JSONWebKeySet & { keys: Record<string, string>[] };
      expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
      expect(jwks.keys[0].kid).toBeTruthy();
      const keySet = createLocalJWKSet(jwks);
      const { payload: claims, protectedHeader } = await jwtVerify(action.receipt, keySet);
      expect(protectedHeader).toMatchObject({ alg: 'EdDSA', kid: jwks.keys[0].kid });
      expect(claims).toMatchObject({ sub: action.id, agt: agent.id, act: 'reports.read', iss: new URL(stack.url).origin });
      expect(typeof claims.iat).toBe('number');
      expect(claims.exp).toBeGreaterThan(claims.iat!);

      // pld is the SHA-256 of the RFC 8785 canonical JSON of the approved payload.
      const pld = (payload: string) => createHash('sha256').update(payload).digest('base64url');
      expect(claims.pld).toBe(pld('{"a":[1,"x"],"b":2}'));
      expect(claims.pld).not.toBe(pld('{"a":[1,"x"],"b":3}'));

      const foreign = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      const forged = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'EdDSA', kid: jwks.keys[0].kid }).sign(foreign.privateKey);
      await expect(jwtVerify(forged, keySet)).rejects.toThrow();
    });

    it('keep verifying after the signing key is rotated', async () => {
      const old = await submit(stack, agent.apiKey, INPUTS.auto);
      await gqlOk(stack.url, 'mutation { rotateSigningKey }', {}, stack.adminToken);
      const fresh = await submit(stack, agent.apiKey, INPUTS.auto);
      const keySet = createLocalJWKSet((await (await fetch(new URL('/.well-known/jwks.json', stack.url))).json()) as JSONWebKeySet);
      expect((await jwtVerify(old.receipt, keySet)).payload.sub).toBe(old.id);
      expect((await jwtVerify(fresh.receipt, keySet)).payload.sub).toBe(fresh.id);
    });
  });

  describe('reading', () => {
    it('shows agents only their own requests and approvers only what was routed to them', async () => {
      const other = await createAgent(stack, 'other-agent');
      const mine = await submit(stack, agent.apiKey, INPUTS.sync);
      expect(errorCode(await gql(stack.url, GET_ACTION, { id: mine.id }, other.apiKey))).toBe('NOT_FOUND');
      expect(errorCode(await gql(stack.url, GET_ACTION, { id: mine.id }, compliance.token))).toBe('NOT_FOUND');
      const seen = await gqlOk(stack.url, GET_ACTION, { id: mine.id }, finance.token);
      expect(seen.action.id).toBe(mine.id);
      const listed = await gqlOk(stack.url, '{ myActions(first: 500) { totalCount nodes { id } } }', {}, other.apiKey);
      expect(listed.myActions.totalCount).toBe(0);
    });

    it('lets admins filter all requests', async () => {
      const data = await gqlOk(stack.url, `query($f: ActionFilter) { actions(filter: $f, first: 100) { totalCount nodes { status mode type } } }`, { f: { status: ['PENDING'], type: 'payments.*' } }, stack.adminToken);
      expect(data.actions.totalCount).toBeGreaterThan(0);
      for (const node of data.actions.nodes) expect(node).toMatchObject({ status: 'PENDING', type: expect.stringMatching(/^payments\./) });
    });

    it("shows each request's audit trail", async () => {
      const action = await submit(stack, agent.apiKey, INPUTS.auto);
      const data = await gqlOk(stack.url, GET_ACTION, { id: action.id }, stack.adminToken);
      expect(data.action.auditTrail.map((e: { kind: string }) => e.kind)).toEqual(['ACTION_SUBMITTED', 'ACTION_APPROVED']);
    });
  });

  describe('the audit chain', () => {
    const verify = async () => (await gqlOk(stack.url, '{ verifyAuditChain { valid checked brokenAt } }', {}, stack.adminToken)).verifyAuditChain;

    it('verifies, and reports a changed, a deleted and a swapped event at the right position', async () => {
      const intact = await verify();
      expect(intact).toMatchObject({ valid: true, brokenAt: null });
      expect(intact.checked).toBeGreaterThan(20);
      const db = stack.database;

      // Changed: rewrite the data of event 5. The data column alone cannot be changed (it
      // must agree with the event's canonical text), so change both, consistently.
      await expect(db.query(`update audit_event set data = jsonb_set(coalesce(data, '{}'::jsonb), '{tampered}', 'true') where seq = 5`)).rejects.toThrow(
        /audit_event_canonical_check/,
      );
      const tamper = `update audit_event set data = jsonb_set(coalesce(data, '{}'::jsonb), '{tampered}', 'true'),
                        canonical = replace(canonical, '"data":{', '"data":{"tampered":true,') where seq = 5`;
      await db.query(tamper);
      expect(await verify()).toMatchObject({ valid: false, brokenAt: 5 });
      await db.query(`update audit_event set data = data - 'tampered', canonical = replace(canonical, '"data":{"tampered":true,', '"data":{') where seq = 5`);
      expect(await verify()).toMatchObject({ valid: true });

      // Deleted: remove event 7 (keep a copy to put it back).
      const [saved] = await db.query('select * from audit_event where seq = 7');
      await db.query('delete from audit_event where seq = 7');
      expect(await verify()).toMatchObject({ valid: false, brokenAt: 7 });
      await db.query('insert into audit_event select * from jsonb_populate_record(null::audit_event, $1::jsonb)', [JSON.stringify(saved)]);
      expect(await verify()).toMatchObject({ valid: true });

      // Swapped: exchange the contents of events 9 and 10. Each event's text names its own
      // seq, so the rows cannot simply trade places; renumber the texts as well.
      const swap = (canonical: string) => `update audit_event a set kind = b.kind, subject_type = b.subject_type, subject_id = b.subject_id, actor_type = b.actor_type,
                        actor_id = b.actor_id, data = b.data, at = b.at, canonical = ${canonical}, prev_hash = b.prev_hash, hash = b.hash
                      from audit_event b where (a.seq, b.seq) in ((9, 10), (10, 9))`;
      await expect(db.query(swap('b.canonical'))).rejects.toThrow(/audit_event_canonical_check/);
      await db.query(swap(`replace(b.canonical, '"seq":' || b.seq || ',', '"seq":' || a.seq || ',')`));
      expect(await verify()).toMatchObject({ valid: false, brokenAt: 9 });
    });
  });
});

export { ACTION_FIELDS };
