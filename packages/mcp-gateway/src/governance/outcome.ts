import type { Outcome } from '@countersign/sdk';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** The most text of one content part kept in the outcome record. */
const TEXT_LIMIT = 4_000;
const DETAIL_LIMIT = 500;

/**
 * The outcome record of an upstream result: FAILED when the tool said `isError`, else
 * SUCCEEDED; the result keeps text (cut to a bound) and structured content, and only the
 * kind of binary parts (images, audio), so the audit trail stays readable and small.
 */
export function outcomeOf(result: CallToolResult): Outcome {
  const content = (result.content ?? []).map((part) => {
    if (part.type === 'text') return { type: 'text', text: cut(part.text, TEXT_LIMIT) };
    if (part.type === 'image' || part.type === 'audio') return { type: part.type, mimeType: part.mimeType };
    if (part.type === 'resource_link') return { type: part.type, uri: part.uri };
    if (part.type === 'resource') return { type: part.type, uri: part.resource.uri };
    return { type: (part as { type: string }).type };
  });
  const firstText = (result.content ?? []).find((part) => part.type === 'text');
  const detail = firstText && firstText.type === 'text' ? cut(firstText.text, DETAIL_LIMIT) : null;
  return {
    status: result.isError ? 'FAILED' : 'SUCCEEDED',
    detail,
    result: { content, ...(result.structuredContent ? { structuredContent: result.structuredContent } : {}) },
  };
}

/** The outcome when the upstream call itself failed (no result at all). */
export function failureOutcome(error: unknown, cancelled: boolean): Outcome {
  const message = error instanceof Error ? error.message : String(error);
  return { status: 'FAILED', detail: cut(cancelled ? `The MCP client cancelled the call while the tool ran: ${message}` : message, DETAIL_LIMIT) };
}

function cut(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
