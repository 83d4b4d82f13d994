import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type RunResult } from '@countersign/admin-cli/testing';
import { startStack, createApprover } from './support/server.js';
import { errorCode, gql, gqlOk } from './support/graphql.js';

const ME = '{ me { kind id name } }';

/** `countersign approvers rotate-token` and `countersign admin-tokens revoke`, spawned as a user runs them. */
describe('re-issuing and revoking credentials from the CLI', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  let home: string;
  const cs = (args: string[], token = stack.adminToken): Promise<RunResult> =>
    runCli(args, { cwd: home, env: { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), COUNTERSIGN_URL: stack.url, COUNTERSIGN_TOKEN: token } });
  const succeeded = (result: RunResult): RunResult => {
    expect(result.code, `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(0);
    return result;
  };

  beforeAll(async () => {
    stack = await startStack();
    home = await mkdtemp(join(tmpdir(), 'countersign-cli-creds-'));
  });
  afterAll(async () => {
    await stack?.dispose();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('rotates an approver\'s token by name: the new one is printed once and works, the old one is dead', async () => {
    const alice = await createApprover(stack, 'alice', ['finance']);
    const human = succeeded(await cs(['approvers', 'rotate-token', 'alice']));
    expect(human.stdout).toContain('it is not shown again');
    const token = /^Token:\s+(\S+)/m.exec(human.stdout)![1]!;
    expect(token).toMatch(/^cs_appr_/);
    expect(errorCode(await gql(stack.url, ME, {}, alice.token))).toBe('UNAUTHENTICATED');
    expect((await gqlOk(stack.url, ME, {}, token)).me).toMatchObject({ kind: 'APPROVER', id: alice.id });

    // An approver rotates their own with --json; another's is refused with a one-line reason.
    const own = succeeded(await cs(['approvers', 'rotate-token', alice.id, '--json'], token)).json<{ approver: { id: string }; token: string }>();
    expect(own.approver.id).toBe(alice.id);
    expect((await gqlOk(stack.url, ME, {}, own.token)).me.id).toBe(alice.id);
    await createApprover(stack, 'bob', ['finance']);
    const refused = await cs(['approvers', 'rotate-token', 'bob'], own.token);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('revokes an admin token by id, and refuses to revoke the token in use', async () => {
    const created = succeeded(await cs(['admin-tokens', 'create', '--name', 'ci-job', '--json'])).json<{ adminToken: { id: string }; token: string }>();
    const self = await cs(['admin-tokens', 'revoke', created.adminToken.id], created.token);
    expect(self.code).not.toBe(0);
    expect(self.stderr).toMatch(/the token you are using/);

    const revoked = succeeded(await cs(['admin-tokens', 'revoke', created.adminToken.id, '--json'])).json<{ id: string; name: string; revokedAt: string | null }>();
    expect(revoked).toMatchObject({ id: created.adminToken.id, name: 'ci-job', revokedAt: expect.any(String) });
    expect(errorCode(await gql(stack.url, ME, {}, created.token))).toBe('UNAUTHENTICATED');
    const after = await cs(['me'], created.token);
    expect(after.code).not.toBe(0);
  });
});
