import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSecretKey, secretKeyPath } from './secret-key.js';

describe('loadSecretKey', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cs-secret-key-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => fs.rm(dir, { recursive: true, force: true })));
  });

  it('uses COUNTERSIGN_SECRET_KEY when set, and writes no file', async () => {
    const dir = await tempDir();
    const key = randomBytes(32);
    expect(await loadSecretKey(key, dir)).toEqual({ key, file: null, created: false });
    await expect(fs.stat(secretKeyPath(dir))).rejects.toThrow();
  });

  it('generates a key file readable by its owner only, and reads the same key back', async () => {
    const dir = await tempDir();
    const first = await loadSecretKey(null, dir);
    expect(first.created).toBe(true);
    expect((await fs.stat(first.file!)).mode & 0o777).toBe(0o600);
    const again = await loadSecretKey(null, dir);
    expect(again.created).toBe(false);
    expect(again.key.equals(first.key)).toBe(true);
  });

  it('gives instances starting together on one data dir the same key', async () => {
    const dir = await tempDir();
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadSecretKey(null, dir)));
    expect(new Set(keys.map(({ key }) => key.toString('base64'))).size).toBe(1);
    expect(keys.filter(({ created }) => created)).toHaveLength(1);
    expect((await fs.readdir(dir)).sort()).toEqual(['secret-key']);
  });
});
