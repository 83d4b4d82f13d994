import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from './support/server.js';
import { gqlOk } from './support/graphql.js';
import { APPLY, governanceYaml } from './support/fixtures.js';
import { run } from './support/process.js';

/**
 * An example pointed at a server that is not its own (COUNTERSIGN_URL) would replace that
 * server's governance and add approvers and an agent: it must refuse, saying what it would
 * change, unless run with --reset-governance.
 */
describe('running an example against your own server', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  const state = async () => {
    const data = await gqlOk(stack.url, '{ governance { version } approvers(first: 100) { totalCount } agents(first: 100) { totalCount } }', {}, stack.adminToken);
    return { version: data.governance.version, approvers: data.approvers.totalCount, agents: data.agents.totalCount };
  };
  const example = (args: string[]) => {
    const child = run('pnpm', ['--filter', '@countersign/examples', 'accounts-payable', ...args], { COUNTERSIGN_URL: stack.url.replace(/\/graphql$/, ''), COUNTERSIGN_TOKEN: stack.adminToken });
    return child.exited.then((code) => ({ code, output: child.output() }));
  };

  beforeAll(async () => {
    stack = await startStack();
    await gqlOk(stack.url, APPLY, { document: governanceYaml() }, stack.adminToken);
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it("refuses, saying what it would change, and leaves the server's governance, approvers and agents alone", async () => {
    const before = await state();
    const { code, output } = await example([]);
    expect(code).not.toBe(0);
    expect(output).toContain(`This example would change ${stack.url}, which is not its own server (governance version ${before.version}):`);
    expect(output).toMatch(/- replace its governance with the example's: \d+ added, \d+ changed, \d+ removed/);
    expect(output).toContain('add approvers fiona (finance), lars (finance-lead), clara (cfo) and agent accounts-payable');
    expect(output).toContain('Run it again with --reset-governance');
    expect(await state()).toEqual(before);
  }, 120_000);

  it('runs when told to with --reset-governance', async () => {
    const before = await state();
    const { code, output } = await example(['--reset-governance']);
    expect(code, output).toBe(0);
    expect(output).toContain('INV-1005: not paid, denied by fiona');
    const after = await state();
    expect(after.version).toBe(before.version + 1);
    expect(after.agents).toBe(before.agents + 1);
  }, 180_000);
});
