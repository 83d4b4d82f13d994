import { Entity, PrimaryKey, Property, JsonType, type Opt } from '@mikro-orm/core';

/**
 * An Ed25519 key that signs receipts. Stored in the database so every instance signs with
 * the same key; retired keys stay published in the JWKS until their receipts expire.
 */
@Entity({ tableName: 'signing_key' })
export class SigningKey {
  @PrimaryKey({ type: 'text' })
  kid!: string;

  @Property({ type: JsonType })
  publicJwk!: Record<string, unknown>;

  /** The private JWK, encrypted under the server's secret key (secrets/secret-box.ts). */
  @Property({ type: 'text', hidden: true })
  privateJwk!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();

  /** Set when a newer key takes over signing; the key still verifies until `expiresAt`. */
  @Property({ type: 'timestamptz', nullable: true })
  retiredAt: Date | null = null;
}
