import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configPath, readConfig, removeProfile, saveProfile } from './profiles.js';

const PROFILE = { url: 'http://127.0.0.1:4000/graphql', token: 'cs_admin_secret', savedAt: '2025-07-10T12:00:00.000Z' };

describe('configPath', () => {
  it('should follow XDG_CONFIG_HOME', () => {
    expect(configPath({ XDG_CONFIG_HOME: '/x/cfg', HOME: '/home/ann' }, 'linux')).toBe('/x/cfg/countersign/config.json');
  });

  it('should default to ~/.config', () => {
    expect(configPath({ HOME: '/home/ann' }, 'linux')).toBe('/home/ann/.config/countersign/config.json');
  });

  it('should use APPDATA on Windows', () => {
    expect(configPath({ APPDATA: 'C:\\Users\\ann\\AppData\\Roaming', HOME: 'C:\\Users\\ann' }, 'win32')).toContain('countersign');
  });
});

describe('profiles on disk', () => {
  let dir: string;
  let path: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'countersign-profiles-'));
    path = join(dir, 'countersign', 'config.json');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should read a missing file as no profiles', async () => {
    expect(await readConfig(path)).toEqual({ profiles: {} });
  });

  it('should save tokens readable by the owner only (0600) in a 0700 directory', async () => {
    await saveProfile(path, 'default', PROFILE);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(dirname(path))).mode & 0o777).toBe(0o700);
  });

  it('should tighten the mode of a file that was world-readable', async () => {
    await saveProfile(path, 'default', PROFILE);
    await writeFile(path, await readFile(path, 'utf8'), { mode: 0o644 });
    await saveProfile(path, 'prod', { ...PROFILE, url: 'https://cs.example.com/graphql' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('should keep other profiles and make the saved one current', async () => {
    await saveProfile(path, 'default', PROFILE);
    await saveProfile(path, 'prod', { ...PROFILE, token: 'other' });
    const config = await readConfig(path);
    expect(config.current).toBe('prod');
    expect(Object.keys(config.profiles)).toEqual(['default', 'prod']);
  });

  it('should remove a profile and fall back to another as current', async () => {
    await saveProfile(path, 'default', PROFILE);
    await saveProfile(path, 'prod', PROFILE);
    expect(await removeProfile(path, 'prod')).toBe(true);
    expect(await readConfig(path)).toEqual({ current: 'default', profiles: { default: PROFILE } });
    expect(await removeProfile(path, 'prod')).toBe(false);
  });

  it('should say how to recover from a corrupt file', async () => {
    await saveProfile(path, 'default', PROFILE);
    await writeFile(path, '{ not json');
    await expect(readConfig(path)).rejects.toThrow(/not valid JSON: fix or delete it/);
  });
});
