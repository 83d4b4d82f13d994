import type { EntityManager } from '@mikro-orm/postgresql';
import { SecretBox } from './secret-box.js';
import { loadSecretKey } from './secret-key.js';
import type { Logger } from '../logger.js';

/** The server_setting row that holds the key's check value. */
const CHECK_SETTING = 'secret_key_check';

/** Where each kind of secret is stored; the context binds a sealed value to its row. */
export const secretContext = {
  signingKey: (kid: string) => `signing_key.private_jwk:${kid}`,
  webhook: (id: string) => `webhook_endpoint.secret:${id}`,
  setting: (name: string) => `server_setting.value:${name}`,
};

/** Settings whose values are secrets (db/bootstrap.ts's shared secrets). */
const SECRET_SETTINGS = ['token_hash_key'];

/**
 * Run at every start, before anything reads or writes a secret: makes sure this instance
 * has the key the database's secrets are encrypted with (the first instance records the
 * key's check value), then encrypts whatever an older version left in clear. In one
 * transaction under a lock, so instances starting together do it once; a second run finds
 * nothing in clear. A migration cannot do this: it does not know the key.
 *
 * @throws Error naming COUNTERSIGN_SECRET_KEY when the database belongs to another key.
 */
export async function protectSecretsAtRest(em: EntityManager, box: SecretBox): Promise<{ sealed: number }> {
  return em.transactional(async (tx) => {
    await tx.execute("select pg_advisory_xact_lock(hashtext('countersign.secrets_at_rest'))");
    await tx.execute('insert into "server_setting" ("name", "value", "created_at") values (?, ?, now()) on conflict ("name") do nothing', [CHECK_SETTING, box.checkValue()]);
    const [check] = await tx.execute<{ value: string }[]>('select "value" from "server_setting" where "name" = ?', [CHECK_SETTING]);
    if (!box.matches(check!.value)) {
      throw new Error(
        'COUNTERSIGN_SECRET_KEY is not the key this database was set up with: its secrets are encrypted under another key. ' +
          'Every instance must run with the same COUNTERSIGN_SECRET_KEY (or, without it, the same secret-key file in its data dir).',
      );
    }
    let sealed = 0;
    const keys = await tx.execute<{ kid: string; private_jwk: string }[]>(`select "kid", "private_jwk" from "signing_key" where "private_jwk" not like 'cs1:%'`);
    for (const row of keys) {
      await tx.execute('update "signing_key" set "private_jwk" = ? where "kid" = ?', [box.seal(row.private_jwk, secretContext.signingKey(row.kid)), row.kid]);
      sealed += 1;
    }
    // A deleted endpoint's secret is wiped (''): nothing to protect.
    const hooks = await tx.execute<{ id: string; secret: string }[]>(`select "id", "secret" from "webhook_endpoint" where "secret" <> '' and "secret" not like 'cs1:%'`);
    for (const row of hooks) {
      await tx.execute('update "webhook_endpoint" set "secret" = ? where "id" = ?', [box.seal(row.secret, secretContext.webhook(row.id)), row.id]);
      sealed += 1;
    }
    const settings = await tx.execute<{ name: string; value: string }[]>(`select "name", "value" from "server_setting" where "name" in (${SECRET_SETTINGS.map(() => '?').join(', ')}) and "value" not like 'cs1:%'`, SECRET_SETTINGS);
    for (const row of settings) {
      await tx.execute('update "server_setting" set "value" = ? where "name" = ?', [box.seal(row.value, secretContext.setting(row.name)), row.name]);
      sealed += 1;
    }
    return { sealed };
  });
}

/**
 * The start-up step of DESIGN §11: the key (COUNTERSIGN_SECRET_KEY, or the data dir's key
 * file, whose path — never the key — is logged with what every instance must share), then
 * {@link protectSecretsAtRest}. Throws, naming the variable, when the key is not this database's.
 */
export async function openSecrets(em: EntityManager, { secretKey, dataDir }: { secretKey: Buffer | null; dataDir: string }, logger: Logger): Promise<SecretBox> {
  const loaded = await loadSecretKey(secretKey, dataDir);
  if (loaded.file) {
    const what = loaded.created ? 'generated the key that encrypts secrets at rest' : 'secrets at rest are encrypted with the key';
    logger[loaded.created ? 'warn' : 'info']({ file: loaded.file }, `${what} in this file: every instance on this database must use the same key (set COUNTERSIGN_SECRET_KEY to it)`);
  }
  const box = new SecretBox(loaded.key);
  const { sealed } = await protectSecretsAtRest(em, box);
  if (sealed > 0) logger.info({ sealed }, 'encrypted secrets an earlier version stored in clear');
  return box;
}
