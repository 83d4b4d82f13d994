import { Entity, Index, PrimaryKey, Property, Unique, type Opt } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/**
 * A web app sign-in (DESIGN §10): a token exchanged once for a random cookie. Only the
 * keyed hash of the cookie's value is stored. The session remembers the hash of the
 * credential it was opened with, so it is valid only while that credential is: a rotated
 * or revoked token or a deactivated approver ends it at the next request, with no
 * bookkeeping elsewhere.
 */
@Entity({ tableName: 'web_session' })
@Index({ properties: ['principalKind', 'principalId'] })
export class WebSession {
  /** Not the cookie: an id that audit events and logs may name. */
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  /** Keyed hash (TokenHasher) of the cookie's value. */
  @Unique()
  @Property({ type: 'text', hidden: true })
  secretHash!: string;

  /** APPROVER or ADMIN: agents do not sign in to the web app. */
  @Property({ type: 'text' })
  principalKind!: string;

  /** The approver's or the admin token's id; null for the bootstrap token. */
  @Property({ type: 'uuid', nullable: true })
  principalId: string | null = null;

  /** Keyed hash of the token signed in with (the same value the approver or admin token row holds). */
  @Property({ type: 'text', hidden: true })
  credentialHash!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'timestamptz' })
  lastSeenAt: Date & Opt = new Date();

  /** The absolute end, fixed at sign-in. */
  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  endedAt: Date | null = null;

  /** Single sign-on: the provider's ID token, sealed (SecretBox), the hint for signing out at the provider. */
  @Property({ type: 'text', nullable: true, hidden: true })
  idToken: string | null = null;

  /** SIGNED_OUT, IDLE, EXPIRED, CREDENTIAL_REVOKED, REPLACED (too many open sessions). */
  @Property({ type: 'text', nullable: true })
  endReason: string | null = null;
}
