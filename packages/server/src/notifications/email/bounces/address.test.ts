import { describe, expect, it } from 'vitest';
import { verpAddress, verpDeliveryId } from './address.js';

const ID = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';

describe('VERP addresses', () => {
  it('puts the delivery id after a "+" and reads it back, whatever the case', () => {
    expect(verpAddress('bounces@cs.example.com', ID)).toBe(`bounces+${ID}@cs.example.com`);
    expect(verpDeliveryId(`Bounces+${ID.toUpperCase()}@CS.example.com`, 'bounces@cs.example.com')).toBe(ID);
    expect(verpDeliveryId(`<bounces+${ID}@cs.example.com>`, 'bounces@cs.example.com')).toBe(ID);
  });

  it('reads nothing from another base, another domain or a malformed id', () => {
    expect(verpDeliveryId(`bounces@cs.example.com`, 'bounces@cs.example.com')).toBeNull();
    expect(verpDeliveryId(`bouncesx+${ID}@cs.example.com`, 'bounces@cs.example.com')).toBeNull();
    expect(verpDeliveryId(`bounces+${ID}@example.com`, 'bounces@cs.example.com')).toBeNull();
    expect(verpDeliveryId(`bounces+${ID}x@cs.example.com`, 'bounces@cs.example.com')).toBeNull();
  });
});
