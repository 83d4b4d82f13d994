import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EntityManager } from '@mikro-orm/postgresql';
import { generateSigningKey } from './receipt.js';
import { randomBytes } from 'node:crypto';
import { ReceiptService } from './receipts.service.js';
import { SecretBox } from '../secrets/secret-box.js';
import { secretContext } from '../secrets/at-rest.js';

/**
 * The key cache's own logic, with a stand-in for the database that counts how often the
 * key is read (the signing itself is real). The end-to-end tests sign through a real
 * server; this one needs the clock moved past the cache's lifetime.
 */
describe('ReceiptService key cache', () => {
  afterEach(() => vi.useRealTimers());

  it('reads the key once when many signatures find the cache stale at the same moment', async () => {
    const key = await generateSigningKey();
    let reads = 0;
    const box = new SecretBox(randomBytes(32));
    const privateJwk = box.seal(JSON.stringify(key.privateJwk), secretContext.signingKey(key.kid));
    const row = { kid: key.kid, publicJwk: key.publicJwk, privateJwk, createdAt: key.createdAt, retiredAt: null };
    const em = {
      async transactional<T>(work: (tx: unknown) => Promise<T>): Promise<T> {
        reads += 1;
        await new Promise((resolve) => setImmediate(resolve));
        return work({ execute: async () => [], findOne: async () => row });
      },
    } as unknown as EntityManager;
    const receipts = new ReceiptService(() => 'http://countersign.test', 3600, box);
    await receipts.ensureKey(em);
    expect(reads).toBe(1);

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    const subject = { id: 'a', agentId: 'g', type: 'payments.transfer' };
    const signed = await Promise.all(Array.from({ length: 20 }, () => receipts.sign(em, subject, 'x'.repeat(43))));
    expect(reads).toBe(2);
    expect(new Set(signed.map((jws) => jws.split('.')[0])).size).toBe(1);

    // Fresh again: no read until it goes stale once more.
    await receipts.sign(em, subject, 'x'.repeat(43));
    expect(reads).toBe(2);
  });
});
