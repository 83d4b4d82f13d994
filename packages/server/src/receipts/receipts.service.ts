import type { EntityManager } from '@mikro-orm/postgresql';
import type { JSONWebKeySet } from 'jose';
import { generateSigningKey, jwks, signReceipt, type StoredSigningKey } from './receipt.js';
import { SigningKey } from './signing-key.entity.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { secretContext } from '../secrets/at-rest.js';

/** How long an instance trusts its cached view of the keys before re-reading (rotation by another instance). */
const KEY_CACHE_MS = 60_000;

/** What a receipt names of its action. */
export interface ReceiptSubject {
  id: string;
  agentId: string;
  type: string;
  /** A break-glass approval: the receipt says so (`bg: true`). */
  breakGlass?: boolean;
}

/** The public half only: what the JWKS publishes. */
function toPublic(row: SigningKey): StoredSigningKey {
  return { kid: row.kid, publicJwk: row.publicJwk, privateJwk: {}, createdAt: row.createdAt };
}

/**
 * Signs receipts with the one active key that every instance shares (it lives in the
 * database), and publishes the JWKS: the active key plus retired keys whose receipts may
 * still be unexpired, so rotation never breaks a receipt already handed out.
 */
export class ReceiptService {
  private active: { key: StoredSigningKey; loadedAt: number } | null = null;
  private refreshing: Promise<StoredSigningKey> | null = null;

  /** `issuer` is read when signing: the server's own URL is known only once it listens. */
  constructor(
    private readonly issuer: () => string,
    private readonly ttlSeconds: number,
    /** The private keys are stored encrypted with it (DESIGN §11). */
    private readonly box: SecretBox,
  ) {}

  private toStored(row: SigningKey): StoredSigningKey {
    return { ...toPublic(row), privateJwk: JSON.parse(this.box.open(row.privateJwk, secretContext.signingKey(row.kid))) as StoredSigningKey['privateJwk'] };
  }

  /** Makes sure an active key exists (the first instance to start creates it). */
  async ensureKey(em: EntityManager): Promise<StoredSigningKey> {
    return em.transactional(async (tx) => {
      await tx.execute("select pg_advisory_xact_lock(hashtext('countersign.signing_key'))");
      let row = await tx.findOne(SigningKey, { retiredAt: null }, { orderBy: { createdAt: 'desc' } });
      if (!row) {
        const key = await generateSigningKey();
        const privateJwk = this.box.seal(JSON.stringify(key.privateJwk), secretContext.signingKey(key.kid));
        row = tx.create(SigningKey, { kid: key.kid, publicJwk: key.publicJwk as Record<string, unknown>, privateJwk, createdAt: key.createdAt });
        tx.persist(row);
        await tx.flush();
      }
      const key = this.toStored(row);
      this.active = { key, loadedAt: Date.now() };
      return key;
    });
  }

  /** Retires the active key and makes a new one; old receipts keep verifying until they expire. */
  async rotate(em: EntityManager): Promise<StoredSigningKey> {
    await em.transactional(async (tx) => {
      await tx.execute("select pg_advisory_xact_lock(hashtext('countersign.signing_key'))");
      await tx.nativeUpdate(SigningKey, { retiredAt: null }, { retiredAt: new Date() });
    });
    return this.ensureKey(em);
  }

  private async activeKey(em: EntityManager): Promise<StoredSigningKey> {
    if (this.active && Date.now() - this.active.loadedAt < KEY_CACHE_MS) return this.active.key;
    // One read however many signatures find the cache stale at once: on a busy server each
    // of them would otherwise open its own transaction and queue on the key's lock.
    this.refreshing ??= this.ensureKey(em).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /**
   * The receipt for an approved action: binds the action, its agent and type to this exact
   * payload, named by its `payloadHash` (which the caller's audit event records too).
   */
  async sign(em: EntityManager, action: ReceiptSubject, approvedPayloadHash: string): Promise<string> {
    return (await this.signer(em))(action, approvedPayloadHash);
  }

  /**
   * A signing function bound to the active key, read (if it must be) now: for callers that
   * may sign inside a transaction holding the only connection of embedded mode, where
   * reading the key then would wait on itself.
   */
  async signer(em: EntityManager): Promise<(action: ReceiptSubject, approvedPayloadHash: string) => Promise<string>> {
    const key = await this.activeKey(em);
    return (action, pld) => signReceipt(key, { sub: action.id, agt: action.agentId, act: action.type, pld, ...(action.breakGlass ? { bg: true as const } : {}) }, { issuer: this.issuer(), ttlSeconds: this.ttlSeconds });
  }

  /**
   * The public keys that may have signed an unexpired receipt. Read fresh each time (one
   * small query; verifiers cache the set), so a key another instance just made is there.
   */
  async jwks(em: EntityManager): Promise<JSONWebKeySet> {
    const oldest = new Date(Date.now() - this.ttlSeconds * 1000);
    const rows = await em.find(SigningKey, { $or: [{ retiredAt: null }, { retiredAt: { $gt: oldest } }] }, { orderBy: { createdAt: 'desc' } });
    return jwks(rows.map(toPublic));
  }
}
