import { describe, expect, it } from 'vitest';
import { Verdict } from '../shared/enums.js';
import { AppError, ErrorCode } from '../errors.js';
import { isPayloadHash, payloadHash } from '../receipts/receipt.js';
import { PAYLOAD_CHANGED, staleApproval, validExpectedPayloadHash } from './payload-guard.js';

const id = '00000000-0000-4000-8000-000000000001';
const submitted = { to: 'ACME-IBAN', amount: 50_000 };
const modified = { to: 'ACME-IBAN', amount: 48_000, memo: 'discount' };

describe('validExpectedPayloadHash', () => {
  it('should take what payloadHash gives, and absence as null', () => {
    expect(validExpectedPayloadHash(payloadHash(submitted))).toBe(payloadHash(submitted));
    expect(validExpectedPayloadHash(undefined)).toBeNull();
    expect(validExpectedPayloadHash(null)).toBeNull();
  });

  it.each([
    ['empty', ''],
    ['hex', 'a'.repeat(64)],
    ['padded base64', `${payloadHash(submitted)}=`],
    ['standard base64 alphabet', `${payloadHash(submitted).slice(0, 41)}+/`],
    ['one character short', payloadHash(submitted).slice(0, 42)],
    ['a last character that 256 bits cannot end with', `${payloadHash(submitted).slice(0, 42)}B`],
  ])('should refuse %s as BAD_USER_INPUT naming the field', (_, value) => {
    const error = (() => {
      try {
        validExpectedPayloadHash(value);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).extensions).toMatchObject({ code: ErrorCode.BAD_USER_INPUT, field: 'expectedPayloadHash' });
  });

  it('should accept every hash payloadHash can produce', () => {
    for (let i = 0; i < 500; i++) expect(isPayloadHash(payloadHash({ i }))).toBe(true);
  });
});

describe('staleApproval', () => {
  it('should count an approval of the payload up for approval, whatever its key order', () => {
    expect(staleApproval(id, Verdict.APPROVE, payloadHash(submitted), { amount: 50_000, to: 'ACME-IBAN' })).toBeNull();
  });

  it('should refuse an approval of a payload that is no longer the candidate, naming the current one', () => {
    const error = staleApproval(id, Verdict.APPROVE, payloadHash(submitted), modified);
    expect(error).toBeInstanceOf(AppError);
    expect(error!.message).toContain('changed since you loaded it: reload and review it');
    expect(error!.extensions).toEqual({ code: ErrorCode.CONFLICT, reason: PAYLOAD_CHANGED, candidatePayloadHash: payloadHash(modified), expectedPayloadHash: payloadHash(submitted) });
  });

  it('should leave a vote that names no payload as it was', () => {
    expect(staleApproval(id, Verdict.APPROVE, null, modified)).toBeNull();
  });

  it('should not stand in the way of a denial or a request for changes', () => {
    expect(staleApproval(id, Verdict.DENY, payloadHash(submitted), modified)).toBeNull();
    expect(staleApproval(id, Verdict.REQUEST_CHANGES, payloadHash(submitted), modified)).toBeNull();
  });
});
