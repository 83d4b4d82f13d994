import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './support/process.js';

const SDK = join(ROOT, 'packages/sdk');

/**
 * `@countersign/sdk` is not on npm yet; the README tells users to pack it and install the
 * tarball. This does exactly that in an empty project, offline: the dependencies are pinned
 * to the versions this repository resolved, so pnpm finds them all in its store.
 */
describe('the SDK, packed and installed as the README says', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cs-pack-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('installs from its `pnpm pack` tarball into a new project, imports, and type-checks', async () => {
    const pnpm = (args: string[], cwd: string) => execFileSync('pnpm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_offline: 'true' } });
    pnpm(['pack', '--pack-destination', dir], SDK);
    const [tarball] = (await readdir(dir)).filter((f) => f.endsWith('.tgz'));
    expect(tarball).toMatch(/^countersign-sdk-\d+\.\d+\.\d+\.tgz$/);
    // Only what users need: compiled code, types and the README.
    const listed = execFileSync('tar', ['tzf', join(dir, tarball!)], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(listed).toContain('package/dist/index.d.ts');
    expect(listed).toContain('package/README.md');
    expect(listed.filter((f) => /\/src\/|\.test\.|test-support/.test(f))).toEqual([]);

    const manifest = JSON.parse(await readFile(join(SDK, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const pinned: Record<string, string> = {};
    for (const dep of Object.keys(manifest.dependencies)) {
      pinned[dep] = (JSON.parse(await readFile(join(SDK, 'node_modules', dep, 'package.json'), 'utf8')) as { version: string }).version;
    }
    const app = join(dir, 'app');
    execFileSync('mkdir', ['-p', app]);
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module', pnpm: { overrides: pinned } }));
    pnpm(['add', '--offline', join(dir, tarball!)], app);

    const exported = execFileSync(process.execPath, ['--input-type=module', '-e', "const m = await import('@countersign/sdk'); console.log(typeof m.createClient, typeof m.ActionDeniedError)"], { cwd: app, encoding: 'utf8' });
    expect(exported.trim()).toBe('function function');

    await writeFile(join(app, 'agent.ts'), "import { createClient, type Client } from '@countersign/sdk';\nexport const cs: Client = createClient({ url: 'http://127.0.0.1:4000', apiKey: 'cs_agent_x' });\n");
    await writeFile(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['agent.ts'] }));
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', app], { encoding: 'utf8' });
  }, 120_000);
});
