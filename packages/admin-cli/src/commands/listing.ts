import type { Listing } from '../api/paging.js';
import { text, type Block } from '../output/view.js';

/** `Showing 50 of 1,204 agents (--limit to see more).` under a cut list; nothing otherwise. */
export function listFooter(listing: Listing<unknown>, noun: string): Block[] {
  if (listing.nodes.length >= listing.totalCount) return [];
  return [text(`Showing ${listing.nodes.length} of ${listing.totalCount.toLocaleString('en-US')} ${noun} (use --limit to see more).`, 'muted')];
}

