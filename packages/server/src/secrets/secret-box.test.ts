import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed, and the sealed form holds nothing of the clear value', () => {
    const sealed = box.seal('whsec_top-secret', 'webhook_endpoint.secret:1');
    expect(SecretBox.isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain('top-secret');
    expect(box.open(sealed, 'webhook_endpoint.secret:1')).toBe('whsec_top-secret');
  });

  it('seals the same value differently each time', () => {
    expect(box.seal('x', 'c')).not.toBe(box.seal('x', 'c'));
  });

  it('refuses a value moved to another row, altered, or sealed under another key', () => {
    const sealed = box.seal('secret', 'row:1');
    expect(() => box.open(sealed, 'row:2')).toThrow(/COUNTERSIGN_SECRET_KEY/);
    // A character inside the authentication tag (the last one of base64 may carry only padding bits).
    const at = 'cs1:'.length + 20;
    const altered = sealed.slice(0, at) + (sealed[at] === 'A' ? 'B' : 'A') + sealed.slice(at + 1);
    expect(() => box.open(altered, 'row:1')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'row:1')).toThrow(/does not open/);
  });

  it('tells its own check value from another key’s', () => {
    const other = new SecretBox(randomBytes(32));
    expect(box.matches(box.checkValue())).toBe(true);
    expect(box.matches(other.checkValue())).toBe(false);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(RangeError);
  });
});
