import { Migration } from '@mikro-orm/migrations';

/**
 * Secrets at rest (DESIGN §11): a receipt signing key's private half is stored encrypted,
 * as text (secrets/secret-box.ts), no longer as a JSON document. Rows keep their clear
 * JSON here; a migration does not know the key, so the start-up step
 * (secrets/at-rest.ts) encrypts them, and webhook secrets and the token-hashing key, in
 * the same transaction that checks the key.
 */
export class Migration20261204000000_secrets_at_rest extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "signing_key" alter column "private_jwk" type text using "private_jwk"::text;`);
  }

  override async down(): Promise<void> {
    // Only rows still in clear convert back; an encrypted key must be decrypted by the server first.
    this.addSql(`alter table "signing_key" alter column "private_jwk" type jsonb using "private_jwk"::jsonb;`);
  }

}
