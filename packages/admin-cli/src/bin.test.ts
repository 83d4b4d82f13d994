import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from './errors.js';
import { GOVERNANCE_TEMPLATE } from './governance/template.js';

/** The built binary, as a user runs it (`pnpm build` makes it; `pnpm test` builds first). */
const BUILT = fileURLToPath(new URL('../dist/testing.js', import.meta.url));

describe.skipIf(!existsSync(BUILT))('the built countersign binary', () => {
  let runCli: typeof import('./testing.js').runCli;
  let dir: string;

  beforeAll(async () => {
    ({ runCli } = (await import(BUILT)) as typeof import('./testing.js'));
    dir = await mkdtemp(join(tmpdir(), 'countersign-bin-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should start from its shebang entry and print its version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('should write the starter governance document with init', async () => {
    const r = await runCli(['init', '--json'], { cwd: dir });
    expect(r.code).toBe(ExitCode.OK);
    expect(r.json()).toMatchObject({ path: 'governance.yaml', policies: 4 });
    expect(await readFile(join(dir, 'governance.yaml'), 'utf8')).toBe(GOVERNANCE_TEMPLATE);
  });

  it('should exit non-zero with one line when the server cannot be reached', async () => {
    const port = await closedPort();
    const r = await runCli(['queue'], { env: { COUNTERSIGN_URL: `http://127.0.0.1:${port}`, COUNTERSIGN_TOKEN: 'x' } });
    expect(r.code).toBe(ExitCode.UNAVAILABLE);
    expect(r.stderr).toBe(`error: Cannot reach http://127.0.0.1:${port}/graphql: connection refused (is the server running?).\n`);
  });
});

/** A port nothing listens on: one the system just handed out and took back. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
