import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** Where a server started without COUNTERSIGN_SECRET_KEY keeps the key it generated. */
export function secretKeyPath(dataDir: string): string {
  return path.join(dataDir, 'secret-key');
}

/**
 * The key that encrypts secrets at rest: COUNTERSIGN_SECRET_KEY when set (`configured`),
 * otherwise the key file in the data dir, generated (mode 0600) on first start. The file
 * is written whole under another name and then linked into place, so instances starting
 * together on one data dir all end up with the one key that won.
 */
export async function loadSecretKey(configured: Buffer | null, dataDir: string): Promise<{ key: Buffer; file: string | null; created: boolean }> {
  if (configured) return { key: configured, file: null, created: false };
  const file = secretKeyPath(dataDir);
  const existing = await readKeyFile(file);
  if (existing) return { key: existing, file, created: false };
  await fs.mkdir(dataDir, { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await fs.writeFile(temporary, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
  let created = true;
  try {
    await fs.link(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    created = false;
  } finally {
    await fs.unlink(temporary).catch(() => undefined);
  }
  const key = await readKeyFile(file);
  if (!key) throw new Error(`${file} does not hold a 32-byte base64 key; remove it or set COUNTERSIGN_SECRET_KEY`);
  return { key, file, created };
}

async function readKeyFile(file: string): Promise<Buffer | null> {
  let text: string;
  try {
    text = (await fs.readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key; remove it or set COUNTERSIGN_SECRET_KEY`);
  return key;
}
