import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createAgent, createApprover, startServer, startStack, type TestServer } from './support/server.js';
import { errorCode, gql, gqlOk } from './support/graphql.js';
import { INPUTS, apply, governanceYaml, submit } from './support/fixtures.js';
import { waitFor } from './support/wait.js';
import { SERVER_MAIN, freePort, run, type Spawned } from './support/process.js';
import { TestSmtp, type ReceivedMail } from './support/smtp.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type RunResult } from '@countersign/admin-cli/testing';

const PUBLIC_URL = 'https://countersign.example.com';
const MAIL_FROM = 'Countersign <countersign@example.com>';

/** Mail on, short retries, and the daily digest due at any hour (COUNTERSIGN_DIGEST_HOUR=0), looked for often. */
function mailEnv(smtp: TestSmtp): Record<string, string> {
  return {
    COUNTERSIGN_SMTP_URL: smtp.url,
    COUNTERSIGN_MAIL_FROM: MAIL_FROM,
    COUNTERSIGN_PUBLIC_URL: PUBLIC_URL,
    COUNTERSIGN_WEBHOOK_POLL_MS: '50',
    COUNTERSIGN_WEBHOOK_BACKOFF_MS: '100',
    COUNTERSIGN_WEBHOOK_BACKOFF_MAX_MS: '400',
    COUNTERSIGN_WEBHOOK_TIMEOUT_MS: '5000',
    COUNTERSIGN_DIGEST_HOUR: '0',
    COUNTERSIGN_DIGEST_POLL_MS: '100',
  };
}

const DELIVERIES = `query($filter: NotificationDeliveryFilter, $first: Int) {
  notificationDeliveries(filter: $filter, first: $first) {
    totalCount
    nodes { id channel event actionId status attempts lastError lastStatusCode deliveredAt recipient { id name } webhook { id } }
  }
}`;

type Delivery = { id: string; channel: string; event: string; actionId: string | null; status: string; attempts: number; lastError: string | null; lastStatusCode: number | null; recipient: { id: string; name: string } | null };

const PREFS = 'emailAssigned emailEscalated emailAboutToExpire emailDigest digestHourUtc email emailEnabled';
const UPDATE_PREFS = `mutation($input: NotificationPreferencesInput!) { updateMyNotifications(input: $input) { ${PREFS} } }`;

/** Tests that spawn the CLI several times: each start is a new Node process, slow on a loaded machine. */
const CLI_TIMEOUT = 180_000;

/** A marker put in payloads and contexts: no mail may carry it. */
const SECRET = `PAYLOAD-SECRET-${randomBytes(6).toString('hex')}`;

