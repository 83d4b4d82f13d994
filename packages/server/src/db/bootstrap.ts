import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { generateToken } from '../auth/tokens.js';
import { PrincipalKind } from '../shared/enums.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { secretContext } from '../secrets/at-rest.js';

/**
 * A server-wide random value, created by whichever instance starts first and then shared
 * by all (insert-if-absent, then read back, so racing instances agree). Stored encrypted
 * (DESIGN §11): the token-hashing key is a pepper, of use only if a dump does not hold it.
 */
export async function sharedSecret(em: EntityManager, name: string, box: SecretBox): Promise<Buffer> {
  await em.execute('insert into "server_setting" ("name", "value", "created_at") values (?, ?, now()) on conflict ("name") do nothing', [
    name,
    box.seal(randomBytes(32).toString('base64url'), secretContext.setting(name)),
  ]);
  const [row] = await em.execute<{ value: string }[]>('select "value" from "server_setting" where "name" = ?', [name]);
  return Buffer.from(box.open(row!.value, secretContext.setting(name)), 'base64url');
}

/** Where the embedded server keeps the admin token it generated for itself. */
export function bootstrapTokenPath(dataDir: string): string {
  return path.join(dataDir, 'admin-token');
}

/**
 * In embedded mode with no bootstrap token configured, the server makes one on first start
 * and keeps it in the data dir (mode 0600), so `start` works on a bare machine and the
 * operator can still find the token afterwards.
 */
export async function embeddedBootstrapToken(dataDir: string): Promise<{ token: string; file: string; created: boolean }> {
  const file = bootstrapTokenPath(dataDir);
  try {
    const token = (await fs.readFile(file, 'utf8')).trim();
    if (token) return { token, file, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const token = generateToken(PrincipalKind.ADMIN);
  await fs.mkdir(dataDir, { recursive: true });
  await fs.writeFile(file, token + '\n', { mode: 0o600 });
  return { token, file, created: true };
}
