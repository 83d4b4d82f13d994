import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Marks a value sealed by {@link SecretBox} (format version 1); anything else is still in clear. */
const PREFIX = 'cs1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts the secrets the server keeps in its database (DESIGN §11) with AES-256-GCM
 * under the operator's key, so that a dump alone cannot sign a receipt or a webhook.
 * Each value is bound to where it is stored (`context`, e.g. the row's id): a sealed
 * value copied into another row does not open there.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new RangeError(`the secret key must be 32 bytes, got ${key.length}`);
  }

  /** Whether `value` is sealed (as opposed to a row written in clear by an older version). */
  static isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** @throws Error when the value was sealed with another key or for another context, or was altered. */
  open(sealed: string, context: string): string {
    if (!SecretBox.isSealed(sealed)) throw new Error(`a secret stored for ${context} is not encrypted`);
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new Error(`the secret stored for ${context} is truncated`);
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(`the secret stored for ${context} does not open with this secret key (COUNTERSIGN_SECRET_KEY)`);
    }
  }

  /** A value that identifies the key without revealing it: instances compare it to know they share one. */
  checkValue(): string {
    return createHmac('sha256', this.key).update('countersign secret key check v1').digest('base64url');
  }

  /** Whether `stored` is this key's {@link checkValue}. */
  matches(stored: string): boolean {
    const mine = Buffer.from(this.checkValue());
    const theirs = Buffer.from(stored);
    return mine.length === theirs.length && timingSafeEqual(mine, theirs);
  }
}
