import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { createServer as createHttpServer, type Server } from 'node:http';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
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

  it('should end quietly when the reader of its output goes away (`| head`)', () => {
    const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
    for (let i = 0; i < 3; i++) {
      const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" apply --help | head -c 10`], { encoding: 'utf8' });
      expect(r.stdout).toBe('Usage: cou');
      expect(r.stderr).toBe('');
    }
  });

  it('should name a bad line of a document once, without doubling the error prefix', async () => {
    await writeFile(join(dir, 't1.yaml'), 'version: 1\nroutes:\n  - { name: a, when: "nope(", chain: x }\n');
    const r = await runCli(['apply', '-f', 't1.yaml'], { cwd: dir, env: { COUNTERSIGN_URL: 'http://127.0.0.1:1', COUNTERSIGN_TOKEN: 'x' } });
    expect(r.code).toBe(ExitCode.INVALID);
    expect(r.stderr).toMatch(/^error: t1\.yaml:3:\d+: routes\[a\]\.when: /);
    expect(r.stderr).not.toMatch(/error: .*error:/);
  });

  describe('against a plain HTTP server that is not Countersign', () => {
    let server: Server;
    let port: number;
    beforeAll(async () => {
      server = createHttpServer((_req, res) => res.writeHead(404).end('not here'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('should say in a sentence that an https:// URL reached a plain HTTP server', async () => {
      const r = await runCli(['me'], { env: { COUNTERSIGN_URL: `https://127.0.0.1:${port}`, COUNTERSIGN_TOKEN: 'x' } });
      expect(r.code).toBe(ExitCode.UNAVAILABLE);
      expect(r.stderr).toBe(`error: Cannot reach https://127.0.0.1:${port}/graphql: the server does not speak HTTPS there (plain HTTP?): try http://127.0.0.1:${port}/graphql.\n`);
    });

    it('should exit as unavailable, not "no such request", when the URL has a wrong path', async () => {
      const r = await runCli(['me'], { env: { COUNTERSIGN_URL: `http://127.0.0.1:${port}/wrong`, COUNTERSIGN_TOKEN: 'x' } });
      expect(r.code).toBe(ExitCode.UNAVAILABLE);
      expect(r.stderr).toMatch(/no Countersign GraphQL endpoint at that path/);
    });
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
