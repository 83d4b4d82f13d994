import { describe, expect, it } from 'vitest';
import { DataClassification, Operation } from '../shared/enums.js';
import { MAX_PAYLOAD_CHANGES, PayloadChangeKind, diffRevision, type RevisableFields } from './revision-diff.js';

const original: RevisableFields = {
  type: 'payments.transfer',
  operation: Operation.WRITE,
  summary: 'Wire 25,000 USD to Acme Ltd',
  justification: 'Invoice INV-42 is due today',
  expectedOutcome: null,
  resource: 'invoice:INV-42',
  dataClassification: DataClassification.CONFIDENTIAL,
  dataCategories: ['PII', 'PCI'],
  recordCount: null,
  destination: { system: 'swift', external: true },
  amount: { value: 25000, currency: 'USD' },
  payload: { to: 'ACME-IBAN', amount: 25000, lines: [{ sku: 'A', qty: 1 }], memo: 'INV-42' },
};

describe('diffRevision', () => {
  it('should report nothing for an identical resubmission, whatever the key order or category order', () => {
    const same = { ...original, dataCategories: ['PCI', 'PII'], payload: { memo: 'INV-42', lines: [{ qty: 1, sku: 'A' }], amount: 25000, to: 'ACME-IBAN' } };
    expect(diffRevision(original, same)).toEqual({ fields: [], payload: [], payloadTruncated: false });
  });

  it('should name each changed field with its value before and after', () => {
    const revision = { ...original, summary: 'Wire 9,000 USD to Acme Ltd', amount: { value: 9000, currency: 'USD' }, expectedOutcome: 'Acme is paid in part' };
    expect(diffRevision(original, revision).fields).toEqual([
      { field: 'summary', before: 'Wire 25,000 USD to Acme Ltd', after: 'Wire 9,000 USD to Acme Ltd' },
      { field: 'expectedOutcome', before: null, after: 'Acme is paid in part' },
      { field: 'amount', before: { value: 25000, currency: 'USD' }, after: { value: 9000, currency: 'USD' } },
    ]);
  });

  it('should compare payloads key by key, with paths into objects and arrays', () => {
    const revision = { ...original, payload: { to: 'ACME-IBAN', amount: 9000, lines: [{ sku: 'A', qty: 2 }, { sku: 'B', qty: 1 }], 'due date': '2026-12-01' } };
    expect(diffRevision(original, revision).payload).toEqual([
      { path: 'amount', change: PayloadChangeKind.CHANGED, before: 25000, after: 9000 },
      { path: '["due date"]', change: PayloadChangeKind.ADDED, before: null, after: '2026-12-01' },
      { path: 'lines[0].qty', change: PayloadChangeKind.CHANGED, before: 1, after: 2 },
      { path: 'lines[1]', change: PayloadChangeKind.ADDED, before: null, after: { sku: 'B', qty: 1 } },
      { path: 'memo', change: PayloadChangeKind.REMOVED, before: 'INV-42', after: null },
    ]);
  });

  it('should report a payload that changed kind as a whole', () => {
    expect(diffRevision(original, { ...original, payload: 'raw text' }).payload).toEqual([
      { path: '', change: PayloadChangeKind.CHANGED, before: original.payload, after: 'raw text' },
    ]);
  });

  it('should stop listing at the limit and say the list is truncated', () => {
    const many = (offset: number) => Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`k${String(i).padStart(3, '0')}`, i + offset]));
    const diff = diffRevision({ ...original, payload: many(0) }, { ...original, payload: many(1) });
    expect(diff.payload).toHaveLength(MAX_PAYLOAD_CHANGES);
    expect(diff.payloadTruncated).toBe(true);
  });
});