describe('email to approvers (a real SMTP server)', () => {
  let database: TestDatabase;
  let smtp: TestSmtp;
  let server: TestServer;
  let agent: { id: string; apiKey: string };
  let fiona: { id: string; name: string; token: string };
  let felix: { id: string; name: string; token: string };
  let lars: { id: string; name: string; token: string };
  let serial = 0;
  let home: string;

  /** `countersign …` as a user runs it, with a temporary HOME (no saved profile). */
  const cs = (args: string[], token: string): Promise<RunResult> =>
    runCli(args, { cwd: home, env: { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), COUNTERSIGN_URL: server.url, COUNTERSIGN_TOKEN: token } });
  const ok = (result: RunResult): RunResult => {
    expect(result.code, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(0);
    return result;
  };

  const deliveries = async (filter: Record<string, unknown>, token = server.adminToken) =>
    (await gqlOk(server.url, DELIVERIES, { filter, first: 100 }, token)).notificationDeliveries as { totalCount: number; nodes: Delivery[] };
  const emailsAbout = async (actionId: string) => (await deliveries({ channel: 'EMAIL', actionId })).nodes;
  /** A SYNC_APPROVAL payment for finance, with the secret in its payload and context. */
  const syncInput = (summary: string) => ({
    ...INPUTS.sync, summary, idempotencyKey: `mail-${++serial}-${Date.now()}`,
    payload: { ...INPUTS.sync.payload, memo: SECRET }, context: { conversation: SECRET },
  });
  const mailAbout = (address: string, actionId: string, subject?: RegExp) =>
    waitFor(() => smtp.mailsTo(address).find((m) => m.text.includes(`/actions/${actionId}`) && (!subject || subject.test(m.subject))), { what: `a mail to ${address} about ${actionId}` });
  const noSecret = (mail: ReceivedMail) => {
    expect(mail.raw).not.toContain(SECRET);
    expect(mail.raw).not.toContain('ACME-IBAN');
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    home = await mkdtemp(join(tmpdir(), 'countersign-email-'));
    smtp = await TestSmtp.start();
    server = await startServer({ database, env: mailEnv(smtp) });
    fiona = await createApprover(server, 'fiona', ['finance']);
    felix = await createApprover(server, 'felix', ['finance']);
    lars = await createApprover(server, 'lars', ['finance-lead']);
    await createApprover(server, 'cfo');
    // In the finance role with no address: never mailed, never in the outbox.
    await gqlOk(server.url, 'mutation { createApprover(input: {name: "nomail", roles: ["finance"]}) { approver { id } } }', {}, server.adminToken);
    agent = await createAgent(server, 'ap-agent');
    await apply(server, governanceYaml());
  });
  afterAll(async () => {
    await server?.dispose();
    await smtp?.stop();
    await database?.drop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('mails each assignee with an address: summary, risk, amount, deadline and the link in text and HTML; the agent-written summary escaped; never the payload', async () => {
    const summary = 'Wire 25,000 USD to <script>alert("x")</script> Acme & Co';
    const action = await submit(server, agent.apiKey, syncInput(summary));
    const mail = await mailAbout('fiona@example.com', action.id);
    const link = `${PUBLIC_URL}/actions/${action.id}`;

    expect(mail.subject).toBe(`[Countersign] Approval requested: ${summary}`);
    expect(mail.text).toContain('Hello fiona,');
    expect(mail.text).toContain(summary);
    expect(mail.text).toMatch(/Risk:\s+CRITICAL \(95\/100\)/);
    expect(mail.text).toMatch(/Amount:\s+\$25,000\.00/);
    expect(mail.text).toMatch(/Deadline:\s+\w{3}, \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC \(in 1[45] minutes\)/);
    expect(mail.text).toContain(link);
    // Agent-written text cannot become markup in the HTML part.
    expect(mail.html).toContain('Wire 25,000 USD to &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Acme &amp; Co');
    expect(mail.html).not.toMatch(/<script/i);
    expect(mail.html).toContain(`href="${link}"`);
    expect(mail.html).toContain('CRITICAL (95/100)');
    // A link only opens the page: nothing in the mail decides.
    const hrefs = [...mail.html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(hrefs)).toEqual(new Set([link, `${PUBLIC_URL}/settings`]));
    noSecret(mail);

    // One row per recipient with an address; the Message-ID is made from the delivery id.
    const rows = await waitFor(async () => {
      const found = await emailsAbout(action.id);
      return found.length === 2 && found.every((d) => d.status === 'DELIVERED') ? found : undefined;
    }, { what: 'both assignees mailed' });
    expect(rows.map((d) => d.recipient!.name).sort()).toEqual(['felix', 'fiona']);
    const fionas = rows.find((d) => d.recipient!.name === 'fiona')!;
    expect(fionas).toMatchObject({ channel: 'EMAIL', event: 'ASSIGNED', attempts: 1, lastStatusCode: 250 });
    expect(mail.messageId).toBe(`<${fionas.id}@example.com>`);
    expect(mail.headers.get('x-countersign-delivery')).toBe(fionas.id);
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    // The webhook log lists webhooks only.
    expect((await gqlOk(server.url, '{ webhookDeliveries { totalCount } }', {}, server.adminToken)).webhookDeliveries.totalCount).toBe(0);
  });

  it('warns the level before its deadline and mails the next level when the request escalates', async () => {
    await apply(server, governanceYaml({ financeTimeout: '3s' }));
    try {
      const action = await submit(server, agent.apiKey, syncInput('Pay the quarterly rent'));
      const warning = await mailAbout('fiona@example.com', action.id, /Time is running out/);
      expect(warning.subject).toBe('[Countersign] Time is running out: Pay the quarterly rent');
      const escalated = await mailAbout('lars@example.com', action.id, /Escalated/);
      expect(escalated.subject).toBe('[Countersign] Escalated to you (level 2): Pay the quarterly rent');
      expect(escalated.text).toContain(`${PUBLIC_URL}/actions/${action.id}`);
      noSecret(escalated);
    } finally {
      await apply(server, governanceYaml());
    }
  });

  it('lets each approver choose their mails; admins read the choices, other approvers do not, agents and admins cannot set them', async () => {
    const mine = (await gqlOk(server.url, `{ me { approver { notificationPreferences { ${PREFS} } } } }`, {}, fiona.token)).me.approver.notificationPreferences;
    expect(mine).toEqual({ emailAssigned: true, emailEscalated: true, emailAboutToExpire: true, emailDigest: true, digestHourUtc: 0, email: 'fiona@example.com', emailEnabled: true });

    const set = (await gqlOk(server.url, UPDATE_PREFS, { input: { emailAssigned: false, digestHourUtc: 7 } }, felix.token)).updateMyNotifications;
    expect(set).toMatchObject({ emailAssigned: false, emailEscalated: true, digestHourUtc: 7 });
    const action = await submit(server, agent.apiKey, syncInput('Renew the insurance policy'));
    await mailAbout('fiona@example.com', action.id);
    // Planned in the event's transaction: the outbox already says who is mailed.
    expect((await emailsAbout(action.id)).map((d) => d.recipient!.name)).toEqual(['fiona']);

    const listed = async (token: string) =>
      (await gqlOk(server.url, '{ approvers(first: 50) { nodes { name notificationPreferences { emailAssigned digestHourUtc } } } }', {}, token)).approvers.nodes.find((a: { name: string }) => a.name === 'felix');
    expect((await listed(server.adminToken)).notificationPreferences).toEqual({ emailAssigned: false, digestHourUtc: 7 });
    expect((await listed(fiona.token)).notificationPreferences).toBeNull();

    expect(errorCode(await gql(server.url, UPDATE_PREFS, { input: { emailDigest: false } }, agent.apiKey))).toBe('FORBIDDEN');
    expect(errorCode(await gql(server.url, UPDATE_PREFS, { input: { emailDigest: false } }, server.adminToken))).toBe('FORBIDDEN');
    expect(errorCode(await gql(server.url, UPDATE_PREFS, { input: { digestHourUtc: 24 } }, felix.token))).toBe('BAD_USER_INPUT');

    const audit = (await gqlOk(server.url, 'query($f: AuditFilter) { auditLog(filter: $f) { nodes { kind actorId data } } }', { f: { subjectId: felix.id, kind: ['NOTIFICATION_PREFERENCES_UPDATED'] } }, server.adminToken)).auditLog.nodes;
    expect(audit).toEqual([{ kind: 'NOTIFICATION_PREFERENCES_UPDATED', actorId: felix.id, data: { before: { emailAssigned: true, digestHourUtc: null }, after: { emailAssigned: false, digestHourUtc: 7 } } }]);
    await gqlOk(server.url, UPDATE_PREFS, { input: { emailAssigned: true } }, felix.token);
  });

  it('lets an approver see and set their mails from the CLI', async () => {
    const shown = ok(await cs(['me', 'notifications'], felix.token)).stdout;
    expect(shown).toMatch(/Email to:\s+felix@example\.com/);
    expect(shown).toMatch(/Escalated:\s+on/);
    expect(shown).toMatch(/Daily digest:\s+on, at 07:00 UTC/);

    const set = JSON.parse(ok(await cs(['me', 'notifications', '--email-escalated', 'off', '--digest-hour', '6', '--json'], felix.token)).stdout);
    expect(set).toMatchObject({ emailEscalated: false, emailAssigned: true, digestHourUtc: 6 });
    const stored = (await gqlOk(server.url, `{ me { approver { notificationPreferences { ${PREFS} } } } }`, {}, felix.token)).me.approver.notificationPreferences;
    expect(stored).toMatchObject({ emailEscalated: false, digestHourUtc: 6 });
    expect(ok(await cs(['me', 'notifications'], felix.token)).stdout).toMatch(/Escalated:\s+off/);

    const refused = await cs(['me', 'notifications', '--digest', 'maybe'], felix.token);
    expect(refused.code).toBe(2);
    const asAdmin = await cs(['me', 'notifications'], server.adminToken);
    expect(asAdmin.code).toBe(2);
    expect(asAdmin.stderr.trim().split('\n')).toHaveLength(1);
    ok(await cs(['me', 'notifications', '--email-escalated', 'on'], felix.token));
  }, CLI_TIMEOUT);

  it('retries an SMTP server that answers 421, fails a 550 at once, shows both to admins only, and sends a failed mail again on request', async () => {
    let busy = 2;
    smtp.answer = (rcpt) => (rcpt === 'fiona@example.com' && busy-- > 0 ? 421 : null);
    const retried = await submit(server, agent.apiKey, syncInput('Pay the cleaners'));
    await mailAbout('fiona@example.com', retried.id);
    const delivered = await waitFor(async () => (await emailsAbout(retried.id)).find((d) => d.recipient!.name === 'fiona' && d.status === 'DELIVERED'), { what: 'the retried mail recorded' });
    expect(delivered.attempts).toBe(3);
    expect(delivered.lastError).toMatch(/^SMTP 421 /);

    smtp.answer = (rcpt) => (rcpt === 'fiona@example.com' ? 550 : null);
    const refused = await submit(server, agent.apiKey, syncInput('Pay the window washers'));
    const failed = await waitFor(async () => (await emailsAbout(refused.id)).find((d) => d.recipient!.name === 'fiona' && d.status === 'FAILED'), { what: 'the refused mail failed' });
    expect(failed).toMatchObject({ attempts: 1, lastStatusCode: 550 });
    expect(failed.lastError).toMatch(/^SMTP 550 .*No such mailbox/);
    const failures = await deliveries({ channel: 'EMAIL', status: 'FAILED' });
    expect(failures.nodes.map((d) => d.id)).toEqual([failed.id]);

    for (const token of [fiona.token, agent.apiKey]) {
      expect(errorCode(await gql(server.url, DELIVERIES, { filter: {} }, token))).toBe('FORBIDDEN');
      expect(errorCode(await gql(server.url, 'mutation($id: ID!) { retryNotificationDelivery(id: $id) { id } }', { id: failed.id }, token))).toBe('FORBIDDEN');
    }

    // The CLI shows admins the same log.
    const listed = ok(await cs(['deliveries', '--channel', 'email', '--status', 'failed'], server.adminToken)).stdout;
    expect(listed).toContain(failed.id);
    expect(listed).toMatch(/email\s+ASSIGNED\s+fiona\s+failed\s+1\s+SMTP 550/);
    expect(JSON.parse(ok(await cs(['deliveries', '--status', 'failed', '--json'], server.adminToken)).stdout).nodes).toMatchObject([{ id: failed.id, lastStatusCode: 550, recipient: { name: 'fiona' } }]);
    expect((await cs(['deliveries'], fiona.token)).code).not.toBe(0);

    smtp.answer = () => null;
    const again = JSON.parse(ok(await cs(['deliveries', 'retry', failed.id, '--json'], server.adminToken)).stdout);
    expect(again).toMatchObject({ id: failed.id, status: 'PENDING', attempts: 0 });
    const mail = await mailAbout('fiona@example.com', refused.id);
    expect(mail.messageId).toBe(`<${failed.id}@example.com>`);
  }, CLI_TIMEOUT);

  it('sends each approver one daily digest of their review queue, however many instances run', async () => {
    const second = await startServer({ database, env: mailEnv(smtp) });
    try {
      // Without an address until the reviews are in: the digest of a day is decided once, when it is due.
      const make = async (name: string) => (await gqlOk(server.url, `mutation { createApprover(input: {name: "${name}", roles: ["finance"]}) { approver { id } } }`, {}, server.adminToken)).createApprover.approver.id as string;
      const rita = await make('rita');
      const dora = await make('dora');
      const reviews = [];
      for (const what of ['Pay invoice INV-81 <b>now</b>', 'Pay invoice INV-82']) {
        reviews.push(await submit(server, agent.apiKey, { ...INPUTS.asyncReview, summary: what, idempotencyKey: `digest-${what}`, payload: { memo: SECRET } }));
      }
      expect(reviews.map((r) => r.reviewStatus)).toEqual(['UNREVIEWED', 'UNREVIEWED']);
      const setEmail = (id: string, email: string) => gqlOk(server.url, 'mutation($id: ID!, $email: String) { updateApprover(id: $id, input: {email: $email}) { id } }', { id, email }, server.adminToken);

      await setEmail(rita, 'rita@example.com');
      const digest = await waitFor(() => smtp.mailsTo('rita@example.com').find((m) => /to review/.test(m.subject)), { what: "rita's digest" });
      expect(digest.subject).toBe('[Countersign] 2 requests to review');
      for (const review of reviews) expect(digest.text).toContain(`${PUBLIC_URL}/actions/${review.id}`);
      expect(digest.text).toContain('Pay invoice INV-81 <b>now</b>');
      expect(digest.html).toContain('Pay invoice INV-81 &lt;b&gt;now&lt;/b&gt;');
      expect(digest.text).toContain(`${PUBLIC_URL}/reviews`);
      noSecret(digest);

      // Both instances keep looking; by the time dora's digest is out, rita's has had every chance to go twice.
      await setEmail(dora, 'dora@example.com');
      await waitFor(() => smtp.mailsTo('dora@example.com').find((m) => /to review/.test(m.subject)), { what: "dora's digest" });
      await waitFor(async () => (await database.query('select 1 from email_digest where approver_id = $1', [dora])).length === 1, { what: "dora's day claimed" });
      expect(smtp.mailsTo('rita@example.com').filter((m) => /to review/.test(m.subject))).toHaveLength(1);
      expect(await database.query('select day from email_digest where approver_id = $1', [rita])).toHaveLength(1);
      const logged = (await deliveries({ channel: 'EMAIL', event: 'DIGEST', approverId: rita })).nodes;
      expect(logged).toMatchObject([{ event: 'DIGEST', actionId: null, recipient: { name: 'rita' } }]);
    } finally {
      await second.dispose();
    }
  });
});

describe('email during an SMTP outage', () => {
  it('keeps retrying while the SMTP server is down and delivers once it is back', async () => {
    const smtp = await TestSmtp.down();
    const stack = await startStack(mailEnv(smtp));
    try {
      await createApprover(stack, 'fiona', ['finance']);
      const agent = await createAgent(stack, 'ap-agent');
      await apply(stack, governanceYaml());
      const action = await submit(stack, agent.apiKey, INPUTS.sync);
      const pending = await waitFor(async () => {
        const [row] = (await gqlOk(stack.url, DELIVERIES, { filter: { actionId: action.id } }, stack.adminToken)).notificationDeliveries.nodes as Delivery[];
        return row && row.attempts >= 2 ? row : undefined;
      }, { what: 'failed attempts while the SMTP server is down' });
      expect(pending.status).toBe('PENDING');
      expect(pending.lastError).toMatch(/^SMTP connection failed: .*ECONNREFUSED/);

      await smtp.listen();
      const mail = await waitFor(() => smtp.mailsTo('fiona@example.com')[0], { what: 'the mail after the outage' });
      expect(mail.messageId).toBe(`<${pending.id}@example.com>`);
    } finally {
      await stack.dispose();
      await smtp.stop();
    }
  });
});

describe('email across a crash', () => {
  let database: TestDatabase;
  let smtp: TestSmtp;
  const processes: Spawned[] = [];
  afterAll(async () => {
    for (const p of processes) p.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await smtp?.stop();
    await database?.drop();
  });

  /** The built server as its own process, as `pnpm start` runs it. */
  async function startProcess(adminToken: string, env: Record<string, string>): Promise<{ url: string; process: Spawned }> {
    const port = await freePort();
    const spawned = run(process.execPath, [SERVER_MAIN], {
      DATABASE_URL: database.url, PORT: String(port), COUNTERSIGN_BOOTSTRAP_TOKEN: adminToken, LOG_LEVEL: 'warn', COUNTERSIGN_TIMER_POLL_MS: '50', ...mailEnv(smtp), ...env,
    });
    processes.push(spawned);
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/readyz`).catch(() => null))?.status === 200, { timeoutMs: 60_000, what: `the server process (${spawned.output()})` });
    return { url: `${base}/graphql`, process: spawned };
  }

  it('delivers, exactly once, a mail whose event committed just before the server was killed', async () => {
    database = await createTestDatabase();
    smtp = await TestSmtp.start();
    const adminToken = `email-crash-${randomBytes(16).toString('hex')}`;
    // The first instance looks at its outbox only once a minute: it dies before it would send.
    const first = await startProcess(adminToken, { COUNTERSIGN_WEBHOOK_POLL_MS: '60000' });
    const mk = (query: string, token = adminToken) => gqlOk(first.url, query, {}, token);
    await mk('mutation { createApprover(input: {name: "fiona", email: "fiona@example.com", roles: ["finance"]}) { approver { id } } }');
    const agent = (await mk('mutation { createAgent(input: {name: "ap-agent"}) { apiKey } }')).createAgent;
    await gqlOk(first.url, 'mutation($d: String!) { applyGovernance(document: $d) { version } }', { d: governanceYaml() }, adminToken);
    const action = (await gqlOk(first.url, 'mutation($input: ActionInput!) { submitAction(input: $input) { id status } }', { input: INPUTS.sync }, agent.apiKey)).submitAction;
    expect(action.status).toBe('PENDING');
    const [queued] = await database.query<{ id: string; status: string; attempts: number }>(`select id, status, attempts from notification_delivery where channel = 'EMAIL' and action_id = $1`, [action.id]);
    expect(queued).toMatchObject({ status: 'PENDING', attempts: 0 });

    first.process.kill('SIGKILL');
    await first.process.exited;
    expect(smtp.mails).toHaveLength(0);

    await startProcess(adminToken, {});
    await waitFor(async () => (await database.query(`select 1 from notification_delivery where id = $1 and status = 'DELIVERED'`, [queued!.id])).length === 1, { what: 'the mail delivered after the restart' });
    const copies = smtp.mails.filter((m) => m.messageId === `<${queued!.id}@example.com>`);
    expect(copies).toHaveLength(1);
    expect(copies[0]!.to).toEqual(['fiona@example.com']);
    expect(copies[0]!.text).toContain(`${PUBLIC_URL}/actions/${action.id}`);
  }, 180_000);
});
